"""Voice-of-customer routing: cue words per department in English and Chinese, the intent fallback, real messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter.core.drafts import Intent
from drafter.review.voc import Department, VocTag, route
from drafter.services.knowledge_files import read_entries

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge_base"
OPS, FIN, LOG, CS = Department.OPERATIONS, Department.FINANCE, Department.LOGISTICS, Department.CUSTOMER_SERVICE


def tag(text: str, intent: Intent = Intent.OTHER) -> tuple[Department, str]:
    routed = route(text, intent, [])
    return routed.department, routed.topic


@pytest.mark.parametrize(
    ("text", "department", "topic"),
    [
        ("The colour is nothing like the photos.", OPS, "not_as_pictured"),
        ("NOT AS DESCRIBED at all", OPS, "not_as_pictured"),
        ("色差太大了，和图片不一样", OPS, "not_as_pictured"),
        ("The pump doesn't work, it's really hard to use", OPS, "hard_to_use"),
        ("这个拉链很难拉，太不好用了", OPS, "hard_to_use"),
        ("The jacket runs small, I had to size up", OPS, "sizing"),
        ("裤子偏小，腰太紧", OPS, "sizing"),
        ("The seam split after one wash", OPS, "quality"),
        ("围巾起球严重，质量太差", OPS, "quality"),
        ("My face got itchy after the serum", OPS, "skin_reaction"),
        ("用完脸上过敏起疹子", OPS, "skin_reaction"),
        ("Can you send me a VAT invoice?", FIN, "invoice"),
        ("开发票需要提供税号吗", FIN, "invoice"),
        ("My refund still hasn't arrived", FIN, "refund_payment"),
        ("I was charged twice for one order", FIN, "refund_payment"),
        ("退款一周了还没到账", FIN, "refund_payment"),
        ("付款失败了，但是扣款了", FIN, "refund_payment"),
        ("My parcel is 3 days late", LOG, "delivery_delay"),
        ("下单一周了还没收到", LOG, "delivery_delay"),
        ("No update on the tracking for 4 days, is it lost?", LOG, "lost_parcel"),
        ("快递是不是丢件了", LOG, "lost_parcel"),
        ("The box arrived crushed and the bottle inside is broken", LOG, "damaged_in_transit"),
        ("快递压坏了，面霜罐都变形了", LOG, "damaged_in_transit"),
        ("You sent me the wrong shade", LOG, "wrong_item"),
        ("发错货了，我买的是M码", LOG, "wrong_item"),
        ("Can I change my address to my office?", LOG, "address_change"),
        ("地址写错了，能改一下吗", LOG, "address_change"),
        ("Where is my order? I have no idea where it is", LOG, "tracking"),
        ("我的快递到哪了", LOG, "tracking"),
        ("Could you deliver it to my office after 6pm?", LOG, "delivery_request"),
        ("能放快递柜吗", LOG, "delivery_request"),
    ],
)
def test_cue_words_route_to_the_team_that_can_act(text: str, department: Department, topic: str) -> None:
    assert tag(text) == (department, topic)


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("实物没有色差，很喜欢", Intent.PRAISE, (CS, "praise")),  # "no colour difference" is praise
        ("颜色和图片一样吗", Intent.PRE_SALE, (CS, "pre_sale")),
        ("Is this cream too heavy for oily skin?", Intent.PRE_SALE, (CS, "pre_sale")),
        ("The packaging was so cute!", Intent.PRAISE, (CS, "praise")),
        ("I'd like a refund instead of an exchange", Intent.REFUND, (FIN, "refund_payment")),
        ("My tracking says in transit since Monday", Intent.ORDER_STATUS, (LOG, "tracking")),
        ("This chocolate-brown scarf is lovely", Intent.PRAISE, (CS, "praise")),  # "late" inside a word
    ],
)
def test_near_misses_keep_their_intent(text: str, intent: Intent, expected: tuple[Department, str]) -> None:
    assert tag(text, intent) == expected


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("The box was completely crushed", Intent.DAMAGED, (LOG, "damaged_in_transit")),
        ("The zip broke the second time I wore it", Intent.DAMAGED, (OPS, "quality")),
        ("说实话色差有点大", Intent.COMPLAINT, (OPS, "not_as_pictured")),
        ("Also where's the VAT invoice?", Intent.LATE, (FIN, "invoice")),
        ("It never arrived, it's a week late", Intent.REFUND, (LOG, "delivery_delay")),
        ("Sent the wrong size and it arrived late", Intent.LATE, (LOG, "wrong_item")),
        ("I ordered the wrong size myself, can I swap?", Intent.EXCHANGE, (OPS, "sizing")),
    ],
)
def test_cue_words_take_precedence_over_the_intent(text: str, intent: Intent, expected: tuple[Department, str]) -> None:
    assert tag(text, intent) == expected


FALLBACK = {
    Intent.PRE_SALE: (CS, "pre_sale"),
    Intent.ORDER_STATUS: (LOG, "tracking"),
    Intent.LATE: (LOG, "delivery_delay"),
    Intent.DAMAGED: (OPS, "quality"),
    Intent.WRONG_ITEM: (LOG, "wrong_item"),
    Intent.RETURN: (CS, "returns"),
    Intent.REFUND: (FIN, "refund_payment"),
    Intent.EXCHANGE: (CS, "exchange"),
    Intent.DISCOUNT: (CS, "discount"),
    Intent.COMPLAINT: (CS, "complaint"),
    Intent.PRAISE: (CS, "praise"),
    Intent.OTHER: (CS, "other"),
}


def test_every_intent_has_a_fallback() -> None:
    assert set(FALLBACK) == set(Intent)


@pytest.mark.parametrize(("intent", "expected"), FALLBACK.items())
@pytest.mark.parametrize("text", ["hello??", "在吗", ""])
def test_the_intent_decides_without_cue_words(intent: Intent, expected: tuple[Department, str], text: str) -> None:
    assert tag(text, intent) == expected


def test_the_first_product_is_tagged() -> None:
    assert route("起球了", Intent.DAMAGED, ["wool-scarf", "canvas-tote"]) == VocTag(
        department=OPS, topic="quality", product="wool-scarf"
    )
    assert route("起球了", Intent.DAMAGED, []).product is None


@pytest.mark.parametrize(
    ("name", "intent", "expected"),
    [
        ("reply-12315-threat-down-leak-zh", Intent.COMPLAINT, (OPS, "quality")),
        ("reply-damaged-silk-dress-snag", Intent.DAMAGED, (OPS, "quality")),
        ("reply-allergic-reaction-vitamin-c", Intent.COMPLAINT, (OPS, "skin_reaction")),
        ("reply-exchange-leggings-size-up", Intent.EXCHANGE, (OPS, "sizing")),
        ("reply-exchange-pleated-skirt-zh", Intent.EXCHANGE, (OPS, "sizing")),
        ("reply-invoice-company-reimbursement", Intent.OTHER, (FIN, "invoice")),
        ("reply-invoice-company-title-zh", Intent.OTHER, (FIN, "invoice")),
        ("reply-refund-not-arrived-yet", Intent.REFUND, (FIN, "refund_payment")),
        ("reply-refund-overdue-zh", Intent.COMPLAINT, (FIN, "refund_payment")),
        ("reply-12315-threat-refund-delay", Intent.REFUND, (FIN, "refund_payment")),  # no cue: the intent decides
        ("reply-damaged-serum-bottle-zh", Intent.DAMAGED, (LOG, "damaged_in_transit")),
        ("reply-gold-member-crushed-box-no-gift-zh", Intent.DAMAGED, (LOG, "damaged_in_transit")),
        ("reply-gold-member-late-wrong-colour", Intent.LATE, (LOG, "wrong_item")),
        ("reply-wrong-item-vitamin-c", Intent.WRONG_ITEM, (LOG, "wrong_item")),
        ("reply-wrong-lip-shade-zh", Intent.WRONG_ITEM, (LOG, "wrong_item")),
        ("reply-missing-hand-cream-gift-box-zh", Intent.WRONG_ITEM, (LOG, "wrong_item")),
        ("reply-missing-item-sunscreen", Intent.WRONG_ITEM, (LOG, "wrong_item")),
        ("reply-late-down-jacket-zh", Intent.LATE, (LOG, "delivery_delay")),
        ("reply-late-order-linen-pants", Intent.ORDER_STATUS, (LOG, "delivery_delay")),
        ("reply-lost-parcel-no-scan", Intent.LATE, (LOG, "lost_parcel")),
        ("reply-lost-parcel-no-update-zh", Intent.LATE, (LOG, "lost_parcel")),
        ("reply-address-change-after-dispatch-zh", Intent.ORDER_STATUS, (LOG, "address_change")),
        ("reply-address-change-before-dispatch", Intent.OTHER, (LOG, "address_change")),
        ("reply-praise-scarf-zh", Intent.PRAISE, (CS, "praise")),  # 颜色比图片还好看 is not a complaint
        ("reply-praise-silk-dress", Intent.PRAISE, (CS, "praise")),
        ("reply-sensitive-skin-bha-presale-zh", Intent.PRE_SALE, (CS, "pre_sale")),
        ("reply-sensitive-skin-cica-cream", Intent.PRE_SALE, (CS, "pre_sale")),
        ("reply-discount-demand-brush-set-zh", Intent.DISCOUNT, (CS, "discount")),
        ("reply-return-unopened-sunscreen-zh", Intent.RETURN, (CS, "returns")),
    ],
)
def test_real_customer_messages(name: str, intent: Intent, expected: tuple[Department, str]) -> None:
    (entry,) = read_entries(KNOWLEDGE / "past_replies" / f"{name}.md")
    routed = route(entry.title, intent, [entry.product] if entry.product else [])
    assert (routed.department, routed.topic) == expected
    assert routed.product == entry.product
