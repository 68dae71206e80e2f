"""SQLAlchemy 2 tables. Every row belongs to a shop."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """Stores UTC; always returns aware UTC date-times (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime, dict[str, Any]: JSON}


class ShopRow(Base):
    __tablename__ = "shops"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    knowledge_revision: Mapped[int] = mapped_column(Integer, default=0)
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class EntryRow(Base):
    """The head of a knowledge entry: which version is latest and which is live."""

    __tablename__ = "knowledge_entries"
    __table_args__ = (UniqueConstraint("shop_id", "slug", name="uq_entry_shop_slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(32))
    latest_version: Mapped[int] = mapped_column(Integer)
    live_version_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class VersionRow(Base):
    """One immutable version of an entry."""

    __tablename__ = "knowledge_versions"
    __table_args__ = (
        UniqueConstraint("entry_id", "version", name="uq_version_entry_version"),
        Index("ix_versions_shop_revision", "shop_id", "revision"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("knowledge_entries.id", ondelete="CASCADE"))
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    slug: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    product: Mapped[str | None] = mapped_column(String(80), default=None)
    valid_from: Mapped[datetime | None] = mapped_column(default=None)
    valid_to: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(80))
    rating: Mapped[float | None] = mapped_column(Float, default=None)
    featured_from: Mapped[datetime | None] = mapped_column(default=None)
    featured_to: Mapped[datetime | None] = mapped_column(default=None)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmbeddingRow(Base):
    """Cached embeddings by model and content hash, so rebuilding an index re-embeds nothing."""

    __tablename__ = "embeddings"

    model: Mapped[str] = mapped_column(String(80), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class DraftRow(Base):
    """A generated draft as the agent saw it (the whole `Draft` as JSON), pending the agent's review."""

    __tablename__ = "drafts"
    __table_args__ = (Index("ix_drafts_shop_created", "shop_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    conversation_id: Mapped[str | None] = mapped_column(String(80), default=None, index=True)
    parent_id: Mapped[str | None] = mapped_column(String(32), default=None)
    status: Mapped[str] = mapped_column(String(24), default="pending_review")
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Copied out of the JSON so reviews, staleness and metrics can filter in SQL.
    intent: Mapped[str | None] = mapped_column(String(32), default=None)
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_turns: Mapped[int] = mapped_column(Integer, default=0)
    stale_at: Mapped[datetime | None] = mapped_column(default=None)
    superseded_by: Mapped[str | None] = mapped_column(String(32), default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)


class ReviewRow(Base):
    """The agent's decision on a draft (one per draft), with what the edit did and where it routes."""

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_shop_reviewed", "shop_id", "reviewed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), unique=True)
    action: Mapped[str] = mapped_column(String(16))
    variant: Mapped[int] = mapped_column(Integer, default=0)
    final_text: Mapped[str | None] = mapped_column(Text, default=None)
    rating: Mapped[int | None] = mapped_column(Integer, default=None)
    source_ratings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    override_reason: Mapped[str | None] = mapped_column(Text, default=None)
    agent: Mapped[str] = mapped_column(String(120))
    key_id: Mapped[int] = mapped_column(Integer)
    intent: Mapped[str] = mapped_column(String(32))
    drafted_intent: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(32))
    sentiment: Mapped[str] = mapped_column(String(16))
    char_distance: Mapped[int] = mapped_column(Integer, default=0)
    token_distance: Mapped[int] = mapped_column(Integer, default=0)
    edit_classes: Mapped[list[str]] = mapped_column(JSON, default=list)
    primary_class: Mapped[str | None] = mapped_column(String(24), default=None)
    findings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    cited: Mapped[list[Any]] = mapped_column(JSON, default=list)
    department: Mapped[str] = mapped_column(String(24))
    topic: Mapped[str] = mapped_column(String(40))
    product: Mapped[str | None] = mapped_column(String(80), default=None)
    draft_created_at: Mapped[datetime] = mapped_column()
    reviewed_at: Mapped[datetime] = mapped_column()
    sla_deadline: Mapped[datetime] = mapped_column()
    draft_blocked: Mapped[bool] = mapped_column(Boolean, default=False)


class DraftEventRow(Base):
    """The audit trail of a draft: every transition, refusal and override (who, when, what)."""

    __tablename__ = "draft_events"
    __table_args__ = (Index("ix_draft_events_shop_draft", "shop_id", "draft_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    draft_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str | None] = mapped_column(String(120), default=None)
    key_id: Mapped[int | None] = mapped_column(Integer, default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FollowUpRow(Base):
    """A promise made in an approved reply, due at a time: the daily clearance list."""

    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_shop_status_due", "shop_id", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    draft_id: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str | None] = mapped_column(String(80), default=None)
    kind: Mapped[str] = mapped_column(String(24))
    text: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by: Mapped[str | None] = mapped_column(String(120), default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)


class SuggestionRow(Base):
    """A best-rated approved reply, scrubbed of personal data, proposed as a knowledge entry."""

    __tablename__ = "suggestions"
    __table_args__ = (Index("ix_suggestions_shop_status", "shop_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    intent: Mapped[str] = mapped_column(String(32))
    question: Mapped[str] = mapped_column(Text)
    reply: Mapped[str] = mapped_column(Text)
    rating: Mapped[float] = mapped_column(Float)
    ratings: Mapped[list[int]] = mapped_column(JSON, default=list)
    draft_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    embedder: Mapped[str | None] = mapped_column(String(80), default=None)
    vector: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    status: Mapped[str] = mapped_column(String(16), default="open")
    entry_id: Mapped[str | None] = mapped_column(String(80), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by: Mapped[str | None] = mapped_column(String(120), default=None)


class DraftCitationRow(Base):
    """Which entry versions a draft cited: answers "who may have been told the old policy?"."""

    __tablename__ = "draft_citations"
    __table_args__ = (Index("ix_draft_citations_entry", "shop_id", "entry_slug", "version"),)

    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True)
    entry_slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))


class CampaignRow(Base):
    """Script optimisation: agents answer one question, raters score the answers, the best becomes the FAQ."""

    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_shop_status", "shop_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    entry_slug: Mapped[str | None] = mapped_column(String(80), default=None)
    channel: Mapped[str] = mapped_column(String(32), default="xiaohongshu_dm")
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_answer_id: Mapped[int | None] = mapped_column(Integer, default=None)
    promoted_version: Mapped[int | None] = mapped_column(Integer, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class CampaignAnswerRow(Base):
    __tablename__ = "campaign_answers"
    __table_args__ = (Index("ix_campaign_answers_campaign", "campaign_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    author: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    rubric: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CampaignRatingRow(Base):
    __tablename__ = "campaign_ratings"
    __table_args__ = (UniqueConstraint("answer_id", "rater", name="uq_campaign_rating_rater"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("campaign_answers.id", ondelete="CASCADE"))
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    rater: Mapped[str] = mapped_column(String(120))
    rating: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
