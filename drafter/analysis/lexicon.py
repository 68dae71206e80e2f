"""Cue patterns (English and Chinese) for intents, sentiment, escalation and prompt injection.

Patterns are lowercase regular expressions matched against lowercased customer text. They were
written from DOMAIN.md's situations and tuned on `evals/datasets/analysis.jsonl`.
"""

from __future__ import annotations

import re

from drafter.core.drafts import EscalationTrigger, Intent


def _compile(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


INTENT_CUES: dict[Intent, re.Pattern[str]] = {
    Intent.DAMAGED: _compile(
        [
            r"\b(stain(ed)?|scratch(ed)?|hole|loose thread|button (came|fell) off|zip(per)? (broke|stuck)|melted|crushed|squashed|bent)\b|污渍|划痕|破洞|脱线|扣子掉|拉链坏|融化|压扁|变形",
            r"\b(broken|broke|damaged|damage|crack(ed)?|smashed|shattered|leak(ed|ing|s)?|spilled|dented|torn|ripped)\b",
            r"\b(defective|faulty|doesn'?t work|not working|stopped working|falling apart|came apart|seam)\b",
            r"破(了|损|掉)|碎了|漏(了|液)|摔坏|坏了|压坏|裂(了|开)|撕破|开线|掉线头|瑕疵|质量问题|次品|漏出来",
        ]
    ),
    Intent.WRONG_ITEM: _compile(
        [
            r"发成|寄成|收到的是|不是我下单的|少了|缺了|漏了|只收到",
            r"\b(wrong|different) (colou?r|size|shade|item|product|one|model)|\bsent (me )?(a|the) \w+ instead\b|\binstead of (the|my)\b|\bmissing\b|\bonly (got|received|came with)\b|\bnot (the|what) (one|i) (i )?ordered\b|\bordered .{0,30} (got|received|came)\b",
            r"\bwrong (item|size|colou?r|product|shade|one|thing|order)\b",
            r"\b(not what i ordered|sent me the wrong|received the wrong|got the wrong|instead of)\b",
            r"\b(missing item|item (is )?missing|only (got|received) one)\b",
            r"发错|寄错|错发|不是我(买|拍|要)的|颜色不对|尺码不对|色号不对|少发|漏发|少了一(件|个|支)",
        ]
    ),
    Intent.LATE: _compile(
        [
            r"\b(need it by|by tomorrow|still waiting|waiting (for|since)|over a week|two weeks|10 days|not received|never (came|arrived)|delivered but|says delivered)\b|等了|还没收到|显示签收.{0,6}没收到|没收到",
            r"\b(late|delayed|delay|still (not|hasn'?t|haven'?t)|not (arrived|here|received) yet|hasn'?t arrived)\b",
            r"\b(taking (so|too) long|stuck|no update|not moving|hasn'?t moved|lost (parcel|package)|days? (ago|now))\b",
            r"\b(where the hell|where is my (order|parcel|package) (it'?s|its) been)\b",
            r"还没(到|收到|发货|发)|怎么还没|没动|不动了|没更新|物流(停|卡)|卡住|延迟|晚了|太慢|丢件|丢了|迟迟|好几天|一周了|几天了",
        ]
    ),
    Intent.ORDER_STATUS: _compile(
        [
            r"发了吗|发货没|到了没|什么时候发|几天能到|多久能到|派送|配送|签收|快递到哪|物流怎么",
            r"\b(where'?s|where is|wheres) (my|the|our) (order|parcel|package|stuff|delivery)|\b(shipped|dispatched|out for delivery|processing|tracking number)\b|\bwhen (will|does|do|can) .{0,30}\b(arrive|ship|come|get here|be delivered)|\border\b.{0,20}\bstatus\b|\bchecking on my\b|\bcoming by sf\b|\bupgrade go through\b",
            r"\b(where is my|track(ing)?|order status|status of my|when will (it|my order|my parcel) (arrive|ship|come))\b",
            r"\b(has (it|my order) (shipped|been sent)|shipping (update|status)|delivery date|eta)\b",
            r"到哪了|到哪里|物流信息|查(一下)?物流|快递单号|发货了吗|什么时候(发货|到|能到)|订单状态|单号",
        ]
    ),
    Intent.REFUND: _compile(
        [
            r"\b(refund(ed)?|money|charged|reimburse|pay(ment)? back|credit (back|card))\b|退款|退钱|钱.{0,4}(退|到)|扣款|多扣|差价",
            r"\b(refund|money back|reimburse|chargeback|my money)\b",
            r"退款|退钱|钱(还)?没(到|退)|返款|到账",
        ]
    ),
    Intent.RETURN: _compile(
        [
            r"\b(send (it|them|these) back|don'?t want (it|them)|changed my mind|not for me|return (it|them|the))\b|不想要了|不要了|退了吧",
            r"\b(return|send (it|this|them) back|returning|return label)\b",
            r"退货|退回|寄回|七天无理由|无理由|退掉",
        ]
    ),
    Intent.EXCHANGE: _compile(
        [
            r"\b(exchange|swap|change (it|the size|the colou?r|to a)|different size|bigger size|smaller size|size up|size down)\b",
            r"换货|换(一|个)?(下|件|码|色|尺码|颜色|大|小)|调换|换成|换[a-z0-9]{1,3}码|换.{0,4}(码|号|色)",
        ]
    ),
    Intent.DISCOUNT: _compile(
        [
            r"优惠|活动|满减|券|便宜|价格|贵|双十一|双十二|双11|双12|折",
            r"\b(coupon|code|promo|voucher|discount|cheaper|price|expensive|deal|offer|sale price|double 1[12]|bundle)\b",
            r"\b(discount|coupon|promo code|voucher|cheaper|lower (the )?price|too expensive|pricey|overpriced|any deals?)\b",
            r"\b(price match|deal|sale|code)\b.*\b(or i|otherwise|won'?t buy)\b",
            r"优惠|便宜|打折|折扣|降价|太贵|贵了|优惠券|优惠码|券|少点|包邮吗|砍价|能不能再",
        ]
    ),
    Intent.COMPLAINT: _compile(
        [
            r"起球|掉色|缩水|有异味|味道很大|不回复|没人回|客服.{0,4}(慢|差)|气死|生气|无语|离谱|什么破|不值|后悔|坑",
            r"\b(see-through|pilling|pilled|faded|shrank|shrunk|itchy|cheap(ly)? made|fell apart|smells|rude|ignored|no one (replied|answered)|slow (reply|service)|not happy|unhappy|annoyed|upset|angry|wtf|joke)\b",
            r"\b(terrible|awful|worst|disappointed|unacceptable|ridiculous|horrible|complain(t)?|scam|rip ?off|rude)\b",
            r"\b(never (buying|ordering|shop) again|bad service|poor quality|waste of money|not as (pictured|described))\b",
            r"差评|投诉|太差|垃圾|失望|骗子|坑人|态度(差|不好)|不满意|货不对板|和图片不一样|色差|质量(太)?差|退钱",
        ]
    ),
    Intent.PRAISE: _compile(
        [
            r"好看|好喜欢|太爱|惊喜|满意|推荐给|好评|赞|真不错|很舒服|质量很好|包装很用心|小姐姐态度好",
            r"\b(love|loved|loving|obsessed|gorgeous|beautiful|so soft|fits perfectly|great|awesome|fantastic|thank(s| you)|appreciate|impressed|recommend(ed)? (it|you))\b",
            r"\b(love (it|them|this)|amazing|thank you so much|great (service|product|quality)|perfect|obsessed|so happy)\b",
            r"\b(well done|excellent|wonderful|five stars|5 stars|highly recommend)\b",
            r"好评|喜欢|太好用|好用|超赞|很棒|满意|爱了|感谢|谢谢你们|五星|回购|绝绝子|宝藏",
        ]
    ),
    Intent.PRE_SALE: _compile(
        [
            r"有没有|有吗|是不是|会不会|能不能|多大|多少钱|什么颜色|面料|材质|起球|掉色|透不透|厚不厚|显白|黄皮|送到|包邮|发哪个快递",
            r"\b(shade|shades|colou?rs?|vegan|cruelty|material|fabric|wash|lighter|darker|sizing|runs (small|big|large)|ship to|deliver to|free shipping|how long does (it|shipping) take)\b|\b(do|does|is|are|can|will) (you|it|this|they|the \w+) .{0,40}\?",
            r"\b(suitable|good for|work for|does it|is it|can i use|which (one|size|shade)|recommend|difference between)\b",
            r"\b(sensitive skin|oily skin|dry skin|acne|pregnan|ingredients?|fragrance|size chart|fit|true to size)\b",
            r"\b(in stock|available|how (to|do i) use|think about it|not sure|should i (buy|get))\b",
            r"适合|能用吗|可以用吗|敏感肌|油皮|干皮|痘痘|孕妇|成分|香精|酒精|尺码|码数|偏大|偏小|推荐|哪个好|区别|有货|考虑一下|考虑考虑|再想想|再看看吧|怎么用|色号",
        ]
    ),
}

# Higher wins a tie: a concrete fault outranks a general complaint, which outranks a question.
INTENT_PRIORITY: list[Intent] = [
    Intent.DAMAGED,
    Intent.WRONG_ITEM,
    Intent.LATE,
    Intent.REFUND,
    Intent.EXCHANGE,
    Intent.RETURN,
    Intent.COMPLAINT,
    Intent.DISCOUNT,
    Intent.ORDER_STATUS,
    Intent.PRE_SALE,
    Intent.PRAISE,
]

NEGATIVE = _compile(
    [
        r"\b(angry|furious|upset|annoyed|frustrat\w*|disappointed|terrible|awful|worst|hate|ridiculous|unacceptable)\b",
        r"\b(wtf|damn|useless|scam|never again|fed up|sick of|still waiting)\b",
        r"生气|气死|失望|垃圾|无语|烦|太差|差评|坑|骗|离谱|恶心|崩溃|着急|急死|受不了",
        r"😡|😤|😠|🤬|💢",
    ]
)
POSITIVE = _compile(
    [
        r"\b(love|thanks|thank you|great|amazing|perfect|happy|awesome|excellent|appreciate)\b",
        r"喜欢|谢谢|感谢|好用|满意|开心|棒|爱了|赞",
        r"😍|🥰|❤️|👍|😊",
    ]
)

ESCALATION_CUES: dict[EscalationTrigger, re.Pattern[str]] = {
    EscalationTrigger.LEGAL: _compile(
        [
            r"\b(lawyer|attorney|sue|suing|lawsuit|court|legal action|consumer (protection|association)|report you)\b",
            r"12315|消协|消费者协会|律师|起诉|法院|打官司|投诉到(平台|工商|市场监管)|工商局|市场监管|维权",
        ]
    ),
    EscalationTrigger.ABUSE: _compile(
        [
            r"\b(idiot|stupid|moron|f+u+c+k|shit|bitch|bastard|i will (hurt|find) you|kill)\b",
            r"傻逼|sb|滚|去死|废物|脑残|妈的|操你|混蛋",
        ]
    ),
    EscalationTrigger.MEDIA: _compile(
        [
            r"\b(journalist|reporter|press|news|media|blogger|influencer|my followers|go viral|post (this|about))\b",
            r"记者|媒体|曝光|博主|粉丝|发(小红书|微博|笔记)|网上说|让大家看看",
        ]
    ),
    EscalationTrigger.SKIN_REACTION: _compile(
        [
            r"\b(allerg\w*|rash|hives|breakout|broke out|burning|stinging|itch\w*|swollen|swelling|red (bumps|patches))\b",
            r"过敏|红肿|刺痛|发痒|痒|起疹|疹子|泛红|烂脸|灼热|爆痘|起痘",
        ]
    ),
}

INJECTION_CUES: dict[str, re.Pattern[str]] = {
    "ignore_instructions": _compile(
        [
            r"\b(ignore|disregard|forget) (all |any |your |the |previous |prior |above )*(rules|instructions|policies|prompt)",
            r"忽略(之前|以上|上面|你的|所有)?(的)?(指令|规则|提示|设定)|不要(遵守|管)(规则|政策)",
        ]
    ),
    "role_override": _compile(
        [
            r"\byou are now\b|\bact as\b|\bpretend (to be|you are)\b|developer mode|jailbreak|\bdan\b",
            r"你现在是|扮演|假装你是",
        ]
    ),
    "prompt_probe": _compile([r"system prompt|your instructions|reveal your", r"系统提示|提示词|你的指令"]),
    "demand_unlimited": _compile(
        [r"100% (refund|off|discount)|full refund code|free (everything|order)|unlimited", r"全额退款码|免单|100%退款"]
    ),
}

PHOTO_CUES = re.compile(r"photo|picture|pic|image|attached|video|照片|图片|拍了|视频|截图|附图")
SIZE_CUES = re.compile(r"\b(xs|s|m|l|xl|xxl|small|medium|large|size \w+)\b|[smlx]码|大一码|小一码|\d{2,3}\s?(cm|斤|kg)")
SKIN_CUES = re.compile(r"\b(oily|dry|combination|sensitive|normal) skin\b|油皮|干皮|混合皮|敏感肌|中性皮")
FLASH_SALE_CUES = re.compile(
    r"\b(sale ends|ends tonight|last day|flash sale|before midnight)\b|秒杀|今晚截止|最后一天|快结束|限时"
)
NON_URGENT_CUES = re.compile(
    r"\b(suggest(ion)?|feedback|partnership|collab\w*|press|wholesale|business)\b|建议|合作|商务|批发|反馈"
)
PAYMENT_CUES = re.compile(
    r"\b(payment|paid twice|charged twice|card declined|can'?t pay)\b|付款|支付|扣款|扣了两次|付不了"
)
