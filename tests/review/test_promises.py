"""Promises in approved replies: every kind in English and Chinese, due times worked out by hand, real past replies.

Due times are written as shop wall-clock times (Asia/Shanghai, open 09:00 to 21:00) and compared as instants.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from drafter.core.shop_profile import ShopProfile
from drafter.review.promises import MAX_TEXT_CHARS, extract_promises
from drafter.services.knowledge_files import read_entries, read_profile

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge_base"
SHANGHAI = ZoneInfo("Asia/Shanghai")
THURSDAY = datetime(2026, 11, 19, 15, 0, tzinfo=SHANGHAI)  # within service hours
FRIDAY_NIGHT = datetime(2026, 11, 20, 22, 0, tzinfo=SHANGHAI)  # after closing, a weekend ahead


def shop(day: int, hour: int, minute: int = 0) -> datetime:
    """A shop wall-clock time in November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


# From THURSDAY (Thu 19th 15:00), with shop.yaml: reply_promise_hours 2, close 21:00, refund "3-5" business days.
PLUS_2H = shop(19, 17)
TODAY_CLOSE = shop(19, 21)
PLUS_24H = shop(20, 15)
NEXT_BUSINESS_DAY = shop(20, 21)  # Friday
FIVE_BUSINESS_DAYS = shop(26, 21)  # Fri 20, Mon 23, Tue 24, Wed 25, Thu 26


def _demo_profile() -> ShopProfile:
    profile = read_profile(KNOWLEDGE)
    assert profile is not None
    return profile


PROFILE = _demo_profile()


def found(reply: str, sent_at: datetime = THURSDAY, profile: ShopProfile = PROFILE) -> list[tuple[str, datetime]]:
    return [(p.kind, p.due_at) for p in extract_promises(reply, sent_at=sent_at, profile=profile)]


@pytest.mark.parametrize(
    ("reply", "kind", "due"),
    [
        ("I'll call you back within 30 minutes.", "callback", shop(19, 15, 30)),
        ("我们会在两小时内给您回电。", "callback", PLUS_2H),
        ("我们会在二十四小时内联系您。", "callback", PLUS_24H),
        ("I've emailed you a prepaid return label.", "send_label", TODAY_CLOSE),
        ("已经为您安排上门取件，寄件码稍后发到订单页。", "send_label", TODAY_CLOSE),
        (
            "Once the refund is processed it reaches your account within 3-5 business days.",
            "refund",
            FIVE_BUSINESS_DAYS,
        ),
        ("退款会在2个工作日内原路退回。", "refund", shop(23, 21)),  # Fri 20, Mon 23
        ("I'll check with the courier and chase the parcel.", "carrier_check", PLUS_24H),
        ("我马上联系快递核实物流。", "carrier_check", PLUS_24H),
        ("We'll send you a replacement by SF Express.", "replacement", NEXT_BUSINESS_DAY),
        ("我们今天就给您补发。", "replacement", TODAY_CLOSE),
        ("I've passed this to my team lead, who will reply here within an hour.", "escalation", shop(19, 16)),
        ("已经转给主管，她会在3小时内联系您。", "escalation", shop(19, 18)),
        ("I'll keep you posted.", "update", PLUS_2H),
        ("有进展我第一时间告诉您。", "update", PLUS_2H),
    ],
)
def test_each_kind_in_english_and_chinese(reply: str, kind: str, due: datetime) -> None:
    assert found(reply) == [(kind, due)]


