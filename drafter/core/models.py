"""Values that cross layers: frozen, strict pydantic models."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

SHOP_TZ = ZoneInfo("Asia/Shanghai")
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,79}$"
TAG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"
MAX_BODY_CHARS = 8000
MAX_TITLE_CHARS = 200

Language = Literal["en", "zh"]
Tier = Literal["bronze", "silver", "gold"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Role(StrEnum):
    AGENT = "agent"
    KNOWLEDGE_MANAGER = "knowledge_manager"
    EVALUATOR = "evaluator"
    ADMIN = "admin"


class EntryKind(StrEnum):
    POLICY = "policy"
    FAQ = "faq"
    TEMPLATE = "template"
    PRODUCT = "product"
    PAST_REPLY = "past_reply"


class EntryStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


def _as_utc(value: object) -> object:
    """Dates mean midnight in the shop's time zone; naive date-times are shop time."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        value = date.fromisoformat(value.strip())
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time(0), tzinfo=SHOP_TZ)
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip())
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=SHOP_TZ)
        return value.astimezone(UTC)
    return value


UtcDateTime = Annotated[datetime, BeforeValidator(_as_utc)]


def _unique_tags(tags: list[str]) -> list[str]:
    return sorted(set(tags))


Tag = Annotated[str, Field(pattern=TAG_PATTERN)]
Tags = Annotated[list[Tag], Field(max_length=20), AfterValidator(_unique_tags)]


class Identity(Frozen):
    """Who is calling: the shop and role of an API key."""

    shop: str
    role: Role
    key_id: int
    name: str = Field(description="The key's name: the agent or integration that acts")


class Shop(Frozen):
    id: str
    name: str
    knowledge_revision: int


class EntryContent(Frozen):
    """What a knowledge manager writes: the content of one version of an entry."""

    id: str = Field(pattern=SLUG_PATTERN, description="Stable slug, e.g. policy-returns-window")
    kind: EntryKind
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS)
    language: Language
    tags: Tags = []
    product: str | None = Field(default=None, pattern=SLUG_PATTERN)
    valid_from: UtcDateTime | None = None
    valid_to: UtcDateTime | None = None
    status: EntryStatus = EntryStatus.PUBLISHED
    author: str = Field(default="kb-team", min_length=1, max_length=80)
    rating: float | None = Field(default=None, ge=1, le=5)
    featured_from: UtcDateTime | None = Field(
        default=None, description="Start of the window (typically this week) in which retrieval boosts this entry"
    )
    featured_to: UtcDateTime | None = Field(default=None, description="End of the featured window")

    @model_validator(mode="after")
    def _check_rules(self) -> EntryContent:
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValueError("valid_to must be after valid_from")
        if (self.featured_from is None) != (self.featured_to is None):
            raise ValueError("featured_from and featured_to go together")
        if self.featured_from and self.featured_to and self.featured_to <= self.featured_from:
            raise ValueError("featured_to must be after featured_from")
        if self.kind is EntryKind.PAST_REPLY and self.rating is None:
            raise ValueError("rating (1 to 5) is required for a past_reply")
        if self.kind is not EntryKind.PAST_REPLY and self.rating is not None:
            raise ValueError("rating is only allowed on a past_reply")
        return self

    def content_hash(self) -> str:
        """Hash of everything but the author: equal hashes mean an unchanged entry."""
        data = self.model_dump(mode="json", exclude={"author"})
        for added in ("featured_from", "featured_to"):  # fields added later: absent ones keep old hashes valid
            if data[added] is None:
                del data[added]
        payload = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()

    def search_text(self) -> str:
        """The text that retrieval indexes for this version."""
        return f"{self.title}\n{self.body}"

    def is_featured_at(self, moment: datetime) -> bool:
        return (
            self.featured_from is not None
            and self.featured_to is not None
            and (self.featured_from <= moment < self.featured_to)
        )


