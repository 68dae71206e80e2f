"""FAQ script optimisation: agents answer one customer question, raters score the answers, the best becomes the FAQ.

A knowledge manager opens a campaign (for an existing FAQ, or for a FAQ that the promotion will create); agents
and knowledge managers submit answers, each scored on submission by an automatic rubric; agents, knowledge
managers and evaluators rate answers 1-5; the campaign lists the answers ranked; promoting one writes it as the
FAQ's next version and ends the campaign.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from drafter.core.drafts import Channel
from drafter.core.models import MAX_TITLE_CHARS, SLUG_PATTERN, Frozen, Language

CampaignStatus = Literal["open", "promoted", "closed"]
CampaignFilter = Literal["open", "promoted", "closed", "all"]


class CampaignCreate(Frozen):
    question: str = Field(min_length=1, max_length=1000, description="The customer question, as customers ask it")
    language: Language = Field(description="The language of the question and of the answers")
    entry_id: str | None = Field(
        default=None,
        pattern=SLUG_PATTERN,
        description="The FAQ to improve (must exist and be a faq); omit to create a new FAQ on promotion",
    )
    channel: Channel = Field(default=Channel.XIAOHONGSHU_DM, description="Where the answer will be sent (length limit)")


class AnswerCreate(Frozen):
    text: str = Field(min_length=1, max_length=4000, description="The answer as the agent would send it")


class RatingCreate(Frozen):
    rating: int = Field(ge=1, le=5, description="How good the answer is, 1-5")


class Promotion(Frozen):
    answer_id: int = Field(ge=1, description="The answer to make the FAQ")
    entry_id: str | None = Field(
        default=None,
        pattern=SLUG_PATTERN,
        description="Slug of the new FAQ; required when the campaign has no FAQ, not allowed to differ when it has",
    )
    title: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_TITLE_CHARS,
        description="Title of the new FAQ (defaults to the question); only for a campaign without a FAQ",
    )


class RubricCheck(Frozen):
    name: str
    passed: bool = Field(description="The scorer gave full marks")
    value: float | None = Field(default=None, ge=0, le=1, description="The scorer's value (answers before v2: none)")
    reason: str


class Rubric(Frozen):
    """The automatic score of an answer, computed when it is submitted."""

    score: float = Field(ge=0, le=1, description="Mean of the checks' values; 0 when blocked")
    blocked: bool = Field(description="A guardrail blocks this answer: it may not be sent as written")
    checks: list[RubricCheck]


class RankedAnswer(Frozen):
    id: int
    rank: int = Field(ge=1)
    author: str
    text: str
    created_at: datetime
    ratings: int = Field(description="How many raters scored it")
    mean_rating: float | None = Field(description="The plain mean of its ratings")
    score: float | None = Field(
        description="The ranking score: the Bayesian mean of its ratings (prior 3.0, weight 2); None when unrated"
    )
    rubric: Rubric


class CampaignSummary(Frozen):
    id: int
    question: str
    language: Language
    entry_id: str | None = Field(description="The FAQ this campaign improves (or created on promotion)")
    channel: Channel
    status: CampaignStatus
    created_by: str
    created_at: datetime
    closed_at: datetime | None = Field(description="When it was promoted or closed")
    promoted_answer_id: int | None
    promoted_version: int | None = Field(description="The FAQ version the promotion wrote")
    answer_count: int


class Campaign(CampaignSummary):
    answers: list[RankedAnswer] = Field(description="Best first")
