"""Wire schemas: what the HTTP API accepts and returns (separate from domain models)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from drafter.core.models import (
    CitingDraft,
    EntryContent,
    EntryKind,
    EntryStatus,
    EntrySummary,
    EntryVersion,
    Language,
    NearDuplicate,
    Passage,
    RetrievalFilter,
    Role,
)
from drafter.core.reviews import Suggestion


class Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ErrorDetail(Wire):
    field: str | None = None
    message: str
    code: str | None = Field(default=None, description="A guardrail finding's code, when the detail is one")
    span: tuple[int, int] | None = Field(default=None, description="Where in the text the finding is")


class ErrorInfo(Wire):
    code: str
    message: str
    field: str | None = None
    details: list[ErrorDetail] = []


class ErrorBody(Wire):
    error: ErrorInfo


class EntryWrite(EntryContent):
    """Body of a create or update: the full content of the new version."""


class EntryPublic(Wire):
    id: str
    kind: EntryKind
    title: str
    body: str
    language: Language
    tags: list[str]
    product: str | None
    valid_from: datetime | None
    valid_to: datetime | None
    status: EntryStatus
    author: str
    rating: float | None
    featured_from: datetime | None = None
    featured_to: datetime | None = None
    version: int
    version_id: int
    revision: int
    content_hash: str
    created_at: datetime
    live_version: int | None = Field(default=None, description="The version retrieval serves (entry reads only)")
    warnings: list[NearDuplicate] = Field(default=[], description="On create: existing entries this one repeats")

    @classmethod
    def of(cls, version: EntryVersion, *, live_version: int | None = None) -> EntryPublic:
        return cls(
            **version.content.model_dump(),
            version=version.version,
            version_id=version.version_id,
            revision=version.revision,
            content_hash=version.content_hash,
            created_at=version.created_at,
            live_version=live_version,
        )

    @classmethod
    def of_summary(cls, summary: EntrySummary) -> EntryPublic:
        return cls.of(summary.latest, live_version=summary.live_version)


class EntryList(Wire):
    items: list[EntryPublic]
    total: int
    limit: int
    offset: int


class RevisionPublic(Wire):
    shop: str
    revision: int


class SearchRequest(Wire):
    query: str = Field(min_length=1, max_length=2000)
    k: int = Field(default=5, ge=1, le=50)
    filter: RetrievalFilter = RetrievalFilter()
    mmr: bool = Field(default=False, description="Diversify: near-identical passages do not fill the top k")
    mode: Literal["hybrid", "dense", "lexical"] = Field(default="hybrid", description="Which rankers to use")


class SearchResponse(Wire):
    passages: list[Passage]
    took_ms: float


class RefineRequest(Wire):
    instruction: Literal["shorter", "warmer", "formal", "translate"]


class MePublic(Wire):
    shop: str
    role: Role


class Health(Wire):
    status: str


class Readiness(Wire):
    status: str
    database: bool
    knowledge_loaded: bool


class StaleDrafts(Wire):
    conversation_id: str
    stale_drafts: list[str] = Field(description="Pending drafts that this message made stale")


class SuggestionApproved(Wire):
    suggestion: Suggestion
    entry_id: str
    version: int


class CitingDrafts(Wire):
    entry_id: str
    version: int
    items: list[CitingDraft]
    total: int
    limit: int
    offset: int