@pytest.mark.parametrize(
    "reply",
    [
        "Thank you for the photo of the label.",  # a label, but not one we send
        "Checked with ZTO Express: your parcel is in Hangzhou.",  # done already
        "联系了中通，包裹已在派送中。",  # done already
        "You can also contact the courier directly with your tracking number.",  # the customer's to do
        "您可以自己联系快递。",
        "Please contact the courier.",
        "请联系快递。",
        "所以这次没办法给您退差价，希望您能理解。",  # a refusal
        "Your refund of 20 CNY should have been processed last week.",
        "We won't pass this to a manager.",
        "会转给选品的同事看！",  # a colleague, not a lead
        "是我们这边没跟进好，非常抱歉。",
        "请联系您的银行确认。",
        "I've upgraded the replacement to SF Express at no cost.",  # no new shipment promised here
        "免费维修或更换，随时找我就好。",
        "退货运费需要您承担。",
        "Please let us know if anything else comes up.",
    ],
)
def test_near_misses_are_not_promises(reply: str) -> None:
    assert found(reply) == []


@pytest.mark.parametrize(
    "question",
    [
        "Should I A) call you back tomorrow or B) send a replacement today?",
        "Would you like me to call you back tomorrow?",
        "您看是 A. 今天给您补发 还是 B. 全额退款",  # a choice, even without a question mark
        "方便的话，明天给您回电可以吗？",
    ],
)
def test_questions_offering_options_are_not_promises(question: str) -> None:
    assert found(question) == []
    assert found(f"I'll call you back tomorrow. {question}") == [("callback", NEXT_BUSINESS_DAY)]


@pytest.mark.parametrize(
    ("reply", "kind", "due"),
    [
        ("It reaches your account within 3-5 business days.", "refund", shop(27, 21)),  # Mon 23 .. Fri 27
        ("Your full refund is on its way.", "refund", shop(27, 21)),  # the profile's "3-5": 5 business days
        ("I'll send a replacement today.", "replacement", shop(21, 21)),  # closed: the next day's closing
        ("今晚给您补发。", "replacement", shop(21, 21)),
        ("We'll send you a new one.", "replacement", shop(23, 21)),  # next business day is Monday
        ("I've booked a free pickup.", "send_label", shop(21, 21)),
        ("I'll get back to you.", "callback", shop(21, 0)),  # 2 hours, even at night
        ("明天给您回电。", "callback", shop(21, 21)),
        ("两个工作日内给您补发。", "replacement", shop(24, 21)),  # Mon 23, Tue 24
    ],
)
def test_due_times_from_a_friday_night(reply: str, kind: str, due: datetime) -> None:
    assert found(reply, sent_at=FRIDAY_NIGHT) == [(kind, due)]


@pytest.mark.parametrize(
    ("reply", "due"),
    [
        ("I'll call you back by end of day.", TODAY_CLOSE),
        ("I'll call you back tomorrow.", NEXT_BUSINESS_DAY),
        ("I'll update you within 3 days.", shop(22, 15)),  # calendar days
        ("我会在今天下班前联系您。", TODAY_CLOSE),
        ("We'll get back to you within 2 business days.", shop(23, 21)),
    ],
)
def test_an_explicit_time_beats_the_default(reply: str, due: datetime) -> None:
    (promise,) = extract_promises(reply, sent_at=THURSDAY, profile=PROFILE)
    assert promise.due_at == due


@pytest.mark.parametrize(
    "reply",
    [
        "You'll get a full refund; we do this for reactions within 30 days of delivery.",
        "签收30天内因为皮肤不适，即使已经拆封也可以全额退款。",
        "I'll refund it; your SORRY10 code is valid 30 days.",
        "我们收到退件后1个工作日内处理退款。",
    ],
)
def test_policy_windows_are_not_due_times(reply: str) -> None:
    assert found(reply) == [("refund", FIVE_BUSINESS_DAYS)]


def test_the_time_nearest_the_cue_wins() -> None:
    reply = "I'll call you back today and the refund reaches your account within 3-5 business days."
    assert found(reply) == [("callback", TODAY_CLOSE), ("refund", FIVE_BUSINESS_DAYS)]


def test_due_at_is_aware_utc() -> None:
    (promise,) = extract_promises("I'll call you back today.", sent_at=THURSDAY, profile=PROFILE)
    assert promise.due_at == datetime(2026, 11, 19, 13, 0, tzinfo=UTC)
    assert promise.due_at.utcoffset() == timedelta(0)


