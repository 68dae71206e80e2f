"""Every scorer on hand-made replies, good and bad, in English and Chinese, over real contexts of the demo shop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import numpy as np
import pytest

from drafter.core.drafts import DraftContext, EscalationTrigger, Finding, Intent
from drafter.core.errors import Unavailable
from drafter.core.evaluation import Score, Verdict
from drafter.scoring import JUDGE, RUBRIC, RUBRIC_NAMES, Candidate, LLMJudge, ScoringSuite, overall
from drafter.scoring.expectations import (
    EscalationMatch,
    ExpectedFacts,
    ForbiddenCommitments,
    Groundedness,
    IntentMatch,
    ReciprocalRank,
    RetrievalRecall,
)
from drafter.scoring.rubric import (
    ClosingQuestion,
    EscalationNotice,
    LanguageMatch,
    LeapCoverage,
    Length,
    Personalisation,
    PolicyCompliance,
    Tone,
)
from drafter.scoring.similarity import ReferenceBleu, ReferenceChrf, ReferenceCosine
from tests.scoring.conftest import (
    DAMAGED_EN,
    DAMAGED_ZH,
    DISCOUNT_EN,
    DISCOUNT_ZH,
    EMMA,
    LATE_EN,
    LATE_EN_PASSAGES,
    LATE_ZH,
    PRESALE_EN,
    PRESALE_ZH,
    REFUND_EN,
    REFUND_ZH,
    SKIN_EN,
    SKIN_ZH,
    candidate,
    context,
    eval_case,
    order,
    passage,
)

# Good replies: every LEAP part, personal, grounded, a multiple-choice question, then a sign-off.
LATE_EN_GOOD = (
    "Hi Emma, I'm so sorry your order LL2041 still hasn't arrived - I can imagine how annoying that is. "
    "I'm checking with the carrier right now and will update you within 2 hours. "
    "As an apology, here is SORRY10 for 10 CNY off your next order of 59 CNY or more. "
    "Would you prefer A) a reship by SF Express or B) a refund if the new date is missed? "
    "Warm regards, the Lumi Lane team"
)
LATE_ZH_GOOD = (
    "王女士您好，包裹晚了三天还没到，换谁都会着急，真的非常抱歉。"
    "我这边马上联系快递核实物流，2小时内给您回复进度。"
    "您看是A) 改用顺丰为您补发，还是B) 新日期没送到就直接退款呢？鹿米小铺客服随时在这里～"
)
REFUND_EN_GOOD = (
    "Hi Emma, I'm really sorry the seam on your silk slip dress split after one wear - that's not what you should "
    "expect. A refund of this size needs approval, so I've passed your case to our team lead, who will reply "
    "within 2 hours. Could you send a photo of the seam?"
)
REFUND_ZH_GOOD = (
    "王女士，桑蚕丝吊带裙穿一次就开线，换谁都会生气，真的非常抱歉。"
    "这笔退款需要审批，我已经把情况交给主管，2小时内给您答复。方便先发一张开线处的照片吗？"
)


# --- The scenarios are what the tests assume


def test_the_scenarios_plan_what_the_tests_assume() -> None:
    assert (LATE_EN.analysis.intent, LATE_ZH.analysis.intent) == (Intent.LATE, Intent.LATE)
    assert (LATE_EN.language, LATE_ZH.language) == ("en", "zh")
    assert LATE_EN.plan.apologize
    assert LATE_ZH.plan.apologize
    assert not PRESALE_EN.plan.apologize
    assert not PRESALE_ZH.plan.apologize
    assert LATE_EN.plan.escalate_to is None
    assert PRESALE_ZH.plan.escalate_to is None
    assert REFUND_EN.plan.escalate_to == REFUND_ZH.plan.escalate_to == "team lead"
    assert EscalationTrigger.REFUND_OVER_LIMIT in REFUND_EN.analysis.escalation
    assert SKIN_EN.plan.escalate_to == SKIN_ZH.plan.escalate_to == "product safety lead"
    assert DISCOUNT_EN.analysis.intent is DISCOUNT_ZH.analysis.intent is Intent.DISCOUNT


# --- LEAP coverage


@pytest.mark.parametrize(
    ("ctx", "reply"),
    [(LATE_EN, LATE_EN_GOOD), (LATE_ZH, LATE_ZH_GOOD), (REFUND_EN, REFUND_EN_GOOD), (REFUND_ZH, REFUND_ZH_GOOD)],
    ids=["late-en", "late-zh", "refund-en", "refund-zh"],
)
def test_leap_a_reply_with_every_part_scores_one(ctx: DraftContext, reply: str) -> None:
    score = LeapCoverage().score(candidate(ctx, reply))
    assert score.value == 1.0
    assert score.reason == f"{ctx.language}: listen yes, empathize yes, apologize yes, problem_solve yes"


@pytest.mark.parametrize(
    ("ctx", "reply"),
    [
        (
            LATE_EN,
            "Hi Emma, I understand how annoying it is that your order LL2041 is late. I'm checking with ZTO now.",
        ),
        (LATE_ZH, "王女士您好，包裹晚到让您着急了，我马上帮您联系快递核实。"),
    ],
    ids=["en", "zh"],
)
def test_leap_names_the_missing_apology(ctx: DraftContext, reply: str) -> None:
    score = LeapCoverage().score(candidate(ctx, reply))
    assert score.value == 0.75
    assert "apologize MISSING" in score.reason
    assert "empathize yes" in score.reason


def test_leap_a_bare_status_line_misses_three_parts() -> None:
    score = LeapCoverage().score(candidate(LATE_EN, "Your parcel is on its way."))
    assert score.value == 0.25
    assert score.reason == "en: listen yes, empathize MISSING, apologize MISSING, problem_solve MISSING"


def test_leap_a_chinese_bare_status_line_misses_everything() -> None:
    score = LeapCoverage().score(candidate(LATE_ZH, "包裹在路上了。"))
    assert score.value == 0.0
    assert score.reason == "zh: listen MISSING, empathize MISSING, apologize MISSING, problem_solve MISSING"


@pytest.mark.parametrize(
    ("reply", "value", "present"),
    [
        ("心疼您，包裹晚了这么久还没到。我马上帮您联系快递核实。", 0.75, "empathize yes"),  # feeling for them
        (
            "王女士，包裹晚了三天还没到，给您带来不便，请您见谅。我马上帮您联系快递核实。",
            1.0,
            "apologize yes",
        ),  # forgive us
    ],
)
def test_leap_everyday_chinese_empathy_and_apology(reply: str, value: float, present: str) -> None:
    score = LeapCoverage().score(candidate(LATE_ZH, reply))
    assert score.value == value
    assert present in score.reason


@pytest.mark.parametrize(
    ("ctx", "good", "bare", "bare_value"),
    [
        (
            PRESALE_EN,
            "Great question! The Hydra Silk serum is fragrance-free, so it suits most sensitive skin. "
            "I'd suggest a patch test behind the ear first. Is your skin A) dry or B) oily?",
            "Yes.",
            0.0,
        ),
        (
            PRESALE_ZH,
            "好问题！水丝玻尿酸精华无酒精无香精，敏感肌可以放心用。建议先在耳后试用一下。"
            "您平时是A) 干敏肌还是B) 油敏肌呢？",
            "可以用的。",
            round(1 / 3, 4),
        ),
    ],
    ids=["en", "zh"],
)
def test_leap_a_pre_sale_question_asks_for_no_apology(
    ctx: DraftContext, good: str, bare: str, bare_value: float
) -> None:
    full = LeapCoverage().score(candidate(ctx, good))
    assert full.value == 1.0
    assert "apologize" not in full.reason
    short = LeapCoverage().score(candidate(ctx, bare))
    assert short.value == bare_value
    assert "listen MISSING, empathize MISSING" in short.reason


@pytest.mark.parametrize(
    ("ctx", "echo", "no_echo"),
    [
        (
            DAMAGED_EN,
            "A cracked jar of cica cream is the last thing anyone wants. We'll send a new one today.",
            "That is the last thing anyone wants. We'll send a new one today.",
        ),
        (DAMAGED_ZH, "积雪草修护霜瓶子碎了，马上给您补发。", "马上给您补发。"),
    ],
    ids=["en", "zh"],
)
def test_leap_listening_shows_in_the_customers_own_words(ctx: DraftContext, echo: str, no_echo: str) -> None:
    assert "listen yes" in LeapCoverage().score(candidate(ctx, echo)).reason
    assert "listen MISSING" in LeapCoverage().score(candidate(ctx, no_echo)).reason


@pytest.mark.parametrize(
    ("ctx", "reply"),
    [(LATE_EN, "Sorry, your order LL2041 is late."), (LATE_ZH, "王女士，非常抱歉，订单LL2042还没到。")],
    ids=["en", "zh"],
)
def test_leap_an_order_number_is_not_a_solution(ctx: DraftContext, reply: str) -> None:
    assert "problem_solve MISSING" in LeapCoverage().score(candidate(ctx, reply)).reason


def test_leap_understanding_is_not_a_solution_in_chinese() -> None:
    score = LeapCoverage().score(candidate(LATE_ZH, "王女士，非常抱歉，您的心情我可以理解。"))
    assert "problem_solve MISSING" in score.reason


@pytest.mark.parametrize(
    ("ctx", "reply"),
    [
        (
            DISCOUNT_EN,
            "Thanks for asking, Emma! I can't offer a code for this, but the Cloud Knit Cardigan comes with our "
            "90-day warranty on seams and buttons. Would you like me to A) hold your size or B) send the care guide?",
        ),
        (
            DISCOUNT_ZH,
            "谢谢您喜欢我们的开衫！这次没办法给到优惠券，不过开衫有90天质保，线头纽扣有问题都可以免费修。"
            "需要我帮您A) 预留尺码还是B) 发洗护说明呢？",
        ),
    ],
    ids=["en", "zh"],
)
def test_a_discount_refusal_that_offers_value_covers_leap_within_policy(ctx: DraftContext, reply: str) -> None:
    cand = candidate(ctx, reply)
    leap = LeapCoverage().score(cand)
    assert (leap.value, leap.reason) == (1.0, f"{ctx.language}: listen yes, empathize yes, problem_solve yes")
    assert PolicyCompliance().score(cand).value == 1.0
    assert ClosingQuestion().score(cand).value == 1.0


# --- Policy compliance and tone (from the real guardrails' findings)


@pytest.mark.parametrize(("ctx", "reply"), [(LATE_EN, LATE_EN_GOOD), (LATE_ZH, LATE_ZH_GOOD)], ids=["en", "zh"])
def test_policy_a_clean_reply_scores_one(ctx: DraftContext, reply: str) -> None:
    score = PolicyCompliance().score(candidate(ctx, reply))
    assert (score.value, score.reason) == (1.0, "no policy finding")


@pytest.mark.parametrize(
    ("ctx", "reply"),
    [
        (LATE_EN, "Hi Emma, so sorry for the wait. Your parcel will arrive by Friday. Reship or refund?"),
        (LATE_ZH, "王女士，非常抱歉让您久等了，包裹明天一定能到。您看可以吗？"),
    ],
    ids=["en", "zh"],
)
def test_policy_a_warning_only_scores_half(ctx: DraftContext, reply: str) -> None:
    score = PolicyCompliance().score(candidate(ctx, reply))
    assert score.value == 0.5
    assert score.reason.startswith("warn date_promise:")


@pytest.mark.parametrize(
    ("ctx", "reply", "code"),
    [
        (REFUND_EN, "So sorry, Emma. We will refund you 599 CNY today.", "refund_over_authority"),
        (REFUND_ZH, "王女士，非常抱歉，马上给您退款599元。", "refund_over_authority"),
        (LATE_EN, "So sorry, Emma. Here is CARE30 for 30 CNY off your next order.", "code_not_allowed"),
        (DISCOUNT_EN, "Sure Emma, use SORRY20 for 20 CNY off the cardigan!", "code_not_allowed"),
        (DISCOUNT_ZH, "加我微信，我私下给您发优惠券。", "off_platform_contact"),
    ],
    ids=["refund-en", "refund-zh", "code-en", "code-demanded-en", "wechat-zh"],
)
def test_policy_a_blocked_promise_scores_zero_and_is_named(ctx: DraftContext, reply: str, code: str) -> None:
    score = PolicyCompliance().score(candidate(ctx, reply))
    assert score.value == 0.0
    assert f"block {code}:" in score.reason


def test_policy_ignores_findings_about_escalation_wording_and_language() -> None:
    cand = candidate(REFUND_EN, REFUND_EN_GOOD)
    assert {f.code for f in cand.findings} == {"escalation_required"}  # a warning, but not about policy
    assert PolicyCompliance().score(cand).value == 1.0
    english_to_a_chinese_customer = candidate(LATE_ZH, "So sorry your parcel is late! I'm checking with the carrier.")
    assert "language_mismatch" in {f.code for f in english_to_a_chinese_customer.findings}
    assert PolicyCompliance().score(english_to_a_chinese_customer).value == 1.0


@pytest.mark.parametrize(("ctx", "reply"), [(LATE_EN, LATE_EN_GOOD), (LATE_ZH, LATE_ZH_GOOD)], ids=["en", "zh"])
def test_tone_a_kind_reply_scores_one(ctx: DraftContext, reply: str) -> None:
    score = Tone().score(candidate(ctx, reply))
    assert (score.value, score.reason) == (1.0, "no banned phrase, no unfilled slot")


@pytest.mark.parametrize(
    ("ctx", "reply", "named"),
    [
        (LATE_EN, "Sorry, that's not my problem, contact the courier.", "'not my problem'"),
        (LATE_ZH, "这不关我们的事，您自己联系快递吧。", "'不关我们的事'"),
        (DISCOUNT_EN, "All sales are final, read the description.", "'read the description'"),
        (LATE_EN, "Hi {{customer_name}}, your order is on its way.", "unfilled slot {{customer_name}}"),
        (LATE_ZH, "{{customer_name}}您好，包裹已经发出。", "unfilled slot {{customer_name}}"),
    ],
    ids=["blame-en", "blame-zh", "dismissive-en", "slot-en", "slot-zh"],
)
def test_tone_a_banned_phrase_or_slot_scores_zero_and_is_quoted(ctx: DraftContext, reply: str, named: str) -> None:
    score = Tone().score(candidate(ctx, reply))
    assert score.value == 0.0
    assert named in score.reason


def test_tone_and_policy_ignore_what_the_repair_already_took_out() -> None:
    reply = "So sorry for the wait! I'm checking with the carrier now. Reship or refund?"
    removed = [
        Finding(
            code="tone_banned_phrase", severity="warn", message="removed by repair: 'not my problem'", repaired=True
        ),
        Finding(code="code_not_allowed", severity="warn", message="removed by repair: offers CARE30", repaired=True),
    ]
    still = [f.model_copy(update={"repaired": False}) for f in removed]
    after_repair = Candidate(reply=reply, context=LATE_EN, findings=removed)
    unrepaired = Candidate(reply=reply, context=LATE_EN, findings=still)
    assert Tone().score(after_repair).value == 1.0
    assert PolicyCompliance().score(after_repair).value == 1.0
    assert Tone().score(unrepaired).value == 0.0
    assert PolicyCompliance().score(unrepaired).value == 0.5


# --- Length


@pytest.mark.parametrize(
    ("channel", "language_text", "size", "value"),
    [
        ("xiaohongshu_comment", "My parcel is late!", 300, 1.0),  # exactly the limit
        ("xiaohongshu_comment", "My parcel is late!", 450, 0.5),
        ("xiaohongshu_comment", "My parcel is late!", 600, 0.0),
        ("xiaohongshu_comment", "My parcel is late!", 900, 0.0),  # never below zero
        ("xiaohongshu_comment", "我的快递晚了！", 150, 1.0),  # Chinese gets half the characters
        ("xiaohongshu_comment", "我的快递晚了！", 225, 0.5),
        ("email", "My parcel is late!", 2500, 0.75),
    ],
)
def test_length_loses_the_share_it_overruns(channel: str, language_text: str, size: int, value: float) -> None:
    ctx = context(language_text, channel=channel)
    filler = "好" if ctx.language == "zh" else "a"
    score = Length().score(candidate(ctx, filler * size))
    assert score.value == value
    limit = {"xiaohongshu_comment": 300, "email": 2000}[channel] // (2 if ctx.language == "zh" else 1)
    assert score.reason == f"{size} of {limit} characters for {channel}"


# --- Language


@pytest.mark.parametrize(
    ("ctx", "reply", "value", "reason"),
    [
        (LATE_EN, LATE_EN_GOOD, 1.0, "reply in en; expected en"),
        (LATE_ZH, LATE_ZH_GOOD, 1.0, "reply in zh; expected zh"),
        (LATE_ZH, "王女士您好，马上给您补发，送您SORRY20。", 1.0, "reply in zh; expected zh"),
        (LATE_ZH, LATE_EN_GOOD, 0.0, "reply in en; expected zh"),
        (LATE_EN, LATE_ZH_GOOD, 0.0, "reply in zh; expected en"),
    ],
    ids=["en", "zh", "zh-with-code", "en-to-zh-customer", "zh-to-en-customer"],
)
def test_language_follows_the_customer(ctx: DraftContext, reply: str, value: float, reason: str) -> None:
    score = LanguageMatch().score(candidate(ctx, reply))
    assert (score.value, score.reason) == (value, reason)


def test_language_the_cases_expected_language_wins_over_the_context() -> None:
    case = eval_case(LATE_ZH, expected={"language": "en"})
    assert LanguageMatch().score(candidate(LATE_ZH, LATE_EN_GOOD, case=case)).value == 1.0
    score = LanguageMatch().score(candidate(LATE_ZH, LATE_ZH_GOOD, case=case))
    assert (score.value, score.reason) == (0.0, "reply in zh; expected en")


# --- Personalisation


@pytest.mark.parametrize(
    ("ctx", "reply", "value", "reason"),
    [
        (DAMAGED_EN, "Hi Emma, a new cica cream is on its way.", 1.0, "name used, order used"),
        (DAMAGED_EN, "Dear Ms Clarke, your replacement for LL3105 is on its way.", 1.0, "name used, order used"),
        (DAMAGED_EN, "Hi Emma, a replacement is on its way.", 0.5, "name used, order NOT used"),
        (DAMAGED_EN, "Hi there, order LL3105 is on its way.", 0.5, "name NOT used, order used"),
        (DAMAGED_EN, "Hi there, a replacement is on its way.", 0.0, "name NOT used, order NOT used"),
        (LATE_EN, "Hello! Tracking ZTO778812345 shows it left Hangzhou.", 0.5, "name NOT used, order used"),
        (DAMAGED_ZH, "王丽您好，积雪草修护霜马上为您补发。", 1.0, "name used, order used"),
        (DAMAGED_ZH, "丽丽您好，订单LL3106马上补发。", 1.0, "name used, order used"),
        (DAMAGED_ZH, "王女士您好，马上为您补发。", 0.5, "name used, order NOT used"),
        (DAMAGED_ZH, "亲，修护霜马上为您补发。", 0.5, "name NOT used, order used"),
        (DAMAGED_ZH, "亲，马上为您补发。", 0.0, "name NOT used, order NOT used"),
    ],
)
def test_personalisation_counts_the_name_and_the_order(
    ctx: DraftContext, reply: str, value: float, reason: str
) -> None:
    score = Personalisation().score(candidate(ctx, reply))
    assert (score.value, score.reason) == (value, reason)


def test_personalisation_name_only_when_there_is_no_order() -> None:
    assert Personalisation().score(candidate(DISCOUNT_EN, "Thanks for asking, Emma!")).value == 1.0
    score = Personalisation().score(candidate(DISCOUNT_ZH, "亲，谢谢您喜欢我们的开衫！"))
    assert (score.value, score.reason) == (0.0, "name NOT used")


@pytest.mark.parametrize("ctx", [PRESALE_EN, PRESALE_ZH], ids=["en", "zh"])
def test_personalisation_does_not_apply_without_a_name_or_an_order(ctx: DraftContext) -> None:
    score = Personalisation().score(candidate(ctx, "Hi! Yes, it suits sensitive skin."))
    assert score.value is None
    assert score.reason == "no name or order given"


def test_personalisation_a_stock_phrase_is_not_the_ordered_item() -> None:
    ctx = context(
        "The zip on my jacket broke after two days.",
        customer=EMMA,
        orders=[order("LL6001", "Lightweight Down Jacket", "499")],
    )
    score = Personalisation().score(candidate(ctx, "Hi Emma, I'm so sorry we let you down. We'll fix it."))
    assert score.reason == "name used, order NOT used"


def test_personalisation_a_short_name_inside_another_word_is_not_the_name() -> None:
    ctx = context("My parcel is late, where is it?", customer={"name": "Li Na", "tier": "bronze", "order_count": 1})
    score = Personalisation().score(candidate(ctx, "So sorry about the delivery delay, I'm checking it now."))
    assert (score.value, score.reason) == (0.0, "name NOT used")


# --- Closing question


@pytest.mark.parametrize(
    "reply",
    [
        LATE_EN_GOOD,  # "... A) ... or B) ...? Warm regards, the Lumi Lane team"
        LATE_ZH_GOOD,  # "...还是B) ...呢？鹿米小铺客服随时在这里～"
        "Which works better for you: A) reship or B) refund? Warm regards, the team",
        "Happy to help! Do you prefer the 30 ml or the 50 ml size?",
        "您看是补发还是退款？谢谢亲～",
        "您想要（A）白色（B）燕麦色哪一款呢？",
    ],
)
def test_question_a_multiple_choice_question_scores_one_even_before_a_sign_off(reply: str) -> None:
    score = ClosingQuestion().score(candidate(LATE_EN, reply))
    assert (score.value, score.reason) == (1.0, "ends with a multiple-choice question")


@pytest.mark.parametrize(
    "reply",
    [
        "Sorry about that. Is there anything else I can help with?",
        "Could you send a photo of the seam? Best wishes, Sophie",
        "方便发张照片给我们吗",
        "需要我帮您预留一件吗？😊",
        "您看选哪个呢～",
    ],
)
def test_question_an_open_question_scores_half(reply: str) -> None:
    score = ClosingQuestion().score(candidate(LATE_EN, reply))
    assert score.value == 0.5
    assert score.reason.startswith("ends with an open question")


@pytest.mark.parametrize(
    "reply",
    [
        "Your parcel is on its way.",
        "Let me know if you need anything else.",
        "Reship or refund? Let me know and I'll sort it out for you as soon as I hear back from the carrier.",
        "包裹在路上了，请耐心等待哦。",
    ],
)
def test_question_a_reply_that_asks_nothing_last_scores_zero(reply: str) -> None:
    score = ClosingQuestion().score(candidate(LATE_EN, reply))
    assert (score.value, score.reason) == (0.0, "does not end by asking the customer anything")


def test_question_an_email_sign_off_over_several_lines_still_follows_the_question() -> None:
    reply = (
        "Hi Emma, sorry for the wait. Would you prefer A) a reship or B) a refund?\n\nWarm regards,\nSophie\nLumi Lane"
    )
    assert ClosingQuestion().score(candidate(LATE_EN, reply)).value == 1.0


def test_question_a_chinese_promise_after_the_question_is_not_a_sign_off() -> None:
    reply = "您看是补发还是退款呢？我这边先帮您登记一下，稍后联系快递核实具体的物流情况并第一时间同步给您。"
    assert ClosingQuestion().score(candidate(LATE_ZH, reply)).value == 0.0


def test_question_a_chinese_question_ending_in_an_emoji() -> None:
    assert ClosingQuestion().score(candidate(LATE_ZH, "您想要补发还是退款呢😊")).value == 1.0


def test_question_numbered_options_in_chinese_are_multiple_choice() -> None:
    assert ClosingQuestion().score(candidate(LATE_ZH, "您选哪种：1）补发 2）退款？")).value == 1.0


# --- Escalation notice


@pytest.mark.parametrize(
    ("ctx", "reply", "named", "when"),
    [
        (REFUND_EN, REFUND_EN_GOOD, "team lead", "2 hours"),
        (REFUND_EN, "I've asked my manager to approve it; you'll hear from us today.", "manager", "today"),
        (REFUND_ZH, REFUND_ZH_GOOD, "主管", "2小时"),
        (REFUND_ZH, "我已经交给店长处理，明天给您答复。", "店长", "明天"),
        (SKIN_ZH, "请先停用。已转给产品安全负责人，24小时内联系您。", "负责人", "24小时"),
    ],
    ids=["en", "en-manager", "zh", "zh-owner", "zh-skin"],
)
def test_escalation_notice_says_who_and_when(ctx: DraftContext, reply: str, named: str, when: str) -> None:
    score = EscalationNotice().score(candidate(ctx, reply))
    assert score.value == 1.0
    assert score.reason == f"escalate to the {ctx.plan.escalate_to}: names {named!r}, says when ({when!r})"


@pytest.mark.parametrize(
    ("ctx", "reply", "named"),
    [
        (REFUND_EN, "I'm sorry, Emma. I've escalated this to our team lead.", "escalat"),
        (REFUND_ZH, "非常抱歉，已经帮您上报给主管了。", "上报"),
    ],
    ids=["en", "zh"],
)
def test_escalation_notice_without_a_time_scores_half(ctx: DraftContext, reply: str, named: str) -> None:
    score = EscalationNotice().score(candidate(ctx, reply))
    assert score.value == 0.5
    assert score.reason == f"escalate to the team lead: names {named!r}, no time given"


@pytest.mark.parametrize(
    ("ctx", "reply"),
    [
        (REFUND_EN, "Sorry, Emma. I'll process your refund within 2 days. Reship or refund?"),
        (REFUND_ZH, "非常抱歉，我这边马上帮您登记退款，今天处理。"),
    ],
    ids=["en", "zh"],
)
def test_escalation_notice_a_reply_that_keeps_it_quiet_scores_zero(ctx: DraftContext, reply: str) -> None:
    score = EscalationNotice().score(candidate(ctx, reply))
    assert score.value == 0.0  # the time alone earns nothing
    assert score.reason == "escalate to the team lead: does not say it is escalating"


@pytest.mark.parametrize(("ctx", "reply"), [(LATE_EN, LATE_EN_GOOD), (LATE_ZH, LATE_ZH_GOOD)], ids=["en", "zh"])
def test_escalation_notice_does_not_apply_without_an_escalation(ctx: DraftContext, reply: str) -> None:
    score = EscalationNotice().score(candidate(ctx, reply))
    assert (score.value, score.reason) == (None, "no escalation planned")


@pytest.mark.parametrize(
    "reply",
    [
        "I've escalated this to our team lead. Could you send a photo by replying here?",
        "A refund this size is not within what I can approve, so I've passed it to our team lead.",
    ],
    ids=["by", "within"],
)
def test_escalation_notice_a_preposition_is_not_a_time(reply: str) -> None:
    score = EscalationNotice().score(candidate(REFUND_EN, reply))
    assert (score.value, score.reason.endswith("no time given")) == (0.5, True)


@pytest.mark.parametrize(
    ("ctx", "reply", "named", "when"),
    [
        (
            SKIN_EN,
            "Please stop using it. I've passed this to our product safety lead, who will contact you within 2 hours.",
            "safety lead",
            "2 hours",
        ),
        (REFUND_ZH, "我已经反馈给经理了，今天内给您答复。", "经理", "今天"),
        (REFUND_ZH, "我已经反馈给上级了，2小时内给您答复。", "上级", "2小时"),
        (REFUND_ZH, "我已经交给店长了，今晚之前给您答复。", "店长", "今晚"),
        (REFUND_ZH, "已经上报给主管，半小时内给您答复。", "上报", "半小时"),
        (REFUND_ZH, "已经上报给主管，稍后给您答复。", "上报", "稍后"),
    ],
    ids=["en-safety-lead", "zh-manager", "zh-superior", "zh-tonight", "zh-half-hour", "zh-shortly"],
)
def test_escalation_notice_recognises_everyday_wording(ctx: DraftContext, reply: str, named: str, when: str) -> None:
    score = EscalationNotice().score(candidate(ctx, reply))
    assert score.value == 1.0
    assert f"names {named!r}, says when ({when!r})" in score.reason


# --- Expected facts and forbidden commitments


def test_expected_facts_all_present_in_english() -> None:
    case = eval_case(LATE_EN, expected_facts=[["SORRY10"], ["SF Express", "顺丰"], ["within 2 hours", "two hours"]])
    score = ExpectedFacts().score(candidate(LATE_EN, LATE_EN_GOOD, case=case))
    assert (score.value, score.reason) == (1.0, "3 of 3 facts")


def test_expected_facts_names_each_missing_fact_with_its_alternatives() -> None:
    case = eval_case(LATE_EN, expected_facts=[["SORRY10"], ["SF Express", "顺丰"], ["within 2 hours", "two hours"]])
    reply = "Hi Emma, so sorry! We'll reship it by sf express."  # any case counts
    score = ExpectedFacts().score(candidate(LATE_EN, reply, case=case))
    assert score.value == round(1 / 3, 4)
    assert score.reason == "1 of 3 facts; missing: SORRY10; within 2 hours | two hours"


def test_expected_facts_in_chinese() -> None:
    case = eval_case(LATE_ZH, expected_facts=[["顺丰"], ["2小时", "两小时"], ["SORRY20"]])
    score = ExpectedFacts().score(candidate(LATE_ZH, LATE_ZH_GOOD, case=case))
    assert score.value == round(2 / 3, 4)
    assert score.reason == "2 of 3 facts; missing: SORRY20"
    alternative = LATE_ZH_GOOD.replace("2小时", "两小时") + "送您一张SORRY20。"
    assert ExpectedFacts().score(candidate(LATE_ZH, alternative, case=case)).value == 1.0


@pytest.mark.parametrize("with_case", [True, False], ids=["no-facts", "no-case"])
def test_expected_facts_do_not_apply_when_none_are_expected(with_case: bool) -> None:
    case = eval_case(LATE_EN) if with_case else None
    score = ExpectedFacts().score(candidate(LATE_EN, LATE_EN_GOOD, case=case))
    assert (score.value, score.reason) == (None, "the case expects no facts")


@pytest.mark.parametrize(
    ("ctx", "patterns", "good", "bad", "matched"),
    [
        (
            REFUND_EN,
            [r"refund (you )?(in full|599)", r"money back today"],
            REFUND_EN_GOOD,
            "Hi Emma, so sorry! We'll refund you in full today.",
            "'refund you in full' matches /refund (you )?(in full|599)/",
        ),
        (
            REFUND_ZH,
            [r"全额退款", r"退款\s*599"],
            REFUND_ZH_GOOD,
            "王女士，非常抱歉，马上给您全额退款。",
            "'全额退款' matches /全额退款/",
        ),
    ],
    ids=["en", "zh"],
)
def test_forbidden_commitments_quote_the_matched_text(
    ctx: DraftContext, patterns: list[str], good: str, bad: str, matched: str
) -> None:
    case = eval_case(ctx, forbidden_commitments=patterns)
    clean = ForbiddenCommitments().score(candidate(ctx, good, case=case))
    assert (clean.value, clean.reason) == (1.0, "none of 2 forbidden patterns")
    broken = ForbiddenCommitments().score(candidate(ctx, bad, case=case))
    assert (broken.value, broken.reason) == (0.0, matched)


def test_forbidden_commitments_ignore_case_and_list_every_match() -> None:
    case = eval_case(REFUND_EN, forbidden_commitments=[r"full refund", r"money back"])
    reply = "FULL REFUND approved, Emma - your Money Back today!"
    score = ForbiddenCommitments().score(candidate(REFUND_EN, reply, case=case))
    assert score.value == 0.0
    assert score.reason == "'FULL REFUND' matches /full refund/; 'Money Back' matches /money back/"


def test_forbidden_commitments_do_not_apply_when_nothing_is_forbidden() -> None:
    score = ForbiddenCommitments().score(candidate(REFUND_EN, "We'll refund you in full.", case=eval_case(REFUND_EN)))
    assert (score.value, score.reason) == (None, "the case forbids nothing")


# --- Intent and escalation found by the analysis


@pytest.mark.parametrize(
    ("ctx", "expected", "value", "reason"),
    [
        (LATE_EN, "late_delivery", 1.0, "found late_delivery; expected late_delivery"),
        (LATE_ZH, "late_delivery", 1.0, "found late_delivery; expected late_delivery"),
        (DISCOUNT_ZH, "discount_request", 1.0, "found discount_request; expected discount_request"),
        (REFUND_EN, "refund", 0.0, "found damaged_item; expected refund"),
    ],
)
def test_intent_match(ctx: DraftContext, expected: str, value: float, reason: str) -> None:
    case = eval_case(ctx, expected={"intent": expected})
    score = IntentMatch().score(candidate(ctx, "Thanks!", case=case))
    assert (score.value, score.reason) == (value, reason)


def test_intent_match_does_not_apply_without_an_expected_intent() -> None:
    score = IntentMatch().score(candidate(LATE_EN, "Thanks!", case=eval_case(LATE_EN)))
    assert (score.value, score.reason) == (None, "no expected intent")


@pytest.mark.parametrize(
    ("ctx", "expected", "value", "reason"),
    [
        (REFUND_EN, ["refund_over_limit"], 1.0, "raised [refund_over_limit]; expected [refund_over_limit]"),
        (REFUND_ZH, ["refund_over_limit"], 1.0, "raised [refund_over_limit]; expected [refund_over_limit]"),
        (
            REFUND_EN,
            ["refund_over_limit", "legal_threat"],
            0.5,
            "raised [refund_over_limit]; expected [legal_threat, refund_over_limit]",
        ),
        (REFUND_EN, [], 0.0, "raised [refund_over_limit]; expected []"),
        (LATE_EN, [], 1.0, "raised []; expected []"),
        (LATE_ZH, ["abuse"], 0.0, "raised []; expected [abuse]"),
    ],
)
def test_escalation_match_is_the_overlap_of_triggers(
    ctx: DraftContext, expected: list[str], value: float, reason: str
) -> None:
    case = eval_case(ctx, expected={"escalation": expected})
    score = EscalationMatch().score(candidate(ctx, "Thanks!", case=case))
    assert (score.value, score.reason) == (value, reason)


def test_escalation_match_does_not_apply_without_expected_triggers() -> None:
    score = EscalationMatch().score(candidate(REFUND_EN, "Thanks!", case=eval_case(REFUND_EN)))
    assert (score.value, score.reason) == (None, "no expected escalation")


# --- Retrieval: recall@5 and reciprocal rank over a hand-made ranking

RANKING = [
    "faq-sensitive-skin",
    "product-hydra-silk-serum",
    "faq-patch-test",
    "past-reply-serum-sensitive",
    "policy-returns",
    "policy-shipping",
    "product-calm-cica-cream",
]
RANKED = context(
    "Is the Hydra Silk serum ok for sensitive skin? I'm thinking of buying it.",
    passages=[passage(entry_id, f"About {entry_id}.", fused=1 - i / 10) for i, entry_id in enumerate(RANKING)],
)


@pytest.mark.parametrize(
    ("relevant", "recall", "found", "mrr", "rank"),
    [
        (["faq-sensitive-skin", "faq-patch-test", "policy-returns"], 1.0, 3, 1.0, 1),
        (["product-hydra-silk-serum", "policy-shipping"], 0.5, 1, 0.5, 2),
        (["faq-patch-test"], 1.0, 1, round(1 / 3, 4), 3),
        (["product-calm-cica-cream"], 0.0, 0, round(1 / 7, 4), 7),
        (RANKING[2:] + RANKING[:1], 0.8, 4, 1.0, 1),  # six relevant: four of them in the top five
    ],
)
def test_recall_at_5_and_reciprocal_rank(relevant: list[str], recall: float, found: int, mrr: float, rank: int) -> None:
    cand = candidate(RANKED, "Yes, it suits sensitive skin.", case=eval_case(RANKED, relevant_entry_ids=relevant))
    assert cand.retrieved_ids == RANKING
    at_5 = RetrievalRecall().score(cand)
    assert at_5.name == "recall@5"
    assert at_5.value == recall
    assert at_5.reason.startswith(f"{found} relevant in top 5:")
    assert all(entry in at_5.reason for entry in relevant if entry in RANKING[:5])
    reciprocal = ReciprocalRank().score(cand)
    assert (reciprocal.value, reciprocal.reason) == (mrr, f"first relevant at rank {rank}")


def test_retrieval_scores_when_nothing_relevant_was_retrieved() -> None:
    case = eval_case(RANKED, relevant_entry_ids=["policy-price-protection"])
    cand = candidate(RANKED, "Yes.", case=case)
    assert RetrievalRecall().score(cand).value == 0.0
    assert RetrievalRecall().score(cand).reason == "0 relevant in top 5: []"
    mrr = ReciprocalRank().score(cand)
    assert (mrr.value, mrr.reason) == (0.0, "none of 1 relevant entries retrieved")


@pytest.mark.parametrize("scorer", [RetrievalRecall(), ReciprocalRank()], ids=["recall", "mrr"])
def test_retrieval_scores_do_not_apply_without_labelled_entries(scorer: RetrievalRecall | ReciprocalRank) -> None:
    for case in (eval_case(RANKED), None):
        score = scorer.score(candidate(RANKED, "Yes.", case=case))
        assert (score.value, score.reason) == (None, "no relevant entries labelled")


# --- Groundedness


def test_candidate_grounds_in_what_it_cites_or_else_in_everything_retrieved() -> None:
    everything = [p.body for p in LATE_EN_PASSAGES]
    assert candidate(LATE_EN, "Hi").grounding_texts() == everything
    assert candidate(LATE_EN, "Hi", cited=["faq-express-upgrade"]).grounding_texts() == [everything[2]]
    snippet_only = passage("faq-stock", "").model_copy(update={"snippet": "In stock: 12 left in size M."})
    no_body = context("Is the cardigan in stock?", passages=[snippet_only])
    assert candidate(no_body, "Hi").grounding_texts() == ["In stock: 12 left in size M."]


def test_groundedness_counts_backed_and_unbacked_sentences_in_english() -> None:
    reply = (
        "Hi Emma, your order LL2041 is late, so sorry. "  # the order's id
        "I'll update you within 2 hours. "  # the cited policy
        "Here is 15 CNY off your next order."  # nowhere
    )
    score = Groundedness().score(candidate(LATE_EN, reply, cited=["policy-late-delivery"]))
    assert score.value == round(2 / 3, 4)
    assert score.reason == "2 of 3 factual sentences backed; unbacked: 15"


def test_groundedness_counts_backed_and_unbacked_sentences_in_chinese() -> None:
    reply = (
        "王女士您好，订单LL2042晚到了，非常抱歉。"  # the order's id
        "2小时内给您回复。"  # the late-delivery policy
        "送您SORRY20，满99元减20元。"  # the apology-code policy
        "补发改顺丰只需5元。"  # nowhere
    )
    score = Groundedness().score(
        candidate(LATE_ZH, reply, cited=["policy-late-delivery-zh", "policy-apology-codes-zh"])
    )
    assert score.value == 0.75
    assert score.reason == "3 of 4 factual sentences backed; unbacked: 5"


def test_groundedness_counts_the_orders_price_and_item() -> None:
    reply = "Your Hydra Silk serum (30 ml, 159 CNY) ships with tracking ZTO778812345."
    score = Groundedness().score(candidate(LATE_EN, reply, cited=["policy-late-delivery"]))
    assert (score.value, score.reason) == (1.0, "1 of 1 factual sentences backed")


@pytest.mark.parametrize(
    ("cited", "value"),
    [
        (["policy-late-delivery"], 0.0),  # cites a passage that does not say 12
        (["faq-express-upgrade"], 1.0),  # cites the one that does
        ([], 1.0),  # cites nothing (a human reply): every retrieved passage counts
    ],
    ids=["wrong-citation", "right-citation", "no-citation"],
)
def test_groundedness_rests_on_the_cited_passages_or_else_on_all_retrieved(cited: list[str], value: float) -> None:
    score = Groundedness().score(candidate(LATE_EN, "An SF Express upgrade costs 12 CNY.", cited=cited))
    assert score.value == value
    assert ("unbacked: 12" in score.reason) is (value == 0.0)


def test_groundedness_a_made_up_code_is_unbacked() -> None:
    score = Groundedness().score(candidate(LATE_EN, "Use SORRY50 at checkout!"))
    assert (score.value, score.reason) == (0.0, "0 of 1 factual sentences backed; unbacked: SORRY50")


@pytest.mark.parametrize(
    ("ctx", "reply"),
    [
        (LATE_EN, "Hi Emma, so sorry for the wait! Would you prefer a reship or a refund?"),
        (LATE_ZH, "王女士，非常抱歉让您久等了！您看是补发还是退款呢？"),
        (LATE_EN, "Hi {{customer_name}}, your code is {{code_30}}."),  # template slots are not claims
    ],
    ids=["en", "zh", "slots"],
)
def test_groundedness_does_not_apply_without_a_number_or_code(ctx: DraftContext, reply: str) -> None:
    score = Groundedness().score(candidate(ctx, reply))
    assert (score.value, score.reason) == (None, "no factual claim (number, amount or code)")


@pytest.mark.parametrize(
    ("ctx", "reply"),
    [(PRESALE_EN, "Is your skin 1) dry or 2) oily?"), (PRESALE_ZH, "您平时是1）干敏肌还是2）油敏肌呢？")],
    ids=["en", "zh"],
)
def test_groundedness_option_numbers_are_not_claims(ctx: DraftContext, reply: str) -> None:
    assert Groundedness().score(candidate(ctx, reply)).value is None


# --- Similarity to the reference reply

REFERENCE_EN = (
    "Hi Emma, I'm so sorry your order is late. I'm checking with the carrier now and will update you within "
    "2 hours. Would you prefer a reship or a refund?"
)
CLOSE_EN = (
    "Hi Emma, so sorry your order is late! I'm checking with the carrier and will update you within 2 hours. "
    "Reship or refund?"
)
FAR_EN = "Our cardigan comes in three colours and ships from Hangzhou."
REFERENCE_ZH = "王女士您好，包裹晚到真的很抱歉。我现在就联系快递核实，2小时内给您回复。您看是补发还是退款呢？"
CLOSE_ZH = "王女士，包裹晚到非常抱歉。我马上联系快递核实，2小时内回复您。您看补发还是退款呢？"
FAR_ZH = "这款开衫有三个颜色，从杭州发货。"


@pytest.mark.parametrize(
    ("ctx", "reference", "close", "far", "tokenizer"),
    [(LATE_EN, REFERENCE_EN, CLOSE_EN, FAR_EN, "13a"), (LATE_ZH, REFERENCE_ZH, CLOSE_ZH, FAR_ZH, "zh")],
    ids=["en", "zh"],
)
def test_chrf_and_bleu_against_the_reference(
    ctx: DraftContext, reference: str, close: str, far: str, tokenizer: str
) -> None:
    case = eval_case(ctx, reference=reference)
    chrf, bleu = ReferenceChrf(), ReferenceBleu()
    same = candidate(ctx, reference, case=case)
    assert (chrf.score(same).value, chrf.score(same).reason) == (1.0, "chrF 100.0")
    assert (bleu.score(same).value, bleu.score(same).reason) == (1.0, f"BLEU 100.0 ({tokenizer})")
    near, other = candidate(ctx, close, case=case), candidate(ctx, far, case=case)
    for scorer in (chrf, bleu):
        near_value, far_value = scorer.score(near).value, scorer.score(other).value
        assert near_value is not None
        assert far_value is not None
        assert near_value > 0.4  # a paraphrase shares most of the reference
        assert far_value < 0.15  # another topic shares almost nothing


def test_bleu_reads_chinese_by_character() -> None:
    """Chinese has no spaces: by word (13a) a close paraphrase would share no 4-gram at all."""
    ctx = context("我的快递晚了！")
    score = ReferenceBleu().score(candidate(ctx, CLOSE_ZH, case=eval_case(ctx, reference=REFERENCE_ZH)))
    assert score.value is not None
    assert score.value > 0.4
    assert score.reason.endswith("(zh)")


@pytest.mark.parametrize("scorer", [ReferenceChrf(), ReferenceBleu()], ids=["chrf", "bleu"])
def test_similarity_does_not_apply_without_a_reference(scorer: ReferenceChrf | ReferenceBleu) -> None:
    for case in (eval_case(LATE_EN), None):
        score = scorer.score(candidate(LATE_EN, LATE_EN_GOOD, case=case))
        assert (score.value, score.reason) == (None, "no reference reply")


class FakeEmbed:
    """Two-dimensional vectors looked up by text (normalised); records each batch."""

    def __init__(self, vectors: dict[str, tuple[float, float]]) -> None:
        self._vectors = vectors
        self.batches: list[tuple[str, list[str]]] = []

    def __call__(self, texts: Sequence[str], language: str) -> np.ndarray:
        self.batches.append((language, list(texts)))
        rows = np.array([self._vectors[t] for t in texts], dtype=np.float64).reshape(len(texts), 2)
        normalised: np.ndarray = rows / np.linalg.norm(rows, axis=1, keepdims=True)
        return normalised


def test_reference_cosine_batches_per_language_and_clips_at_zero() -> None:
    embed = FakeEmbed(
        {
            CLOSE_EN: (1.0, 0.0),
            REFERENCE_EN: (1.0, 0.0),
            CLOSE_ZH: (0.6, 0.8),
            REFERENCE_ZH: (1.0, 0.0),
            FAR_ZH: (-1.0, 0.0),
        }
    )
    candidates = [
        candidate(LATE_EN, CLOSE_EN, case=eval_case(LATE_EN, reference=REFERENCE_EN)),
        candidate(LATE_ZH, CLOSE_ZH, case=eval_case(LATE_ZH, reference=REFERENCE_ZH)),
        candidate(LATE_EN, FAR_EN, case=eval_case(LATE_EN)),  # no reference: not embedded
        candidate(LATE_ZH, FAR_ZH, case=eval_case(LATE_ZH, reference=REFERENCE_ZH)),
    ]
    scores = ReferenceCosine(embed).score_many(candidates)
    assert [(s.value, s.reason) for s in scores] == [
        (1.0, "cosine 1.000"),
        (0.6, "cosine 0.600"),
        (None, "no reference reply"),
        (0.0, "cosine 0.000"),  # opposite vectors: clipped, not negative
    ]
    assert {s.name for s in scores} == {"reference_cosine"}
    assert embed.batches == [  # one batch per language; a text repeated across cases is embedded once
        ("en", [CLOSE_EN, REFERENCE_EN]),
        ("zh", [CLOSE_ZH, REFERENCE_ZH, FAR_ZH]),
    ]


def test_reference_cosine_embeds_nothing_when_no_case_has_a_reference() -> None:
    embed = FakeEmbed({})
    scores = ReferenceCosine(embed).score_many([candidate(LATE_EN, CLOSE_EN), candidate(LATE_ZH, CLOSE_ZH)])
    assert [s.value for s in scores] == [None, None]
    assert embed.batches == []


# --- The LLM judge


class FakeGrader:
    """Returns one verdict, or raises; records what it was asked."""

    name = "fake-judge@v1"

    def __init__(self, verdict: Verdict | None = None, error: Exception | None = None) -> None:
        self._verdict, self._error = verdict, error
        self.asked: list[tuple[str, str | None]] = []
        self.closed = False

    async def grade(self, context: DraftContext, reply: str, reference: str | None = None) -> Verdict:
        self.asked.append((reply, reference))
        if self._error is not None:
            raise self._error
        assert self._verdict is not None
        return self._verdict

    async def close(self) -> None:
        self.closed = True


def judged(grader: FakeGrader, cand: Candidate) -> Score:
    return asyncio.run(LLMJudge(grader).judge(cand))


@pytest.mark.parametrize(("rating", "value"), [(5, 1.0), (4, 0.75), (3, 0.5), (1, 0.0)])
def test_judge_maps_the_rating_to_zero_one(rating: int, value: float) -> None:
    grader = FakeGrader(Verdict(rating=rating, reason="warm, but no new date"))
    score = judged(grader, candidate(LATE_EN, LATE_EN_GOOD, case=eval_case(LATE_EN, reference=REFERENCE_EN)))
    assert (score.name, score.value, score.reason) == (JUDGE, value, f"{rating}/5: warm, but no new date")
    assert grader.asked == [(LATE_EN_GOOD, REFERENCE_EN)]


def test_judge_grades_without_a_reference_when_there_is_no_case() -> None:
    grader = FakeGrader(Verdict(rating=5, reason="great"))
    assert judged(grader, candidate(LATE_ZH, LATE_ZH_GOOD)).value == 1.0
    assert grader.asked == [(LATE_ZH_GOOD, None)]


def test_judge_without_a_verdict_does_not_apply_and_says_why(caplog: pytest.LogCaptureFixture) -> None:
    grader = FakeGrader(error=Unavailable("the judge endpoint answered invalid JSON twice"))
    with caplog.at_level(logging.WARNING, logger="drafter.scoring.judge"):
        score = judged(grader, candidate(LATE_EN, LATE_EN_GOOD))
    assert (score.name, score.value) == (JUDGE, None)
    assert score.reason == "no verdict: the judge endpoint answered invalid JSON twice"
    assert [r.getMessage() for r in caplog.records] == ["judge gave no verdict"]


def test_judge_takes_the_graders_name_and_closes_it() -> None:
    grader = FakeGrader(Verdict(rating=3))
    judge = LLMJudge(grader)
    assert judge.name == "fake-judge@v1"
    asyncio.run(judge.close())
    assert grader.closed


def test_judge_lets_other_errors_through() -> None:
    with pytest.raises(ValueError, match="bug"):
        judged(FakeGrader(error=ValueError("bug")), candidate(LATE_EN, LATE_EN_GOOD))


# --- The suite and the overall score

RUBRIC_ORDER = [
    "leap",
    "policy",
    "groundedness",
    "expected_facts",
    "forbidden_commitments",
    "personalisation",
    "language",
    "tone",
    "length",
    "question",
    "escalation_notice",
]


def test_overall_averages_the_rubric_and_the_judge_that_apply() -> None:
    scores = [
        Score(name="leap", value=1.0, reason=""),
        Score(name="policy", value=0.5, reason=""),
        Score(name="groundedness", value=None, reason="no factual claim"),
        Score(name="recall@5", value=0.0, reason=""),  # retrieval is reported apart
        Score(name="intent", value=0.0, reason=""),
        Score(name="reference_chrf", value=0.1, reason=""),  # similarity too
        Score(name="reference_cosine", value=0.2, reason=""),
        Score(name=JUDGE, value=0.0, reason="1/5"),
    ]
    assert overall(scores) == 0.5
    assert overall([s for s in scores if s.name != JUDGE]) == 0.75
    assert overall([*scores[:3], Score(name=JUDGE, value=None, reason="no verdict")]) == 0.75


def test_overall_is_none_when_no_rubric_score_applies() -> None:
    assert overall([]) is None
    assert (
        overall([Score(name="escalation_notice", value=None, reason=""), Score(name="mrr", value=1.0, reason="")])
        is None
    )


def test_overall_of_a_real_reply_counts_exactly_the_applicable_rubric_scores() -> None:
    cand = candidate(LATE_EN, "Your parcel is on its way.")
    rubric = [scorer.score(cand) for scorer in RUBRIC]
    assert [s.name for s in rubric] == RUBRIC_ORDER
    # leap 0.25, policy 1, personalisation 0, language 1, tone 1, length 1, question 0; the rest do not apply
    assert [s.value for s in rubric] == [0.25, 1.0, None, None, None, 0.0, 1.0, 1.0, 1.0, 0.0, None]
    assert overall(rubric) == round(4.25 / 7, 4)


def test_suite_names_in_report_order() -> None:
    diagnostic = ["recall@5", "mrr", "intent", "escalation"]
    similarity = ["reference_chrf", "reference_bleu"]
    assert ScoringSuite().names == [*RUBRIC_ORDER, *diagnostic, *similarity]
    assert ScoringSuite(retrieval=False).names == [*RUBRIC_ORDER, "intent", "escalation", *similarity]
    assert ScoringSuite(embed=FakeEmbed({})).names == [*RUBRIC_ORDER, *diagnostic, *similarity, "reference_cosine"]
    assert frozenset(RUBRIC_ORDER) == RUBRIC_NAMES


def test_suite_scores_many_one_row_per_candidate_in_name_order() -> None:
    embed = FakeEmbed({LATE_EN_GOOD: (1.0, 0.0), REFERENCE_EN: (0.6, 0.8), LATE_ZH_GOOD: (0.0, 1.0)})
    suite = ScoringSuite(embed=embed)
    candidates = [
        candidate(LATE_EN, LATE_EN_GOOD, case=eval_case(LATE_EN, reference=REFERENCE_EN)),
        candidate(LATE_ZH, LATE_ZH_GOOD),
        candidate(REFUND_ZH, REFUND_ZH_GOOD, case=eval_case(REFUND_ZH, expected={"intent": "damaged_item"})),
    ]
    rows = suite.score_many(candidates)
    assert len(rows) == 3
    for row in rows:
        assert [s.name for s in row] == suite.names
    assert rows[0][-1].value == 0.6  # the cosine comes last
    assert [row[-1].value for row in rows[1:]] == [None, None]
    assert embed.batches == [("en", [LATE_EN_GOOD, REFERENCE_EN])]
    assert rows[2][suite.names.index("intent")].value == 1.0
    assert suite.score(candidates[1]) == rows[1]


def test_suite_without_retrieval_leaves_out_recall_and_mrr_from_the_rows() -> None:
    suite = ScoringSuite(retrieval=False)
    (row,) = suite.score_many([candidate(RANKED, "Yes.", case=eval_case(RANKED, relevant_entry_ids=RANKING[:1]))])
    assert [s.name for s in row] == suite.names
    assert not {"recall@5", "mrr"} & {s.name for s in row}


@pytest.mark.parametrize(
    ("ctx", "reply", "cited"),
    [
        (LATE_EN, LATE_EN_GOOD, ["policy-late-delivery", "policy-apology-codes", "faq-express-upgrade"]),
        (LATE_ZH, LATE_ZH_GOOD, ["policy-late-delivery-zh"]),
    ],
    ids=["en", "zh"],
)
def test_a_good_late_parcel_reply_scores_one_on_every_rubric_score_that_applies(
    ctx: DraftContext, reply: str, cited: list[str]
) -> None:
    rubric = {s.name: s for s in ScoringSuite().score(candidate(ctx, reply, cited=cited)) if s.name in RUBRIC_NAMES}
    assert {name: s.value for name, s in rubric.items() if s.value != 1.0} == {
        "expected_facts": None,
        "forbidden_commitments": None,
        "escalation_notice": None,
        **({"personalisation": 0.5} if ctx.language == "zh" else {}),  # 王女士, but no order reference
    }
