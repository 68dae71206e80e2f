"""Turn an approved reply (or the customer's question) into knowledge-base text with personal data as slots.

Order of replacement, so that a broad pattern never sees a value a narrower step owns:

1. e-mails -> `{{email}}` (before names: "sarah@..." must go as one e-mail);
2. the known values: `names` -> `{{customer_name}}` (with a title before it: "Mr. Smith"), `order_ids` ->
   `{{order_number}}`, `tracking` -> `{{tracking_number}}`; values too short to be safe are skipped (names under 2
   characters, ids under 3, all-digit ids under 5 digits, which would hit prices and quantities);
3. ID numbers -> `{{id_number}}`, phones -> `{{phone}}`, street addresses -> `{{address}}`;
4. carrier tracking numbers (SF/YT/ZTO/JT/JD... and 9-15 digits) -> `{{tracking_number}}`, other order-like ids
   ("LL20261101-0042", letters and 6+ digits, 10+ digits) -> `{{order_number}}`;
5. Chinese surname + honorific (张女士, 王先生, 李小姐, 陈太太) and the name after an English greeting at the start of a
   line ("Hi Sarah,", "Dear Mr. Smith,") -> `{{customer_name}}`.

Existing `{{slots}}` are swapped for private-use characters before any step runs and swapped back at the end, so no
pattern can match inside one, and every inserted slot is protected the same way. The steps run until the text stops
changing; each change turns at least one character into a slot, so this ends, and `scrub` is idempotent.

Prices, codes (SORRY10 has too few digits to be an order id), percentages, dates ("2026-11-01", "11月2号") and durations
survive: numbers are only touched as part of a phone, ID, address or id-shaped token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from drafter.core.drafts import DraftRequest
from drafter.core.personal_data import ADDRESS_EN, ADDRESS_ZH, EMAIL, ID_CARD, PHONE, PHONE_SPACED

_Step = Callable[[str], str]

_SLOT = re.compile(r"\{\{\s*[\w.]+\s*\}\}")
_SENTINEL_BASE = 0xF0000  # Supplementary Private Use Area-A: never in customer text, not \w, not CJK

_TRACKING = re.compile(r"(?<![A-Za-z0-9])(?:SF|YT|ZTO|STO|YD|JT|JD|JDV|EMS|DPK)\d{9,15}(?![A-Za-z0-9])")
_ORDER_LIKE = re.compile(
    r"(?<![A-Za-z0-9-])(?:[A-Z]{1,5}-?\d{6,}(?:-\d{2,6})?|[A-Z]{1,5}-\d{4}-\d{3,6}|\d{6,}-\d{3,6}|\d{10,})"
    r"(?![A-Za-z0-9])"
)
# The most common surnames only: rarer ones (和, 成, 时, 于) are everyday words too
# ("我和先生", "换成女士款", "对于女士").
_SURNAMES = (
    "欧阳|司马|诸葛|上官|东方|慕容|王|李|张|刘|陈|杨|黄|赵|吴|周|徐|孙|马|朱|胡|郭|何|高|林|罗|郑|梁|宋|唐|许|韩|"
    "冯|邓|曹|彭|曾|肖|田|董|袁|潘|蒋|蔡|余|杜|叶|程|苏|魏|吕|丁|任|沈|姚|卢|姜|崔|钟|谭|陆|汪|范|金|石|廖|贾|夏|"
    "韦|付|傅|方|白|邹|孟|熊|秦|邱|江|尹|薛|闫|段|雷|侯|龙|史|陶|黎|贺|顾|毛|郝|龚|邵|万|钱|严|覃|武|戴|莫|孔|汤"
)
# 谢 is a surname, but after 谢/感/多/致/答/道 it means thanks (谢谢先生).
# 先生产 is "produce first"; 女士款 is a product.
_HONORIFIC_NAME = re.compile(rf"(?:(?<![谢感多致答道])谢|{_SURNAMES})(?:女士|小姐|太太|先生(?![产成效]))(?![款版装们])")
_TITLE = r"(?<![A-Za-z])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?[ \t]+"
_GREETING = re.compile(
    r"^(?P<lead>[ \t]*(?:Hi|Hello|Hey|Dear|Good (?:morning|afternoon|evening))[ \t]+)"
    rf"(?P<name>(?:{_TITLE})?"
    r"(?!(?i:there|all|everyone|everybody|team|friends?|again|folks|guys|customer|valued|sir|madam)(?![A-Za-z]))"
    r"[A-Z][A-Za-z'’-]*(?:[ \t]+[A-Z][A-Za-z'’-]*)?)"
    r"(?=[ \t]*(?:[,!，:]|$))",
    re.MULTILINE,
)


class _Slots:
    """Maps slot text to one private-use character and back."""

    def __init__(self) -> None:
        self._chars: dict[str, str] = {}

    def char(self, slot: str) -> str:
        if slot not in self._chars:
            self._chars[slot] = chr(_SENTINEL_BASE + len(self._chars))
        return self._chars[slot]

    def protect(self, text: str) -> str:
        return _SLOT.sub(lambda m: self.char(m.group(0)), text)

    def restore(self, text: str) -> str:
        for slot, char in self._chars.items():
            text = text.replace(char, slot)
        return text


def scrub(
    text: str,
    *,
    names: Sequence[str] = (),
    order_ids: Sequence[str] = (),
    tracking: Sequence[str] = (),
    agent_names: Sequence[str] = (),
) -> str:
    """Replace personal data with slots; see the module docstring for the order and the patterns.

    Args:
        text: A reply or a question, English or Chinese.
        names: The customer's names, replaced by `{{customer_name}}`.
        order_ids: The conversation's order ids, replaced by `{{order_number}}`.
        tracking: The orders' tracking numbers, replaced by `{{tracking_number}}`.
        agent_names: The agent's names, replaced by `{{agent_name}}` (a reused reply signs with its new agent).
    """
    slots = _Slots()
    agent = slots.char("{{agent_name}}")
    steps = [_replace(p, agent) for p in _known(_name_variants(agent_names), min_length=2)]
    steps += _steps(slots, names, order_ids, tracking)
    current = slots.protect(text)
    while True:
        previous = current
        for step in steps:
            current = step(current)
        if current == previous:
            return slots.restore(current)


def _steps(slots: _Slots, names: Sequence[str], order_ids: Sequence[str], tracking: Sequence[str]) -> list[_Step]:
    name, order, track = (
        slots.char("{{customer_name}}"),
        slots.char("{{order_number}}"),
        slots.char("{{tracking_number}}"),
    )
    phone, address, email = slots.char("{{phone}}"), slots.char("{{address}}"), slots.char("{{email}}")
    # The shared pattern takes a sentence's full stop into the address; give it back.
    steps: list[_Step] = [lambda text: EMAIL.sub(lambda m: email + "." * _trailing_dots(m.group(0)), text)]
    steps += [_replace(p, name) for p in _known(_name_variants(names), min_length=2)]
    # "Dear Mr. Smith": the title belongs to the name the slot will hold.
    steps.append(_replace(re.compile(_TITLE + name), name))
    steps += [_replace(p, order) for p in _known(order_ids, min_length=3)]
    steps += [_replace(p, track) for p in _known(tracking, min_length=3)]
    steps += [_replace(ID_CARD, slots.char("{{id_number}}")), _replace(PHONE, phone), _replace(PHONE_SPACED, phone)]
    steps += [_replace(ADDRESS_EN, address), _replace(ADDRESS_ZH, address)]
    steps += [_replace(_TRACKING, track), _replace(_ORDER_LIKE, order), _replace(_HONORIFIC_NAME, name)]
    steps.append(lambda text: _GREETING.sub(lambda m: m.group("lead") + name, text))
    return steps


def _replace(pattern: re.Pattern[str], char: str) -> _Step:
    return lambda text: pattern.sub(char, text)


def _trailing_dots(value: str) -> int:
    return len(value) - len(value.rstrip("."))


def _name_variants(names: Sequence[str]) -> list[str]:
    """Each name, and each word of a Latin name ("Sarah Chen" -> "Sarah", "Chen"), capitalised as names are written."""
    variants: set[str] = set()
    for full in (n.strip() for n in names):
        parts = full.split() if full.isascii() else []
        for value in (full, *parts):
            variants.update({value, value[:1].upper() + value[1:]})
    return sorted(variants, key=len, reverse=True)


def _known(values: Sequence[str], *, min_length: int) -> list[re.Pattern[str]]:
    """Exact patterns for known values, longest first; too-short values and short numbers would hit prices."""
    stripped = {v.strip() for v in values}
    kept = {v for v in stripped if len(v) >= min_length and not (v.isdigit() and len(v) < 5)}
    patterns = []
    for value in sorted(kept, key=len, reverse=True):
        # ASCII lookarounds keep "Li" out of "Lily" and "LL100" out of "LL1001", yet allow "Li您好".
        start = r"(?<![A-Za-z0-9])" if value[0].isascii() and value[0].isalnum() else ""
        end = r"(?![A-Za-z0-9])" if value[-1].isascii() and value[-1].isalnum() else ""
        patterns.append(re.compile(start + re.escape(value) + end))
    return patterns


def scrub_for(request: DraftRequest, text: str | None = None) -> str:
    """`text` (by default the customer's last message) scrubbed of what `request` knows: the customer's and
    agent's names, its order and tracking numbers, and every pattern `scrub` knows."""
    if text is None:
        text = next(m.text for m in reversed(request.conversation) if m.role == "customer")
    return scrub(
        text,
        names=[request.customer.name] if request.customer and request.customer.name else [],
        agent_names=[request.agent_name] if request.agent_name else [],
        order_ids=[o.id for o in request.orders],
        tracking=[o.tracking for o in request.orders if o.tracking],
    )
