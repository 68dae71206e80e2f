"""`ComposerModel`: the offline default. Writes the plan in the customer's language from phrasebooks,
retrieved knowledge and the order and customer details. Deterministic, grounded and fast."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

from drafter.core.drafts import (
    Channel,
    Commitment,
    DraftContext,
    DraftOutput,
    LeapSegments,
    Plan,
    ReplyLanguage,
    channel_limit,
)
from drafter.core.models import EntryKind, Passage
from drafter.core.shop_profile import ShopProfile, amount_text
from drafter.generation.phrasebook import Phrasebook

# What each resolution commits the shop to (kind, human description for the ledger).
RESOLUTION_COMMITMENTS: dict[str, tuple[str, str]] = {
    "carrier_check": ("callback", "update from the carrier within {update_hours} hours"),
    "express_reship": ("replacement", "reship by SF Express at the shop's cost if the parcel is not found"),
    "refund_if_missed": ("refund", "full refund if the new delivery date is missed"),
    "replace_no_return": ("replacement", "replacement ships without returning the damaged item"),
    "replace_with_label": ("replacement", "prepaid return label; replacement on carrier scan"),
    "correct_item_express": ("replacement", "correct item by SF Express at the shop's cost"),
    "keep_wrong_item": ("other", "customer keeps the wrong item"),
    "return_label_wrong": ("free_shipping", "prepaid return label for the wrong item"),
    "keep_it_partial": ("refund", "partial refund of up to {percent}% if the customer keeps the item"),
    "refund_timing": ("date", "refund reaches the account in {refund_days} business days"),
    "exchange_free": ("free_shipping", "free size or colour exchange within {exchange_days} days"),
    "escalate": ("escalation", "{escalate_to} replies within {hours} hours"),
    "discount_welcome": ("code", "first-order code {code}"),
}
GOODWILL_COMMITMENTS: dict[str, tuple[str, str]] = {
    "code": ("code", "apology code {code}"),
    "express": ("free_shipping", "free upgrade to SF Express"),
    "gift": ("compensation", "a small gift in the next parcel"),
    "updates": ("callback", "personal updates until resolved"),
}
_SENTENCE = {"en": re.compile(r"(?<=[.!?])\s+"), "zh": re.compile(r"(?<=[。！？])")}
_MARKDOWN = re.compile(r"^\s*(#+|[-*>]|\d+\.)\s*|\*\*|__|`|\|")


_OPENER = re.compile(r"^(thanks|thank you|hi|hello|hey|great question|good question|亲|您好|你好|谢谢|感谢|宝子)", re.I)
_TIP = re.compile(r"^\s*(?:\*\*)?(?:tip|tips|小贴士|小提示|温馨提示)(?:\*\*)?\s*[:：]\s*(.+)$", re.I | re.M)
_ANSWER_KINDS = (EntryKind.FAQ, EntryKind.PRODUCT, EntryKind.PAST_REPLY, EntryKind.POLICY)


def knowledge_answer(passages: list[Passage], language: ReplyLanguage, limit: int) -> tuple[Passage, str] | None:
    """The best passage's answer: its first content paragraph (not a greeting, slot, list or question)."""
    for kind in _ANSWER_KINDS:
        for passage in passages[:4]:
            # Dense search always returns something; a passage that shares no word with the question
            # (no lexical rank) is not an answer to it ("hi" is not a question about birthday perks).
            if passage.kind is kind and passage.language == language and passage.scores.lexical_rank is not None:
                answer = answer_text(passage.body or passage.snippet, language, limit)
                if answer:
                    return passage, answer
    return None


def answer_text(body: str, language: ReplyLanguage, limit: int) -> str:
    for paragraph in re.split(r"\n\s*\n", body):
        text = paragraph.strip()
        if not text or "{{" in text or _OPENER.match(text) or _TIP.match(text) or text[0] in "-|#*>":
            continue
        answer = first_sentences(text, language, limit)
        if answer:
            return answer
    return ""


def knowledge_tip(passages: list[Passage], language: ReplyLanguage, limit: int) -> str:
    """A "Tip:" line from the retrieved knowledge: the small extra that exceeds expectations."""
    for passage in passages[:4]:
        if passage.language == language and (match := _TIP.search(passage.body)):
            tip = first_sentences(match.group(1), language, limit)
            if tip and "{{" not in tip:
                return tip
    return ""


