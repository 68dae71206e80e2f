"""Each guardrail blocks a planted violation (English and Chinese) and passes a clean draft."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml

from drafter.analysis import ConversationAnalyzer
from drafter.core.drafts import Commitment, DraftContext, DraftOutput, DraftRequest, DraftStatus
from drafter.core.models import EntryKind, Passage, RankerScores
from drafter.core.shop_profile import ShopProfile
from drafter.guardrails import Guardrails
from drafter.services.planner import Planner
from tests.conftest import KNOWLEDGE

PROFILE = ShopProfile.model_validate(yaml.safe_load((KNOWLEDGE / "shop.yaml").read_text()))
PASSAGE = Passage(
    entry_id="policy-late-delivery",
    version=1,
    version_id=1,
    kind=EntryKind.POLICY,
    title="Late deliveries",
    snippet="...",
    language="en",
    tags=["late"],
    product=None,
    rating=None,
    scores=RankerScores(fused=0.1),
)
guardrails = Guardrails()


def context(text: str, *, tier: str = "bronze", channel: str = "xiaohongshu_dm") -> DraftContext:
    request = DraftRequest.model_validate(
        {
            "conversation": [{"role": "customer", "text": text}],
            "customer": {"name": "Emma", "tier": tier, "order_count": 2},
            "orders": [{"id": "LL100", "total": "159", "tracking": "SF1234567"}],
            "channel": channel,
        }
    )
    analysis = ConversationAnalyzer().analyze(request, PROFILE, datetime(2026, 11, 22, 6, tzinfo=UTC))
    plan = Planner().plan(request, analysis, PROFILE)
    return DraftContext(
        request=request,
        analysis=analysis,
        plan=plan,
        passages=[PASSAGE],
        profile=PROFILE,
        language=analysis.reply_language,
    )


EN = context("My parcel is three days late!")
ZH = context("我的快递晚了三天还没到！")
CLEAN_EN = (
    "Hi Emma, I'm sorry your parcel is late. I'm checking with the carrier now and will update you within 2 hours. "
    "Would you prefer a reship or a refund?"
)
CLEAN_ZH = "Emma您好，包裹晚到真的很抱歉。我现在就联系快递核实，2小时内给您回复。您更希望重新寄出还是退款呢？"


def codes(output: DraftOutput, ctx: DraftContext) -> set[str]:
    return {f.code for f in guardrails.check(output, ctx) if f.severity == "block"}


@pytest.mark.parametrize(("ctx", "reply"), [(EN, CLEAN_EN), (ZH, CLEAN_ZH)], ids=["en", "zh"])
def test_a_clean_draft_passes(ctx: DraftContext, reply: str) -> None:
    findings = guardrails.check(DraftOutput(reply=reply, cited_ids=["policy-late-delivery"]), ctx)
    assert [f for f in findings if f.severity == "block"] == []
    assert guardrails.status([]) is DraftStatus.OK


PLANTED = [
    ("citation_unknown", EN, CLEAN_EN, ["policy-made-up"]),
    ("code_not_allowed", EN, "Here is CARE30 for 30 CNY off your next order.", []),
    ("code_not_allowed", ZH, "送您一张FREE100优惠码，下次直接用。", []),
    ("refund_over_authority", EN, "We will refund you 800 CNY today.", []),
    ("refund_over_authority", ZH, "马上给您退款800元。", []),
    ("cash_compensation", EN, "We'll send you 20 CNY cash as compensation.", []),
    ("cash_compensation", ZH, "给您发个20元红包补偿一下。", []),
    ("tone_banned_phrase", EN, "Sorry, that's not my problem, contact the courier.", []),
    ("tone_banned_phrase", ZH, "这不关我们的事，您自己联系快递吧。", []),
    ("personal_data", EN, "Call our agent at 13812345678 for help.", []),
    ("personal_data", ZH, "有问题打13812345678找我。", []),
    ("off_platform_contact", EN, "Add me on WeChat and I'll sort it out.", []),
    ("off_platform_contact", ZH, "加我微信，我私下给您处理。", []),
    ("absolute_claim", EN, "This is the best serum on the market, guaranteed to work.", []),
    ("absolute_claim", ZH, "这是全网最好的精华，100%有效。", []),
    ("medical_claim", EN, "Our cream cures acne in a week.", []),
    ("medical_claim", ZH, "这款面霜可以根治痘痘。", []),
    ("language_mismatch", ZH, CLEAN_EN, []),
    ("language_mismatch", EN, CLEAN_ZH, []),
    ("too_long", EN, "Sorry for the wait. " * 80, []),
    ("too_long", ZH, "非常抱歉让您久等了。" * 80, []),
    ("unfilled_slot", EN, "Hi {{customer_name}}, your order is on its way.", []),
    ("unfilled_slot", ZH, "{{customer_name}}您好，包裹已经发出。", []),
]


@pytest.mark.parametrize(
    ("code", "ctx", "reply", "cited"), PLANTED, ids=[f"{p[0]}-{'en' if p[1] is EN else 'zh'}" for p in PLANTED]
)
def test_each_check_blocks_its_violation(code: str, ctx: DraftContext, reply: str, cited: list[str]) -> None:
    found = codes(DraftOutput(reply=reply, cited_ids=cited), ctx)
    assert code in found
    assert guardrails.status(guardrails.check(DraftOutput(reply=reply, cited_ids=cited), ctx)) is DraftStatus.BLOCKED


def test_codes_follow_the_customers_tier() -> None:
    gold = context("the package is late", tier="gold")
    offer = "Please accept SORRY20 as an apology."
    assert "code_not_allowed" in codes(DraftOutput(reply=offer), EN)  # bronze may get SORRY10 only
    assert "code_not_allowed" not in codes(DraftOutput(reply=offer), gold)


def test_a_committed_code_outside_policy_is_blocked() -> None:
    output = DraftOutput(reply=CLEAN_EN, commitments=[Commitment(kind="code", text="code", value="CARE30")])
    assert "code_not_allowed" in codes(output, EN)


def test_what_the_customer_should_have_received_is_not_blame() -> None:
    """The evaluation found repairs cutting "that's not what you should have received" from wrong-item drafts."""
    assert codes(DraftOutput(reply="Sorry, that is not what you should have received."), EN) == set()
    assert "tone_banned_phrase" in codes(DraftOutput(reply="You should have checked the size chart."), EN)


@pytest.mark.parametrize(
    ("ctx", "reply"),
    [
        (EN, "SF Express gives you the best chance of having it before Saturday."),
        (ZH, "先想清楚自己的肤质和使用场景最重要。"),
        (EN, "Refunds above 500 CNY are approved by my team lead, so I've passed your 599 CNY refund to them."),
        (ZH, "因为金额超过 500 元，退款需要组长审批，我已经把 599 元退款申请交给组长了。"),
    ],
    ids=["best-chance", "zui-zhongyao", "refund-routed-en", "refund-routed-zh"],
)
def test_what_core_reference_replies_say_is_not_a_violation(ctx: DraftContext, reply: str) -> None:
    """Found by scoring core.yaml's gold replies: advice, not advertising; routing a refund, not promising it."""
    assert codes(DraftOutput(reply=reply), ctx) == set()


