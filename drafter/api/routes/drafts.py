"""Drafts: ask for one (optionally streamed), read it back, refine it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import StreamingResponse

from drafter.api.deps import Drafter, Reviewer, ServicesDep, TelemetryDep
from drafter.api.errors import ERROR_RESPONSES
from drafter.api.schemas import ErrorBody, RefineRequest
from drafter.core.drafts import Draft, DraftRequest
from drafter.core.errors import DrafterError

router = APIRouter(prefix="/v1/drafts", tags=["drafts"], responses=ERROR_RESPONSES)
DraftId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The draft's id")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody, "description": "No such draft in your shop"}}
STREAM_DOC: dict[int | str, dict[str, Any]] = {
    201: {
        "content": {"text/event-stream": {}},
        "description": "With options.stream: events `analysis`, `delta` (reply text), then `draft` (checked)",
    }
}


def _sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


@router.post(
    "",
    status_code=201,
    summary="Draft a reply for a conversation (stored pending the agent's review)",
    responses={**NOT_FOUND, **STREAM_DOC},
    response_model=Draft,
)
async def create_draft(body: DraftRequest, identity: Drafter, services: ServicesDep, telemetry: TelemetryDep) -> Any:
    if not body.options.stream:
        draft = await services.drafts.draft(identity.shop, body)
        telemetry.drafted(draft)
        return draft

    async def events() -> AsyncIterator[str]:
        try:
            async for event in services.drafts.stream(identity.shop, body):
                if event.event == "draft":
                    telemetry.drafted(Draft.model_validate(event.data))
                yield _sse(event.event, event.data)
        except DrafterError as exc:
            yield _sse("error", {"code": exc.code, "message": str(exc)})

    return StreamingResponse(events(), status_code=201, media_type="text/event-stream")


@router.get("/{draft_id}", summary="Read a stored draft", responses=NOT_FOUND)
def get_draft(draft_id: DraftId, identity: Reviewer, services: ServicesDep) -> Draft:
    return services.drafts.get(identity.shop, draft_id)


@router.post(
    "/{draft_id}/refine",
    status_code=201,
    summary="Re-draft: shorter, warmer, more formal, or translated",
    responses=NOT_FOUND,
)
async def refine_draft(
    draft_id: DraftId, body: RefineRequest, identity: Drafter, services: ServicesDep, telemetry: TelemetryDep
) -> Draft:
    draft = await services.drafts.refine(identity.shop, draft_id, body.instruction)
    telemetry.drafted(draft)
    return draft