class EntryVersion(Frozen):
    """One immutable, stored version of an entry."""

    version_id: int = Field(description="Globally unique id of this version")
    version: int = Field(ge=1)
    revision: int = Field(description="The shop's knowledge revision that wrote it")
    content: EntryContent
    content_hash: str
    created_at: datetime

    def is_valid_at(self, moment: datetime) -> bool:
        c = self.content
        return (c.valid_from is None or c.valid_from <= moment) and (c.valid_to is None or moment < c.valid_to)


class EntrySummary(Frozen):
    """An entry's head: its latest version and whether a version is live."""

    latest: EntryVersion
    live_version: int | None = Field(description="The version retrieval serves, if any")


class ImportReport(Frozen):
    """What an import did (or, for a dry run, would do)."""

    shop: str
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    removed: list[str] = Field(default=[], description="Entries absent from a sync import: archived")
    changes: dict[str, list[str]] = Field(default={}, description="For each updated entry, the fields that change")
    invalid: list[ImportIssue] = Field(default=[], description="Rows refused, with reasons (nothing was applied)")
    revision: int
    dry_run: bool = False
    sync: bool = False
    profile_updated: bool = False


class ImportIssue(Frozen):
    source: str = Field(description="File and line, or the entry's position in the request")
    field: str | None
    message: str


class RetrievalFilter(Frozen):
    """Which passages a search may return. Empty lists mean no restriction."""

    kinds: list[EntryKind] = []
    language: Language | None = None
    tags: list[str] = Field(default=[], description="A passage must carry at least one of these")
    product: str | None = None
    valid_at: datetime | None = Field(default=None, description="Defaults to now")
    min_rating: float | None = Field(default=None, ge=1, le=5, description="Past replies only")


class RankerScores(Frozen):
    """Each ranker's rank (1-based) and raw score for a passage; None when it did not rank it."""

    dense_rank: int | None = None
    dense_score: float | None = None
    lexical_rank: int | None = None
    lexical_score: float | None = None
    featured_boost: float = Field(default=0.0, description="Added to the fused score inside a featured window")
    fused: float


class Passage(Frozen):
    """A retrieved piece of knowledge, pinned to the version it came from."""

    entry_id: str
    version: int
    version_id: int
    kind: EntryKind
    title: str
    snippet: str
    language: Language
    tags: list[str]
    product: str | None
    rating: float | None
    scores: RankerScores
    body: str = Field(default="", exclude=True, repr=False, description="Full text, for generation; not serialised")


class CitingDraft(Frozen):
    """A draft that cited one version of an entry, and what became of it."""

    draft_id: str
    conversation_id: str | None
    created_at: datetime
    review_status: str = Field(description="pending_review, approved, edited, rejected or sent")
    reviewed_at: datetime | None
    sent_at: datetime | None


ImportReport.model_rebuild()


class NearDuplicate(Frozen):
    """An existing entry that a new one closely repeats (a warning: the new entry is still written)."""

    code: Literal["near_duplicate"] = "near_duplicate"
    entry_id: str
    version: int
    title: str
    similarity: float = Field(description="Cosine of the two entries' vectors")
    threshold: float = Field(description="The measured threshold for this language (bench/duplicate_guard.py)")


class GapEntry(Frozen):
    entry_id: str
    title: str
    kind: EntryKind
    dense_score: float | None


class GapCluster(Frozen):
    """Customer questions, alike in meaning, that the knowledge base answered badly."""

    language: Language
    count: int
    reasons: dict[str, int] = Field(description="low_score, rejected, rewritten: how many drafts showed each")
    examples: list[str] = Field(description="Up to five questions, personal data replaced by slots")
    draft_ids: list[str] = Field(description="Up to ten of the drafts")
    nearest: list[GapEntry] = Field(description="What retrieval finds for the most central question today")


class GapReport(Frozen):
    start: datetime | None
    end: datetime | None
    candidates: int = Field(description="Drafts with a low best score, rejected, or rewritten")
    clusters: list[GapCluster]
