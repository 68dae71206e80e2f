"""The reply rubric: LEAP coverage, policy, tone, length, language, personalisation, question, escalation notice.

Each scorer reads only the reply, its context and the guardrails' findings, so it grades a human agent's reply
exactly as it grades a draft.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from drafter.analysis import detect_language
from drafter.core.drafts import POLICY_CODES, Finding, channel_limit
from drafter.core.evaluation import Score
from drafter.scoring import cues
from drafter.scoring.candidate import Candidate, not_applicable

TONE_CODES = frozenset({"tone_banned_phrase", "unfilled_slot"})


def _found(findings: Sequence[Finding], codes: frozenset[str]) -> list[Finding]:
    """Findings on the reply as it stands: what a repair already removed is not in the text any more."""
    return [f for f in findings if f.code in codes and not f.repaired]


class LeapCoverage:
    """The LEAP parts the plan asks for (listen, empathize, apologize; problem-solve always) are in the reply."""

    name = "leap"

    def score(self, candidate: Candidate) -> Score:
        plan, reply = candidate.context.plan, candidate.reply
        language = cues.language_of(candidate.context.language)
        wanted = [s for s, on in (("listen", plan.listen), ("empathize", plan.empathize)) if on]
        wanted += [*(["apologize"] if plan.apologize else []), "problem_solve"]
        present = {slot: self._present(slot, reply, candidate, language) for slot in wanted}
        value = sum(present.values()) / len(present)
        parts = ", ".join(f"{slot} {'yes' if ok else 'MISSING'}" for slot, ok in present.items())
        return Score(name=self.name, value=round(value, 4), reason=f"{language}: {parts}")

    @staticmethod
    def _present(slot: str, reply: str, candidate: Candidate, language: str) -> bool:
        if slot == "empathize":
            return bool(cues.EMPATHY[language].search(reply) or cues.APOLOGY[language].search(reply))
        if slot == "apologize":
            return bool(cues.APOLOGY[language].search(reply))
        if slot == "problem_solve":
            return bool(cues.ACTION[language].search(reply))
        customer = " ".join(m.text for m in candidate.context.request.conversation if m.role == "customer")
        asked = cues.key_terms(customer, language)
        shared = asked & cues.key_terms(reply, language)
        # Reflecting = an explicit cue, or repeating the customer's words: two of them, or a third of a short message.
        return bool(cues.REFLECT[language].search(reply)) or len(shared) >= min(2, max(1, len(asked) // 3))


class PolicyCompliance:
    """No guardrail finding on what the reply promises or discloses: 1 clean, 0.5 warnings only, 0 blocked."""

    name = "policy"

    def score(self, candidate: Candidate) -> Score:
        found = _found(candidate.findings, POLICY_CODES)
        if not found:
            return Score(name=self.name, value=1.0, reason="no policy finding")
        value = 0.0 if any(f.severity == "block" for f in found) else 0.5
        return Score(
            name=self.name, value=value, reason="; ".join(f"{f.severity} {f.code}: {f.message}" for f in found)
        )


class Tone:
    """None of the blaming, dismissive or defensive phrases (DOMAIN.md's list) and no template slot left."""

    name = "tone"

    def score(self, candidate: Candidate) -> Score:
        found = _found(candidate.findings, TONE_CODES)
        if not found:
            return Score(name=self.name, value=1.0, reason="no banned phrase, no unfilled slot")
        return Score(name=self.name, value=0.0, reason="; ".join(f.message for f in found))


class Length:
    """Within the channel's limit: 1; beyond it, less by the share it overruns (0 at twice the limit)."""

    name = "length"

    def score(self, candidate: Candidate) -> Score:
        channel = candidate.context.request.channel
        limit = channel_limit(channel, candidate.context.language)
        size = len(candidate.reply)
        value = 1.0 if size <= limit else max(0.0, 1 - (size - limit) / limit)
        return Score(name=self.name, value=round(value, 4), reason=f"{size} of {limit} characters for {channel.value}")


class LanguageMatch:
    """The reply is in the language the customer should be answered in."""

    name = "language"

    def score(self, candidate: Candidate) -> Score:
        expected = candidate.case.expected.language if candidate.case else None
        want = expected or candidate.context.language
        got = detect_language(candidate.reply)[1]
        return Score(name=self.name, value=float(got == want), reason=f"reply in {got}; expected {want}")


class Personalisation:
    """Uses the customer's name when it is known, and the order (its number or an item) when there is one."""

    name = "personalisation"

    def score(self, candidate: Candidate) -> Score:
        request, reply = candidate.context.request, candidate.reply.lower()
        checks: list[tuple[str, bool]] = []
        if request.customer and request.customer.name:
            checks.append(("name", _name_used(request.customer.name, reply)))
        if request.orders:
            refs = [r.lower() for o in request.orders for r in (o.id, o.tracking) if r]
            items = [i.name for o in request.orders for i in o.items]
            language = cues.language_of(candidate.context.language)
            used = any(r in reply for r in refs) or any(_item_used(i, reply, language) for i in items)
            checks.append(("order", used))
        if not checks:
            return not_applicable(self.name, "no name or order given")
        value = sum(ok for _, ok in checks) / len(checks)
        return Score(
            name=self.name,
            value=round(value, 4),
            reason=", ".join(f"{what} {'used' if ok else 'NOT used'}" for what, ok in checks),
        )


def _word_in(word: str, text: str) -> bool:
    """`word` as a whole word (ASCII lookarounds: \\b fails next to CJK)."""
    return re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text) is not None


