"""The promises ledger's extractor: what an approved reply commits the shop to, and by when.

Each sentence of the reply is matched against cue patterns per kind (English and Chinese). A cue
does not count when the words just before it, in the same clause, negate it ("没办法给您退差价")
or make the customer the one who acts ("you can contact the courier"). The due time is the
explicit time in the sentence nearest to the cue ("within 2 hours", "3-5个工作日", "today"),
else the kind's default from the shop's profile. Business days skip Saturday and Sunday in the
shop's time zone and end at its closing time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from drafter.core.models import Frozen, UtcDateTime
from drafter.core.shop_profile import ShopProfile

PromiseKind = Literal["callback", "send_label", "refund", "carrier_check", "replacement", "escalation", "update"]
MAX_TEXT_CHARS = 300
_DEFAULT_REFUND_DAYS = 5
_CARRIER_CHECK_HOURS = 24


class Promise(Frozen):
    """A follow-up the shop owes the customer, made by one sentence of an approved reply."""

    kind: PromiseKind
    text: str = Field(max_length=MAX_TEXT_CHARS, description="The sentence, stripped (and cut when very long)")
    due_at: UtcDateTime
    span: tuple[int, int] = Field(description="Where the sentence is in the reply")


def _cues(en: str, zh: str) -> re.Pattern[str]:
    # ASCII lookarounds, not \b: CJK characters count as word characters.
    return re.compile(rf"(?<![A-Za-z])(?:{en})(?![A-Za-z])|{zh}", re.I)


# In the order of PromiseKind: promises of one sentence come out in this order.
_CUES: dict[PromiseKind, re.Pattern[str]] = {
    "callback": _cues(
        r"call (?:you|u)(?: back)?|phone you|ring you|get back to you|(?:contact|reach out to|reply to|respond to) you"
        r"|(?:message|text|e-?mail) you back|get in touch|hear (?:back )?from (?:us|me|her|him|them)",
        r"回电|(?:给|向)您(?:回电|回复|答复|回消息)|回复您|联系您(?!的)|回您(?:消息|电话)",
    ),
    "send_label": _cues(
        r"(?:pre-?paid|return|returns|shipping|postage)[ -](?:return |shipping )?label"
        r"|(?:send|sent|e-?mail|creat|generat)\w*[^.\n]{0,20}label|(?:courier|driver) (?:can|will|'ll) collect"
        r"|(?:book|arrang|schedul)\w*[^.\n]{0,25}pick-?ups?|(?:free|pre-?paid)[^.\n]{0,20}pick-?ups?",
        r"寄件码|取件码|退货(?:单号|面单)|面单|上门取件|预约[^。，；\n]{0,6}取件",
    ),
    "refund": _cues(
        r"full refund|refund(?:ed)? (?:it|them|you|the|your|this|that|in full)"
        r"|(?:we|i|she|he|they)(?:'ll|'d| will| can| could| would) (?:also |then |gladly )?refund"
        r"|refund (?:is |was |will be |has been |gets )?(?:issued|processed|submitted|approved)"
        r"|(?:process|issue|submit) (?:your |the |a )?refund"
        r"|(?:reach(?:es)?|shows? (?:up )?in|arrives? in|lands? in|return (?:it |the money )?to|back (?:in|to))"
        r" your (?:account|card|wallet|bank)",
        r"全额退|(?:给您|帮您|为您|会|可以|就|马上|立即|今天)(?:先|直接|全额)?退(?:款|钱|还|给您|差价)"
        r"|(?:处理|提交|安排|办理)(?:全额)?退款|退款[^。，；\n]{0,4}(?:提交|处理|原路|到账)"
        r"|\d+个工作日内?(?:原路)?(?:到账|退回)|原路(?:退回|返回|到账)",
    ),
    "carrier_check": _cues(
        r"check(?:ing)? (?:with|on|in with) (?:the |our |your )?(?:carrier|courier|delivery|parcel|shipment|zto|sf)"
        r"|check (?:the |your )?(?:tracking|parcel|delivery status|shipment)"
        r"|(?:chase|contact|call|ask|follow up with|talk to|speak (?:to|with)|query)(?: up)? (?:the |our |it with )?"
        r"(?:the )?(?:carrier|courier|zto|sf|delivery company|logistics|depot|driver)"
        r"|(?:open|file|raise|lodge) (?:a |an )?(?:trace|tracing request|claim|investigation)",
        r"(?:联系|催|询问|核实|核查|追踪|跟踪|问)(?!了)[^。，；：\n]{0,3}"
        r"(?:快递|物流|承运商|中通|顺丰|圆通|韵达|申通|邮政|EMS|京东|\{\{carrier\}\})"
        r"|催件|催(?:一下)?派送|查(?:一下|一次|询)?(?:物流|快递)|物流核实",
    ),
    "replacement": _cues(
        r"replacement[^.\n]{0,40}?(?:goes out|go out|ships?|leaves|(?:is|will be) sent|dispatch\w*|on its way)"
        r"|(?:send|ship|post|mail)(?:s|ing)? (?:you )?(?:out )?(?:a |an |your )?"
        r"(?:brand[- ]?new|new|replacement|another)(?! (?:code|tracking|link|label|photo|address))"
        r"|re-?ship\w*|re-?send\w*|(?:ships|goes out|leaves)[^.\n]{0,40}(?:today|sf express|express)"
        r"|leaves our (?:\w+ )?warehouse",
        r"补发|补寄|重新(?:给您)?(?:发|寄)|重发|换新|(?:发|寄)一(?:件|支|个|罐|瓶|条|双|份|套)新的"
        r"|(?:顺丰|快递)(?:给您)?(?:发出|寄出|补寄)",
    ),
    "escalation": _cues(
        r"(?:pass|escalat|hand|forward|refer)\w*[^.\n]{0,40}(?:team lead(?:er)?|supervisor|manager|owner|safety lead)"
        r"|(?:team lead(?:er)?|supervisor|manager|shop owner|safety lead)[^.\n]{0,40}(?:will|'ll|would|'d)",
        r"(?:转给|转交给?|升级给|同步给|交给|反馈给|上报给?|汇报给)[^。；，\n]{0,10}(?:组长|主管|店主|店长|经理|负责人|上级)"
        r"|(?:组长|主管|店主|店长|经理|负责人|上级)[^。；\n]{0,20}(?:会|将)[^。；\n]{0,20}(?:联系|回复|答复|处理|跟进)",
    ),
    "update": _cues(
        r"update you|keep you (?:posted|updated|informed|in the loop)|let you know|check in with you|follow(?:ing)? up"
        r"|(?:message|tell|notify|e-?mail|text) you (?:the moment|as soon as|once|when|the new|right away)"
        r"|send (?:you )?the (?:new )?tracking|post the tracking",
        r"跟进|盯着?进度|同步(?:进度|给您)|一?有(?:消息|进展|结果|更新|新进展)|第一时间(?:告诉|通知|同步|联系)您"
        r"|(?:马上|随时|及时|立刻)(?:告诉|通知|同步给?)您|(?:单号|物流信息)[^。；，\n]{0,8}(?:发给您|告诉您|同步给您)",
    ),
}

_CLAUSE_BREAK = re.compile(r"[,，;；:：]")
_NOT_OURS = re.compile(
    r"(?<![A-Za-z])(?:not|no|never|cannot|unable)(?![A-Za-z])|n't|you(?:'ll)? (?:can|could|may|should|need to|must)"
    r"|没|无法|不能|不会|不用|不需要|不必|不支持|不可以|别|您(?:可以|也可以|自己|需要)",
    re.I,
)
_IMPERATIVE = re.compile(r"\W*(?:please|kindly|请您?|麻烦您?)\W*", re.I)
_NOT_OURS_WINDOW = 24

_NUMBER = r"\d+|[一二两三四五六七八九十]{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten"
_TIME = re.compile(
    rf"(?<![A-Za-z0-9])(?:(?:{_NUMBER})\s*(?:-|–|~|～|to|至|到)\s*)?(?P<n>{_NUMBER})\s*-?\s*个?\s*"
    r"(?P<unit>business days?|working days?|工作日|hours?|hrs?|h|小时|minutes?|mins?|分钟|days?|天)(?![A-Za-z])"
    r"|(?P<today>(?<![A-Za-z])(?:today|tonight|end of (?:the )?day|eod)(?![A-Za-z])|今天|今晚|今日|当天)"
    r"|(?P<tomorrow>(?<![A-Za-z])tomorrow(?![A-Za-z])|明天|明日)",
    re.I,
)
# A time that measures a window ("within 30 days of delivery", "30天内有效") or a past span is not a due time.
_WINDOW_BEFORE = re.compile(
    r"(?:(?:签收|收货|收到[^，。；\s]{0,4}|购买|下单|发货|到货)(?:之?后)?|超过|已经|每"
    r"|(?<![A-Za-z])(?:valid(?: for)?|more than|over|after|every|once|twice|times|per|been))\s*$",
    re.I,
)
_WINDOW_AFTER = re.compile(r"\s*(?:(?:of|from|after|ago|since|old)(?![A-Za-z])|内?(?:前|有效|之前))", re.I)
_EN_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_WORDS = {"a": 1, "an": 1} | {word: n for n, word in enumerate(_EN_NUMBERS)}
_ZH_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}

_BREAK = re.compile(r"\n|[。！？]+|[.!?]+(?=[\s*\"'”)）\u4e00-\u9fff]|$)")
# "A. 顺丰重新发货" and "1. 预留" are list markers, not sentence ends; "Vitamin C." is a sentence end.
_LIST_MARKER = re.compile(r"(?<![A-Za-z])(?<![A-Za-z0-9,] )[A-D]$|^\s*\d{1,2}$")
_BULLET = re.compile(r"\s*(?:[-*•·]\s+)?")
_OPTION = re.compile(r"(?<![A-Za-z])([A-D])\s*[.)．、]")


def extract_promises(reply: str, *, sent_at: datetime, profile: ShopProfile) -> list[Promise]:
    """The follow-up promises in an approved reply (en or zh), in reply order.

    Args:
        reply: The reply as sent to the customer.
        sent_at: When it was sent; a naive value is read as shop time.
        profile: The shop's time zone, closing time and promise defaults.

    Returns:
        At most one promise per kind per sentence; sentences asking the customer to choose are skipped.

    Raises:
        ValueError: the profile's closing time is not "HH:MM".
        zoneinfo.ZoneInfoNotFoundError: the profile's time zone is unknown.
    """
    clock = _ShopClock(sent_at, profile)
    text = reply.replace("’", "'")  # same length, so spans stay valid for the original
    promises: list[Promise] = []
    for start, end in _sentences(text):
        sentence = text[start:end]
        if _asks_to_choose(sentence):
            continue
        cues = {kind: cue for kind, pattern in _CUES.items() if (cue := _own_cue(pattern, sentence))}
        if "escalation" in cues:  # whoever takes the case also calls back and updates: one promise, not three
            cues = {k: v for k, v in cues.items() if k not in ("callback", "update")}
        quote = _clip(reply[start:end])
        for kind, cue in cues.items():
            promises.append(Promise(kind=kind, text=quote, due_at=_due(kind, cue, sentence, clock), span=(start, end)))
    return promises


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for brk in _BREAK.finditer(text):
        if brk.group() == "." and _LIST_MARKER.search(text[start : brk.start()]):
            continue
        yield from _trimmed(text, start, brk.end())
        start = brk.end()
    yield from _trimmed(text, start, len(text))


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    segment = text[start:end]
    bullet = _BULLET.match(segment)
    lead = bullet.end() if bullet else 0
    body = segment[lead:].rstrip()
    if re.search(r"\w", body):
        yield start + lead, start + lead + len(body)


def _asks_to_choose(sentence: str) -> bool:
    if sentence.rstrip("*\"'”)）」】 ").endswith(("?", "？")):
        return True
    return {"A", "B"} <= {m.group(1) for m in _OPTION.finditer(sentence)}


def _own_cue(pattern: re.Pattern[str], sentence: str) -> re.Match[str] | None:
    """The first cue the shop itself commits to (not negated, not the customer's to do)."""
    for cue in pattern.finditer(sentence):
        clause = _CLAUSE_BREAK.split(sentence[: cue.start()])[-1]
        if not _IMPERATIVE.fullmatch(clause) and not _NOT_OURS.search(clause[-_NOT_OURS_WINDOW:]):
            return cue
    return None


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT_CHARS else text[: MAX_TEXT_CHARS - 1] + "…"


def _due(kind: PromiseKind, cue: re.Match[str], sentence: str, clock: _ShopClock) -> datetime:
    """The explicit time nearest to the cue, else the kind's default."""
    times = [t for t in _TIME.finditer(sentence) if not _is_window(sentence, t)]
    times.sort(key=lambda t: max(t.start() - cue.end(), cue.start() - t.end(), 0))
    for found in times:
        due = clock.resolve(found)
        if due is not None:
            return due
    return clock.default(kind)


def _is_window(sentence: str, found: re.Match[str]) -> bool:
    before = _WINDOW_BEFORE.search(sentence, 0, found.start())
    return before is not None or _WINDOW_AFTER.match(sentence, found.end()) is not None


def _number(token: str) -> int | None:
    token = token.lower()
    if token.isdigit():
        return int(token)
    if token in _WORDS:
        return _WORDS[token]
    tens, ten, ones = token.partition("十")
    if not ten:
        return _ZH_DIGITS.get(token)
    if (tens and tens not in _ZH_DIGITS) or (ones and ones not in _ZH_DIGITS):
        return None
    return _ZH_DIGITS.get(tens, 1) * 10 + _ZH_DIGITS.get(ones, 0)


def _upper_bound(days: str) -> int:
    """The last number of a range like "3-5"."""
    numbers = re.findall(r"\d+", days)
    return int(numbers[-1]) if numbers else _DEFAULT_REFUND_DAYS


class _ShopClock:
    """Due times seen from the shop: a day ends at closing time, business days skip weekends."""

    def __init__(self, sent_at: datetime, profile: ShopProfile) -> None:
        self._zone = ZoneInfo(profile.shop.timezone)
        local = sent_at.replace(tzinfo=self._zone) if sent_at.tzinfo is None else sent_at.astimezone(self._zone)
        self._today = local.date()
        self._close = time.fromisoformat(profile.service_hours.close)
        self._profile = profile
        self.sent = local.astimezone(UTC)

    def closing(self, day: date) -> datetime:
        return datetime.combine(day, self._close, tzinfo=self._zone).astimezone(UTC)

    def today(self) -> datetime:
        """Today's closing time, or tomorrow's when the shop has already closed."""
        closing = self.closing(self._today)
        return closing if self.sent < closing else self.closing(self._today + timedelta(days=1))

    def business_days(self, count: int) -> datetime:
        """Closing time on the count-th weekday after the day the reply was sent."""
        day = self._today
        while count > 0:
            day += timedelta(days=1)
            if day.weekday() < 5:
                count -= 1
        return self.closing(day)

    def resolve(self, found: re.Match[str]) -> datetime | None:
        """The due time an explicit time expression names; None when its number cannot be read."""
        if found["today"]:
            return self.today()
        if found["tomorrow"]:
            return self.closing(self._today + timedelta(days=1))
        amount = _number(found["n"])
        unit = found["unit"].lower()
        if amount is None:
            return None
        if unit.startswith(("business", "working", "工作日")):
            return self.business_days(amount)
        if unit.startswith(("h", "小时")):
            return self.sent + timedelta(hours=amount)
        if unit.startswith(("min", "分钟")):
            return self.sent + timedelta(minutes=amount)
        return self.sent + timedelta(days=amount)

    def default(self, kind: PromiseKind) -> datetime:
        """When a promise of this kind is due if the sentence names no time."""
        match kind:
            case "carrier_check":
                return self.sent + timedelta(hours=_CARRIER_CHECK_HOURS)
            case "send_label":
                return self.today()
            case "replacement":
                return self.business_days(1)
            case "refund":
                return self.business_days(_upper_bound(self._profile.returns.refund_to_account_business_days))
            case _:
                return self.sent + timedelta(hours=self._profile.escalation.reply_promise_hours)