def first_sentences(text: str, language: ReplyLanguage, limit: int) -> str:
    """Up to two plain statements (no questions) from the start of Markdown text, within `limit` characters."""
    lines = [_MARKDOWN.sub("", line).strip() for line in text.splitlines()]
    plain = " ".join(line for line in lines if line and not set(line) <= set("-:| "))
    plain = plain.rstrip("…").strip()
    sentences = [s.strip() for s in _SENTENCE[language].split(plain) if s.strip()]
    complete = [s for s in sentences if s[-1] in ".!。！"]
    out = ""
    for sentence in complete[:2]:
        joined = f"{out} {sentence}".strip() if language == "en" else out + sentence
        if len(joined) > limit:
            break
        out = joined
    return out


class ComposerModel:
    """Builds the reply slot by slot: greeting, Listen, Empathize, Apologize, Problem-solve, extra, question."""

    def __init__(self, *, phrasebooks: dict[ReplyLanguage, Phrasebook]) -> None:
        self._books = phrasebooks

    @property
    def name(self) -> str:
        return "composer"

    async def complete(self, context: DraftContext) -> DraftOutput:
        return self.compose(context)

    async def stream(self, context: DraftContext) -> AsyncIterator[str | DraftOutput]:
        output = self.compose(context)
        joiner = " " if context.language == "en" else ""
        for part in _parts(output.leap):
            yield part + joiner
        yield output

    def compose(self, context: DraftContext) -> DraftOutput:
        book = self._books[context.language]
        profile = context.profile
        plan, analysis, request = context.plan, context.analysis, context.request
        seed = f"{context.request.conversation[-1].text}|{context.variant}"
        slots = self._slots(context, profile)
        intent = analysis.intent.value
        limit = 240 if context.language == "en" else 120
        found = knowledge_answer(context.passages, context.language, limit)
        answer = found[0] if found else None
        slots["answer"] = found[1] if found else ""
        slots["tip"] = knowledge_tip(context.passages, context.language, limit)

        greeting = book.say(book.greeting if slots["customer_name"] else book.greeting_anonymous, seed + "g", **slots)
        listen = book.say(book.listen.get(intent) or book.listen["other"], seed + "l", **slots) if plan.listen else ""
        empathy_key = intent if intent in book.empathize else "default"
        empathize = book.say(book.empathize[empathy_key], seed + "e", **slots) if plan.empathize else ""
        apologize = (
            book.say(book.apologize[plan.fault], seed + "a", **slots) if plan.apologize and plan.fault != "none" else ""
        )
        category = _category(context.passages)
        keys = [f"{r}_{category}" if f"{r}_{category}" in book.resolution else r for r in plan.resolutions]
        resolutions = [
            book.say(book.resolution[r], seed + r, **slots)
            for r in keys
            if r in book.resolution and (r != "presale_answer" or slots["answer"])
        ]
        if plan.after_refusal:
            resolutions.append(book.say(book.after_refusal, seed + "r", **slots))
        extras = [
            book.say(book.goodwill[g], seed + g, **slots)
            for g in plan.goodwill
            if g in book.goodwill and (g != "tip" or slots["tip"])
        ]
        question, _ = book.render_question(plan.question if plan.question in book.question else intent)
        leap = LeapSegments(
            listen=_join([greeting, listen], context.language),
            empathize=empathize,
            apologize=apologize,
            problem_solve=_join(resolutions, context.language),
            extra=_join(extras, context.language),
            question=question,
        )
        leap = self._fit(leap, request.channel, request.options.tone, context)
        sign_off = self._sign_off(book, seed, request.agent_name, request.channel)
        if sum(len(p) + 1 for p in [*_parts(leap), sign_off]) > channel_limit(request.channel, context.language):
            sign_off = ""
        reply = _join([*_parts(leap), sign_off], context.language)
        used = answer if "presale_answer" in plan.resolutions and slots["answer"] else None
        cited = [p.entry_id for p in self._support(context, used)]
        return DraftOutput(reply=reply, cited_ids=cited, leap=leap, commitments=self._commitments(plan, slots))

    @staticmethod
    def _slots(context: DraftContext, profile: ShopProfile) -> dict[str, Any]:
        request, plan = context.request, context.plan
        zh = context.language == "zh"
        order = request.orders[0] if request.orders else None
        item = order.items[0] if order and order.items else None
        product = item.name if item else ("宝贝" if zh else "your item")
        slug = item.product if item else next((p.product for p in context.passages[:2] if p.product), None)
        if slug and slug in profile.products:
            info = profile.products[slug]
            product = (info.name_zh or info.name) if zh else info.name
        code = profile.code_value(plan.goodwill_code) if plan.goodwill_code else None
        welcome = profile.code_value("WELCOME5")
        return {
            "customer_name": request.customer.name if request.customer and request.customer.name else "",
            "order_ref": (f"订单{order.id}" if zh else f"order #{order.id}")
            if order
            else ("您的订单" if zh else "your order"),
            "product": product,
            "carrier": (order.carrier if order and order.carrier else ("快递公司" if zh else "the carrier")),
            "tracking": order.tracking if order and order.tracking else ("暂无" if zh else "not yet available"),
            "update_hours": profile.escalation.reply_promise_hours,
            "percent": profile.returns.keep_it_partial_refund_max_percent,
            "refund_days": profile.returns.refund_to_account_business_days,
            "exchange_days": profile.exchanges.apparel_days,
            "warranty_days": profile.apparel_warranty_days,
            "code": plan.goodwill_code or "WELCOME5",
            "welcome_percent": amount_text(welcome.percent) if welcome and welcome.percent else "",
            "code_value": amount_text(code.value_cny) if code and code.value_cny else "",
            "min_spend": amount_text(code.min_spend_cny) if code and code.min_spend_cny else "",
            "valid_days": code.valid_days if code and code.valid_days else (welcome.valid_days if welcome else ""),
            "escalate_to": _role(plan.escalate_to or profile.escalation.to.get("default", "team lead"), zh),
            "hours": profile.escalation.reply_promise_hours,
            "tip": "",
            "agent_name": request.agent_name or "",
        }

    @staticmethod
    def _fit(leap: LeapSegments, channel: Channel, tone: str, context: DraftContext) -> LeapSegments:
        """Fit the channel: drop the extra, then the empathy line, then keep the first step of the fix only."""
        limit = channel_limit(channel, context.language)
        if tone == "concise" or context.instruction == "shorter":
            leap = leap.model_copy(update={"extra": "", "empathize": "" if context.plan.apologize else leap.empathize})
        first_step = _first_sentence(leap.problem_solve, context.language)
        for cut in (
            {"extra": ""},
            {"empathize": ""},
            {"problem_solve": first_step},
            {"listen": _first_sentence(leap.listen, context.language)},
        ):
            if sum(len(p) + 1 for p in _parts(leap)) <= limit:
                break
            leap = leap.model_copy(update=cut)
        return leap

    @staticmethod
    def _sign_off(book: Phrasebook, seed: str, agent: str | None, channel: Channel) -> str:
        if channel is Channel.XIAOHONGSHU_COMMENT:
            return ""
        return book.say(book.sign_off if agent else book.sign_off_anonymous, seed + "s", agent_name=agent or "")

    @staticmethod
    def _support(context: DraftContext, answer: Passage | None) -> list[Passage]:
        """Passages the reply relies on: the answer used, plus the policies behind the plan."""
        used = [answer] if answer else []
        if any(r in RESOLUTION_COMMITMENTS for r in context.plan.resolutions):  # it promises what a policy allows
            policies = [p for p in context.passages if p.kind is EntryKind.POLICY and p.language == context.language]
            used.extend(policies[:2])
        return list({p.entry_id: p for p in used}.values())

    @staticmethod
    def _commitments(plan: Plan, slots: dict[str, Any]) -> list[Commitment]:
        out = []
        for key in plan.resolutions:
            if key in RESOLUTION_COMMITMENTS:
                kind, text = RESOLUTION_COMMITMENTS[key]
                value = slots["code"] if kind == "code" else None
                out.append(Commitment(kind=kind, text=text.format(**slots), value=value))
        for key in plan.goodwill:
            if key in GOODWILL_COMMITMENTS:
                kind, text = GOODWILL_COMMITMENTS[key]
                value = plan.goodwill_code if kind == "code" else None
                out.append(Commitment(kind=kind, text=text.format(**slots), value=value))
        return out


_CATEGORIES = {
    "skincare": "skincare",
    "makeup": "skincare",
    "sensitive-skin": "skincare",
    "acne": "skincare",
    "apparel": "apparel",
    "size": "apparel",
}


def _category(passages: list[Passage]) -> str:
    """skincare or apparel, from the tags of the best passages; empty when unclear."""
    for passage in passages[:3]:
        for tag in passage.tags:
            if tag in _CATEGORIES:
                return _CATEGORIES[tag]
    return ""


def _first_sentence(text: str, language: ReplyLanguage) -> str:
    sentences = [s for s in _SENTENCE[language].split(text) if s.strip()]
    return sentences[0].strip() if sentences else text


def _parts(leap: LeapSegments) -> list[str]:
    return [
        p for p in (leap.listen, leap.empathize, leap.apologize, leap.problem_solve, leap.extra, leap.question) if p
    ]


def _join(parts: list[str], language: ReplyLanguage) -> str:
    return (" " if language == "en" else "").join(p.strip() for p in parts if p and p.strip())


_ROLES_ZH = {"team lead": "组长", "shop owner": "店长", "product safety lead": "产品安全负责人"}


def _role(role: str, zh: bool) -> str:
    return _ROLES_ZH.get(role, role) if zh else role
