"""Conversation analysis: language, intent, urgency and SLA deadline, sentiment, escalation, gaps, injection."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np

from drafter.analysis import lexicon
from drafter.analysis.exemplars import ExemplarVotes
from drafter.core.drafts import Analysis, DraftRequest, EscalationTrigger, Intent, Message, ReplyLanguage, Urgency
from drafter.core.shop_profile import ShopProfile

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[a-zA-Z]{2,}")
_URGENT = {Intent.LATE, Intent.DAMAGED, Intent.WRONG_ITEM}
_FAULTS = {Intent.LATE, Intent.DAMAGED, Intent.WRONG_ITEM, Intent.COMPLAINT, Intent.REFUND}


def _customer_texts(messages: list[Message]) -> list[str]:
    """Customer messages since the agent last spoke (at least the last one), oldest first."""
    texts: list[str] = []
    for message in reversed(messages):
        if message.role == "agent" and texts:
            break
        if message.role == "customer":
            texts.append(message.text)
    return list(reversed(texts)) or [m.text for m in messages if m.role == "customer"][-1:]


def detect_language(text: str) -> tuple[Literal["en", "zh", "mixed"], ReplyLanguage]:
    """(language, reply language): zh, en or mixed; replies follow the customer's main script."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN_WORD.findall(text))
    if cjk and latin >= 3 and latin * 2 >= cjk:
        return "mixed", ("zh" if cjk >= latin else "en")
    if cjk >= 1 and cjk >= latin:
        return ("mixed" if latin else "zh"), "zh"
    return "en", "en"


