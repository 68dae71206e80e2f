"""Edit analysis: exact distances on small strings, and each class with English and Chinese examples both ways."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from drafter.core.drafts import Finding
from drafter.review.edits import EditAnalysis, EditClass, analyse_edit, tokens


def findings(*codes: str) -> list[Finding]:
    return [Finding(code=code, severity="block", message=code) for code in codes]


def analyse(
    original: str,
    final: str,
    *,
    before: Sequence[str] = (),
    after: Sequence[str] = (),
    personal: Sequence[str] = (),
) -> EditAnalysis:
    return analyse_edit(
        original, final, original_findings=findings(*before), final_findings=findings(*after), personal=personal
    )


def test_tokens_are_latin_words_numbers_and_single_cjk_characters() -> None:
    assert tokens("I don't know: 0.5% SORRY10 at 16:00, 谢谢您 3-5") == [
        "I",
        "don't",
        "know",
        "0.5",
        "SORRY10",
        "at",
        "16:00",
        "谢",
        "谢",
        "您",
        "3",
        "5",
    ]


@pytest.mark.parametrize(
    ("original", "final", "chars", "token_count", "char_ratio", "token_ratio"),
    [
        ("kitten", "sitting", 3, 1, 0.4286, 1.0),  # 3/7; one word for another
        ("I am happy", "I am very happy", 5, 1, 0.3333, 0.25),  # "very " is 5 characters, 1 of 4 tokens
        ("谢谢你", "谢谢您", 1, 1, 0.3333, 0.3333),
        ("您好，订单已发货", "您好，订单明天发货", 2, 2, 0.2222, 0.25),  # 已->明, +天: 2/9 and 2/8
        ("Hi Emma,  thanks", "Hi Emma, thanks", 1, 0, 0.0625, 0.0),  # one space of 16; no token changed
    ],
)
def test_exact_distances(
    original: str, final: str, chars: int, token_count: int, char_ratio: float, token_ratio: float
) -> None:
    edit = analyse(original, final)
    assert (edit.char_distance, edit.token_distance) == (chars, token_count)
    assert (edit.char_ratio, edit.token_ratio) == (char_ratio, token_ratio)


def test_unchanged_text_has_no_class_even_when_findings_differ() -> None:
    edit = analyse("Use FREE100 now.", "Use FREE100 now.", before=["code_not_allowed"])
    assert edit == EditAnalysis(
        char_distance=0, token_distance=0, char_ratio=0.0, token_ratio=0.0, classes=[], primary=None
    )


def test_empty_texts_do_not_divide_by_zero() -> None:
    assert analyse("", "").char_ratio == 0.0


@pytest.mark.parametrize(
    ("original", "final", "before", "after"),
    [
        ("Contact us on WeChat for faster help.", "Reply here for faster help.", ["off_platform_contact"], []),
        (
            "We can refund 500 CNY today.",
            "We can refund 500 CNY today!",
            ["refund_over_authority"] * 2,
            ["refund_over_authority"],
        ),
        ("Refund of 159 CNY is on its way.", "Refund of 139 CNY is on its way.", [], []),
        ("Use SORRY20 at checkout.", "Use SORRY10 at checkout.", [], []),
        ("给您一张 SORRY20（满99减20）", "给您一张 SORRY20（满59减10）", [], []),
        ("退您¥12运费", "退您¥15运费", [], []),
        ("保证明天送达，放心", "我们会尽快安排，放心", ["date_promise"], []),
    ],
)
def test_policy_fix(original: str, final: str, before: list[str], after: list[str]) -> None:
    edit = analyse(original, final, before=before, after=after)
    assert edit.primary is EditClass.POLICY_FIX
    assert edit.classes[0] is EditClass.POLICY_FIX


@pytest.mark.parametrize(
    ("original", "final", "before", "after"),
    [
        ("Use FREE100 now.", "Use FREE100 now!", ["code_not_allowed"], ["code_not_allowed"]),  # still there
        ("A long reply.", "A short reply.", ["too_long"], []),  # not a policy code
        ("The serum is 159 CNY.", "The serum is ¥159.", [], []),  # same amount, other notation
        ("订单LL20261101已发货", "订单LL20261102已发货", [], []),  # an order id is not a code
    ],
)
def test_not_policy_fix(original: str, final: str, before: list[str], after: list[str]) -> None:
    assert EditClass.POLICY_FIX not in analyse(original, final, before=before, after=after).classes


@pytest.mark.parametrize(
    ("original", "final", "personal"),
    [
        ("It arrives in 3 days.", "It arrives in 5 days.", []),
        ("It arrives in three days.", "It arrives in two days.", []),
        ("It ships tomorrow.", "It ships on Monday.", []),
        ("预计明天到", "预计后天到", []),
        ("3-5个工作日到账", "5-7个工作日到账", []),
        ("订单LL20261101已发货", "订单LL20261102已发货", []),
        ("Your Glow Vitamin C Essence ships today.", "Your Clear BHA Toner ships today.", ["Glow Vitamin C Essence"]),
        ("您的水丝玻尿酸精华今天发出", "您的积雪草修护霜今天发出", ["水丝玻尿酸精华"]),
    ],
)
def test_fact_fix(original: str, final: str, personal: list[str]) -> None:
    edit = analyse(original, final, personal=personal)
    assert edit.primary is EditClass.FACT_FIX


@pytest.mark.parametrize(
    ("original", "final", "personal"),
    [
        ("Refund of 159 CNY is on its way.", "Refund of 139 CNY is on its way.", []),  # money is policy
        ("Thanks, it ships within 2 hours.", "Thanks, it ships soon.", []),  # a fact removed, none added
        ("I packed the Clear BHA Toner and the cream.", "I packed the cream.", ["Clear BHA Toner"]),  # deleted
        ("预计2小时内回复您", "我们会尽快回复您", []),
    ],
)
def test_not_fact_fix(original: str, final: str, personal: list[str]) -> None:
    assert EditClass.FACT_FIX not in analyse(original, final, personal=personal).classes


@pytest.mark.parametrize(
    ("original", "final"),
    [
        ("Your parcel is with the courier.", "We have checked everything again for you."),
        ("您的包裹在路上", "我们已经为您重新安排"),
    ],
)
def test_rewritten(original: str, final: str) -> None:
    edit = analyse(original, final)
    assert edit.token_ratio >= 0.6
    assert edit.primary is EditClass.REWRITTEN


def test_small_edit_is_not_rewritten() -> None:
    edit = analyse("Your parcel is with the courier now.", "Your parcel is with the courier today.")
    assert edit.token_ratio < 0.6
    assert EditClass.REWRITTEN not in edit.classes


@pytest.mark.parametrize(
    ("original", "final", "personal"),
    [
        ("Hi there, your parcel is late.", "Hi Emma, your parcel is late.", ["Emma"]),
        ("Hi, your serum is on its way.", "Hi, your hydra silk serum is on its way.", ["Hydra Silk Serum"]),
        ("您好，包裹已发出", "王芳您好，包裹已发出", ["王芳"]),
    ],
)
def test_personalisation(original: str, final: str, personal: list[str]) -> None:
    assert analyse(original, final, personal=personal).primary is EditClass.PERSONALISATION


@pytest.mark.parametrize(
    ("original", "final", "personal"),
    [
        ("Hi Emma, your parcel is late.", "Hi Emma, your parcel is late!", ["Emma"]),  # already there
        ("Hi there, your parcel is late.", "Hi friend, your parcel is late.", ["Emma"]),  # not a known value
        ("王芳您好，包裹已发出", "王芳您好，包裹发出了", ["王芳"]),
    ],
)
def test_not_personalisation(original: str, final: str, personal: list[str]) -> None:
    assert EditClass.PERSONALISATION not in analyse(original, final, personal=personal).classes


@pytest.mark.parametrize(
    ("original", "final", "before"),
    [
        ("Your parcel is late. Not my problem.", "Your parcel is late. I am sorry.", ["tone_banned_phrase"]),
        ("Send a photo of the box.", "Please send a photo of the box.", []),
        ("I see why you are upset.", "I understand why you are upset.", []),
        ("发张照片", "亲，辛苦发张照片", []),
        ("你好，麻烦发张照片", "您好，麻烦发张照片", []),
        ("这个我们也没办法", "非常抱歉，这个我们也没办法", []),
    ],
)
def test_tone(original: str, final: str, before: list[str]) -> None:
    assert analyse(original, final, before=before).primary is EditClass.TONE


def test_tone_is_the_fallback_when_markers_changed_amid_a_bigger_change() -> None:
    edit = analyse("你好，发张照片", "您好，麻烦发张照片")  # markers changed; the rest changed 3 of 7 tokens
    assert edit.classes == [EditClass.TONE]


@pytest.mark.parametrize(
    ("original", "final"),
    [
        ("我亲自检查", "我会亲自检查"),  # 亲自 (in person) is not the shop's 亲
        ("Your parcel left today.", "Your parcel was sent today."),  # no marker changed
    ],
)
def test_not_tone(original: str, final: str) -> None:
    assert EditClass.TONE not in analyse(original, final).classes


def test_markers_are_not_tone_when_the_rest_changed_more_than_a_quarter() -> None:
    # Without the markers: "Your parcel is with the courier now" -> "Emma your parcel is with the courier", 3 of 7.
    edit = analyse(
        "Your parcel is with the courier now.", "Emma, sorry, your parcel is with the courier.", personal=["Emma"]
    )
    assert edit.classes == [EditClass.PERSONALISATION]


def test_markers_with_a_large_change_and_a_fact_fix_are_not_tone() -> None:
    edit = analyse("Sorry, your parcel is late.", "Your parcel left the warehouse on 12 May and arrives in 2 days.")
    assert EditClass.FACT_FIX in edit.classes
    assert EditClass.TONE not in edit.classes


@pytest.mark.parametrize(
    ("original", "final"),
    [
        (
            "Hello. We checked your order and it is on the way. It will arrive soon. Thanks for waiting patiently.",
            "We checked your order and it is on the way. Thanks for waiting.",
        ),
        ("包裹已经从杭州仓库发出了，顺丰会尽快送到，请留意查收", "包裹已经发出了，顺丰会尽快送到"),
    ],
)
def test_shortened(original: str, final: str) -> None:
    edit = analyse(original, final)
    assert len(final) <= 0.8 * len(original)
    assert edit.primary is EditClass.SHORTENED


@pytest.mark.parametrize(
    ("original", "final"),
    [
        ("Your parcel is on its way to you now.", "Refund issued, see email."),  # short but new words
        ("Your parcel is on its way to you now.", "Your parcel is on its way now."),  # barely shorter
        ("包裹已经从杭州仓库发出了", "退款已经提交"),
    ],
)
def test_not_shortened(original: str, final: str) -> None:
    assert EditClass.SHORTENED not in analyse(original, final).classes


@pytest.mark.parametrize(
    ("original", "final"),
    [
        ("Hi Emma,  thanks", "Hi Emma, thanks"),
        ("Your parcel is late. It ships today.", "Your parcel is late; it ships today."),
        ("包裹已发出。", "包裹已发出！"),
        ("I am happy", "I am very happy"),
    ],
)
def test_minor_when_nothing_else_applies(original: str, final: str) -> None:
    assert analyse(original, final).classes == [EditClass.MINOR]


def test_classes_come_in_priority_order() -> None:
    edit = analyse(
        "Hi there, use SORRY20; it arrives in 3 days.",
        "Hi Emma, use SORRY10; it arrives in 5 days.",
        personal=["Emma"],
    )
    assert edit.classes == [EditClass.POLICY_FIX, EditClass.FACT_FIX, EditClass.PERSONALISATION]
    assert edit.primary is EditClass.POLICY_FIX


def test_a_drastic_cut_is_shortened_not_rewritten() -> None:
    # token_ratio counts deletions, so cutting 19 of 31 tokens reaches the rewritten threshold (0.6129).
    edit = analyse("包裹已经从杭州仓库发出了，顺丰会尽快送到，请留意查收，有问题随时找我", "包裹已经发出了，请留意查收")
    assert edit.token_ratio == 0.6129
    assert edit.classes == [EditClass.SHORTENED]


def test_rewritten_outranks_personalisation_and_tone() -> None:
    edit = analyse("Your parcel is with the courier.", "Sorry Emma, we will look into this for you.", personal=["Emma"])
    assert edit.classes == [EditClass.REWRITTEN, EditClass.PERSONALISATION]
    assert edit.primary is EditClass.REWRITTEN
