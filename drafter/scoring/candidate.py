"""What a scorer looks at: one reply, the context drafting built for its conversation, and the case's expectations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from drafter.core.drafts import DraftContext, Finding
from drafter.core.evaluation import EvalCase, Score


@dataclass(frozen=True)
class Candidate:
    """A reply to score.

    Attributes:
        reply: the text the customer would read (a draft, or a human agent's reply).
        context: the request, analysis, plan, retrieved passages (best first) and shop profile of the case.
        findings: the guardrails' findings on this reply in that context.
        cited_ids: the entries the reply cites; empty for a human reply, which is then grounded in every
            retrieved passage.
        case: the evaluation case with its expectations; None when only the rubric applies (a campaign answer).
    """

    reply: str
    context: DraftContext
    findings: Sequence[Finding] = ()
    cited_ids: Sequence[str] = ()
    case: EvalCase | None = None

    @property
    def retrieved_ids(self) -> list[str]:
        return [p.entry_id for p in self.context.passages]

    def grounding_texts(self) -> list[str]:
        """The passages the reply may rest on: what it cited, or everything retrieved when it cites nothing."""
        cited = set(self.cited_ids)
        passages = [p for p in self.context.passages if p.entry_id in cited] if cited else self.context.passages
        return [p.body or p.snippet for p in passages]


class Scorer(Protocol):
    """One named check of a reply."""

    @property
    def name(self) -> str:
        """The score's name in results, summaries and tolerances."""

    def score(self, candidate: Candidate) -> Score:
        """A value in [0, 1] with the reason, or value None when the check does not apply to this case."""


def not_applicable(name: str, why: str) -> Score:
    return Score(name=name, value=None, reason=why)
