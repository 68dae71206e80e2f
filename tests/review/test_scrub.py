"""Scrubbing replaces personal data with slots, keeps prices, codes, dates and slots, and is idempotent."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from drafter.review.scrub import scrub

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge_base"
KNOWN: dict[str, Any] = {"names": ["Sarah Chen", "王芳"], "order_ids": ["LL100"], "tracking": ["SF1234567"]}

REPLACED = [
    # Known values.
    (
        "Hi Sarah, order LL100 ships today with SF1234567.",
        KNOWN,
        "Hi {{customer_name}}, order {{order_number}} ships today with {{tracking_number}}.",
    ),
    (
        "Thanks, Mrs Chen! Chen's parcel is here.",
        KNOWN,
        "Thanks, {{customer_name}}! {{customer_name}}'s parcel is here.",
    ),
    (
        "王芳您好，您的订单LL100已发出（SF1234567）",
        KNOWN,
        "{{customer_name}}您好，您的订单{{order_number}}已发出（{{tracking_number}}）",
    ),
    ("Best wishes,\nLily", {"names": ["Emma", "Lily"]}, "Best wishes,\n{{customer_name}}"),
    ("Li, your Lily Serum is here", {"names": ["Li"]}, "{{customer_name}}, your Lily Serum is here"),
    ("LL1001 is not LL100", KNOWN, "LL1001 is not {{order_number}}"),
    # Phones, e-mails, ID numbers.
    ("Call me on 13812345678 or +86 138 1234 5678.", {}, "Call me on {{phone}} or {{phone}}."),
    ("电话：021-62345678，手机138-1234-5678", {}, "电话：{{phone}}，手机{{phone}}"),
    ("Mail sarah.chen+shop@example.co.uk. Thanks", {}, "Mail {{email}}. Thanks"),
    ("身份证号110101199003071234，或11010119900307123X", {}, "身份证号{{id_number}}，或{{id_number}}"),
    # Addresses.
    ("Please send it to 12 Baker Street, Apt 4B.", {}, "Please send it to {{address}}."),
    ("I'm in Apt 4B until Friday", {}, "I'm in {{address}} until Friday"),
    ("请寄到上海市浦东新区张江路88号3栋501，谢谢", {}, "请寄到{{address}}，谢谢"),
    ("我住阳光小区5号楼2单元301室", {}, "我住{{address}}"),
    # Ids nobody gave us.
    ("Order LL20261101-0042 and 2026110100421", {}, "Order {{order_number}} and {{order_number}}"),
    ("顺丰单号SF1234567890123", {}, "顺丰单号{{tracking_number}}"),
    # Names from honorifics and greetings.
    (
        "张女士、王先生、李小姐、欧阳太太您好",
        {},
        "{{customer_name}}、{{customer_name}}、{{customer_name}}、{{customer_name}}您好",
    ),
    ("Hi Sarah,\nyour parcel is late.", {}, "Hi {{customer_name}},\nyour parcel is late."),
    ("Dear Mr. Smith,\nthank you.", {}, "Dear {{customer_name}},\nthank you."),
    ("Question first.\nHello Anna Lee!", {}, "Question first.\nHello {{customer_name}}!"),
]

SURVIVES = [
    "Use SORRY10 for 10 CNY off from 59 CNY; CARE30 and WELCOME5 too.",
    "Hydra Silk Hyaluronic Serum (159 CNY), ¥12 shipping, ￥99 each, 20% off, 95折",
    "0.5%水杨酸，满59减10，3-5个工作日到账，2小时内回复，11月2号送到",
    "It ships on 2026-11-01 before 16:00 and takes 3-5 business days.",
    "Call 12315 if you like; NC25 suits 21 Natural Beige; 03樱桃红; 72-78 cm.",
    "Hi {{customer_name}}, order {{ order_number }} is on its way ({{carrier}} {{tracking_number}}).",
    "{{customer_name}}女士您好，订单号：{{order_number}}",
    "Hi there, thanks for waiting!\nDear Customer,\nHello team!",
    "谢谢先生，我和先生一起用，想换成女士款，我们会先生产",
    "Unit 5 of the course; Flat 20 CNY shipping; Flat 5% off; within 2 hours by Main Road",
    "Order 159 costs 159 CNY",
]


@pytest.mark.parametrize(("text", "known", "expected"), REPLACED)
def test_personal_data_becomes_slots(text: str, known: dict[str, Any], expected: str) -> None:
    assert scrub(text, **known) == expected


@pytest.mark.parametrize(("text", "known", "expected"), REPLACED)
def test_scrub_is_idempotent(text: str, known: dict[str, Any], expected: str) -> None:
    once = scrub(text, **known)
    assert scrub(once, **known) == once


@pytest.mark.parametrize("text", SURVIVES)
def test_prices_codes_dates_and_slots_survive(text: str) -> None:
    assert scrub(text, names=["Sarah"], order_ids=["159", "LL100"], tracking=["SF1234567"]) == text


def test_known_values_too_short_to_be_safe_are_ignored() -> None:
    assert scrub("王 bought 2 items for 159 CNY", names=["王"], order_ids=["159"], tracking=["12"]) == (
        "王 bought 2 items for 159 CNY"
    )


def test_all_names_become_customer_name_even_the_agents() -> None:
    # The signature has one `names` parameter; an agent's name becomes {{customer_name}} too.
    assert scrub("我是小雨，张伟您好", names=["张伟", "小雨"]) == "我是{{customer_name}}，{{customer_name}}您好"


def test_published_replies_and_templates_are_already_scrubbed() -> None:
    files = sorted((KNOWLEDGE / "past_replies").glob("*.md")) + sorted((KNOWLEDGE / "templates").glob("*.md"))
    assert len(files) > 40
    changed = [f.name for f in files if scrub(f.read_text(encoding="utf-8")) != f.read_text(encoding="utf-8")]
    assert changed == []


def test_long_repetitive_text_does_not_backtrack() -> None:
    texts = ["上海市浦东新区" * 500, "张江路" * 1300, "1" * 4000, "a" * 4000, "3栋" * 2000, "Apt " * 1000]
    started = time.perf_counter()
    for text in texts:
        scrub(text, names=["Sarah Chen"], order_ids=["LL100"])
    assert time.perf_counter() - started < 3.0
