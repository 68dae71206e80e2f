"""Builders for the scorer tests: real analysis, plan and guardrail findings over the demo shop's profile."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import yaml

from drafter.analysis import ConversationAnalyzer
from drafter.core.drafts import DraftContext, DraftOutput, DraftRequest
from drafter.core.evaluation import EvalCase
from drafter.core.models import EntryKind, Language, Passage, RankerScores
from drafter.core.shop_profile import ShopProfile
from drafter.guardrails import Guardrails
from drafter.scoring import Candidate
from drafter.services.planner import Planner
from tests.conftest import KNOWLEDGE

PROFILE = ShopProfile.model_validate(yaml.safe_load((KNOWLEDGE / "shop.yaml").read_text()))
NOW = datetime(2026, 11, 22, 6, tzinfo=UTC)
GUARDRAILS = Guardrails()

EMMA: dict[str, Any] = {"name": "Emma Clarke", "tier": "bronze", "order_count": 2}
WANG: dict[str, Any] = {"name": "王丽", "tier": "silver", "order_count": 5}


def order(order_id: str, item: str, price: str, *, tracking: str | None = None) -> dict[str, Any]:
    return {"id": order_id, "tracking": tracking, "items": [{"name": item, "price": price}]}


def passage(
    entry_id: str,
    body: str,
    *,
    language: Language = "en",
    kind: EntryKind = EntryKind.POLICY,
    fused: float = 0.5,
) -> Passage:
    return Passage(
        entry_id=entry_id,
        version=1,
        version_id=1,
        kind=kind,
        title=entry_id.replace("-", " "),
        snippet=body[:60],
        language=language,
        tags=[],
        product=None,
        rating=None,
        scores=RankerScores(fused=fused),
        body=body,
    )


def context(
    text: str,
    *,
    customer: dict[str, Any] | None = None,
    orders: Sequence[dict[str, Any]] = (),
    channel: str = "xiaohongshu_dm",
    passages: Sequence[Passage] = (),
) -> DraftContext:
    """The context drafting builds for one customer message: the real analyzer and planner, the demo profile."""
    request = DraftRequest.model_validate(
        {
            "conversation": [{"role": "customer", "text": text}],
            "customer": customer,
            "orders": list(orders),
            "channel": channel,
        }
    )
    analysis = ConversationAnalyzer().analyze(request, PROFILE, NOW)
    plan = Planner().plan(request, analysis, PROFILE)
    return DraftContext(
        request=request,
        analysis=analysis,
        plan=plan,
        passages=list(passages),
        profile=PROFILE,
        language=analysis.reply_language,
    )


def eval_case(ctx: DraftContext, **fields: Any) -> EvalCase:
    """An evaluation case over the context's conversation, with the given expectations."""
    return EvalCase.model_validate(
        {
            "id": "case-1",
            "user_input": [m.model_dump() for m in ctx.request.conversation],
            "channel": ctx.request.channel,
            **fields,
        }
    )


def candidate(ctx: DraftContext, reply: str, *, cited: Sequence[str] = (), case: EvalCase | None = None) -> Candidate:
    """A reply with the findings the real guardrails give it in this context."""
    findings = GUARDRAILS.check(DraftOutput(reply=reply, cited_ids=list(cited)), ctx)
    return Candidate(reply=reply, context=ctx, findings=findings, cited_ids=tuple(cited), case=case)


# The shop's situations, each in English and Chinese.
LATE_EN_ORDER = order("LL2041", "Hydra Silk Hyaluronic Serum 30 ml", "159", tracking="ZTO778812345")
LATE_ZH_ORDER = order("LL2042", "水丝玻尿酸精华 30ml", "159", tracking="ZTO778899001")
LATE_EN_PASSAGES = (
    passage(
        "policy-late-delivery",
        "A parcel is late 2 days past the estimate. Check with the carrier, upgrade to SF Express when reshipping, "
        "and refund if the new date is missed. Tell the customer they will hear back within 2 hours.",
        fused=0.9,
    ),
    passage(
        "policy-apology-codes",
        "Apology codes: SORRY10 gives 10 CNY off a spend of 59 CNY, valid 30 days, any tier.",
        fused=0.7,
    ),
    passage(
        "faq-express-upgrade",
        "An SF Express upgrade costs 12 CNY; tier-1 cities get express parcels in 1 day.",
        kind=EntryKind.FAQ,
        fused=0.4,
    ),
)
LATE_ZH_PASSAGES = (
    passage(
        "policy-late-delivery-zh",
        "超过预计时间2天算延误。先联系快递核实，补发时升级顺丰，新日期仍未送达就退款。告知顾客2小时内回复。",
        language="zh",
        fused=0.9,
    ),
    passage(
        "policy-apology-codes-zh",
        "道歉券：SORRY10满59元减10元，SORRY20满99元减20元，30天有效。",
        language="zh",
        fused=0.6,
    ),
)
LATE_EN = context(
    "My order LL2041 was supposed to arrive on Monday and it's still not here. This is really annoying.",
    customer=EMMA,
    orders=[LATE_EN_ORDER],
    passages=LATE_EN_PASSAGES,
)
LATE_ZH = context(
    "我的快递已经晚了三天了，还没到，太着急了！", customer=WANG, orders=[LATE_ZH_ORDER], passages=LATE_ZH_PASSAGES
)
DAMAGED_EN = context(
    "The cica cream arrived with the jar cracked and cream all over the box. Photo attached.",
    customer=EMMA,
    orders=[order("LL3105", "Calm Cica Barrier Cream 50 ml", "139")],
)
DAMAGED_ZH = context(
    "收到的积雪草修护霜瓶子碎了，膏体漏得到处都是，已经拍照了。",
    customer=WANG,
    orders=[order("LL3106", "积雪草修护霜 50ml", "139")],
)
PRESALE_EN = context("Is the Hydra Silk serum ok for sensitive skin? I'm thinking of buying it.")
PRESALE_ZH = context("请问水丝玻尿酸精华敏感肌可以用吗？想买来试试。")
REFUND_EN = context(
    "I want a full refund for the silk dress, it's faulty and the seam split after one wear.",
    customer=EMMA,
    orders=[order("LL5120", "Mulberry Silk Slip Dress", "599")],
)
REFUND_ZH = context(
    "桑蚕丝吊带裙穿一次就开线了，我要全额退款！", customer=WANG, orders=[order("LL5121", "桑蚕丝吊带裙", "599")]
)
DISCOUNT_EN = context("Can I get a discount code? I'll buy the cardigan if you give me 20% off.", customer=EMMA)
DISCOUNT_ZH = context("能给个优惠券吗？便宜点我就买开衫。", customer=WANG)
SKIN_EN = context(
    "I used the cica cream and now my face is red and itchy, I think I'm allergic.",
    customer=EMMA,
    orders=[order("LL3107", "Calm Cica Barrier Cream 50 ml", "139")],
)
SKIN_ZH = context(
    "用了积雪草修护霜脸上起红疹还很痒，是不是过敏了",
    customer=WANG,
    orders=[order("LL3108", "积雪草修护霜 50ml", "139")],
)
