"""The review loop: the agent's decision, sending, staleness, the audit trail and the daily follow-up list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from drafter.api.deps import Drafter, Reader, Reviewer, ServicesDep, TelemetryDep
from drafter.api.errors import ERROR_RESPONSES
from drafter.api.routes.drafts import NOT_FOUND, DraftId
from drafter.api.schemas import ErrorBody, StaleDrafts
from drafter.core.drafts import Draft
from drafter.core.errors import DrafterError
from drafter.core.reviews import AuditEvent, ConversationMessage, FollowUp, FollowUpClose, Review, ReviewRequest
from drafter.services.follow_ups import Due, FollowUpFilter

router = APIRouter(tags=["reviews"], responses=ERROR_RESPONSES)
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ErrorBody,
        "description": "Already reviewed (`already_reviewed`), or stale without an override (`draft_stale`)",
    }
}
REFUSED: dict[int | str, dict[str, Any]] = {
    422: {
        "model": ErrorBody,
        "description": "Invalid review, or `guardrail_blocked`: the final text fails a blocking check (in `details`)",
    }
}
ConversationId = Annotated[str, Path(min_length=1, max_length=80, description="The inbox's conversation id")]


@router.post(
    "/v1/drafts/{draft_id}/review",
    summary="Approve, edit or reject a draft; edited text is checked by the same guardrails",
    responses={**NOT_FOUND, **CONFLICT, **REFUSED},
)
async def review_draft(
    draft_id: DraftId, body: ReviewRequest, identity: Drafter, services: ServicesDep, telemetry: TelemetryDep
) -> Review:
    try:
        review = await services.reviews.review(identity, draft_id, body)
    except DrafterError as exc:
        if exc.code in {"guardrail_blocked", "draft_stale"}:
            telemetry.refused(exc.code)
        raise
    telemetry.reviewed(review)
    return review


@router.post(
    "/v1/drafts/{draft_id}/sent",
    summary="The inbox sent the approved reply",
    responses={**NOT_FOUND, 409: {"model": ErrorBody, "description": "The draft is not approved or edited"}},
)
def mark_sent(draft_id: DraftId, identity: Drafter, services: ServicesDep) -> Draft:
    return services.reviews.mark_sent(identity, draft_id)


@router.get("/v1/drafts/{draft_id}/events", summary="The draft's audit trail: who did what, when", responses=NOT_FOUND)
def draft_events(draft_id: DraftId, identity: Reviewer, services: ServicesDep) -> list[AuditEvent]:
    return services.reviews.events(identity.shop, draft_id)


@router.post(
    "/v1/conversations/{conversation_id}/messages",
    summary="The inbox reports a new message; pending drafts made before a customer message become stale",
)
def conversation_message(
    conversation_id: ConversationId, body: ConversationMessage, identity: Drafter, services: ServicesDep
) -> StaleDrafts:
    stale = services.reviews.conversation_message(identity, conversation_id, role=body.role, time=body.time)
    return StaleDrafts(conversation_id=conversation_id, stale_drafts=stale)


@router.get("/v1/follow-ups", summary="Promises to keep: today's clearance list (overdue ones flagged)")
def list_follow_ups(
    identity: Reader,
    services: ServicesDep,
    due: Annotated[Due, Query(description="today (includes overdue), overdue, or all")] = "today",
    status: FollowUpFilter = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[FollowUp]:
    return services.follow_ups.listed(identity.shop, due=due, status=status, limit=limit, offset=offset)


@router.post(
    "/v1/follow-ups/{follow_up_id}/close",
    summary="Close a follow-up: done, or cancelled",
    responses={
        404: {"model": ErrorBody, "description": "No such follow-up in your shop"},
        409: {"model": ErrorBody, "description": "Already closed"},
    },
)
def close_follow_up(
    follow_up_id: Annotated[int, Path(ge=1)], body: FollowUpClose, identity: Drafter, services: ServicesDep
) -> FollowUp:
    return services.follow_ups.close(identity, follow_up_id, body)