def test_a_naive_sent_at_is_shop_time() -> None:
    naive = extract_promises("I'll keep you posted.", sent_at=datetime(2026, 11, 19, 15, 0), profile=PROFILE)
    assert [p.due_at for p in naive] == [PLUS_2H]


def test_the_profile_sets_zone_closing_time_and_defaults() -> None:
    profile = ShopProfile.model_validate(
        {
            "shop": {"id": "uk", "name": "UK shop", "timezone": "Europe/London"},
            "service_hours": {"open": "08:00", "close": "18:00"},
            "escalation": {"reply_promise_hours": 4},
            "returns": {"refund_to_account_business_days": "7-10"},
        }
    )
    sent = datetime(2026, 11, 19, 15, 0, tzinfo=UTC)  # London is on UTC in November
    reply = "I'll keep you posted. I've emailed you a return label. Your full refund is on its way."
    assert found(reply, sent_at=sent, profile=profile) == [
        ("update", datetime(2026, 11, 19, 19, 0, tzinfo=UTC)),
        ("send_label", datetime(2026, 11, 19, 18, 0, tzinfo=UTC)),
        ("refund", datetime(2026, 12, 3, 18, 0, tzinfo=UTC)),  # 10 business days: Fri 20 .. Thu 3 December
    ]


def test_text_and_span_are_the_stripped_sentence() -> None:
    reply = "Thanks for waiting!\n- I'll call you back tomorrow.  \nVitamin C. I'll keep you posted."
    promises = extract_promises(reply, sent_at=THURSDAY, profile=PROFILE)
    assert [p.text for p in promises] == ["I'll call you back tomorrow.", "I'll keep you posted."]
    assert all(reply[p.span[0] : p.span[1]] == p.text for p in promises)


def test_one_promise_per_kind_per_sentence_and_each_sentence_counts() -> None:
    assert found("I'll call you back today, and I'll call you back again tomorrow.") == [("callback", TODAY_CLOSE)]
    assert found("I'll call you back today. I'll call you back tomorrow too.") == [
        ("callback", TODAY_CLOSE),
        ("callback", NEXT_BUSINESS_DAY),
    ]


@pytest.mark.parametrize(
    "reply", ["If it doesn't arrive by Friday, we'll refund you in full.", "如果周五前还没到，我们给您全额退款。"]
)
def test_conditional_promises_count(reply: str) -> None:
    assert found(reply) == [("refund", FIVE_BUSINESS_DAYS)]


def test_an_escalation_takes_the_call_back_of_its_own_sentence_only() -> None:
    reply = "已经转给组长，她会在2小时内联系您。我也会一直跟进。"
    assert found(reply) == [("escalation", PLUS_2H), ("update", PLUS_2H)]


def test_a_negated_cue_does_not_hide_a_promise_in_the_next_clause() -> None:
    reply = "I don't need to pass this to my team lead; I can refund it myself today."
    assert found(reply) == [("refund", TODAY_CLOSE)]


@pytest.mark.parametrize(
    ("reply", "text"),
    [
        ("A. 顺丰重新发货，运费我们承担。", "A. 顺丰重新发货，运费我们承担。"),
        ("1. 我已经帮您预留了一条M码，今天给您补发。", "1. 我已经帮您预留了一条M码，今天给您补发。"),
        ("I'll refund the 0.5 CNY difference today.", "I'll refund the 0.5 CNY difference today."),
    ],
)
def test_list_markers_and_decimals_do_not_end_a_sentence(reply: str, text: str) -> None:
    assert [p.text for p in extract_promises(reply, sent_at=THURSDAY, profile=PROFILE)] == [text]


