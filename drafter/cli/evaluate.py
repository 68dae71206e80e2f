"""`drafter eval`: run a dataset, compare two runs (the regression gate), score human replies, calibrate."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from drafter.core.errors import DrafterError
from drafter.core.evaluation import CaseResult, Dataset, RunSummary
from drafter.core.log_config import configure_logging
from drafter.core.settings import Settings

if TYPE_CHECKING:
    from drafter.evaluation.calibration import Correlation
    from drafter.scoring import LLMJudge

eval_app = typer.Typer(no_args_is_help=True, help="Offline evaluation: datasets, scores, reports, the regression gate.")
console = Console()
err = Console(stderr=True)
ROOT = Path.cwd()

Concurrency = Annotated[int, typer.Option("--concurrency", "-j", min=1, max=64, help="Cases drafted at once")]
Out = Annotated[Path, typer.Option("--out", help="Folder the run's folder is written under")]
BaselineOpt = Annotated[
    Path | None, typer.Option("--baseline", help="A run (folder) to compare with; a regression exits with code 1")
]
TolerancesOpt = Annotated[Path | None, typer.Option("--tolerances", help="YAML of allowed drops per scorer")]
DEFAULT_TOLERANCES = Path("evals/tolerances.yaml")


def _settings(model: str, prompts: Path | None, database_url: str | None) -> Settings:
    settings = Settings()
    configure_logging(settings.logging)
    if settings.logging.level == "INFO":  # one line per draft would bury the progress bar
        logging.getLogger("drafter").setLevel(logging.WARNING)
    var = settings.var_dir / "eval"
    update: dict[str, object] = {
        "database_url": database_url or f"sqlite:///{var}/eval.db",
        "retrieval": settings.retrieval.model_copy(update={"index_dir": var / "index"}),
    }
    if prompts is not None:
        update["prompts_dir"] = prompts
    if model == "composer":
        update["llm"] = settings.llm.model_copy(update={"base_url": None})
    elif model != "configured":
        if not settings.llm.base_url:
            raise typer.BadParameter("an LLM model needs DRAFTER_LLM__BASE_URL", param_hint="--model")
        update["llm"] = settings.llm.model_copy(update={"model": model})
    var.mkdir(parents=True, exist_ok=True)
    return settings.model_copy(update=update)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
    )


def _print_summary(summary: RunSummary, folder: Path) -> None:
    table = Table(title=f"{summary.config.dataset} v{summary.config.dataset_version}: {summary.config.cases} cases")
    for column in ("scorer", "mean", "en", "zh", "applicable", "passed"):
        table.add_column(column, justify="left" if column == "scorer" else "right")
    for scorer in summary.scorers:
        cells = [summary.mean(scorer.name, g) for g in ("all", "en", "zh")]
        table.add_row(
            scorer.name,
            *("—" if v is None else f"{v:.3f}" for v in cells),
            str(scorer.applicable),
            str(scorer.passed),
        )
    console.print(table)
    rate = summary.config.cases / summary.seconds if summary.seconds else 0.0
    console.print(f"{summary.seconds:.1f} s ({rate:.1f} cases/s); report: {folder / 'report.html'}")


def _fail(exc: DrafterError) -> typer.Exit:
    err.print(f"[red]error:[/red] {exc}")
    return typer.Exit(code=2)


TagsOpt = Annotated[list[str] | None, typer.Option("--tag", help="Only cases with this tag (repeat: all of them)")]
LimitOpt = Annotated[int | None, typer.Option(min=1, help="Only the first N cases (after --tag)")]


@dataclass(frozen=True)
class _Run:
    """What to run and where to write it (the options `run` and `score-replies` share)."""

    kind: Literal["drafts", "replies"]
    concurrency: int
    out: Path
    baseline: Path | None
    tolerances: Path | None
    repeat: int = 1


@eval_app.command("run")
def run(
    dataset: Annotated[Path, typer.Argument(help="A dataset file (YAML or JSONL), e.g. evals/datasets/core.yaml")],
    model: Annotated[
        str, typer.Option(help="'composer', 'configured' (DRAFTER_LLM__*), or a model name on the configured endpoint")
    ] = "composer",
    judge: Annotated[str | None, typer.Option(help="Grade with an LLM judge: a model name on the endpoint")] = None,
    concurrency: Concurrency = 4,
    repeat: Annotated[int, typer.Option(min=1, max=100, help="Run every case N times (load tests)")] = 1,
    tag: TagsOpt = None,
    limit: LimitOpt = None,
    out: Out = Path("evals/results"),
    baseline: BaselineOpt = None,
    tolerances: TolerancesOpt = DEFAULT_TOLERANCES,
    prompts: Annotated[Path | None, typer.Option(help="Prompts and phrasebooks folder instead of prompts/")] = None,
    database_url: Annotated[str | None, typer.Option(help="Workspace database (default var/eval/eval.db)")] = None,
) -> None:
    """Draft every case with the real pipeline, score the drafts, write the run and its HTML report."""
    settings = _settings(model, prompts, database_url)
    job = _Run("drafts", concurrency, out, baseline, tolerances, repeat)
    _execute(settings, _source(dataset, "demo", tag, limit, references=False), job, judge)


@eval_app.command("score-replies")
def score_replies(
    file: Annotated[Path, typer.Argument(help="Cases with a `response` (YAML dataset or JSONL, one case per line)")],
    shop: Annotated[str, typer.Option(help="Shop whose knowledge a JSONL file assumes")] = "demo",
    judge: Annotated[str | None, typer.Option(help="Grade with an LLM judge too")] = None,
    concurrency: Concurrency = 4,
    tag: TagsOpt = None,
    limit: LimitOpt = None,
    out: Out = Path("evals/results"),
    baseline: BaselineOpt = None,
    tolerances: TolerancesOpt = DEFAULT_TOLERANCES,
    references: Annotated[
        bool,
        typer.Option("--references", help="Score each case's reference reply (how the rubric grades gold replies)"),
    ] = False,
) -> None:
    """Score replies written by people (no drafting) with the same rubric."""
    settings = _settings("composer", None, None)
    job = _Run("replies", concurrency, out, baseline, tolerances)
    _execute(settings, _source(file, shop, tag, limit, references=references), job, judge)


def _source(path: Path, shop: str, tags: list[str] | None, limit: int | None, *, references: bool) -> Dataset:
    from drafter.evaluation.datasets import read_dataset, references_as_responses, select

    try:
        dataset = read_dataset(path, shop=shop)
        dataset = references_as_responses(dataset) if references else dataset
        return select(dataset, tags=tags or [], limit=limit) if tags or limit else dataset
    except DrafterError as exc:
        raise _fail(exc) from exc


def _execute(settings: Settings, dataset: Dataset, job: _Run, judge_model: str | None) -> None:
    judge = _judge_factory(settings, judge_model) if judge_model else None
    summary, _, folder = _scored(settings, dataset, job, judge, "drafting" if job.kind == "drafts" else "scoring")
    _print_summary(summary, folder)
    if job.baseline is not None:
        verdict = (folder / "gate.txt").read_text(encoding="utf-8")
        console.print(verdict)
        if verdict.startswith("FAIL"):
            raise typer.Exit(code=1)


def _scored(
    settings: Settings, dataset: Dataset, job: _Run, judge: Callable[[], LLMJudge] | None, label: str
) -> tuple[RunSummary, list[CaseResult], Path]:
    """The run with a progress bar; a DrafterError ends the command with its message (exit 2)."""
    from drafter.evaluation.session import EvalSession

    tolerances = job.tolerances if job.tolerances and job.tolerances.exists() else None
    try:
        with _progress() as bar, EvalSession.open(settings, dataset, root=ROOT, judge=judge) as session:
            task = bar.add_task(label, total=None)
            return session.execute(
                kind=job.kind,
                out=job.out,
                root=ROOT,
                concurrency=job.concurrency,
                repeat=job.repeat,
                baseline=job.baseline,
                tolerances=tolerances,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except DrafterError as exc:
        raise _fail(exc) from exc


def _judge_factory(settings: Settings, model: str) -> Callable[[], LLMJudge]:
    if not settings.llm.base_url:
        raise typer.BadParameter(
            "a judge needs DRAFTER_LLM__BASE_URL (an OpenAI-compatible endpoint)", param_hint="--judge"
        )
    from drafter.bootstrap import build_judge

    llm = settings.llm.model_copy(update={"model": model})
    return lambda: build_judge(llm, settings.prompts_dir)


@eval_app.command("compare")
def compare_runs(
    base: Annotated[Path, typer.Argument(help="The earlier run (or the baseline)")],
    head: Annotated[Path, typer.Argument(help="The later run")],
    tolerances: TolerancesOpt = DEFAULT_TOLERANCES,
    all_groups: Annotated[bool, typer.Option("--all", help="Show every scorer, not only the changed ones")] = False,
) -> None:
    """Deltas per scorer for paired cases, with significance; exits 1 when the gate finds a regression."""
    from drafter.evaluation.compare import compare, gate_text, read_tolerances
    from drafter.evaluation.results import load_run

    try:
        limits = read_tolerances(tolerances if tolerances and tolerances.exists() else None)
        _, base_rows = load_run(base)
        _, head_rows = load_run(head)
    except DrafterError as exc:
        raise _fail(exc) from exc
    result = compare(base_rows, head_rows, limits)
    table = Table(title=f"{head.name} vs {base.name} (paired cases; sign-flip test)")
    for column in ("group", "scorer", "base", "head", "delta", "p", "cases", ""):
        table.add_column(column, justify="left" if column in ("group", "scorer", "") else "right")
    for d in result.deltas:
        if not all_groups and not d.delta and not d.regression:
            continue
        table.add_row(
            d.group,
            d.name,
            _fmt(d.base),
            _fmt(d.head),
            _fmt(d.delta, signed=True),
            _fmt(d.p_value),
            str(d.cases),
            "[red]REGRESSION[/red]" if d.regression else "",
        )
    console.print(table)
    console.print(gate_text(result))
    if result.failed:
        raise typer.Exit(code=1)


def _fmt(value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.4f}" if signed else f"{value:.4f}"


@eval_app.command("calibrate")
def calibrate(
    data: Annotated[Path, typer.Option(help="The STC-3 folder")] = Path("../shared/data/stc3_dialeval"),
    judge: Annotated[str | None, typer.Option(help="Calibrate an LLM judge too")] = None,
    concurrency: Concurrency = 4,
    out: Out = Path("evals/results"),
) -> None:
    """Spearman correlation of the rubric (and judge) with STC-3's human ratings, Chinese and English apart."""
    from drafter.evaluation.calibration import build_dataset, correlate, dialogue_scores, human_ratings

    if not data.is_dir():
        raise typer.BadParameter(f"{data} is not a folder (the STC-3 test files)", param_hint="--data")
    settings = _settings("composer", None, None)
    factory = _judge_factory(settings, judge) if judge else None
    ratings = human_ratings(data)
    table = Table(title="Spearman's rho with STC-3 annotators (A = task accomplishment, S = satisfaction)")
    for column in ("language", "score", "rho vs A", "rho vs S", "dialogues"):
        table.add_column(column, justify="left" if column in ("language", "score") else "right")
    job = _Run("replies", concurrency, out, baseline=None, tolerances=None)
    for language in ("zh", "en"):
        summary, rows, folder = _scored(
            settings, build_dataset(data, language), job, factory, f"scoring stc3 {language}"
        )
        names = [s.name for s in summary.scorers if s.applicable]
        correlations = correlate(language, dialogue_scores(rows, names), ratings, names)
        (folder / "calibration.json").write_text(
            json.dumps([c.__dict__ for c in correlations], indent=2), encoding="utf-8"
        )
        for name in names:
            pair = {c.target: c for c in correlations if c.score == name}
            if pair:
                table.add_row(
                    language, name, *(_rho(pair.get(t)) for t in ("A", "S")), str(next(iter(pair.values())).dialogues)
                )
    console.print(table)


def _rho(found: Correlation | None) -> str:
    if found is None:
        return "—"
    star = "*" if found.p_value < 0.05 else ""
    return f"{found.rho:+.3f}{star}"
