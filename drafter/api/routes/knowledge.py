"""Knowledge entries (read, create, new version, archive) and hit testing."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response

from drafter.api.deps import Editor, Reader, ServicesDep
from drafter.api.errors import ERROR_RESPONSES
from drafter.api.params import End, Start, window
from drafter.api.schemas import (
    CitingDrafts,
    EntryList,
    EntryPublic,
    EntryWrite,
    ErrorBody,
    RevisionPublic,
    SearchRequest,
    SearchResponse,
)
from drafter.core.errors import InvalidInput
from drafter.core.models import SLUG_PATTERN, TAG_PATTERN, EntryKind, EntryStatus, GapReport, ImportReport, Language
from drafter.services.knowledge import UploadFormat
from drafter.storage import EntryQuery

router = APIRouter(prefix="/v1/knowledge", tags=["knowledge"], responses=ERROR_RESPONSES)

EntryId = Annotated[str, Path(pattern=SLUG_PATTERN, description="The entry's slug")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody, "description": "No such entry in your shop"}}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "If-Match does not name the latest version"}
}


def _expected(if_match: str | None) -> int | None:
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise InvalidInput('If-Match must be the entry\'s version number, e.g. "3"', field="If-Match")
    return int(value)


def _entry_response(response: Response, entry: EntryPublic) -> EntryPublic:
    response.headers["ETag"] = f'"{entry.version}"'
    return entry


@router.get("/entries", summary="List entries (latest versions), filtered and paged")
def list_entries(
    identity: Reader,
    services: ServicesDep,
    kind: EntryKind | None = None,
    language: Language | None = None,
    status: EntryStatus | None = None,
    tag: Annotated[str | None, Query(pattern=TAG_PATTERN)] = None,
    product: Annotated[str | None, Query(pattern=SLUG_PATTERN)] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200, description="Text in title or body")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> EntryList:
    query = EntryQuery(
        kind=kind, language=language, status=status, tag=tag, product=product, text=q, limit=limit, offset=offset
    )
    items, total = services.knowledge.list_entries(identity.shop, query)
    return EntryList(items=[EntryPublic.of_summary(s) for s in items], total=total, limit=limit, offset=offset)


@router.post(
    "/entries",
    status_code=201,
    summary="Create an entry (version 1); `warnings` lists existing entries it nearly repeats",
    responses={409: {"model": ErrorBody, "description": "The id is taken"}},
)
async def create_entry(body: EntryWrite, identity: Editor, services: ServicesDep, response: Response) -> EntryPublic:
    warnings = await asyncio.to_thread(services.knowledge.near_duplicates, identity.shop, body)
    version = await asyncio.to_thread(services.knowledge.create, identity.shop, body)
    response.headers["Location"] = f"/v1/knowledge/entries/{version.content.id}"
    created = EntryPublic.of(version).model_copy(update={"warnings": warnings})
    return _entry_response(response, created)


@router.get("/entries/{entry_id}", summary="Read an entry's latest version", responses=NOT_FOUND)
def get_entry(entry_id: EntryId, identity: Reader, services: ServicesDep, response: Response) -> EntryPublic:
    return _entry_response(response, EntryPublic.of_summary(services.knowledge.get(identity.shop, entry_id)))


@router.put(
    "/entries/{entry_id}",
    summary="Write a new version (If-Match: the version you edited)",
    responses={**NOT_FOUND, **CONFLICT},
)
def update_entry(
    entry_id: EntryId,
    body: EntryWrite,
    identity: Editor,
    services: ServicesDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> EntryPublic:
    version = services.knowledge.update(identity.shop, entry_id, body, expected_version=_expected(if_match))
    return _entry_response(response, EntryPublic.of(version))


@router.post(
    "/entries/{entry_id}/archive",
    summary="Archive an entry; retrieval stops serving it",
    responses={**NOT_FOUND, **CONFLICT},
)
def archive_entry(
    entry_id: EntryId,
    identity: Editor,
    services: ServicesDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> EntryPublic:
    version = services.knowledge.archive(identity.shop, entry_id, expected_version=_expected(if_match))
    return _entry_response(response, EntryPublic.of(version))


@router.post(
    "/entries/{entry_id}/restore",
    summary="Publish an archived entry again (a new version)",
    responses={**NOT_FOUND, 409: {"model": ErrorBody, "description": "Not archived, or If-Match is not the latest"}},
)
def restore_entry(
    entry_id: EntryId,
    identity: Editor,
    services: ServicesDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> EntryPublic:
    version = services.knowledge.restore(
        identity.shop, entry_id, author=identity.name, expected_version=_expected(if_match)
    )
    return _entry_response(response, EntryPublic.of(version))


@router.post(
    "/entries/{entry_id}/rollback",
    summary="Write an earlier version's content as the new latest version",
    responses={**NOT_FOUND, **CONFLICT},
)
def rollback_entry(
    entry_id: EntryId,
    identity: Editor,
    services: ServicesDep,
    response: Response,
    to: Annotated[int, Query(ge=1, description="The version to go back to")],
    if_match: Annotated[str | None, Header()] = None,
) -> EntryPublic:
    version = services.knowledge.rollback(
        identity.shop, entry_id, to, author=identity.name, expected_version=_expected(if_match)
    )
    return _entry_response(response, EntryPublic.of(version))


@router.get(
    "/entries/{entry_id}/versions/{version}/drafts",
    summary="Drafts that cited this version (who may have been told what it said)",
    responses=NOT_FOUND,
)
def citing_drafts(
    entry_id: EntryId,
    version: Annotated[int, Path(ge=1)],
    identity: Reader,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CitingDrafts:
    items, total = services.knowledge.citing_drafts(identity.shop, entry_id, version, limit=limit, offset=offset)
    return CitingDrafts(entry_id=entry_id, version=version, items=items, total=total, limit=limit, offset=offset)


@router.get("/entries/{entry_id}/versions", summary="Every version of an entry, oldest first", responses=NOT_FOUND)
def list_versions(entry_id: EntryId, identity: Reader, services: ServicesDep) -> list[EntryPublic]:
    return [EntryPublic.of(v) for v in services.knowledge.versions(identity.shop, entry_id)]


IMPORT_TYPES: dict[str, UploadFormat] = {
    "text/csv": "csv",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/json": "json",
}


@router.post(
    "/import",
    summary="Import entries from CSV, JSONL or a JSON array: a dry run shows the diff and applies nothing",
    responses={
        413: {"model": ErrorBody, "description": "Larger than server.max_import_bytes"},
        422: {"model": ErrorBody, "description": "Invalid rows (each named by line and field); nothing applied"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {t: {"schema": {"type": "string"}} for t in IMPORT_TYPES},
        }
    },
)
async def import_entries(
    request: Request,
    identity: Editor,
    services: ServicesDep,
    dry_run: Annotated[bool, Query(description="Report new, changed, unchanged, removed and invalid only")] = False,
    sync: Annotated[bool, Query(description="The upload is the whole knowledge base: archive what it omits")] = False,
) -> ImportReport:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in IMPORT_TYPES:
        raise InvalidInput(f"Content-Type must be one of {', '.join(IMPORT_TYPES)}", field="Content-Type")
    data = await request.body()
    return await asyncio.to_thread(
        services.knowledge.import_upload, identity.shop, data, IMPORT_TYPES[media], dry_run=dry_run, sync=sync
    )


@router.get("/gaps", summary="Questions the knowledge base answers badly (low scores, rejections, rewrites), clustered")
async def knowledge_gaps(
    identity: Reader,
    services: ServicesDep,
    start: Start = None,
    end: End = None,
    min_count: Annotated[int, Query(ge=1, le=10_000, description="Smallest cluster to list")] = 1,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> GapReport:
    start, end = window(start, end)
    return await asyncio.to_thread(services.gaps.gaps, identity.shop, start, end, min_count=min_count, limit=limit)


@router.get("/revision", summary="Your shop's knowledge revision (moves on every change)")
def revision(identity: Reader, services: ServicesDep) -> RevisionPublic:
    return RevisionPublic(shop=identity.shop, revision=services.knowledge.revision(identity.shop))


@router.post("/search", summary="Hit testing: what retrieval returns for a query in your shop")
async def search(body: SearchRequest, identity: Reader, services: ServicesDep) -> SearchResponse:
    started = time.perf_counter()
    passages = await services.knowledge.search(
        identity.shop, body.query, k=body.k, filter=body.filter, mmr=body.mmr, mode=body.mode
    )
    return SearchResponse(passages=passages, took_ms=round((time.perf_counter() - started) * 1000, 2))
