"""What an agent's edit did to a draft, from the diff, the guardrail findings and the conversation's context.

Distances are Levenshtein distances (rapidfuzz): over characters, and over tokens. A token is a Latin word or number
("don't", "SORRY10", "0.5", "16:00") or a single CJK character, compared case-sensitively; punctuation and
whitespace are not tokens. Each ratio is the distance over the longer side (at least 1), rounded to 4 places.

Each class is tested on its own; `classes` lists every class that applies, in this order, and `primary` is the first:

1. policy_fix: a policy finding (`POLICY_CODES`) is resolved, i.e. its code occurs fewer times in `final_findings`
   than in `original_findings`; or the set of money amounts (¥/￥/CNY/RMB/元/块/yuan amounts, and 满X减Y terms)
   or of discount codes (3+ capitals and 1-3 digits, like SORRY10, not a `personal` value) differs.
2. fact_fix: the final text has a fact the original lacks (a number, date or time outside money and codes, a
   number word before a unit such as "three days" or 三天, a weekday, today/tomorrow, 今天/明天); or a `personal`
   value of the original was replaced by other text (not merely deleted), e.g. the wrong product name corrected.
   Removing a fact (dropping "within 2 hours") is not a fact fix: the final makes no new claim.
3. rewritten: token_ratio >= 0.6, unless the edit only cut the text (then it is `shortened`).
4. personalisation: a `personal` value (case-insensitive) is in the final text and not in the original.
5. tone: a tone_banned_phrase finding is resolved; or the courtesy markers (sorry, apologise, understand, thank,
   please, 抱歉, 不好意思, 理解, 辛苦, 谢谢, 感谢, 亲, 您) changed and, with the markers taken out, the token ratio
   is at most 0.25 (the rest changed little).
6. shortened: the final has at most 80% of the original's characters and at least 80% of its tokens come from the
   original (multiset overlap).
7. minor: only when none of the above applies, e.g. whitespace, punctuation or a word or two.

A changed text never gets an empty list: when nothing applies, the markers changing (with a bigger change around
them) still make it tone; otherwise it is minor. An unchanged text (`original == final`) has no classes and no primary.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from rapidfuzz.distance import Levenshtein

from drafter.core.drafts import POLICY_CODES, Finding
from drafter.core.models import Frozen

_TONE_REST_MAX = 0.25
_SHORTENED_LENGTH = 0.8
_SHORTENED_SHARED = 0.8
_REWRITTEN = 0.6

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = rf"[^\W_{_CJK}]"
_TOKEN = re.compile(rf"[{_CJK}]|\d+(?:[.,:]\d+)+|{_WORD}+(?:['’]{_WORD}+)*")
_MONEY = re.compile(
    r"(?:¥|￥|CNY|RMB)\s?(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s?(?:元|块|CNY|RMB|yuan)|满(\d+(?:\.\d+)?)减(\d+(?:\.\d+)?)",
    re.I,
)
_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{3,}\d{1,3}(?![A-Za-z0-9])")
_FACT = re.compile(
    r"\d+(?:[.:/-]\d+)*"
    r"|(?<![A-Za-z])(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty)"
    r"(?=\s+(?:business\s+|working\s+)?(?:days?|hours?|weeks?|months?|minutes?|items?|pieces?|bottles?|pairs?)(?![A-Za-z]))"
    r"|(?<![A-Za-z])(?:today|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?![A-Za-z])"
    r"|[一二两三四五六七八九十百半]+个?(?:工作日|小时|分钟|天|周|星期|月|年|件|支|瓶|套|双)"
    r"|今天|明天|后天|今晚|周[一二三四五六日末]|星期[一二三四五六日天]",
    re.I,
)
# 亲 is the shop's "dear", but not in 亲自 (in person), 亲人 (family) and the like.
_MARKER = re.compile(
    r"(?<![A-Za-z])(?:sorry|apologi[sz](?:e[sd]?|ing)|apolog(?:y|ies)|understand(?:s|ing)?|thank(?:s| you)?|please)"
    r"(?![A-Za-z])|抱歉|不好意思|理解|辛苦|谢谢|感谢|(?<![父母双])亲(?![自戚人子手身眼口属友密])|您",
    re.I,
)


class EditClass(StrEnum):
    FACT_FIX = "fact_fix"
    TONE = "tone"
    POLICY_FIX = "policy_fix"
    PERSONALISATION = "personalisation"
    SHORTENED = "shortened"
    REWRITTEN = "rewritten"
    MINOR = "minor"


class EditAnalysis(Frozen):
    char_distance: int
    token_distance: int
    char_ratio: float
    token_ratio: float
    classes: list[EditClass]
    primary: EditClass | None


@dataclass(frozen=True)
class _Edit:
    original: str
    final: str
    original_tokens: list[str]
    final_tokens: list[str]
    original_findings: Sequence[Finding]
    final_findings: Sequence[Finding]
    personal: list[str]
    token_ratio: float


def analyse_edit(
    original: str,
    final: str,
    *,
    original_findings: Sequence[Finding],
    final_findings: Sequence[Finding],
    personal: Sequence[str] = (),
) -> EditAnalysis:
    """Distances and classes of the edit from `original` (the draft) to `final` (what the agent sent).

    Args:
        personal: The customer's name, order ids and product names from the context.
    """
    original_tokens, final_tokens = tokens(original), tokens(final)
    char_distance = Levenshtein.distance(original, final)
    token_distance = Levenshtein.distance(original_tokens, final_tokens)
    token_ratio = _ratio(token_distance, len(original_tokens), len(final_tokens))
    edit = _Edit(
        original,
        final,
        original_tokens,
        final_tokens,
        original_findings,
        final_findings,
        [p.strip() for p in personal if p.strip()],
        token_ratio,
    )
    classes = _classify(edit) if original != final else []
    return EditAnalysis(
        char_distance=char_distance,
        token_distance=token_distance,
        char_ratio=_ratio(char_distance, len(original), len(final)),
        token_ratio=token_ratio,
        classes=classes,
        primary=classes[0] if classes else None,
    )


def tokens(text: str) -> list[str]:
    """Latin words and numbers, and single CJK characters, in order."""
    return _TOKEN.findall(text)


def _ratio(distance: int, *lengths: int) -> float:
    return round(distance / max(*lengths, 1), 4)


def _classify(edit: _Edit) -> list[EditClass]:
    classes = [edit_class for edit_class, applies in _RULES if applies(edit)]
    if classes:
        return classes
    return [EditClass.TONE if _markers(edit.original) != _markers(edit.final) else EditClass.MINOR]


def _is_policy_fix(edit: _Edit) -> bool:
    codes_before, codes_after = _codes(edit.original, edit.personal), _codes(edit.final, edit.personal)
    return _resolved(POLICY_CODES, edit) or _money(edit.original) != _money(edit.final) or codes_before != codes_after


def _is_fact_fix(edit: _Edit) -> bool:
    new_facts = _facts(edit.final, edit.personal) - _facts(edit.original, edit.personal)
    return bool(new_facts) or _personal_replaced(edit)


def _is_rewritten(edit: _Edit) -> bool:
    """Most tokens changed, and not because the agent only cut (a cut is `shortened`)."""
    return edit.token_ratio >= _REWRITTEN and not _is_shortened(edit)


def _is_personalisation(edit: _Edit) -> bool:
    return any(_find(v, edit.final) and not _find(v, edit.original) for v in edit.personal)


def _is_tone(edit: _Edit) -> bool:
    if _resolved(frozenset({"tone_banned_phrase"}), edit):
        return True
    if _markers(edit.original) == _markers(edit.final):
        return False
    rest_before, rest_after = tokens(_MARKER.sub(" ", edit.original)), tokens(_MARKER.sub(" ", edit.final))
    return _ratio(Levenshtein.distance(rest_before, rest_after), len(rest_before), len(rest_after)) <= _TONE_REST_MAX


def _is_shortened(edit: _Edit) -> bool:
    if len(edit.final) > _SHORTENED_LENGTH * len(edit.original):
        return False
    if not edit.final_tokens:
        return True
    shared = sum((Counter(edit.final_tokens) & Counter(edit.original_tokens)).values())
    return shared >= _SHORTENED_SHARED * len(edit.final_tokens)


_RULES: tuple[tuple[EditClass, Callable[[_Edit], bool]], ...] = (
    (EditClass.POLICY_FIX, _is_policy_fix),
    (EditClass.FACT_FIX, _is_fact_fix),
    (EditClass.REWRITTEN, _is_rewritten),
    (EditClass.PERSONALISATION, _is_personalisation),
    (EditClass.TONE, _is_tone),
    (EditClass.SHORTENED, _is_shortened),
)


def _resolved(codes: frozenset[str], edit: _Edit) -> bool:
    before = Counter(f.code for f in edit.original_findings if f.code in codes)
    after = Counter(f.code for f in edit.final_findings if f.code in codes)
    return any(after[code] < count for code, count in before.items())


def _money(text: str) -> set[Decimal]:
    return {Decimal(amount).normalize() for match in _MONEY.finditer(text) for amount in match.groups() if amount}


def _codes(text: str, personal: Sequence[str]) -> set[str]:
    return {code for code in _CODE.findall(text) if code not in personal}


def _facts(text: str, personal: Sequence[str]) -> Counter[str]:
    """Facts outside money amounts and discount codes, which policy_fix owns."""
    text = _MONEY.sub(" ", text)
    text = _CODE.sub(lambda m: m.group(0) if m.group(0) in personal else " ", text)
    return Counter(fact.lower() for fact in _FACT.findall(text))


def _markers(text: str) -> Counter[str]:
    found = (m.lower() for m in _MARKER.findall(text))
    return Counter("apologise" if m.startswith("apolog") else "thank" if m.startswith("thank") else m for m in found)


def _find(value: str, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(re.escape(value), text, re.I)]


def _personal_replaced(edit: _Edit) -> bool:
    """A value of the original sits in a token span the alignment *replaced* (not deleted) in the final."""
    removed = [v for v in edit.personal if _find(v, edit.original) and not _find(v, edit.final)]
    if not removed:
        return False
    replaced: set[int] = set()
    for op in Levenshtein.opcodes(edit.original_tokens, edit.final_tokens):
        if op.tag == "replace":
            replaced.update(range(op.src_start, op.src_end))
    spans = [m.span() for m in _TOKEN.finditer(edit.original)]
    return any(
        index in replaced
        for value in removed
        for start, end in _find(value, edit.original)
        for index, (token_start, token_end) in enumerate(spans)
        if token_start < end and token_end > start
    )