def test_a_refund_over_the_limit_promised_outright_is_still_blocked() -> None:
    assert "refund_over_authority" in codes(DraftOutput(reply="I'll refund the full 599 CNY today."), EN)


def test_order_ids_and_tracking_numbers_are_not_codes() -> None:
    assert codes(DraftOutput(reply="Order LL100 is on its way with tracking SF1234567."), EN) == set()


def test_off_platform_rules_apply_to_xiaohongshu_only() -> None:
    email = context("My parcel is three days late!", channel="email")
    assert "off_platform_contact" not in codes(
        DraftOutput(reply="You can reach us at www.lumilane.example/help."), email
    )


def test_service_phrases_are_not_absolute_claims() -> None:
    for reply in ("We'll reply right away, best regards.", "最多3-5个工作日到账，我们第一时间处理。"):
        ctx = EN if reply.isascii() else ZH
        assert "absolute_claim" not in codes(DraftOutput(reply=reply), ctx)


def test_repair_removes_the_offending_sentence_only() -> None:
    output = DraftOutput(
        reply=f"{CLEAN_EN} Add me on WeChat for a faster answer.", cited_ids=["policy-late-delivery", "ghost"]
    )
    repaired = guardrails.repair(output, guardrails.check(output, EN), EN)
    assert "WeChat" not in repaired.reply
    assert repaired.reply.startswith("Hi Emma")
    assert repaired.cited_ids == ["policy-late-delivery"]
    assert guardrails.status([f for f in guardrails.check(repaired, EN) if f.severity == "block"]) is DraftStatus.OK
