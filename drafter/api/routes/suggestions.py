"""Suggested knowledge entries from best-rated approved replies: list, approve, dismiss."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from drafter.api.deps import Editor, Reader, ServicesDep
from drafter.api.errors import ERROR_RESPONSES
from drafter.api.schemas import ErrorBody, SuggestionApproved
from drafter.core.reviews import Suggestion, SuggestionApproval, SuggestionDismissal
from drafter.services.suggestions import SuggestionFilter

router = APIRouter(prefix="/v1/knowledge/suggestions", tags=["knowledge"], responses=ERROR_RESPONSES)
SuggestionId = Annotated[int, Path(ge=1, description="The suggestion's id")]
DECIDE: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such suggestion in your shop"},
    409: {"model": ErrorBody, "description": "Already approved or dismissed, or the entry id is taken"},
}


@router.get("", summary="Suggested entries, best rated first")
def list_suggestions(
    identity: Reader,
    services: ServicesDep,
    status: SuggestionFilter = "open",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[Suggestion]:
    return services.suggestions.listed(identity.shop, status=status, limit=limit, offset=offset)


@router.post(
    "/{suggestion_id}/approve",
    status_code=201,
    summary="Publish the suggestion as a past-reply entry (optionally edited)",
    responses=DECIDE,
)
def approve_suggestion(
    suggestion_id: SuggestionId, body: SuggestionApproval, identity: Editor, services: ServicesDep
) -> SuggestionApproved:
    suggestion, version = services.suggestions.approve(identity, suggestion_id, body)
    return SuggestionApproved(suggestion=suggestion, entry_id=version.content.id, version=version.version)


@router.post("/{suggestion_id}/dismiss", summary="Dismiss the suggestion, with a reason", responses=DECIDE)
def dismiss_suggestion(
    suggestion_id: SuggestionId, body: SuggestionDismissal, identity: Editor, services: ServicesDep
) -> Suggestion:
    return services.suggestions.dismiss(identity, suggestion_id, body)
