"""The automatic rubric of a campaign answer: the evaluation's reply scorers, in the context drafting would build.

The answer is scored as if it were a draft replying to the campaign's question: analysis, plan and the shop's
profile exactly as drafting builds them, with no retrieved passages and no evaluation case. So the scorers that
need a case, passages or an order (expected facts, groundedness, personalisation) do not apply; these do:
LEAP coverage, policy, tone, language, length, the closing question, and the escalation notice when the plan
escalates. score = mean of their values, and 0 when a guardrail blocks the answer. A script is a template,
so its {{slots}} are not findings.
"""

from __future__ import annotations

from datetime import datetime

from drafter.analysis import ConversationAnalyzer
from drafter.core.campaigns import Rubric, RubricCheck
from drafter.core.drafts import Channel, DraftContext, DraftOutput, DraftRequest, Message, ReplyLanguage
from drafter.core.shop_profile import ShopProfile
from drafter.guardrails import Guardrails
from drafter.scoring import CAMPAIGN, Candidate
from drafter.services.planner import Planner

# A script is a template: drafting fills its {{slots}} from the order and the customer.
_TEMPLATE_SLOTS = "unfilled_slot"


class RubricScorer:
    """Scores answers with the same analyzer, planner and guardrails that drafting uses."""

    def __init__(self, *, guardrails: Guardrails, analyzer: ConversationAnalyzer, planner: Planner) -> None:
        self._guardrails = guardrails
        self._analyzer = analyzer
        self._planner = planner

    def context(
        self, question: str, channel: Channel, language: ReplyLanguage, profile: ShopProfile, now: datetime
    ) -> DraftContext:
        """The context drafting would build for the question as a customer's only message (no passages)."""
        request = DraftRequest(conversation=[Message(role="customer", text=question)], channel=channel)
        analysis = self._analyzer.analyze(request, profile, now)
        plan = self._planner.plan(request, analysis, profile)
        return DraftContext(
            request=request, analysis=analysis, plan=plan, passages=[], profile=profile, language=language
        )

    def score(self, answer: str, context: DraftContext) -> Rubric:
        findings = [f for f in self._guardrails.check(DraftOutput(reply=answer), context) if f.code != _TEMPLATE_SLOTS]
        candidate = Candidate(reply=answer, context=context, findings=findings)
        scores = [s for s in (scorer.score(candidate) for scorer in CAMPAIGN) if s.value is not None]
        checks = [RubricCheck(name=s.name, passed=s.value == 1.0, value=s.value, reason=s.reason) for s in scores]
        blocked = any(f.severity == "block" for f in findings)
        mean = sum(c.value or 0.0 for c in checks) / len(checks)
        return Rubric(score=0.0 if blocked else round(mean, 4), blocked=blocked, checks=checks)
