"""Draft request, analysis, plan, model output, findings and the stored draft."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from drafter.core.models import Frozen, Language, Passage, Tier, UtcDateTime
from drafter.core.shop_profile import ShopProfile

ReplyLanguage = Literal["en", "zh"]
Text = Annotated[str, Field(min_length=1, max_length=4000)]


class Channel(StrEnum):
    XIAOHONGSHU_DM = "xiaohongshu_dm"
    XIAOHONGSHU_COMMENT = "xiaohongshu_comment"
    LIVE_CHAT = "live_chat"
    EMAIL = "email"


CHANNEL_LIMITS: dict[Channel, int] = {
    Channel.XIAOHONGSHU_COMMENT: 300,
    Channel.LIVE_CHAT: 700,
    Channel.XIAOHONGSHU_DM: 900,
    Channel.EMAIL: 2000,
}


def channel_limit(channel: Channel, language: str) -> int:
    """Characters a reply may use on this channel; Chinese carries about twice the meaning per character."""
    limit = CHANNEL_LIMITS[channel]
    return limit // 2 if language == "zh" else limit


class Intent(StrEnum):
    PRE_SALE = "pre_sale_question"
    ORDER_STATUS = "order_status"
    LATE = "late_delivery"
    DAMAGED = "damaged_item"
    WRONG_ITEM = "wrong_item"
    RETURN = "return"
    REFUND = "refund"
    EXCHANGE = "exchange"
    DISCOUNT = "discount_request"
    COMPLAINT = "complaint"
    PRAISE = "praise"
    OTHER = "other"


class Urgency(StrEnum):
    URGENT = "urgent"
    ROUTINE = "routine"
    NON_URGENT = "non_urgent"


class Message(Frozen):
    role: Literal["customer", "agent"]
    text: Text
    time: UtcDateTime | None = None


class Customer(Frozen):
    name: str | None = Field(default=None, max_length=80)
    tier: Tier | None = None
    order_count: int | None = Field(default=None, ge=0, le=100_000)
    notes: list[Annotated[str, Field(max_length=500)]] = Field(default=[], max_length=20)


class OrderItem(Frozen):
    name: str = Field(min_length=1, max_length=200)
    product: str | None = Field(default=None, max_length=80, description="Product slug, when known")
    quantity: int = Field(default=1, ge=1, le=1000)
    price: Decimal = Field(ge=0, le=1_000_000, max_digits=12, decimal_places=2)


class Order(Frozen):
    id: str = Field(min_length=1, max_length=40)
    items: list[OrderItem] = Field(default=[], max_length=50)
    total: Decimal | None = Field(default=None, ge=0, le=10_000_000, max_digits=12, decimal_places=2)
    status: Literal["paid", "shipped", "delivered", "returned", "cancelled"] = "paid"
    carrier: str | None = Field(default=None, max_length=60)
    tracking: str | None = Field(default=None, max_length=60)
    shipped_at: UtcDateTime | None = None
    delivered_at: UtcDateTime | None = None
    estimated_delivery: UtcDateTime | None = None

    @property
    def value(self) -> Decimal:
        return self.total if self.total is not None else sum((i.price * i.quantity for i in self.items), Decimal(0))


class DraftOptions(Frozen):
    variants: int = Field(default=1, ge=1, le=3)
    tone: Literal["default", "warm", "formal", "concise"] = "default"
    stream: bool = False


class DraftRequest(Frozen):
    conversation_id: str | None = Field(default=None, max_length=80)
    conversation: list[Message] = Field(min_length=1, max_length=50)
    channel: Channel = Channel.XIAOHONGSHU_DM
    customer: Customer | None = None
    orders: list[Order] = Field(default=[], max_length=10)
    agent_name: str | None = Field(default=None, max_length=80)
    options: DraftOptions = DraftOptions()


class EscalationTrigger(StrEnum):
    LEGAL = "legal_threat"
    ABUSE = "abuse"
    REFUND_OVER_LIMIT = "refund_over_limit"
    VIP = "vip_customer"
    MEDIA = "media"
    SKIN_REACTION = "skin_reaction"


class Analysis(Frozen):
    language: Literal["en", "zh", "mixed"]
    reply_language: ReplyLanguage
    intent: Intent
    intent_scores: dict[str, float] = Field(description="Rule score per intent that matched")
    urgency: Urgency
    sla_deadline: datetime
    sentiment: Literal["negative", "neutral", "positive"]
    intensity: float = Field(ge=0, le=1)
    escalation: list[EscalationTrigger]
    missing_information: list[str]
    injection_markers: list[str]


GoodwillKind = Literal["code", "express", "gift", "tip", "updates"]


class Plan(Frozen):
    """What the reply must do, decided from the analysis, the shop's policy numbers and the customer's tier."""

    listen: bool
    empathize: bool
    apologize: bool
    fault: Literal["shop", "carrier", "none"]
    resolutions: list[str] = Field(description="Phrasebook resolution ids, in order")
    goodwill: list[GoodwillKind] = Field(description="The small extra beyond the fix, within policy")
    goodwill_code: str | None
    question: str = Field(description="Which multiple-choice question moves the case forward (phrasebook key)")
    after_refusal: bool = Field(description="Offer value, a gift sample or the warranty instead of a code")
    allowed_codes: list[str]
    max_refund_cny: Decimal
    escalate_to: str | None
    must_not_promise: list[str]


class LeapSegments(Frozen):
    listen: str = ""
    empathize: str = ""
    apologize: str = ""
    problem_solve: str = ""
    extra: str = ""
    question: str = ""


class Commitment(Frozen):
    kind: Literal[
        "refund", "code", "compensation", "date", "free_shipping", "replacement", "callback", "escalation", "other"
    ]
    text: str
    value: str | None = None


class DraftOutput(Frozen):
    """What a chat model returns (validated JSON)."""

    reply: str = Field(min_length=1, max_length=6000)
    cited_ids: list[str] = Field(default=[], max_length=20)
    leap: LeapSegments = LeapSegments()
    commitments: list[Commitment] = Field(default=[], max_length=20)


# Guardrail codes about what a reply promises or discloses (its policy), as opposed to its wording or the question.
POLICY_CODES = frozenset(
    {
        "code_not_allowed",
        "refund_over_authority",
        "cash_compensation",
        "date_promise",
        "off_platform_contact",
        "absolute_claim",
        "medical_claim",
        "personal_data",
        "citation_unknown",
    }
)


class Finding(Frozen):
    code: str
    severity: Literal["block", "warn"]
    message: str
    span: tuple[int, int] | None = None
    repaired: bool = Field(default=False, description="The repair round took the offending text out of the reply")


class DraftStatus(StrEnum):
    OK = "ok"
    NEEDS_REVIEW = "needs_review"
    BLOCKED = "blocked"


class Citation(Frozen):
    entry_id: str
    version: int
    kind: str
    title: str


class DraftVariant(Frozen):
    reply: str
    language: Language
    leap: LeapSegments
    commitments: list[Commitment]
    citations: list[Citation]
    findings: list[Finding]
    status: DraftStatus
    repaired: bool = False
    fallback: bool = Field(default=False, description="The LLM failed; the offline composer wrote this")


class StageTimings(Frozen):
    analysis_ms: float
    retrieval_ms: float
    plan_ms: float
    generation_ms: float
    guardrails_ms: float
    total_ms: float


class Trace(Frozen):
    prompt_version: str
    model: str
    timings: StageTimings


class ReviewStatus(StrEnum):
    PENDING = "pending_review"
    APPROVED = "approved"
    EDITED = "edited"
    REJECTED = "rejected"
    SENT = "sent"


class Draft(Frozen):
    id: str
    shop: str
    conversation_id: str | None
    created_at: datetime
    review_status: ReviewStatus = ReviewStatus.PENDING
    stale: bool = Field(default=False, description="A newer customer message arrived after this draft was made")
    superseded_by: str | None = Field(default=None, description="The newer draft for the same conversation")
    analysis: Analysis
    plan: Plan
    variants: list[DraftVariant]
    passages: list[Passage]
    trace: Trace


class DraftContext(Frozen):
    """Everything a chat model may use to write one variant."""

    request: DraftRequest
    analysis: Analysis
    plan: Plan
    passages: list[Passage]
    profile: ShopProfile
    language: ReplyLanguage
    variant: int = 0
    instruction: str | None = Field(
        default=None, description="A refine instruction: shorter, warmer, formal, translate"
    )
