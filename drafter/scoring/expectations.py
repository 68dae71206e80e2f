"""Checks against a case's expectations (facts, forbidden commitments, analysis, relevant entries) and grounding."""

from __future__ import annotations

import re
from decimal import Decimal

from drafter.core.evaluation import Score
from drafter.core.shop_profile import amount_text
from drafter.scoring import cues
from drafter.scoring.candidate import Candidate, not_applicable

RECALL_K = 5


class ExpectedFacts:
    """Share of the case's expected facts present (a fact is present when any of its alternatives occurs)."""

    name = "expected_facts"

    def score(self, candidate: Candidate) -> Score:
        facts = candidate.case.expected_facts if candidate.case else []
        if not facts:
            return not_applicable(self.name, "the case expects no facts")
        reply = candidate.reply.lower()
        missing = [alternatives for alternatives in facts if not any(a.lower() in reply for a in alternatives)]
        value = 1 - len(missing) / len(facts)
        reason = f"{len(facts) - len(missing)} of {len(facts)} facts"
        if missing:
            reason += "; missing: " + "; ".join(" | ".join(alternatives) for alternatives in missing)
        return Score(name=self.name, value=round(value, 4), reason=reason)


class ForbiddenCommitments:
    """None of the case's forbidden commitments (regular expressions) occurs: 1, else 0."""

    name = "forbidden_commitments"

    def score(self, candidate: Candidate) -> Score:
        patterns = candidate.case.forbidden_commitments if candidate.case else []
        if not patterns:
            return not_applicable(self.name, "the case forbids nothing")
        hits = [(p, m.group(0)) for p in patterns if (m := re.search(p, candidate.reply, re.IGNORECASE))]
        if not hits:
            return Score(name=self.name, value=1.0, reason=f"none of {len(patterns)} forbidden patterns")
        return Score(name=self.name, value=0.0, reason="; ".join(f"{text!r} matches /{p}/" for p, text in hits))


class IntentMatch:
    """The analysis found the case's expected intent."""

    name = "intent"

    def score(self, candidate: Candidate) -> Score:
        expected = candidate.case.expected.intent if candidate.case else None
        if expected is None:
            return not_applicable(self.name, "no expected intent")
        got = candidate.context.analysis.intent
        return Score(
            name=self.name, value=float(got == expected), reason=f"found {got.value}; expected {expected.value}"
        )


class EscalationMatch:
    """The analysis raised exactly the expected escalation triggers (Jaccard overlap; 1 when both are empty)."""

    name = "escalation"

    def score(self, candidate: Candidate) -> Score:
        expected = candidate.case.expected.escalation if candidate.case else None
        if expected is None:
            return not_applicable(self.name, "no expected escalation")
        want = {t.value for t in expected}
        got = {t.value for t in candidate.context.analysis.escalation}
        union = want | got
        value = len(want & got) / len(union) if union else 1.0
        reason = f"raised [{', '.join(sorted(got))}]; expected [{', '.join(sorted(want))}]"
        return Score(name=self.name, value=round(value, 4), reason=reason)


def _relevant(candidate: Candidate) -> list[str]:
    return candidate.case.relevant_entry_ids if candidate.case else []


class RetrievalRecall:
    """recall@5: share of the case's relevant entries among the first five passages retrieved."""

    name = f"recall@{RECALL_K}"

    def score(self, candidate: Candidate) -> Score:
        relevant = set(_relevant(candidate))
        if not relevant:
            return not_applicable(self.name, "no relevant entries labelled")
        top = candidate.retrieved_ids[:RECALL_K]
        found = relevant & set(top)
        value = len(found) / min(RECALL_K, len(relevant))
        return Score(
            name=self.name, value=round(value, 4), reason=f"{len(found)} relevant in top {RECALL_K}: {sorted(found)}"
        )


class ReciprocalRank:
    """1 / rank of the first relevant passage retrieved (0 when none is)."""

    name = "mrr"

    def score(self, candidate: Candidate) -> Score:
        relevant = set(_relevant(candidate))
        if not relevant:
            return not_applicable(self.name, "no relevant entries labelled")
        rank = next((i for i, e in enumerate(candidate.retrieved_ids, start=1) if e in relevant), None)
        if rank is None:
            return Score(name=self.name, value=0.0, reason=f"none of {len(relevant)} relevant entries retrieved")
        return Score(name=self.name, value=round(1 / rank, 4), reason=f"first relevant at rank {rank}")


# A checkable claim carries a number, an amount or a code; the words around it are not checked. Option markers
# ("1) dry or 2) oily") are not numbers, and a decimal point does not end a sentence.
_FACT = re.compile(
    r"(?<![A-Za-z0-9.])(?:[A-Z][A-Z0-9]{3,}\d|[A-Z]{3,}\d{1,3}|\d+(?:[.:]\d+)?%?)(?![A-Za-z0-9)）]|\.\d)"
)


class Groundedness:
    """Share of the reply's factual sentences (numbers, amounts, codes) whose facts its sources state.

    The sources are the passages the reply cites (every retrieved passage when it cites none) and what the
    conversation, the customer and the orders say. Sentences without a number or code are not claims here.
    """

    name = "groundedness"

    def score(self, candidate: Candidate) -> Score:
        claims = [(s.strip(), _FACT.findall(s)) for s in cues.SENTENCE.findall(_unslotted(candidate.reply))]
        claims = [(s, facts) for s, facts in claims if facts]
        if not claims:
            return not_applicable(self.name, "no factual claim (number, amount or code)")
        sources = " ".join([*candidate.grounding_texts(), _given(candidate)])
        known = set(_FACT.findall(sources))
        unsupported = [(s, [f for f in facts if f not in known]) for s, facts in claims]
        unsupported = [(s, missing) for s, missing in unsupported if missing]
        value = 1 - len(unsupported) / len(claims)
        reason = f"{len(claims) - len(unsupported)} of {len(claims)} factual sentences backed"
        if unsupported:
            reason += "; unbacked: " + ", ".join(sorted({f for _, missing in unsupported for f in missing}))
        return Score(name=self.name, value=round(value, 4), reason=reason)


def _unslotted(text: str) -> str:
    return re.sub(r"\{\{[^}]*\}\}", " ", text)


def _given(candidate: Candidate) -> str:
    """What the conversation, the orders and the plan's allowed codes (with their terms) state, as text."""
    request, profile = candidate.context.request, candidate.context.profile
    parts = [m.text for m in request.conversation]
    for code in candidate.context.plan.allowed_codes:
        terms = profile.code_value(code)
        values = (terms.value_cny, terms.percent, terms.min_spend_cny, terms.valid_days) if terms else ()
        parts += [code, *(amount_text(v) if isinstance(v, Decimal) else str(v) for v in values if v is not None)]
    for order in request.orders:
        parts += [order.id, order.tracking or "", amount_text(order.value)]
        parts += [f"{i.name} {amount_text(i.price)} {i.quantity}" for i in order.items]
    return " ".join(parts)
