"""Evaluation cases, datasets, scores and run results (the format is documented in `evals/README.md`).

Field names follow ragas where they fit: `user_input` (the conversation), `response` (a reply to score),
`reference` (a good reply), `retrieved_contexts` (what retrieval returned for the case).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Annotated

from pydantic import Field, field_validator

from drafter.core.drafts import (
    Channel,
    Customer,
    DraftOptions,
    DraftRequest,
    EscalationTrigger,
    Intent,
    Message,
    Order,
    ReplyLanguage,
)
from drafter.core.models import Frozen

CaseId = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[\w.:#-]+$")]
Pattern = Annotated[str, Field(min_length=1, max_length=500)]


class Expected(Frozen):
    """What the analysis must find. Any field may be unknown (None) in sets built from third-party data."""

    intent: Intent | None = None
    language: ReplyLanguage | None = None
    escalation: list[EscalationTrigger] | None = None


class EvalCase(Frozen):
    """One conversation to draft (or a human reply to score) and what a good reply must and must not do."""

    id: CaseId
    tags: list[Annotated[str, Field(max_length=60)]] = Field(default=[], max_length=30)
    user_input: list[Message] = Field(min_length=1, max_length=50)
    channel: Channel = Channel.XIAOHONGSHU_DM
    customer: Customer | None = None
    orders: list[Order] = Field(default=[], max_length=10)
    expected: Expected = Expected()
    expected_facts: list[list[Annotated[str, Field(min_length=1, max_length=200)]]] = Field(default=[], max_length=30)
    forbidden_commitments: list[Pattern] = Field(default=[], max_length=30)
    relevant_entry_ids: list[str] = Field(default=[], max_length=30)
    reference: str | None = Field(default=None, max_length=6000)
    reference_rating: int | None = Field(default=None, ge=1, le=5)
    response: str | None = Field(
        default=None, max_length=6000, description="A reply written elsewhere (a human agent's) to score as is"
    )

    @field_validator("expected_facts")
    @classmethod
    def _alternatives(cls, facts: list[list[str]]) -> list[list[str]]:
        if any(not alternatives for alternatives in facts):
            raise ValueError("each expected fact needs at least one alternative")
        return facts

    def request(self) -> DraftRequest:
        """The draft request an agent's inbox would send for this conversation."""
        return DraftRequest(
            conversation_id=None,
            conversation=self.user_input,
            channel=self.channel,
            customer=self.customer,
            orders=self.orders,
            options=DraftOptions(),
        )


class Dataset(Frozen):
    """A named, versioned list of cases for one shop's knowledge base."""

    name: str = Field(min_length=1, max_length=80, pattern=r"^[\w.-]+$")
    version: int = Field(ge=1)
    shop: str = Field(default="demo", min_length=1, max_length=64)
    knowledge: str | None = Field(
        default=None, description="Folder of the shop's knowledge base, relative to the repository root"
    )
    now: datetime | None = Field(default=None, description="The date and time the cases assume (validity windows)")
    description: str | None = None
    cases: list[EvalCase] = Field(min_length=1)

    @field_validator("cases")
    @classmethod
    def _unique_ids(cls, cases: list[EvalCase]) -> list[EvalCase]:
        repeated = sorted(case for case, n in Counter(c.id for c in cases).items() if n > 1)
        if repeated:
            raise ValueError(f"case ids must be unique; repeated: {', '.join(repeated[:5])}")
        return cases


class Score(Frozen):
    """One scorer's verdict on one reply: a value in [0, 1], or None when the scorer does not apply."""

    name: str
    value: float | None = Field(ge=0, le=1)
    reason: str

    @property
    def applies(self) -> bool:
        return self.value is not None


class CaseResult(Frozen):
    """A per-case row of a run (`cases.jsonl`)."""

    id: str
    tags: list[str]
    language: str
    user_input: list[Message]
    response: str
    reference: str | None = None
    retrieved_contexts: list[str] = Field(description="Entry ids retrieval returned, best first")
    cited_ids: list[str]
    intent: str
    escalation: list[str]
    status: str = Field(description="Guardrail status of the reply: ok, needs_review, blocked, or scored (human)")
    findings: list[str] = Field(description="Guardrail findings as 'severity code: message'")
    scores: list[Score]
    overall: float | None
    ms: float = Field(description="Drafting time of this case, or 0 for a human reply")

    def score(self, name: str) -> float | None:
        return next((s.value for s in self.scores if s.name == name), None)


class ScorerSummary(Frozen):
    name: str
    mean: float | None
    applicable: int
    passed: int = Field(description="Cases scoring 1.0")


class GroupSummary(Frozen):
    group: str = Field(description="'all', a language, or 'tag:<tag>'")
    cases: int
    means: dict[str, float | None]


class RunConfig(Frozen):
    dataset: str
    dataset_version: int
    dataset_sha256: str
    cases: int
    model: str
    judge: str | None
    prompt_version: str
    git_sha: str
    git_dirty: bool
    started_at: datetime
    concurrency: int
    repeat: int = 1
    embedders: dict[str, str]
    kind: str = Field(default="drafts", description="'drafts' (composer or LLM wrote them) or 'replies' (scored as is)")


class RunSummary(Frozen):
    config: RunConfig
    seconds: float
    scorers: list[ScorerSummary]
    groups: list[GroupSummary]

    def mean(self, name: str, group: str = "all") -> float | None:
        found = next((g for g in self.groups if g.group == group), None)
        return found.means.get(name) if found else None


class Verdict(Frozen):
    """An LLM judge's grade of one reply."""

    rating: int = Field(ge=1, le=5)
    reason: str = Field(default="", max_length=1000)
