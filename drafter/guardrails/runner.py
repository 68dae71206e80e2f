"""Runs every check, derives the draft's status, and repairs a blocked draft by removing what broke the rules."""

from __future__ import annotations

import re
from collections.abc import Sequence

from drafter.core.drafts import DraftContext, DraftOutput, DraftStatus, Finding
from drafter.guardrails.checks import (
    Citations,
    Commitments,
    Guardrail,
    LanguageMatch,
    Length,
    PersonalData,
    PlatformRules,
    Tone,
    UnfilledSlots,
)

DEFAULT_CHECKS: tuple[Guardrail, ...] = (
    Citations(),
    Commitments(),
    Tone(),
    PersonalData(),
    PlatformRules(),
    LanguageMatch(),
    Length(),
    UnfilledSlots(),
)
_SENTENCES = re.compile(r"[^.!?。！？]+[.!?。！？]*\s*")


class Guardrails:
    """Deterministic checks: a draft with a `block` finding is never `ok`."""

    def __init__(self, checks: Sequence[Guardrail] = DEFAULT_CHECKS) -> None:
        self._checks = tuple(checks)

    def check(self, output: DraftOutput, context: DraftContext) -> list[Finding]:
        findings = [f for check in self._checks for f in check.check(output, context)]
        if context.plan.escalate_to:
            findings.append(
                Finding(
                    code="escalation_required", severity="warn", message=f"escalate to the {context.plan.escalate_to}"
                )
            )
        if context.analysis.injection_markers:
            markers = ", ".join(context.analysis.injection_markers)
            findings.append(
                Finding(
                    code="injection_attempt",
                    severity="warn",
                    message=f"customer text tries to steer the assistant: {markers}",
                )
            )
        return findings

    @staticmethod
    def status(findings: Sequence[Finding]) -> DraftStatus:
        if any(f.severity == "block" for f in findings):
            return DraftStatus.BLOCKED
        if findings:
            return DraftStatus.NEEDS_REVIEW
        return DraftStatus.OK

    @staticmethod
    def repair(output: DraftOutput, findings: Sequence[Finding], context: DraftContext) -> DraftOutput:
        """Remove sentences that hold a blocking span, citations of unretrieved passages, and code
        commitments outside the plan (the rules the Citations and Commitments checks apply)."""
        blocks = [f for f in findings if f.severity == "block"]
        spans = [f.span for f in blocks if f.span]
        doomed = [
            m.group(0)
            for m in _SENTENCES.finditer(output.reply)
            if any(m.start() < e and s < m.end() for s, e in spans)
        ]
        reply = output.reply
        leap = output.leap.model_dump()
        for sentence in doomed:
            reply = reply.replace(sentence, "", 1)
            leap = {k: v.replace(sentence.strip(), "").strip() for k, v in leap.items()}
        retrieved = {p.entry_id for p in context.passages}
        allowed = set(context.plan.allowed_codes)
        return output.model_copy(
            update={
                "reply": reply.strip() or output.reply,
                "cited_ids": [c for c in output.cited_ids if c in retrieved],
                "leap": output.leap.model_validate(leap),
                "commitments": [
                    c for c in output.commitments if not (c.kind == "code" and c.value and c.value not in allowed)
                ],
            }
        )
