"""`ReviewService.review`: the agent's decision on a draft, checked, recorded and fed to what follows.

A review is one transaction: the draft's state moves (only from `pending_review`, so of two racing reviews exactly
one wins), the review row with its edit analysis and voice-of-customer tag is written, the audit trail grows, the
promises in the approved text become follow-ups, and a well-rated reply becomes (or joins) a knowledge suggestion.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from drafter.core.drafts import (
    Draft,
    DraftContext,
    DraftOutput,
    DraftRequest,
    DraftVariant,
    Finding,
    ReviewStatus,
)
from drafter.core.errors import Conflict, InvalidInput, NotFound
from drafter.core.models import Identity
from drafter.core.reviews import AuditEvent, Review, ReviewAction, ReviewRequest
from drafter.core.shop_profile import ShopProfile
from drafter.guardrails import Guardrails
from drafter.review.edits import EditAnalysis, EditClass, analyse_edit
from drafter.review.promises import Promise, extract_promises
from drafter.review.voc import VocTag, route
from drafter.services.follow_ups import follow_up
from drafter.services.suggestions import SuggestionCandidate, SuggestionService
from drafter.storage import Database, DraftRepository, FollowUpRepository, ReviewRepository, ShopRepository
from drafter.storage.tables import DraftRow, FollowUpRow, ReviewRow

log = logging.getLogger(__name__)
STATUS_BY_ACTION = {
    ReviewAction.APPROVE: ReviewStatus.APPROVED,
    ReviewAction.EDIT: ReviewStatus.EDITED,
    ReviewAction.REJECT: ReviewStatus.REJECTED,
}


class ReviewRefused(InvalidInput):
    """The final text breaks a blocking guardrail; approval needs an override with a reason."""

    code = "guardrail_blocked"

    def __init__(self, findings: list[Finding]) -> None:
        codes = ", ".join(sorted({f.code for f in findings}))
        super().__init__(
            f"the final text fails blocking checks ({codes}); fix it, or approve with override_reason", field="text"
        )
        self.findings = findings


class StaleDraft(Conflict):
    code = "draft_stale"


class AlreadyReviewed(Conflict):
    code = "already_reviewed"


@dataclass(frozen=True)
class _Checked:
    """What the review computed before writing anything."""

    final: str | None
    findings: list[Finding]
    edit: EditAnalysis | None
    voc: VocTag
    promises: list[Promise]
    candidate: SuggestionCandidate | None


class ReviewService:
    """Records agents' reviews of drafts and marks approved drafts as sent."""

    def __init__(
        self,
        *,
        db: Database,
        guardrails: Guardrails,
        suggestions: SuggestionService,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._guardrails = guardrails
        self._suggestions = suggestions
        self._clock = clock

    async def review(self, identity: Identity, draft_id: str, request: ReviewRequest) -> Review:
        """Approve, edit or reject a draft. Raises ReviewRefused, StaleDraft, AlreadyReviewed, NotFound."""
        row, draft, draft_request, profile = await asyncio.to_thread(self._load, identity.shop, draft_id)
        variant = self._validate(request, draft, row)
        checked = await self._check(identity, request, draft, draft_request, variant, profile, row)
        return await asyncio.to_thread(self._record, identity, request, draft, draft_request, checked)

    def mark_sent(self, identity: Identity, draft_id: str) -> Draft:
        """The inbox sent the approved reply. Raises Conflict unless the draft was approved or edited."""
        now = self._clock()
        with self._db.transaction() as session:
            drafts = DraftRepository(session)
            row = drafts.row(identity.shop, draft_id)
            if row is None:
                raise NotFound(f"no draft {draft_id!r} in shop {identity.shop!r}")
            moved = drafts.transition(
                identity.shop, draft_id, source=[ReviewStatus.APPROVED, ReviewStatus.EDITED], to=ReviewStatus.SENT
            )
            if not moved:
                raise Conflict(f"draft {draft_id} is {row.status}; only approved or edited drafts can be sent")
            row.sent_at = now
            drafts.log(identity.shop, draft_id, "sent", at=now, actor=identity.name, key_id=identity.key_id)
            session.flush()
            session.refresh(row)
            return drafts.draft(row)

    def conversation_message(self, identity: Identity, conversation_id: str, *, role: str, time: datetime) -> list[str]:
        """A message arrived in the inbox: pending drafts made before a customer message become stale."""
        if role != "customer":
            return []
        with self._db.transaction() as session:
            return DraftRepository(session).mark_stale(
                identity.shop, conversation_id, at=self._clock(), made_before=time
            )

    def events(self, shop: str, draft_id: str) -> list[AuditEvent]:
        with self._db.transaction() as session:
            drafts = DraftRepository(session)
            if drafts.row(shop, draft_id) is None:
                raise NotFound(f"no draft {draft_id!r} in shop {shop!r}")
            return [
                AuditEvent(kind=e.kind, actor=e.actor, at=e.at, detail=e.detail) for e in drafts.events(shop, draft_id)
            ]

    # ---- steps ---------------------------------------------------------------------------------

    def _load(self, shop: str, draft_id: str) -> tuple[DraftRow, Draft, DraftRequest, ShopProfile]:
        with self._db.transaction() as session:
            drafts = DraftRepository(session)
            row = drafts.row(shop, draft_id)
            if row is None:
                raise NotFound(f"no draft {draft_id!r} in shop {shop!r}")
            session.expunge(row)
            found = drafts.draft(row), DraftRequest.model_validate(row.request)
            return row, *found, ShopRepository(session).profile(shop)

    @staticmethod
    def _validate(request: ReviewRequest, draft: Draft, row: DraftRow) -> DraftVariant:
        if row.status != ReviewStatus.PENDING.value:
            raise AlreadyReviewed(f"draft {draft.id} is already {row.status}")
        if request.variant >= len(draft.variants):
            raise InvalidInput(f"the draft has {len(draft.variants)} variant(s), numbered from 0", field="variant")
        variant = draft.variants[request.variant]
        cited = {c.entry_id for c in variant.citations} | {p.entry_id for p in draft.passages}
        for entry_id in request.source_ratings:
            if entry_id not in cited:
                raise InvalidInput(f"{entry_id!r} was not used by this draft", field=f"source_ratings.{entry_id}")
        if request.action is ReviewAction.EDIT and request.text is None:
            raise InvalidInput("text is required when action is edit", field="text")
        if request.action is ReviewAction.EDIT and request.text == variant.reply:
            raise InvalidInput("text is unchanged from the draft; use action approve", field="text")
        if request.action is not ReviewAction.EDIT and request.text is not None:
            raise InvalidInput(f"text is only accepted with action edit, not {request.action.value}", field="text")
        if request.action is ReviewAction.REJECT and request.reason is None:
            raise InvalidInput("reason is required when action is reject", field="reason")
        return variant

    async def _check(
        self,
        identity: Identity,
        request: ReviewRequest,
        draft: Draft,
        draft_request: DraftRequest,
        variant: DraftVariant,
        profile: ShopProfile,
        row: DraftRow,
    ) -> _Checked:
        intent = request.intent or draft.analysis.intent
        products = [i.product for o in draft_request.orders for i in o.items if i.product]
        voc = route(_customer_text(draft_request), intent, products)
        if request.action is ReviewAction.REJECT:
            return _Checked(final=None, findings=[], edit=None, voc=voc, promises=[], candidate=None)
        final = request.text or variant.reply
        context = DraftContext(
            request=draft_request,
            analysis=draft.analysis,
            plan=draft.plan,
            passages=draft.passages,
            profile=profile,
            language=variant.language if variant.language in ("en", "zh") else draft.analysis.reply_language,
        )
        output = DraftOutput(reply=final, cited_ids=[c.entry_id for c in variant.citations])
        findings = self._guardrails.check(output, context)
        blocking = [f for f in findings if f.severity == "block"]
        if not request.override_reason:
            if row.stale_at is not None:
                await asyncio.to_thread(self._refused, identity, draft.id, "stale", [])
                raise StaleDraft(
                    f"a newer customer message arrived after draft {draft.id} was made; "
                    "draft again, or approve with override_reason"
                )
            if blocking:
                await asyncio.to_thread(self._refused, identity, draft.id, "guardrail_blocked", blocking)
                raise ReviewRefused(blocking)
        edit = analyse_edit(
            variant.reply,
            final,
            original_findings=variant.findings,
            final_findings=findings,
            personal=_personal(draft_request),
        )
        promises = extract_promises(final, sent_at=self._clock(), profile=profile)
        candidate = None
        if (request.rating or 0) >= 4 and EditClass.POLICY_FIX not in edit.classes and not blocking:
            candidate = await self._suggestions.candidate(
                identity.shop, draft, draft_request, final, request.rating or 0, intent.value, variant.language
            )
        return _Checked(final=final, findings=findings, edit=edit, voc=voc, promises=promises, candidate=candidate)

    def _refused(self, identity: Identity, draft_id: str, why: str, findings: list[Finding]) -> None:
        with self._db.transaction() as session:
            DraftRepository(session).log(
                identity.shop,
                draft_id,
                "review_refused",
                at=self._clock(),
                actor=identity.name,
                key_id=identity.key_id,
                detail={"why": why, "codes": sorted({f.code for f in findings})},
            )

    def _record(
        self,
        identity: Identity,
        request: ReviewRequest,
        draft: Draft,
        draft_request: DraftRequest,
        checked: _Checked,
    ) -> Review:
        now, shop = self._clock(), identity.shop
        status = STATUS_BY_ACTION[request.action]
        with self._db.transaction() as session:
            drafts = DraftRepository(session)
            if not drafts.transition(shop, draft.id, source=[ReviewStatus.PENDING], to=status, reviewed_at=now):
                raise AlreadyReviewed(f"draft {draft.id} was reviewed by someone else first")
            row = ReviewRepository(session).add(self._row(identity, request, draft, draft_request, checked, now))
            drafts.log(
                shop,
                draft.id,
                status.value,
                at=now,
                actor=identity.name,
                key_id=identity.key_id,
                detail=_detail(request, checked),
            )
            follow_ups = FollowUpRepository(session).add(
                [
                    FollowUpRow(
                        shop_id=shop,
                        draft_id=draft.id,
                        conversation_id=draft.conversation_id,
                        kind=p.kind,
                        text=p.text,
                        due_at=p.due_at,
                        created_by=identity.name,
                        created_at=now,
                    )
                    for p in checked.promises
                ]
            )
            suggestion_id = (
                self._suggestions.record(session, shop, checked.candidate, now) if checked.candidate else None
            )
            review = Review(
                draft_id=draft.id,
                action=request.action,
                status=status,
                variant=request.variant,
                final_text=checked.final,
                rating=request.rating,
                agent=identity.name,
                reviewed_at=now,
                time_to_review_s=round((now - draft.created_at).total_seconds(), 3),
                intent=request.intent or draft.analysis.intent,
                char_distance=row.char_distance,
                token_distance=row.token_distance,
                edit_classes=row.edit_classes,
                primary_class=row.primary_class,
                findings=checked.findings,
                overridden=request.override_reason is not None,
                department=row.department,
                topic=row.topic,
                follow_ups=[follow_up(f, now) for f in follow_ups],
                suggestion_id=suggestion_id,
            )
        log.info(
            "draft reviewed",
            extra={"shop": shop, "draft": draft.id, "action": request.action.value, "follow_ups": len(follow_ups)},
        )
        return review

    @staticmethod
    def _row(
        identity: Identity,
        request: ReviewRequest,
        draft: Draft,
        draft_request: DraftRequest,
        checked: _Checked,
        now: datetime,
    ) -> ReviewRow:
        variant = draft.variants[request.variant]
        edit = checked.edit
        return ReviewRow(
            shop_id=identity.shop,
            draft_id=draft.id,
            action=request.action.value,
            variant=request.variant,
            final_text=checked.final,
            rating=request.rating,
            source_ratings=dict(request.source_ratings),
            reason=request.reason,
            override_reason=request.override_reason,
            agent=identity.name,
            key_id=identity.key_id,
            intent=(request.intent or draft.analysis.intent).value,
            drafted_intent=draft.analysis.intent.value,
            language=variant.language,
            channel=draft_request.channel.value,
            sentiment=draft.analysis.sentiment,
            char_distance=edit.char_distance if edit else 0,
            token_distance=edit.token_distance if edit else 0,
            edit_classes=[c.value for c in edit.classes] if edit else [],
            primary_class=edit.primary.value if edit and edit.primary else None,
            findings=[f.model_dump(mode="json") for f in checked.findings],
            cited=[[c.entry_id, c.version] for c in variant.citations],
            department=checked.voc.department.value,
            topic=checked.voc.topic,
            product=checked.voc.product,
            draft_created_at=draft.created_at,
            reviewed_at=now,
            sla_deadline=draft.analysis.sla_deadline,
            draft_blocked=variant.status.value == "blocked",
        )


def _customer_text(request: DraftRequest) -> str:
    return "\n".join(m.text for m in request.conversation if m.role == "customer")


def _personal(request: DraftRequest) -> list[str]:
    """Values whose appearance in an edit means the agent personalised the reply."""
    values = [request.customer.name] if request.customer and request.customer.name else []
    for order in request.orders:
        values.append(order.id)
        values.extend(i.name for i in order.items)
    return values


def _detail(request: ReviewRequest, checked: _Checked) -> dict[str, object]:
    detail: dict[str, object] = {"variant": request.variant}
    if request.rating is not None:
        detail["rating"] = request.rating
    if request.override_reason is not None:
        detail["override"] = True
        detail["overridden_codes"] = sorted({f.code for f in checked.findings if f.severity == "block"})
    if request.intent is not None:
        detail["intent_corrected_to"] = request.intent.value
    if checked.edit is not None and checked.edit.primary is not None:
        detail["edit_class"] = checked.edit.primary.value
    return detail