def test_a_long_sentence_is_cut_but_its_span_is_whole() -> None:
    reply = "I'll call you back " + "and explain everything " * 20 + "today."
    (promise,) = extract_promises(reply, sent_at=THURSDAY, profile=PROFILE)
    assert len(promise.text) == MAX_TEXT_CHARS
    assert promise.text.endswith("…")
    assert promise.span == (0, len(reply))


def test_curly_apostrophes_read_like_straight_ones() -> None:
    assert found("If it’s lost, we’ll gladly refund.") == [("refund", FIVE_BUSINESS_DAYS)]


def past_reply(name: str) -> str:
    (entry,) = read_entries(KNOWLEDGE / "past_replies" / f"{name}.md")
    return entry.body


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("reply-12315-threat-refund-delay", [("escalation", PLUS_2H), ("refund", FIVE_BUSINESS_DAYS)]),
        (
            "reply-12315-threat-down-leak-zh",
            [
                ("update", PLUS_2H),  # 现在由我负责跟进您这单
                ("send_label", TODAY_CLOSE),
                ("refund", FIVE_BUSINESS_DAYS),  # 如果您更想退款，也可以全额退
                ("replacement", NEXT_BUSINESS_DAY),
                ("escalation", PLUS_2H),  # 同步给组长，她会在2小时内……联系您
            ],
        ),
        (
            "reply-late-order-linen-pants",
            [
                ("carrier_check", NEXT_BUSINESS_DAY),  # tomorrow morning
                ("update", NEXT_BUSINESS_DAY),
                ("refund", FIVE_BUSINESS_DAYS),  # if the parcel misses the new date
                ("replacement", NEXT_BUSINESS_DAY),
            ],
        ),
        (
            "reply-late-down-jacket-zh",
            [
                ("carrier_check", NEXT_BUSINESS_DAY),
                ("update", NEXT_BUSINESS_DAY),
                ("refund", FIVE_BUSINESS_DAYS),
                ("replacement", NEXT_BUSINESS_DAY),
            ],
        ),
        (
            "reply-damaged-silk-dress-snag",
            [("send_label", TODAY_CLOSE), ("replacement", NEXT_BUSINESS_DAY), ("escalation", PLUS_2H)],
        ),
        ("reply-damaged-serum-bottle-zh", [("replacement", TODAY_CLOSE), ("replacement", NEXT_BUSINESS_DAY)]),
        ("reply-wrong-lip-shade-zh", [("replacement", TODAY_CLOSE), ("update", TODAY_CLOSE)]),
        ("reply-refund-overdue-zh", [("escalation", PLUS_2H), ("update", PLUS_2H)]),
        (
            "reply-address-change-after-dispatch-zh",
            [("carrier_check", PLUS_24H), ("carrier_check", PLUS_24H), ("update", PLUS_2H)],
        ),
        (
            "reply-lost-parcel-no-scan",
            [
                ("replacement", NEXT_BUSINESS_DAY),  # A) Reship now by SF Express
                ("replacement", TODAY_CLOSE),  # it leaves our Hangzhou warehouse today
                ("update", TODAY_CLOSE),  # the new tracking number
                ("refund", TODAY_CLOSE),  # B) Full refund, submitted today
            ],
        ),
        ("reply-invoice-company-reimbursement", []),
        ("reply-invoice-company-title-zh", []),
        ("reply-price-drop-livestream-zh", []),
        ("reply-think-about-it-cardigan", []),
    ],
)
def test_real_past_replies(name: str, expected: list[tuple[str, datetime]]) -> None:
    assert found(past_reply(name)) == expected


def test_a_real_promise_quotes_its_bullet_without_the_marker() -> None:
    body = past_reply("reply-12315-threat-refund-delay")
    escalation, _ = extract_promises(body, sent_at=THURSDAY, profile=PROFILE)
    assert escalation.text.startswith("Marked the refund as urgent and **passed your case to my team lead**")
    assert body[escalation.span[0] : escalation.span[1]] == escalation.text