def _name_used(name: str, reply: str) -> bool:
    name = name.strip().lower()
    if re.search(r"[\u4e00-\u9fff]", name):  # 王丽 -> 王丽, 丽丽 or 王女士/王先生
        return (
            name in reply
            or name[-1] * 2 in reply
            or re.search(re.escape(name[0]) + "(女士|先生|小姐)", reply) is not None
        )
    return any(_word_in(part, reply) for part in name.split() if len(part) >= 2)


def _item_used(item: str, reply: str, language: str) -> bool:
    """The item's name, or one of its words: Chinese bigrams, English words of 5+ letters ("down" is too common)."""
    if language == "zh":
        return item.lower() in reply or any(w in reply for w in cues.key_terms(item, language))
    return item.lower() in reply or any(_word_in(w, reply) for w in re.findall(r"[a-z]{5,}", item.lower()))


_ASKS = re.compile(r"[?？]\W*$|[吗呢嘛]\W*$")
_CHOICE = re.compile(
    r"[(（][A-Da-d1-4][)）]|(?<![A-Za-z0-9])[A-D1-4][)）:：]|还是|或是|或者|(?<![A-Za-z])or(?![A-Za-z])", re.I
)
_SIGN_OFF_LINE = 30  # an e-mail's "Warm regards," / "Sophie" / "Lumi Lane" lines


class ClosingQuestion:
    """Ends by asking the customer something: 1 for a multiple-choice question, 0.5 for an open one, else 0.

    A sign-off after the question does not count as the end: short closing lines without a question, and a
    closing formula at the end of the last line ("Warm regards, the team", "鹿米小铺客服随时在这里～").
    """

    name = "question"

    def score(self, candidate: Candidate) -> Score:
        last = _last_sentence(candidate.reply, cues.language_of(candidate.context.language))
        if last is None or not _ASKS.search(last):
            return Score(name=self.name, value=0.0, reason="does not end by asking the customer anything")
        if _CHOICE.search(last):
            return Score(name=self.name, value=1.0, reason="ends with a multiple-choice question")
        return Score(name=self.name, value=0.5, reason="ends with an open question (multiple choice is easier)")


def _last_sentence(reply: str, language: str) -> str | None:
    lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
    while len(lines) > 1 and len(lines[-1]) <= _SIGN_OFF_LINE and not re.search(r"[?？]", lines[-1]):
        lines.pop()
    sentences = [s.strip() for s in cues.SENTENCE.findall(lines[-1] if lines else "") if re.search(r"\w", s)]
    while len(sentences) > 1 and any(cues.SIGN_OFF[lang].match(sentences[-1]) for lang in ("en", "zh")):
        sentences.pop()
    return sentences[-1] if sentences else None


class EscalationNotice:
    """When the plan escalates, the reply tells the customer so, to whom, and when they will hear back."""

    name = "escalation_notice"

    def score(self, candidate: Candidate) -> Score:
        target = candidate.context.plan.escalate_to
        if not target:
            return not_applicable(self.name, "no escalation planned")
        language = cues.language_of(candidate.context.language)
        told = cues.ESCALATE[language].search(candidate.reply)
        when = cues.WHEN[language].search(candidate.reply)
        value = (0.5 if told else 0.0) + (0.5 if told and when else 0.0)
        said = f"names {told.group(0)!r}" if told else "does not say it is escalating"
        timing = f", says when ({when.group(0)!r})" if told and when else ", no time given" if told else ""
        return Score(name=self.name, value=value, reason=f"escalate to the {target}: {said}{timing}")
