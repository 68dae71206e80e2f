"""A run on disk: `config.json`, `cases.jsonl`, `summary.json` and `report.html` in `evals/results/<run>/`."""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from drafter.core.errors import InvalidInput
from drafter.core.evaluation import CaseResult, GroupSummary, RunConfig, RunSummary, ScorerSummary

OVERALL = "overall"


def _values(rows: Iterable[CaseResult], name: str) -> list[float]:
    if name == OVERALL:
        return [r.overall for r in rows if r.overall is not None]
    return [v for r in rows if (v := r.score(name)) is not None]


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def scorer_names(rows: Sequence[CaseResult]) -> list[str]:
    """Every score name in the rows, in the order the first rows list them."""
    return list(dict.fromkeys(s.name for r in rows for s in r.scores))


def summarize(config: RunConfig, rows: Sequence[CaseResult], seconds: float) -> RunSummary:
    """Mean per scorer, overall and per group: all cases, each language, each tag."""
    names = [OVERALL, *scorer_names(rows)]
    scorers = [
        ScorerSummary(
            name=name,
            mean=_mean(values := _values(rows, name)),
            applicable=len(values),
            passed=sum(v >= 1.0 for v in values),
        )
        for name in names
    ]
    groups: dict[str, list[CaseResult]] = {"all": list(rows)}
    for row in rows:
        groups.setdefault(row.language, []).append(row)
    for tag in sorted({t for r in rows for t in r.tags}):
        groups[f"tag:{tag}"] = [r for r in rows if tag in r.tags]
    return RunSummary(
        config=config,
        seconds=round(seconds, 2),
        scorers=scorers,
        groups=[
            GroupSummary(group=g, cases=len(members), means={n: _mean(_values(members, n)) for n in names})
            for g, members in groups.items()
        ],
    )


def run_name(started: datetime, git_sha: str) -> str:
    return f"{started.strftime('%Y%m%dT%H%M%SZ')}-{git_sha[:10]}"


def write_run(folder: Path, summary: RunSummary, rows: Sequence[CaseResult], report: str | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(summary.config.model_dump_json(indent=2), encoding="utf-8")
    with (folder / "cases.jsonl").open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(row.model_dump_json() + "\n")
    (folder / "summary.json").write_text(summary.model_dump_json(indent=2), encoding="utf-8")
    if report is not None:
        (folder / "report.html").write_text(report, encoding="utf-8")
    return folder


def load_run(folder: Path) -> tuple[RunSummary, list[CaseResult]]:
    """A run written by `write_run` (a baseline is one too).

    Raises:
        InvalidInput: the folder is not a run.
    """
    try:
        summary = RunSummary.model_validate_json((folder / "summary.json").read_text(encoding="utf-8"))
        lines = (folder / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InvalidInput(f"{folder} is not an evaluation run: {exc.strerror}", field="run") from exc
    except ValueError as exc:
        raise InvalidInput(f"{folder}/summary.json is not a run summary", field="run") from exc
    return summary, [CaseResult.model_validate(json.loads(line)) for line in lines if line.strip()]
