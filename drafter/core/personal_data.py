"""Compiled patterns for personal data in replies and questions: phones, e-mails, ID numbers and street addresses.

The guardrails use `PHONE`, `EMAIL` and `ID_CARD` to block a draft that reveals them; scrubbing uses all of them to
replace personal data with slots. Patterns use ASCII lookarounds instead of `\\b`: CJK characters count as word
characters, so "电话13812345678" has no `\\b` before the digits.

The address patterns are heuristics tuned to precision: they need a house number with a street word
("12 Baker Street", "张江路88号") or a unit ("Apt 4B", "阳光小区5号楼"), so prices, dates and durations survive.
"""

from __future__ import annotations

import re

PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)|(?<!\d)\d{3,4}-\d{7,8}(?!\d)")
"""Mainland mobile numbers (optionally +86) and landlines with an area code ("021-12345678")."""

PHONE_SPACED = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]\d{4}[- ]\d{4}(?!\d)")
"""Mobile numbers written in groups ("138 1234 5678", "138-1234-5678"); the guardrails do not use this one."""

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")

ID_CARD = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
"""Resident identity card numbers: 17 digits and a check digit or X."""

_EN_SUFFIX = (
    r"(?:Street|Road|Avenue|Lane|Drive|Boulevard|Way|Court|Place|Terrace|Close|Crescent|Square|Highway|Parkway|Mews"
    r"|St|Rd|Ave|Ln|Dr|Blvd|Ct|Pl|Sq|Hwy)"
)
# A unit number followed by a price or percentage is an offer ("Flat 20 CNY"), not an address.
_NOT_AN_OFFER = r"(?![A-Za-z0-9%])(?![ \t]*(?:CNY|RMB|yuan|元|块|percent|off(?![A-Za-z])))"
_EN_UNIT = rf"(?:[Aa]pt|Apartment|Flat|Unit|Suite|Room|Rm)\.?[ \t]?#?\d{{1,5}}[A-Za-z]?{_NOT_AN_OFFER}"
# On its own, "Unit 5" or "Room 2" is as likely a lesson or a hotel as an address: needs 3+ digits or a letter.
_EN_UNIT_ALONE = (
    rf"(?:(?:[Aa]pt|Apartment|Flat|Suite)\.?[ \t]?#?\d{{1,5}}[A-Za-z]?"
    rf"|(?:Unit|Room|Rm)\.?[ \t]?#?(?:\d{{3,5}}[A-Za-z]?|\d{{1,2}}[A-Za-z])){_NOT_AN_OFFER}"
)
_EN_STREET = rf"(?<![A-Za-z0-9])\d{{1,5}}[A-Za-z]?[ \t]+(?:[A-Z][A-Za-z'-]*\.?[ \t]+){{1,3}}{_EN_SUFFIX}(?![A-Za-z])"

ADDRESS_EN = re.compile(rf"(?:{_EN_UNIT},?[ \t]+)?{_EN_STREET}(?:,?[ \t]+{_EN_UNIT})?|{_EN_UNIT_ALONE}")
"""English street addresses with a capitalised street name ("12 Baker Street, Apt 4B") and bare units ("Apt 4B")."""

# A CJK character that can be part of a place name: not a verb or particle that usually comes just before one
# ("寄到", "地址是", "改成"), so a match starts at the place name, not at the sentence. 成 alone stays (成都).
_ZH_PLACE = (
    r"(?:(?![的在到是请帮我们您你他她给址为改换寄送发往及或与了也就去来住从由把被让])"
    r"(?!(?<=[改换变写填])成)[\u4e00-\u9fff])"
)
_ZH_NAME = rf"(?:{_ZH_PLACE}|[A-Za-z])"
# Province, city, district, town: at most four levels, and a level's name never holds a level word, so each level
# matches one way (nested free repetition here made long texts backtrack for minutes).
_ZH_REGION = rf"(?:(?:(?![省市区县镇乡街]){_ZH_PLACE}){{1,6}}?(?:省|自治区|市|区|县|镇|乡|街道)){{0,4}}"
_ZH_NUM = r"[0-9一二三四五六七八九十百零〇]+"
_ZH_UNIT = (
    rf"(?:{_ZH_NUM}(?:号楼|栋|幢|座|单元|层|楼|室|户|号)"
    r"|(?<=[栋幢座元楼层])-?\d{2,5}(?!\d)|(?<=[栋幢座元楼层号])\d{1,3}-\d{2,5}(?!\d)室?)"
)
_ZH_STREET = rf"{_ZH_NAME}{{1,8}}?(?:路|街|大道|大街|巷|胡同|弄)(?:\d+段)?\d+(?:号|弄){_ZH_UNIT}*"
_ZH_ESTATE = rf"{_ZH_NAME}{{0,8}}?(?:小区|花园|公寓|大厦|家园|新村|社区|苑)-?{_ZH_UNIT}+"

ADDRESS_ZH = re.compile(rf"{_ZH_REGION}(?:{_ZH_STREET}|{_ZH_ESTATE})")
"""Chinese addresses down to the street number or building ("上海市浦东新区张江路88号3栋501", "阳光小区5号楼")."""