class ConversationAnalyzer:
    """Rules over the customer's latest messages, the order and the shop's profile; optional exemplar votes.

    With exemplars, an intent's score is its rule score (scaled to the best rule) plus `exemplar_weight`
    times its share of the nearest exemplars' similarity, so votes decide where no rule speaks.
    """

    def __init__(self, *, exemplars: ExemplarVotes | None = None, exemplar_weight: float = 1.0) -> None:
        self._exemplars = exemplars
        self._weight = exemplar_weight

    def warm_up(self) -> None:
        """Embed the exemplars now rather than on the first draft."""
        if self._exemplars is not None:
            self._exemplars.prepare()

    def customer_text(self, request: DraftRequest) -> str:
        """What the customer said since the agent last spoke: what is classified and searched."""
        return " ".join(_customer_texts(request.conversation))

    def analyze(
        self, request: DraftRequest, profile: ShopProfile, now: datetime, *, vector: np.ndarray | None = None
    ) -> Analysis:
        texts = _customer_texts(request.conversation)
        latest = texts[-1].lower() if texts else ""
        everything = " ".join(texts).lower()
        language, reply_language = detect_language(" ".join(texts))
        scores = self._intent_scores(latest, everything)
        if self._exemplars is not None and _substantial(latest):
            scores = self._with_votes(scores, self._exemplars.votes(vector, reply_language))
        intent = self._intent(scores, request, now)
        sentiment, intensity = self._sentiment(everything, intent)
        escalation = self._escalation(everything, intent, sentiment, request, profile)
        urgency = self._urgency(intent, everything, intensity)
        received = next((m.time for m in reversed(request.conversation) if m.role == "customer" and m.time), None)
        return Analysis(
            language=language,
            reply_language=reply_language,
            intent=intent,
            intent_scores={i.value: s for i, s in scores.items() if s},
            urgency=urgency,
            sla_deadline=sla_deadline(received or now, urgency, profile),
            sentiment=sentiment,
            intensity=intensity,
            escalation=escalation,
            missing_information=self._missing(intent, everything, request),
            injection_markers=[name for name, cue in lexicon.INJECTION_CUES.items() if cue.search(everything)],
        )

    @staticmethod
    def _intent_scores(latest: str, everything: str) -> dict[Intent, float]:
        scores: dict[Intent, float] = {}
        for intent, cue in lexicon.INTENT_CUES.items():
            scores[intent] = 2.0 * len(cue.findall(latest)) + 1.0 * len(cue.findall(everything))
        return scores

    def _with_votes(self, scores: dict[Intent, float], votes: dict[Intent, float]) -> dict[Intent, float]:
        best = max(scores.values(), default=0.0) or 1.0
        combined = {intent: score / best for intent, score in scores.items()}
        for intent, share in votes.items():
            combined[intent] = combined.get(intent, 0.0) + self._weight * share
        return combined

    @staticmethod
    def _intent(scores: dict[Intent, float], request: DraftRequest, now: datetime) -> Intent:
        best = max(scores.values(), default=0.0)
        if best <= 0 or scores.get(Intent.OTHER, 0.0) >= best:
            return Intent.OTHER
        intent = next(i for i in lexicon.INTENT_PRIORITY if scores.get(i, 0.0) >= best * 0.75)
        if intent is Intent.ORDER_STATUS and any(_overdue(o.estimated_delivery, o.status, now) for o in request.orders):
            return Intent.LATE
        return intent

    @staticmethod
    def _sentiment(text: str, intent: Intent) -> tuple[str, float]:
        negative = len(lexicon.NEGATIVE.findall(text))
        positive = len(lexicon.POSITIVE.findall(text))
        shouting = text.count("!") + text.count("！") + text.count("??") + text.count("？？")
        if intent in _URGENT or intent is Intent.COMPLAINT:
            negative += 1
        if negative > positive:
            return "negative", min(1.0, 0.3 + 0.15 * negative + 0.05 * shouting)
        if positive > negative:
            return "positive", min(1.0, 0.3 + 0.15 * positive)
        return "neutral", 0.0

    @staticmethod
    def _escalation(
        text: str, intent: Intent, sentiment: str, request: DraftRequest, profile: ShopProfile
    ) -> list[EscalationTrigger]:
        found = [trigger for trigger, cue in lexicon.ESCALATION_CUES.items() if cue.search(text)]
        limit = profile.refund_authority.agent_max_cny
        if intent in {Intent.REFUND, Intent.RETURN, Intent.DAMAGED, Intent.WRONG_ITEM, Intent.COMPLAINT} and any(
            o.value > limit for o in request.orders
        ):
            found.append(EscalationTrigger.REFUND_OVER_LIMIT)
        customer = request.customer
        if customer and customer.tier == "gold" and (sentiment == "negative" or intent in _FAULTS):
            found.append(EscalationTrigger.VIP)
        return found

    @staticmethod
    def _urgency(intent: Intent, text: str, intensity: float) -> Urgency:
        if intent in _URGENT or lexicon.PAYMENT_CUES.search(text):
            return Urgency.URGENT
        if intent is Intent.PRE_SALE and lexicon.FLASH_SALE_CUES.search(text):
            return Urgency.URGENT
        if intent is Intent.COMPLAINT:
            return Urgency.URGENT if intensity >= 0.6 else Urgency.ROUTINE
        if intent is Intent.PRAISE or (intent is Intent.OTHER and lexicon.NON_URGENT_CUES.search(text)):
            return Urgency.NON_URGENT
        return Urgency.ROUTINE

    @staticmethod
    def _missing(intent: Intent, text: str, request: DraftRequest) -> list[str]:
        missing: list[str] = []
        needs_order = {Intent.ORDER_STATUS, Intent.LATE, Intent.DAMAGED, Intent.WRONG_ITEM, Intent.RETURN}
        if intent in needs_order | {Intent.REFUND, Intent.EXCHANGE} and not request.orders:
            missing.append("order_number")
        if intent in {Intent.DAMAGED, Intent.WRONG_ITEM} and not lexicon.PHOTO_CUES.search(text):
            missing.append("photos")
        if intent is Intent.EXCHANGE and not lexicon.SIZE_CUES.search(text):
            missing.append("wanted_size_or_colour")
        if intent is Intent.PRE_SALE and re.search(r"skin|肌|皮肤|痘", text) and not lexicon.SKIN_CUES.search(text):
            missing.append("skin_type")
        return missing


def _substantial(text: str) -> bool:
    """Enough words for neighbours to mean something: "hi" or "在吗" are left to the rules."""
    return len(_LATIN_WORD.findall(text)) >= 2 or len(_CJK.findall(text)) >= 3


def _overdue(estimate: datetime | None, status: str, now: datetime) -> bool:
    return estimate is not None and status in {"paid", "shipped"} and now > estimate


def sla_deadline(received: datetime, urgency: Urgency, profile: ShopProfile) -> datetime:
    """When the first reply is due: the SLA minutes, counted from opening time when the message came after hours."""
    minutes = {
        Urgency.URGENT: profile.sla_minutes.urgent,
        Urgency.ROUTINE: profile.sla_minutes.routine,
        Urgency.NON_URGENT: profile.sla_minutes.non_urgent,
    }[urgency]
    zone = ZoneInfo(profile.shop.timezone)
    local = received.astimezone(zone)
    opens = time.fromisoformat(profile.service_hours.open)
    closes = time.fromisoformat(profile.service_hours.close)
    start = local
    if local.time() < opens:
        start = datetime.combine(local.date(), opens, zone)
    elif local.time() >= closes:
        start = datetime.combine(local.date() + timedelta(days=1), opens, zone)
    return (start + timedelta(minutes=minutes)).astimezone(UTC)


def order_value(request: DraftRequest) -> Decimal:
    return max((o.value for o in request.orders), default=Decimal(0))
