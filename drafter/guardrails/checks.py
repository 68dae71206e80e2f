"""Each check is `check(output, context) -> list[Finding]`: deterministic, small, named by its `code`s."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Literal, Protocol

from drafter.core.drafts import Channel, DraftContext, DraftOutput, Finding, channel_limit
from drafter.core.personal_data import EMAIL as _EMAIL
from drafter.core.personal_data import ID_CARD as _ID_CARD
from drafter.core.personal_data import PHONE as _PHONE

_XHS = {Channel.XIAOHONGSHU_DM, Channel.XIAOHONGSHU_COMMENT}


class Guardrail(Protocol):
    """One deterministic check of a draft against its context."""

    def check(self, output: DraftOutput, context: DraftContext) -> list[Finding]:
        """Findings (empty when the draft passes); each names a code, a severity and the span it concerns."""


def _hits(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    return pattern.finditer(text)


def _finding(
    code: str, severity: Literal["block", "warn"], message: str, match: re.Match[str] | None = None
) -> Finding:
    return Finding(code=code, severity=severity, message=message, span=match.span() if match else None)


class Citations:
    """Cited ids must be among the passages retrieval returned for this draft."""

    def check(self, output: DraftOutput, context: DraftContext) -> list[Finding]:
        retrieved = {p.entry_id for p in context.passages}
        unknown = [c for c in output.cited_ids if c not in retrieved]
        return [_finding("citation_unknown", "block", f"cites {c!r}, which was not retrieved") for c in unknown]


# ASCII lookarounds, not \b: CJK characters count as word characters, so "张FREE100优" has no \b.
_CODE_LIKE = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z][A-Z0-9]{3,}\d|[A-Z]{3,}\d{1,3})(?![A-Za-z0-9])")
_MONEY = re.compile(r"(?:¥|CNY|RMB)\s?(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s?(?:元|块|CNY|RMB|yuan)", re.I)
_REFUND_WORD = re.compile(r"refund|退款|退还|退给您|返还", re.I)
# A sentence that hands the amount to whoever may approve it is routing, not promising.
_ROUTED = re.compile(r"approv|team lead|escalat|manager|组长|审批|主管|店长|上级", re.I)
_CASH = re.compile(r"\bcash\b|现金|红包|转账给您|bank transfer", re.I)
_DATE_PROMISE = re.compile(
    r"\bwill (definitely |surely )?(arrive|be delivered|reach you) (by|on|tomorrow|today)\b|(明天|后天|今天)(一定|肯定)?(能|会)?(到|送达)|保证.{0,6}(到|送达)",
    re.I,
)


class Commitments:
    """Codes, refunds and compensation must be within the plan (policy, tier, agent authority)."""

    def check(self, output: DraftOutput, context: DraftContext) -> list[Finding]:
        plan, profile = context.plan, context.profile
        allowed = set(plan.allowed_codes)
        references = {ref for o in context.request.orders for ref in (o.id, o.tracking) if ref}
        findings: list[Finding] = []
        for match in _hits(_CODE_LIKE, output.reply):
            code = match.group(0)
            if code in allowed or code in references:
                continue
            known = profile.code_value(code) is not None
            why = "not allowed for this customer's tier" if known else "not a code this shop issues"
            findings.append(_finding("code_not_allowed", "block", f"offers code {code}: {why}", match))
        for commitment in output.commitments:
            if commitment.kind == "code" and commitment.value and commitment.value not in allowed:
                findings.append(_finding("code_not_allowed", "block", f"commits to code {commitment.value}"))
        findings.extend(self._refunds(output.reply, plan.max_refund_cny))
        findings.extend(
            _finding("cash_compensation", "block", "cash compensation needs the team lead", m)
            for m in _hits(_CASH, output.reply)
        )
        findings.extend(
            _finding("date_promise", "warn", "promises a delivery date the carrier has not confirmed", m)
            for m in _hits(_DATE_PROMISE, output.reply)
        )
        return findings

    @staticmethod
    def _refunds(reply: str, limit: Decimal) -> list[Finding]:
        findings = []
        for sentence in re.finditer(r"[^.!?。！？]+[.!?。！？]?", reply):
            if not _REFUND_WORD.search(sentence.group(0)) or _ROUTED.search(sentence.group(0)):
                continue
            for match in _MONEY.finditer(sentence.group(0)):
                try:
                    amount = Decimal(match.group(1) or match.group(2))
                except InvalidOperation:
                    continue
                if amount > limit:
                    start = sentence.start() + match.start()
                    findings.append(
                        Finding(
                            code="refund_over_authority",
                            severity="block",
                            message=f"promises a refund of {amount}, above the agent limit of {limit}",
                            span=(start, start + len(match.group(0))),
                        )
                    )
        return findings


_BANNED_TONE = re.compile(
    r"not my problem|contact the courier|buy it if you want|all sales (are )?final|when i have time|"
    r"it'?s your (own )?fault|you should have(?! (received|got|gotten|been|had))|calm down|nothing (we|i) can do|read the description|as i (already )?said|"
    r"不关我们的事|不是我们的问题|找快递|自己联系快递|爱买不买|概不退换|你自己的问题|这是你的问题|我们也没办法|等着吧|有空再说|自己看详情",
    re.I,
)


class Tone:
    """No blaming, dismissive or defensive phrases (DOMAIN.md's list, English and Chinese)."""

    def check(self, output: DraftOutput, context: DraftContext) -> list[Finding]:
        return [
            _finding("tone_banned_phrase", "block", f"blaming or dismissive: {m.group(0)!r}", m)
            for m in _hits(_BANNED_TONE, output.reply)
        ]


class PersonalData:
    """No phone numbers, e-mails or ID numbers that the customer did not give in this conversation."""

    def check(self, output: DraftOutput, context: DraftContext) -> list[Finding]:
        given = " ".join(m.text for m in context.request.conversation if m.role == "customer")
        findings = []
        for pattern, what in ((_PHONE, "phone number"), (_EMAIL, "e-mail address"), (_ID_CARD, "ID number")):
            for match in _hits(pattern, output.reply):
                if match.group(0) not in given:
                    findings.append(_finding("personal_data", "block", f"{what} the customer did not give", match))
        return findings


_OFF_PLATFORM = re.compile(
    r"wechat|weixin|微信|vx|v信|加v|qq|whatsapp|telegram|二维码|qr code|https?://|www\.|\.com\b|\.cn\b|加我|私聊我|call (me|us) (at|on)",
    re.I,
)
# 最多 (at most), 第一时间 (right away), "best regards" and "do my best" are service language, not claims.
_ABSOLUTE = re.compile(
    r"最(?!多|少|近|后|早|晚|快|终|迟|重要|好是|合适)|第一(?!次|时间|天|步|件|单|个工作日)|100%|百分百|顶级|国家级|全网第|"
    r"\b(the best|best-selling|bestselling)\b(?! (regards|wishes|way|option|fit|choice|size|shade|match|chance))|"
    r"\bno\.? ?1\b|number one|guaranteed? (to|results)|100 ?percent",
    re.I,
)
_MEDICAL = re.compile(r"治疗|根治|治愈|祛痘|药用|\bcures?\b|\btreats?\b (acne|eczema|rosacea)|\bheals?\b", re.I)


class PlatformRules:
    """Xiaohongshu: no off-platform contact or links. Advertising law: no absolute or medical claims."""

    def check(self, output: DraftOutput, context: DraftContext) -> list[Finding]:
        findings: list[Finding] = []
        if context.request.channel in _XHS:
            findings.extend(
                _finding("off_platform_contact", "block", f"off-platform contact or link: {m.group(0)!r}", m)
                for m in _hits(_OFF_PLATFORM, output.reply)
            )
        findings.extend(
            _finding("absolute_claim", "block", f"absolute claim: {m.group(0)!r}", m)
            for m in _hits(_ABSOLUTE, output.reply)
        )
        findings.extend(
            _finding("medical_claim", "block", f"medical claim: {m.group(0)!r}", m)
            for m in _hits(_MEDICAL, output.reply)
        )
        return findings


class LanguageMatch:
    """The reply is in the customer's language."""

    def check(self, output: DraftOutput, context: DraftContext) -> list[Finding]:
        cjk = len(re.findall(r"[\u4e00-\u9fff]", output.reply))
        latin = len(re.findall(r"[A-Za-z]{2,}", output.reply))
        language = "zh" if cjk >= max(2, latin) else "en"
        if language != context.language:
            return [
                _finding(
                    "language_mismatch", "block", f"reply is in {language}; the customer writes {context.language}"
                )
            ]
        return []


class Length:
    """The reply fits the channel (public comments are short; e-mail may be long)."""

    def check(self, output: DraftOutput, context: DraftContext) -> list[Finding]:
        limit = channel_limit(context.request.channel, context.language)
        if len(output.reply) > 1.5 * limit:
            return [
                _finding(
                    "too_long",
                    "block",
                    f"{len(output.reply)} characters; {context.request.channel} allows about {limit}",
                )
            ]
        if len(output.reply) > limit:
            return [
                _finding(
                    "too_long",
                    "warn",
                    f"{len(output.reply)} characters; {context.request.channel} allows about {limit}",
                )
            ]
        return []


_SLOT = re.compile(r"\{\{\s*[\w.]*\s*\}\}|\{[a-z_]+\}")


class UnfilledSlots:
    """No `{{slot}}` left from a template."""

    def check(self, output: DraftOutput, context: DraftContext) -> list[Finding]:
        return [
            _finding("unfilled_slot", "block", f"unfilled slot {m.group(0)}", m) for m in _hits(_SLOT, output.reply)
        ]
