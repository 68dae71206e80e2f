"""Voice of the customer: route what a customer says to the team that can act on it.

Product quality, looks, fit and ease of use go to operations; invoices and money that has not
arrived to finance; parcels, picking mistakes and delivery requests to logistics; everything else
stays with customer service. Cue words decide first, in the order of `_RULES`: the more specific
problem wins (a crushed box is a transit problem even though the bottle inside broke, an invoice
question that mentions a late parcel is about the invoice). The conversation's intent is the
fallback when no cue matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum

from pydantic import Field

from drafter.core.drafts import Intent
from drafter.core.models import Frozen


class Department(StrEnum):
    OPERATIONS = "operations"
    FINANCE = "finance"
    LOGISTICS = "logistics"
    CUSTOMER_SERVICE = "customer_service"


class VocTag(Frozen):
    """Where one piece of customer feedback goes: the team, a stable topic slug and the product concerned."""

    department: Department
    topic: str = Field(pattern=r"^[a-z][a-z_]{1,39}$", description="e.g. quality, invoice, delivery_delay")
    product: str | None = None


def _cues(en: str, zh: str) -> re.Pattern[str]:
    # ASCII lookarounds, not \b: CJK characters count as word characters.
    return re.compile(rf"(?<![A-Za-z])(?:{en})(?![A-Za-z])|{zh}", re.I)


_OPS, _FIN, _LOG, _CS = Department.OPERATIONS, Department.FINANCE, Department.LOGISTICS, Department.CUSTOMER_SERVICE

# First match wins: keep the specific problems above the general ones.
_RULES: tuple[tuple[Department, str, re.Pattern[str]], ...] = (
    (_FIN, "invoice", _cues(r"invoices?|fapiao|receipts?|vat|tax id|reimbursement", r"发票|开票|抬头|税号|报销")),
    (
        _FIN,
        "refund_payment",
        _cues(
            r"refund[^.?!\n]{0,40}(?:not|n't|never|still|yet|overdue)|where(?:'s| is) my (?:refund|money)"
            r"|(?:haven't|hasn't|didn't|don't|not) (?:\w+ ){0,3}(?:received|got|gotten|have|seen?) (?:my |the |any )?"
            r"(?:money|refund)|charged twice|double[- ]charged|overcharged|payment (?:failed|declined|issue|problem)",
            r"没有?到账|退款[^。？！\n]{0,10}没有?(?:到|收到|退)|钱[^。？！\n]{0,6}没有?(?:到|收到|退)"
            r"|扣款|多扣|重复扣|扣了两次|支付失败|付款失败|付不了款?",
        ),
    ),
    (
        _LOG,
        "damaged_in_transit",
        _cues(
            r"crushed|squashed|dented|smashed|shattered|damaged (?:in|during) (?:transit|shipping|delivery)"
            r"|(?:box|parcel|package|packaging) (?:was |is |came |arrived )?(?:all )?"
            r"(?:damaged|crushed|torn|wet|open|broken|battered|ripped)|(?:poorly|badly) packed",
            r"压坏|压扁|压变形|碎了|摔坏|摔碎|(?:包装|外箱|箱子|盒子|快递盒)[^。？！\n]{0,4}(?:破|烂|坏|扁|湿|敷衍|简陋|太差)",
        ),
    ),
    (
        _OPS,
        "sizing",
        _cues(r"(?:ordered|bought|picked|chose) the wrong (?:size|one)", r"(?:拍|买|选)错了?(?:尺码|码|号)"),
    ),
    (
        _LOG,
        "wrong_item",
        _cues(
            r"wrong (?:item|product|colou?r|shade|size|one|order|thing)|sent (?:me )?(?:the )?wrong|not what i ordered"
            r"|(?:got|received|sent) (?:me )?(?:a |an |the )?[^.?!\n]{0,40} instead"
            r"|missing (?:from|in) (?:the |my )?(?:box|parcel|package|order)|only got \d+ of",
            r"发错|寄错|错发|发成|寄成|少发|漏发|少了一|缺了一|不是我(?:买|拍|下单|要)的|寄来的是|收到的是",
        ),
    ),
    (
        _LOG,
        "address_change",
        _cues(
            r"(?:change|update|correct|fix|edit|modify) (?:my |the |your |shipping |delivery )*address"
            r"|(?:old|wrong|new) address|address (?:is |was )?wrong",
            r"地址[^。？！\n]{0,3}(?:填|写|选)错|(?:改|修改|更改|换)(?:一下|个|一个)?(?:收货)?地址|改派",
        ),
    ),
    (
        _LOG,
        "lost_parcel",
        _cues(
            r"lost|lose (?:my|the|our) (?:parcel|package|order)|missing (?:parcel|package)"
            r"|no (?:scan|update|movement|tracking update)s?|hasn't moved|not moving|(?:stuck|sitting) (?:in|at)",
            r"丢件|丢了|弄丢|没有?(?:动|更新|扫描|物流)|不动了|物流(?:停|卡)",
        ),
    ),
    (
        _LOG,
        "delivery_delay",
        _cues(
            r"late|delay\w*|still waiting|still (?:not|hasn't|haven't) (?:arrived|come|received|here)|overdue"
            r"|not (?:arrived|here|received) yet|hasn't (?:arrived|come)|never (?:arrived|came)|(?:it'?s|its) been \d+"
            r"|taking (?:so|too) long",
            r"还没(?:到|收到|发货|发)|没收到|迟迟|延迟|延误|晚了|太慢|好慢|好几天|怎么还没",
        ),
    ),
    (
        _OPS,
        "not_as_pictured",
        _cues(
            r"not (?:as|like) (?:pictured|described|shown|advertised|in the (?:photos?|pictures?))"
            r"|nothing like the (?:photos?|pictures?|listing)|colou?r is (?:way |totally )?off"
            r"|(?:looks?|is) (?:different|off) (?:from|than|to) the (?:photos?|pictures?|listing|description)",
            r"(?<!没有)(?<!没)(?<!无)色差|(?:和|跟|与)(?:图片|图|详情页|描述)(?:不一样|不符|差(?:别|距)?(?:很|太)?大)"
            r"|货不对板|图片不符",
        ),
    ),
    (
        _OPS,
        "hard_to_use",
        _cues(
            r"hard to (?:use|open|apply|close)|difficult to (?:use|open|apply)|confusing|awkward to use"
            r"|not user[- ]friendly|(?:pump|zip(?:per)?|cap|lid|applicator|clasp)"
            r" (?:doesn't|won't) (?:work|open|close)",
            r"不好用|难用|不会用|用不了|打不开|拧不开|按不出|挤不出|不出液|很难(?:用|打开|拉|涂|推)",
        ),
    ),
    (
        _OPS,
        "skin_reaction",
        _cues(
            r"itch(?:y|ing)?|burn(?:s|ing)|rash(?:es)?|allerg\w*|(?:skin|bad) reaction|broke me out|breaking out"
            r"|sting(?:s|ing)",
            r"过敏|痒|刺痛|起疹|红肿|疙瘩",
        ),
    ),
    (
        _OPS,
        "sizing",
        _cues(
            r"too (?:small|big|large|tight|loose|snug|baggy)|runs? (?:small|large|big)|(?:size|fit) (?:is |was )?"
            r"(?:off|wrong|weird)|size (?:up|down)|(?:doesn't|didn't|don't) fit|size chart",
            r"偏大|偏小|太大|太小|(?:有点|太|偏|很|好|比较|特别)(?:紧|松)|尺码|码数|大一码|小一码",
        ),
    ),
    (
        _OPS,
        "quality",
        _cues(
            r"defect\w*|faulty|broken|broke|crack(?:ed|s)?|leak\w*|snag\w*|holes?|stain(?:s|ed)?|torn|ripped|pilling"
            r"|pills|fad(?:ed|es|ing)|shedding|sheds|(?:fell|falls|came) apart|(?:poor|bad) quality|cheaply made"
            r"|loose threads?|seams?|stopped working|doesn't work",
            r"质量|瑕疵|次品|跑绒|掉绒|钻绒|开线|脱线|起球|掉色|褪色|破洞|破了|坏了|断了|裂|漏液|漏出|污渍|划痕|掉毛",
        ),
    ),
    (
        _LOG,
        "tracking",
        _cues(
            r"where(?:'s| is) my (?:order|parcel|package|stuff)|tracking(?: number)?|order status"
            r"|has (?:it|my order) shipped|(?:dispatched|shipped) yet"
            r"|when will (?:it|my order|my parcel) (?:arrive|ship)",
            r"到哪了|物流信息|快递单号|单号|发货了吗|发了吗|什么时候(?:发货|到|能到)|几天能到|多久能到",
        ),
    ),
    (
        _LOG,
        "delivery_request",
        _cues(
            r"deliver (?:it |them )?(?:to|on|before|after|at)|delivery (?:time|slot|instructions?|window)"
            r"|leave (?:it|the parcel|the package) (?:at|with|in|outside)|(?:parcel|pickup) locker|express shipping"
            r"|ship (?:it )?(?:by|with) (?:sf|express)",
            r"放(?:快递柜|驿站|门口|前台)|送货上门|送到(?:公司|家|门口)|(?:周末|周六|周日|晚上)[^。？！\n]{0,4}(?:送|派送)"
            r"|发顺丰|加急",
        ),
    ),
)

_BY_INTENT: dict[Intent, tuple[Department, str]] = {
    Intent.PRE_SALE: (_CS, "pre_sale"),
    Intent.ORDER_STATUS: (_LOG, "tracking"),
    Intent.LATE: (_LOG, "delivery_delay"),
    Intent.DAMAGED: (_OPS, "quality"),
    Intent.WRONG_ITEM: (_LOG, "wrong_item"),
    Intent.RETURN: (_CS, "returns"),
    Intent.REFUND: (_FIN, "refund_payment"),
    Intent.EXCHANGE: (_CS, "exchange"),
    Intent.DISCOUNT: (_CS, "discount"),
    Intent.COMPLAINT: (_CS, "complaint"),
    Intent.PRAISE: (_CS, "praise"),
    Intent.OTHER: (_CS, "other"),
}


def route(customer_text: str, intent: Intent, products: Sequence[str]) -> VocTag:
    """The team, topic and product one customer message is feedback about.

    Args:
        customer_text: What the customer wrote (English or Chinese).
        intent: The conversation's intent; decides when no cue word matches.
        products: Product slugs of the order's items; the first one is tagged.
    """
    text = customer_text.replace("’", "'")
    department, topic = next(
        ((dept, topic) for dept, topic, cues in _RULES if cues.search(text)),
        _BY_INTENT.get(intent, (_CS, "other")),
    )
    return VocTag(department=department, topic=topic, product=next((p for p in products if p), None))
