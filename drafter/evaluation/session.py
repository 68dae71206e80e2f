"""One evaluation: the workspace for a dataset, the run, its files, and the gate against a baseline."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from drafter.bootstrap import Services, build_services
from drafter.core.evaluation import CaseResult, Dataset, RunSummary
from drafter.core.settings import Settings
from drafter.evaluation.compare import compare, gate_text, read_tolerances
from drafter.evaluation.datasets import read_dataset, sha256
from drafter.evaluation.report import render_report
from drafter.evaluation.results import load_run, run_name, summarize, write_run
from drafter.evaluation.runner import Evaluation, Kind, Progress, expand, prepare_workspace, run_config
from drafter.generation.chat_model import ChatModel
from drafter.retrieval import Embedder
from drafter.scoring import LLMJudge, ScoringSuite

JudgeFactory = Callable[[], LLMJudge]


class EvalSession:
    """A dataset with services built for it (clock at the dataset's `now`) and its knowledge imported."""

    def __init__(self, services: Services, dataset: Dataset, digest: str, judge: JudgeFactory | None) -> None:
        self.services = services
        self.dataset = dataset
        self._digest = digest
        self._judge = judge

    @classmethod
    @contextmanager
    def open(
        cls,
        settings: Settings,
        source: Path | Dataset,
        *,
        root: Path,
        shop: str = "demo",
        judge: JudgeFactory | None = None,
        embedder: Embedder | None = None,
        model: ChatModel | None = None,
    ) -> Iterator[EvalSession]:
        """Services for the dataset (a file, or one built in memory) with its shop and knowledge ready."""
        if isinstance(source, Dataset):
            dataset, digest = source, hashlib.sha256(source.model_dump_json().encode()).hexdigest()
        else:
            dataset, digest = read_dataset(source, shop=shop), sha256(source)
        now = dataset.now
        services = build_services(settings, embedder=embedder, model=model, clock=(lambda: now) if now else None)
        try:
            prepare_workspace(services, dataset, root)
            yield cls(services, dataset, digest, judge)
        finally:
            services.close()

    def execute(
        self,
        *,
        kind: Kind,
        out: Path,
        root: Path,
        concurrency: int = 4,
        repeat: int = 1,
        baseline: Path | None = None,
        tolerances: Path | None = None,
        progress: Progress = lambda done, total: None,
    ) -> tuple[RunSummary, list[CaseResult], Path]:
        """Run, summarise, compare with `baseline` (writing `gate.txt`) and write the run's folder."""
        cases = expand(self.dataset, repeat)
        judge = self._judge() if self._judge else None
        config = run_config(
            self.services,
            self.dataset,
            digest=self._digest,
            cases=len(cases),
            kind=kind,
            judge=judge,
            concurrency=concurrency,
            repeat=repeat,
            root=root,
        )
        retriever = self.services.retriever
        suite = ScoringSuite(embed=retriever.embed_queries_cached, retrieval=kind == "drafts")  # type: ignore[arg-type]
        evaluation = Evaluation(self.services, suite, judge=judge)
        started = time.perf_counter()
        rows = asyncio.run(
            _run(evaluation, judge, self.dataset, cases, kind=kind, concurrency=concurrency, progress=progress)
        )
        summary = summarize(config, rows, time.perf_counter() - started)
        folder = out / run_name(config.started_at, config.git_sha)
        comparison = None
        if baseline is not None:
            result = compare(load_run(baseline)[1], rows, read_tolerances(tolerances))
            comparison = result.deltas
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "gate.txt").write_text(gate_text(result) + "\n", encoding="utf-8")
        write_run(folder, summary, rows, render_report(summary, rows, comparison=comparison))
        return summary, rows, folder


async def _run(
    evaluation: Evaluation,
    judge: LLMJudge | None,
    dataset: Dataset,
    cases: list,  # type: ignore[type-arg]
    *,
    kind: Kind,
    concurrency: int,
    progress: Progress,
) -> list[CaseResult]:
    """The run inside one event loop, which also closes the judge's client."""
    try:
        return await evaluation.run(dataset, cases, kind=kind, concurrency=concurrency, progress=progress)
    finally:
        if judge is not None:
            await judge.close()
