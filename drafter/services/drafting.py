"""`DraftService.draft`: analysis -> retrieval -> plan -> generation -> guardrails -> persist."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel

from drafter.analysis import ConversationAnalyzer, detect_language
from drafter.core.drafts import (
    Citation,
    Draft,
    DraftContext,
    DraftOutput,
    DraftRequest,
    DraftStatus,
    DraftVariant,
    Finding,
    Intent,
    ReplyLanguage,
    StageTimings,
    Trace,
)
from drafter.core.errors import DrafterError, NotFound, Unavailable
from drafter.core.models import EntryKind, RetrievalFilter
from drafter.core.shop_profile import ShopProfile
from drafter.generation.chat_model import ChatModel
from drafter.guardrails import Guardrails
from drafter.services.knowledge import KnowledgeIndex
from drafter.services.planner import Planner
from drafter.storage import Database, DraftRepository, ShopRepository
from drafter.storage.drafts import customer_turns

log = logging.getLogger(__name__)
SEARCHED = [EntryKind.POLICY, EntryKind.FAQ, EntryKind.PRODUCT, EntryKind.PAST_REPLY]
Instruction = Literal["shorter", "warmer", "formal", "translate"]
TONES: dict[str, Literal["concise", "warm", "formal"]] = {"shorter": "concise", "warmer": "warm", "formal": "formal"}
# The policies a draft must be grounded in, by intent (tags used in the knowledge base).
POLICY_TAGS: dict[Intent, list[str]] = {
    Intent.LATE: ["late", "lost-parcel", "delivery-time"],
    Intent.ORDER_STATUS: ["tracking", "delivery-time", "shipping"],
    Intent.DAMAGED: ["damaged"],
    Intent.WRONG_ITEM: ["wrong-item"],
    Intent.RETURN: ["returns"],
    Intent.REFUND: ["refund"],
    Intent.EXCHANGE: ["exchange", "size"],
    Intent.DISCOUNT: ["discount", "codes", "objection"],
    Intent.COMPLAINT: ["compensation", "escalation"],
}


class DraftEvent(BaseModel):
    """One server-sent event of a streamed draft."""

    event: Literal["analysis", "delta", "draft"]
    data: dict[str, object]


class _Stages:
    """Wall-clock per stage, in milliseconds."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.ms: dict[str, float] = {}
        self._mark = self.started

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.ms[stage] = round(self.ms.get(stage, 0.0) + (now - self._mark) * 1000, 2)
        self._mark = now

    def timings(self) -> StageTimings:
        total = round((time.perf_counter() - self.started) * 1000, 2)
        get = self.ms.get
        return StageTimings(
            analysis_ms=get("analysis", 0.0),
            retrieval_ms=get("retrieval", 0.0),
            plan_ms=get("plan", 0.0),
            generation_ms=get("generation", 0.0),
            guardrails_ms=get("guardrails", 0.0),
            total_ms=total,
        )


