"""The agent's review of a draft and what follows from it: audit events, follow-ups, suggestions, metrics."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from drafter.core.drafts import Finding, Intent, ReviewStatus
from drafter.core.models import Frozen, UtcDateTime

Rating = Annotated[int, Field(ge=1, le=5)]
EntrySlug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,79}$")]
Reason = Annotated[str, Field(min_length=3, max_length=1000)]


class ReviewAction(StrEnum):
    APPROVE = "approve"
    EDIT = "edit"
    REJECT = "reject"


class ReviewRequest(Frozen):
    """An agent's decision on one variant of a draft (the service checks which fields each action needs)."""

    action: ReviewAction
    variant: int = Field(default=0, ge=0, le=2, description="Which variant the agent used")
    text: str | None = Field(
        default=None, min_length=1, max_length=6000, description="The final reply; required for `edit`"
    )
    rating: Rating | None = Field(default=None, description="How good the draft was, 1-5")
    source_ratings: dict[EntrySlug, Rating] = Field(
        default={}, max_length=20, description="Rating 1-5 of cited knowledge entries, by entry id"
    )
    reason: Reason | None = Field(default=None, description="Why the agent edited or rejected")
    intent: Intent | None = Field(default=None, description="The right intent, when the analysis got it wrong")
    override_reason: Reason | None = Field(
        default=None, description="Approve despite blocking findings or a stale draft; recorded in the audit trail"
    )


class Review(Frozen):
    draft_id: str
    action: ReviewAction
    status: ReviewStatus
    variant: int
    final_text: str | None
    rating: int | None
    agent: str
    reviewed_at: datetime
    time_to_review_s: float = Field(description="From the draft to this review")
    intent: Intent
    char_distance: int
    token_distance: int
    edit_classes: list[str]
    primary_class: str | None
    findings: list[Finding] = Field(description="Guardrail findings on the final text")
    overridden: bool
    department: str
    topic: str
    follow_ups: list[FollowUp]
    suggestion_id: int | None = Field(description="The knowledge suggestion this review fed, if any")


class AuditEvent(Frozen):
    kind: Literal["created", "stale", "review_refused", "approved", "edited", "rejected", "sent"]
    actor: str | None
    at: datetime
    detail: dict[str, str | int | float | bool | list[str] | None]


FollowUpStatus = Literal["open", "done", "cancelled"]


class FollowUp(Frozen):
    id: int
    draft_id: str
    conversation_id: str | None
    kind: str
    text: str
    due_at: datetime
    status: FollowUpStatus
    overdue: bool
    created_by: str
    closed_at: datetime | None = None
    closed_by: str | None = None
    note: str | None = None


class FollowUpClose(Frozen):
    outcome: Literal["done", "cancelled"] = "done"
    note: str | None = Field(default=None, max_length=1000)


class Suggestion(Frozen):
    id: int
    language: str
    intent: str
    question: str = Field(description="The customer's question, personal data replaced by slots")
    reply: str = Field(description="The best-rated approved reply, personal data replaced by slots")
    rating: float
    count: int = Field(description="How many approved replies were merged into this suggestion")
    draft_ids: list[str]
    tags: list[str]
    status: Literal["open", "approved", "dismissed"]
    entry_id: str | None
    created_at: datetime
    updated_at: datetime


class SuggestionApproval(Frozen):
    entry_id: EntrySlug | None = Field(default=None, description="Slug for the new entry; generated when omitted")
    title: str | None = Field(default=None, min_length=1, max_length=200)
    reply: str | None = Field(default=None, min_length=1, max_length=6000, description="Edited reply text")


class SuggestionDismissal(Frozen):
    reason: Reason


class ConversationMessage(Frozen):
    """The inbox reports a new message; pending drafts made before it become stale."""

    role: Literal["customer", "agent"] = "customer"
    time: UtcDateTime


class MetricsQuery(Frozen):
    start: datetime | None = None
    end: datetime | None = None
    agent: str | None = None
    intent: Intent | None = None


class Rates(Frozen):
    reviewed: int
    approved: int
    edited: int
    rejected: int
    acceptance_rate: float | None = Field(description="Approved unchanged / reviewed")
    edit_rate: float | None = Field(description="Edited / reviewed")
    rejection_rate: float | None
    mean_rating: float | None


class DraftingMetrics(Rates):
    drafts: int = Field(description="Drafts generated in the window")
    guardrail_block_rate: float | None = Field(description="Drafts generated blocked / drafts generated")
    review_refusals: int = Field(description="Approvals refused by the guardrails in the window")
    overrides: int
    mean_char_distance: float | None = Field(description="Mean character edit distance of edited replies")
    mean_token_distance: float | None
    edit_classes: dict[str, int]
    time_to_approve_p50_s: float | None
    time_to_approve_p90_s: float | None
    sla_met_rate: float | None = Field(description="Approved or edited before the SLA deadline / approved or edited")
    intent_corrections: int
    by_intent: dict[str, Rates]
    by_entry: dict[str, EntryRates]


class EntryRates(Rates):
    mean_source_rating: float | None


class VocBucket(Frozen):
    key: str
    count: int
    negative: int = Field(description="Of which the customer was negative")
    topics: dict[str, int]


class VocReport(Frozen):
    start: datetime | None
    end: datetime | None
    total: int
    by_department: list[VocBucket]
    by_product: list[VocBucket]
    by_week: list[VocWeek]


class VocWeek(Frozen):
    week: str = Field(description="ISO week, e.g. 2026-W47")
    departments: dict[str, int]


Review.model_rebuild()
DraftingMetrics.model_rebuild()
VocReport.model_rebuild()
