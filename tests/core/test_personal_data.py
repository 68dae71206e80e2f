"""The personal-data patterns find what they name and leave prices, codes, dates and durations alone."""

from __future__ import annotations

import re

import pytest

from drafter.core import personal_data
from drafter.core.personal_data import ADDRESS_EN, ADDRESS_ZH, EMAIL, ID_CARD, PHONE, PHONE_SPACED
from drafter.guardrails import checks


def found(pattern: re.Pattern[str], text: str) -> list[str]:
    return [m.group(0) for m in pattern.finditer(text)]


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (PHONE, "call 13812345678 now", ["13812345678"]),
        (PHONE, "电话+86 13812345678", ["+86 13812345678"]),
        (PHONE, "座机021-62345678", ["021-62345678"]),
        (PHONE, "order 138123456789 and 12345678901", []),  # 12 digits; 11 digits not starting 13-19
        (PHONE_SPACED, "138 1234 5678 or 138-1234-5678", ["138 1234 5678", "138-1234-5678"]),
        (PHONE_SPACED, "13812345678", []),
        # The guardrails' pattern keeps a sentence's full stop; scrubbing gives it back.
        (EMAIL, "write to sarah.chen+shop@example.co.uk.", ["sarah.chen+shop@example.co.uk."]),
        (EMAIL, "reply @ 10:00 at shop", []),
        (ID_CARD, "身份证110101199003071234和11010119900307123X", ["110101199003071234", "11010119900307123X"]),
        (ID_CARD, "订单1101011990030712345", []),  # 19 digits is not an ID number
        (ADDRESS_EN, "send to 12 Baker Street, Apt 4B please", ["12 Baker Street, Apt 4B"]),
        (ADDRESS_EN, "I'm in Apt 4B and Room 1203", ["Apt 4B", "Room 1203"]),
        (ADDRESS_EN, "221B Baker St", ["221B Baker St"]),
        (ADDRESS_EN, "Unit 5 of the course, Flat 20 CNY shipping, Flat 5% off", []),
        (ADDRESS_EN, "within 2 hours by Main Road, 21 Natural Beige, 3-5 business days", []),
        (ADDRESS_ZH, "请寄到上海市浦东新区张江路88号3栋501，谢谢", ["上海市浦东新区张江路88号3栋501"]),
        (ADDRESS_ZH, "改成广州市天河区体育西路100号", ["广州市天河区体育西路100号"]),
        (ADDRESS_ZH, "成都市武侯区人民南路4段12号", ["成都市武侯区人民南路4段12号"]),
        (ADDRESS_ZH, "我住阳光小区5号楼2单元301室", ["阳光小区5号楼2单元301室"]),
        (ADDRESS_ZH, "文三路1号3-501室", ["文三路1号3-501室"]),
        (ADDRESS_ZH, "11月2号到，2小时内回复，满59减10，上海市浦东新区", []),
        (ADDRESS_ZH, "张江路88号2小时内送到", ["张江路88号"]),
    ],
)
def test_pattern_finds_exactly(pattern: re.Pattern[str], text: str, expected: list[str]) -> None:
    assert found(pattern, text) == expected


def test_guardrails_use_the_shared_patterns() -> None:
    assert checks._PHONE is personal_data.PHONE
    assert checks._EMAIL is personal_data.EMAIL
    assert checks._ID_CARD is personal_data.ID_CARD
