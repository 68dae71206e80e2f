"""The automatic rubric of a campaign answer: the drafting guardrails plus three service checks.

A stop-gap: the offline evaluation (issue 7) will replace these rules with its scorers.

The answer is checked as if it were a draft replying to the campaign's question: the context is built exactly
as drafting builds it (analysis, plan, the shop's profile), with no retrieved passages. Checks:

- one per guardrail family (commitments, tone, personal_data, platform, language): passed when the
  guardrails find nothing of that family; any `block` finding blocks the answer;
- `question`: the answer ends by asking the customer something (ideally multiple choice: A/B, 还是, or);
- `empathy`: for complaint-like intents (late, damaged, wrong item, complaint), an empathy or apology phrase;
- `length`: within the channel's limit (the guardrails' `too_long` finding counts here, not as a family).

score = passed / checks, and 0 when blocked. A script is a template, so its {{slots}} are not findings.
"""

from __future__ import annotations

import re
from datetime import datetime

from drafter.analysis import ConversationAnalyzer
from drafter.core.campaigns import Rubric, RubricCheck
from drafter.core.drafts import (
    Channel,
    DraftContext,
    DraftOutput,
    DraftRequest,
    Finding,
    Intent,
    Message,
    ReplyLanguage,
    channel_limit,
)
from drafter.core.shop_profile import ShopProfile
from drafter.guardrails import Guardrails
from drafter.services.planner import Planner

FAMILIES: dict[str, tuple[str, ...]] = {
    "commitments": ("code_not_allowed", "refund_over_authority", "cash_compensation", "date_promise"),
    "tone": ("tone_banned_phrase",),
    "personal_data": ("personal_data",),
    "platform": ("off_platform_contact", "absolute_claim", "medical_claim"),
    "language": ("language_mismatch",),
}
_FAMILY_OF = {code: family for family, codes in FAMILIES.items() for code in codes}
# About the question, not the answer (or impossible without citations): every answer would share them.
_NOT_THE_ANSWERS = {"escalation_required", "injection_attempt", "citation_unknown", "too_long"}
# A script is a template: drafting fills its {{slots}} from the order and the customer.
_TEMPLATE_SLOTS = "unfilled_slot"
_COMPLAINTS = {Intent.LATE, Intent.DAMAGED, Intent.WRONG_ITEM, Intent.COMPLAINT}

_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*")
_ASKS = re.compile(r"[?？]\W*$|[吗呢嘛][~～\s]*$")
_CHOICE = re.compile(r"[(（][A-Da-d1-4][)）]|\b[A-D][)）:：]|还是|或是|或者|\bor\b", re.I)
_SIGN_OFF = re.compile(
    r"^(?:thanks|thank you|cheers|best|have a (?:nice|great|lovely) day|谢谢|感谢|祝您|么么哒)", re.I
)
_EMPATHY = re.compile(
    r"sorry|apologi[sz]e|apologies|understand|frustrat|disappoint|oh no|that'?s not (?:how|what)|hear that|"
    r"can imagine|inconvenien|抱歉|不好意思|对不起|理解|辛苦|久等|添麻烦|着急|心急|委屈|难受|糟心",
    re.I,
)


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
        checks = [
            *_family_checks(findings),
            _question(answer),
            _empathy(answer, context.analysis.intent),
            _length(answer, context),
        ]
        blocked = any(f.severity == "block" for f in findings)
        passed = sum(c.passed for c in checks)
        return Rubric(score=0.0 if blocked else round(passed / len(checks), 4), blocked=blocked, checks=checks)


def _family_checks(findings: list[Finding]) -> list[RubricCheck]:
    by_family: dict[str, list[Finding]] = {family: [] for family in FAMILIES}
    for finding in findings:
        if finding.code not in _NOT_THE_ANSWERS:
            by_family.setdefault(_FAMILY_OF.get(finding.code, finding.code), []).append(finding)
    return [
        RubricCheck(
            name=family,
            passed=not found,
            reason="; ".join(f"{f.severity}: {f.message}" for f in found) or "no guardrail finding",
        )
        for family, found in by_family.items()
    ]


def _question(answer: str) -> RubricCheck:
    sentences = [s.strip() for s in _SENTENCE.findall(answer) if re.search(r"\w", s)]
    if sentences and _SIGN_OFF.match(sentences[-1]):  # "Thanks!" or "谢谢亲～" may follow the question
        sentences.pop()
    if not sentences or not _ASKS.search(sentences[-1]):
        return RubricCheck(name="question", passed=False, reason="does not end by asking the customer anything")
    if _CHOICE.search(sentences[-1]):
        return RubricCheck(name="question", passed=True, reason="ends with a multiple-choice question")
    return RubricCheck(
        name="question", passed=True, reason="ends with an open question (multiple choice is easier to answer)"
    )


def _empathy(answer: str, intent: Intent) -> RubricCheck:
    if intent not in _COMPLAINTS:
        return RubricCheck(name="empathy", passed=True, reason=f"not a complaint ({intent.value}): not required")
    found = _EMPATHY.search(answer)
    if found is None:
        return RubricCheck(name="empathy", passed=False, reason=f"{intent.value}: no empathy or apology phrase")
    return RubricCheck(name="empathy", passed=True, reason=f"{intent.value}: says {found.group(0)!r}")


def _length(answer: str, context: DraftContext) -> RubricCheck:
    channel = context.request.channel
    limit = channel_limit(channel, context.language)
    return RubricCheck(
        name="length", passed=len(answer) <= limit, reason=f"{len(answer)} of {limit} characters for {channel.value}"
    )