class DraftService:
    """Drafts replies for one shop at a time; every draft is stored pending the agent's review."""

    def __init__(
        self,
        *,
        db: Database,
        index: KnowledgeIndex,
        model: ChatModel,
        fallback: ChatModel,
        guardrails: Guardrails,
        prompt_version: str,
        analyzer: ConversationAnalyzer | None = None,
        planner: Planner | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._index = index
        self._model = model
        self._fallback = fallback
        self._guardrails = guardrails
        self._prompt_version = prompt_version
        self._analyzer = analyzer or ConversationAnalyzer()
        self._planner = planner or Planner()
        self._clock = clock

    @property
    def model_name(self) -> str:
        return self._model.name

    @property
    def prompt_version(self) -> str:
        return self._prompt_version

    def warm_up(self) -> None:
        """Load what the first draft would otherwise pay for (intent exemplar vectors)."""
        self._analyzer.warm_up()

    async def draft(
        self,
        shop: str,
        request: DraftRequest,
        *,
        language: ReplyLanguage | None = None,
        instruction: Instruction | None = None,
        parent_id: str | None = None,
        store: bool = True,
    ) -> Draft:
        """Analyse, retrieve, plan, write `options.variants` variants, check them, store the draft.

        `store=False` (offline evaluation) returns the same draft without writing it: no row, no audit event,
        and no earlier draft of the conversation goes stale.
        """
        stages = _Stages()
        context = await self._prepare(shop, request, language, stages)
        variants = []
        for number in range(request.options.variants):
            variant = context.model_copy(update={"variant": number, "instruction": instruction})
            variants.append(await self._variant(variant, stages))
        return await self._store(shop, context, variants, stages, parent_id, store=store)

    async def stream(self, shop: str, request: DraftRequest) -> AsyncIterator[DraftEvent]:
        """The analysis first, then reply text as it is written, then the checked, stored draft."""
        stages = _Stages()
        context = await self._prepare(shop, request, None, stages)
        analysis = context.analysis.model_dump(mode="json")
        yield DraftEvent(event="analysis", data={"analysis": analysis, "plan": context.plan.model_dump(mode="json")})
        output: DraftOutput | None = None
        fallback = False
        try:
            async for piece in self._model.stream(context):
                if isinstance(piece, DraftOutput):
                    output = piece
                else:
                    yield DraftEvent(event="delta", data={"text": piece})
        except DrafterError as exc:
            log.warning("model failed while streaming; composer takes over", extra={"error": type(exc).__name__})
        if output is None:
            output, fallback = await self._fallback.complete(context), True
            yield DraftEvent(event="delta", data={"text": output.reply, "replaces_previous": True})
        stages.lap("generation")
        variant = self._checked(output, context, stages, fallback=fallback)
        draft = await self._store(shop, context, [variant], stages, None)
        yield DraftEvent(event="draft", data=draft.model_dump(mode="json"))

    async def refine(self, shop: str, draft_id: str, instruction: Instruction) -> Draft:
        """Re-draft with an instruction: shorter, warmer, more formal, or in the other language."""
        original, request = await asyncio.to_thread(self.get_with_request, shop, draft_id)
        language: ReplyLanguage | None = None
        if instruction == "translate":
            current = original.variants[0].language
            language = "zh" if current == "en" else "en"
        else:
            options = request.options.model_copy(update={"tone": TONES[instruction]})
            request = request.model_copy(update={"options": options})
        return await self.draft(shop, request, language=language, instruction=instruction, parent_id=draft_id)

    async def prepare(self, shop: str, request: DraftRequest, *, language: ReplyLanguage | None = None) -> DraftContext:
        """Analysis, retrieval and plan without writing or storing anything (to score a reply written elsewhere)."""
        return await self._prepare(shop, request, language, _Stages())

    def check(self, reply: str, context: DraftContext, cited_ids: Sequence[str] = ()) -> list[Finding]:
        """The guardrails' findings on a reply in a prepared context, as drafting would find them."""
        return self._guardrails.check(DraftOutput(reply=reply, cited_ids=list(cited_ids)), context)

    def get(self, shop: str, draft_id: str) -> Draft:
        return self.get_with_request(shop, draft_id)[0]

    def get_with_request(self, shop: str, draft_id: str) -> tuple[Draft, DraftRequest]:
        with self._db.transaction() as session:
            found = DraftRepository(session).get(shop, draft_id)
        if found is None:
            raise NotFound(f"no draft {draft_id!r} in shop {shop!r}")
        return found

    # ---- stages ------------------------------------------------------------------------------

    async def _prepare(
        self, shop: str, request: DraftRequest, language: ReplyLanguage | None, stages: _Stages
    ) -> DraftContext:
        """Analysis, retrieval and plan: everything a model needs to write a variant."""
        profile = await asyncio.to_thread(self.profile, shop)
        query = self._analyzer.customer_text(request)[-600:]
        detected = detect_language(query)[1]
        vector = await self._index.aembed(query, detected)  # one embedding: intent votes and retrieval
        analysis = self._analyzer.analyze(request, profile, self._clock(), vector=vector)
        stages.lap("analysis")
        reply_language = language or analysis.reply_language
        general = RetrievalFilter(language=reply_language, kinds=SEARCHED, min_rating=4)
        searches = [(general, 6)]
        if tags := POLICY_TAGS.get(analysis.intent):
            searches.append((RetrievalFilter(language=reply_language, kinds=[EntryKind.POLICY], tags=tags), 2))
        same_space = vector if reply_language == detected else None
        results = await self._index.aretrieve_many(query, shop=shop, searches=searches, vector=same_space)
        passages = list({p.entry_id: p for result in results for p in result}.values())
        stages.lap("retrieval")
        plan = self._planner.plan(request, analysis, profile)
        stages.lap("plan")
        return DraftContext(
            request=request, analysis=analysis, plan=plan, passages=passages, profile=profile, language=reply_language
        )

    def profile(self, shop: str) -> ShopProfile:
        """The shop's typed policy profile."""
        with self._db.transaction() as session:
            shops = ShopRepository(session)
            if shops.get(shop) is None:
                raise NotFound(f"shop {shop!r} does not exist")
            return shops.profile(shop)

    async def _variant(self, context: DraftContext, stages: _Stages) -> DraftVariant:
        fallback = False
        try:
            output = await self._model.complete(context)
        except Unavailable as exc:
            log.warning(
                "model unavailable; composer drafts instead", extra={"model": self._model.name, "error": str(exc)[:200]}
            )
            output, fallback = await self._fallback.complete(context), True
        stages.lap("generation")
        return self._checked(output, context, stages, fallback=fallback)

    def _checked(self, output: DraftOutput, context: DraftContext, stages: _Stages, *, fallback: bool) -> DraftVariant:
        """Check; on a block, one repair round, keeping what it removed as warnings for the agent."""
        findings = self._guardrails.check(output, context)
        repaired = self._guardrails.status(findings) is DraftStatus.BLOCKED
        if repaired:
            output = self._guardrails.repair(output, findings, context)
            removed = [
                f.model_copy(
                    update={
                        "severity": "warn",
                        "message": f"removed by repair: {f.message}",
                        "span": None,
                        "repaired": True,
                    }
                )
                for f in findings
                if f.severity == "block"
            ]
            findings = [*self._guardrails.check(output, context), *removed]
        if fallback:
            findings.append(
                Finding(
                    code="llm_fallback", severity="warn", message="the language model failed; the composer wrote this"
                )
            )
        stages.lap("guardrails")
        by_id = {p.entry_id: p for p in context.passages}
        citations = [
            Citation(entry_id=p.entry_id, version=p.version, kind=p.kind.value, title=p.title)
            for c in output.cited_ids
            if (p := by_id.get(c))
        ]
        return DraftVariant(
            reply=output.reply,
            language=context.language,
            leap=output.leap,
            commitments=output.commitments,
            citations=citations,
            findings=findings,
            status=self._guardrails.status(findings),
            repaired=repaired,
            fallback=fallback,
        )

    async def _store(
        self,
        shop: str,
        context: DraftContext,
        variants: list[DraftVariant],
        stages: _Stages,
        parent_id: str | None,
        *,
        store: bool = True,
    ) -> Draft:
        request, analysis = context.request, context.analysis
        model = self._fallback.name if all(v.fallback for v in variants) else self._model.name
        draft = Draft(
            id=uuid.uuid4().hex,
            shop=shop,
            conversation_id=request.conversation_id,
            created_at=self._clock(),
            analysis=analysis,
            plan=context.plan,
            variants=variants,
            passages=context.passages,
            trace=Trace(prompt_version=self._prompt_version, model=model, timings=stages.timings()),
        )
        if not store:
            return draft
        await asyncio.to_thread(self._persist, draft, request, parent_id)
        log.info(
            "draft stored",
            extra={
                "shop": shop,
                "draft": draft.id,
                "intent": analysis.intent.value,
                "status": variants[0].status.value,
                "ms": draft.trace.timings.total_ms,
            },
        )
        return draft

    def _persist(self, draft: Draft, request: DraftRequest, parent_id: str | None) -> None:
        """Store the draft; earlier pending drafts of the conversation that lack its newest message go stale."""
        with self._db.transaction() as session:
            drafts = DraftRepository(session)
            drafts.add(draft, request, parent_id=parent_id)
            detail = {"intent": draft.analysis.intent.value, "status": draft.variants[0].status.value}
            if parent_id is not None:
                detail["refined_from"] = parent_id
            drafts.log(draft.shop, draft.id, "created", at=draft.created_at, detail=detail)
            if draft.conversation_id is not None:
                drafts.mark_stale(
                    draft.shop,
                    draft.conversation_id,
                    at=draft.created_at,
                    turns_below=customer_turns(request),
                    superseded_by=draft.id,
                )
