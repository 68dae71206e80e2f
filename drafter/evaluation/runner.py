"""Runs a dataset: drafts every case (or takes its human `response`), scores each reply, summarises the run.

The run uses the real pipeline (analysis, retrieval, plan, the configured model, guardrails) against a
workspace database holding the dataset's knowledge base, with the clock at the dataset's `now`.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from drafter.bootstrap import Services
from drafter.core.drafts import DraftContext
from drafter.core.errors import InvalidInput
from drafter.core.evaluation import CaseResult, Dataset, EvalCase, RunConfig, Score
from drafter.core.shop_profile import ShopProfile
from drafter.scoring import Candidate, LLMJudge, ScoringSuite, overall

log = logging.getLogger(__name__)
Kind = Literal["drafts", "replies"]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Scored:
    case: EvalCase
    candidate: Candidate
    status: str
    ms: float


def prepare_workspace(services: Services, dataset: Dataset, root: Path) -> None:
    """Migrate, create the shop, import its knowledge base (unchanged content does nothing), warm the analyzer."""
    services.db.upgrade()
    services.access.ensure_shop(dataset.shop, dataset.name)
    folder = root / dataset.knowledge if dataset.knowledge else services.settings.knowledge_dir
    services.knowledge.import_path(dataset.shop, folder)
    services.retriever.refresh(dataset.shop)
    services.drafts.warm_up()  # intent exemplar vectors: embedded once, then cached in the workspace database


def expand(dataset: Dataset, repeat: int) -> list[EvalCase]:
    """The cases, `repeat` times over (copies get ids `<id>#2`, `<id>#3`...: a load test, not new evidence)."""
    copies = [c.model_copy(update={"id": f"{c.id}#{n}"}) for n in range(2, repeat + 1) for c in dataset.cases]
    return [*dataset.cases, *copies]


class Evaluation:
    """Drafts or takes replies for a dataset's cases, then scores them all."""

    def __init__(self, services: Services, suite: ScoringSuite, *, judge: LLMJudge | None = None) -> None:
        self._services = services
        self._suite = suite
        self._judge = judge

    async def run(
        self, dataset: Dataset, cases: Sequence[EvalCase], *, kind: Kind, concurrency: int, progress: Progress
    ) -> list[CaseResult]:
        if kind == "replies" and (missing := [c.id for c in cases if not c.response]):
            raise InvalidInput(
                f"{len(missing)} cases have no response to score, e.g. {', '.join(missing[:3])}", field="response"
            )
        profile = await asyncio.to_thread(self._services.drafts.profile, dataset.shop)
        gate = asyncio.Semaphore(concurrency)
        done = 0

        async def one(case: EvalCase) -> Scored:
            nonlocal done
            async with gate:
                scored = await (self._draft if kind == "drafts" else self._reply)(dataset.shop, case, profile)
            done += 1
            progress(done, len(cases))
            return scored

        scored = await asyncio.gather(*(one(c) for c in cases))
        rows = await asyncio.to_thread(self._suite.score_many, [s.candidate for s in scored])
        if self._judge is not None:
            verdicts = await self._verdicts([s.candidate for s in scored], gate)
            rows = [[*row, verdict] for row, verdict in zip(rows, verdicts, strict=True)]
        log.info("evaluation scored", extra={"cases": len(scored), "kind": kind, "judge": self._judge is not None})
        return [_row(s, scores) for s, scores in zip(scored, rows, strict=True)]

    async def _verdicts(self, candidates: Sequence[Candidate], gate: asyncio.Semaphore) -> list[Score]:
        judge = self._judge
        assert judge is not None

        async def one(candidate: Candidate) -> Score:
            async with gate:
                return await judge.judge(candidate)

        return list(await asyncio.gather(*(one(c) for c in candidates)))

    async def _draft(self, shop: str, case: EvalCase, profile: ShopProfile) -> Scored:
        started = time.perf_counter()
        request = case.request()
        draft = await self._services.drafts.draft(shop, request, store=False)  # the results hold it
        variant = draft.variants[0]
        context = DraftContext(
            request=request,
            analysis=draft.analysis,
            plan=draft.plan,
            passages=draft.passages,
            profile=profile,
            language=variant.language,
        )
        candidate = Candidate(
            reply=variant.reply,
            context=context,
            findings=variant.findings,
            cited_ids=[c.entry_id for c in variant.citations],
            case=case,
        )
        return Scored(case, candidate, variant.status.value, (time.perf_counter() - started) * 1000)

    async def _reply(self, shop: str, case: EvalCase, profile: ShopProfile) -> Scored:
        reply, drafts = case.response or "", self._services.drafts
        context = await drafts.prepare(shop, case.request(), language=case.expected.language)
        candidate = Candidate(reply=reply, context=context, findings=drafts.check(reply, context), case=case)
        return Scored(case, candidate, "scored", 0.0)


def _row(scored: Scored, scores: list[Score]) -> CaseResult:
    case, candidate = scored.case, scored.candidate
    return CaseResult(
        id=case.id,
        tags=case.tags,
        language=candidate.context.language,
        user_input=case.user_input,
        response=candidate.reply,
        reference=case.reference,
        retrieved_contexts=candidate.retrieved_ids,
        cited_ids=list(candidate.cited_ids),
        intent=candidate.context.analysis.intent.value,
        escalation=[t.value for t in candidate.context.analysis.escalation],
        status=scored.status,
        findings=[f"{f.severity} {f.code}: {f.message}" for f in candidate.findings],
        scores=scores,
        overall=overall(scores),
        ms=round(scored.ms, 2),
    )


def git_state(root: Path) -> tuple[str, bool]:
    """(HEAD sha, whether the work tree has changes); ('unknown', False) outside a git checkout."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown", False
    return sha, bool(dirty)


def run_config(
    services: Services,
    dataset: Dataset,
    *,
    digest: str,
    cases: int,
    kind: Kind,
    judge: LLMJudge | None,
    concurrency: int,
    repeat: int,
    root: Path,
) -> RunConfig:
    sha, dirty = git_state(root)
    return RunConfig(
        dataset=dataset.name,
        dataset_version=dataset.version,
        dataset_sha256=digest,
        cases=cases,
        model=services.drafts.model_name if kind == "drafts" else "human",
        judge=judge.name if judge else None,
        prompt_version=services.drafts.prompt_version if kind == "drafts" else "-",
        git_sha=sha,
        git_dirty=dirty,
        started_at=datetime.now(UTC),
        concurrency=concurrency,
        repeat=repeat,
        embedders={"retrieval": services.retriever.embedder_name},
        kind=kind,
    )
