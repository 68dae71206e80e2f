"""Cue phrases, English and Chinese, by which the rubric recognises the parts of a reply (DOMAIN.md's craft).

Each pattern is searched case-insensitively in the whole reply. ASCII lookarounds, not \\b, next to CJK text.
"""

from __future__ import annotations

import re

# A sentence: up to its end mark or a line break; a decimal point ("0.5%") does not end it.
SENTENCE = re.compile(r"(?:[^.!?。！？\n]|\.(?=\d))+[.!?。！？]*")
EMPATHY = {
    "en": re.compile(
        r"understand|frustrat|disappoint|annoying|upsetting|worr(y|ied|ying)|can imagine|hear that|"
        r"must (be|have been|feel)|not (how|what) you|(that|this)'?s? (really )?(not ok|a pain|stressful)|"
        r"completely fair|totally fair|fair question|great question|good question|makes sense|i know how|"
        r"i get (it|that|why)|no wonder|oh no|love (that|to hear)|so glad|happy to hear|thrilled|"
        r"thank you for|thanks for|i appreciate|appreciate (you|it|that)|happy to help|glad (you|to)|good catch|"
        r"of course|no worries|i can hear|i hear you",
        re.I,
    ),
    "zh": re.compile(
        r"理解|着急|心急|难受|委屈|糟心|换谁都|辛苦|闹心|失望|担心|能体会|心情|郁闷|生气|不愉快|心疼|"
        r"好问题|问得好|开心|喜欢|感谢|谢谢[您你]|太好了|没关系|不着急|别担心|放心|发现得好|我能感觉到"
    ),
}
APOLOGY = {
    "en": re.compile(r"sorry|apologi[sz]e|apologies|my mistake|our mistake|our fault|on us\b", re.I),
    "zh": re.compile(r"抱歉|对不起|不好意思|歉意|致歉|失误|添麻烦|见谅"),
}
_ACTION_EN = (
    r"send|ship|refund|replace|arrange|check|issue|process|upgrade|add|email|follow|chase|contact|escalate|book|"
    r"resend|cancel|change|update|look|sort|get|make|pass|reserve|hold|keep|text|message|credit|give|flag|"
    r"recommend|suggest|note|waive|cover|raise|start|set|track|confirm|forward|hand|put|ask|apply|open"
)
ACTION = {
    "en": re.compile(
        rf"\b(i|we)('ll| will|'ve| have|'m going to| am going to| can| could|'d| would)\s+(\w+ ){{0,2}}({_ACTION_EN})|"
        r"\b(refund|replacement|prepaid label|return label|exchange|tracking|code|discount|express)\b|"
        r"\b(you can|you could|just|simply|try|here'?s|the best way)\b|"
        # A pre-sale answer solves by informing: what the product is, has or suits.
        r"\b(it|this|the \w+|they|ours) (is|are|has|have|contains?|suits?|works?|comes?|lasts?|fits?|usually)\b|"
        r"\bwe(?:'re| are)? (here|issue|offer|ship|provide|include|cover|accept|open)\b|\b(let's|tip|usually)\b",
        re.I,
    ),
    "zh": re.compile(
        r"(为您|给您|帮您|替您|我们|我来|我这边|马上|立即|这就|会)[^。！？\n]{0,8}"
        r"(安排|补发|退款|退还|换|寄|发|查|核实|申请|处理|跟进|联系|催|登记|备注|升级|赠|送|改|取消|退回|确认|推荐|留意|同步)|"
        r"退款|补发|换货|运单|物流|优惠券|券|可以(?!理解|体会)|建议|含有|适合|支持|包邮"
    ),
}
REFLECT = {
    "en": re.compile(
        r"\byou('ve| have)? (mentioned|said|told|ordered|received|waited|been waiting|got|asked|wrote)|"
        r"\bi see\b|\bi hear\b|(thanks|thank you) for (telling|letting|sharing|the photo|flagging|asking|reaching)|"
        r"\bsounds like|\bso (the|your)\b|\byour (order|parcel|package|item|delivery|question|skin|size|refund|return)",
        re.I,
    ),
    "zh": re.compile(
        r"[您你](说|提到|反映|反馈|的订单|的包裹|的快递|收到|问的|咨询的|这边|在考虑|想|是想|担心)|看到[您你]|了解|收到[您你]|"
        r"明白|感谢[您你]|确实|听起来|看得出|我能感觉到"
    ),
}
ESCALATE = {
    "en": re.compile(r"escalat|manager|team lead|safety lead|supervisor|owner|specialist|senior|colleague", re.I),
    "zh": re.compile(r"主管|店长|负责人|专员|升级|组长|上报|同事|专人|经理|上级"),
}
WHEN = {
    "en": re.compile(
        r"\d+\s*(hours?|minutes?|days?|business days?)|\b(within|in) (an?|one|two|three|a few|the next) "
        r"(hours?|minutes?|days?|business days?)|\bby (today|tonight|tomorrow|the end of|end of|\d)|"
        r"\b(today|tonight|tomorrow|shortly|as soon as possible|asap)\b",
        re.I,
    ),
    "zh": re.compile(
        r"\d+\s*(个)?(小时|分钟|天|工作日)|今天|今晚|明天|尽快|马上|稍后|半小时|[一两二三四五六七八九十]+(个)?(小时|天|工作日)"
    ),
}
STOPWORDS = frozenset(
    [
        "this",
        "that",
        "with",
        "have",
        "from",
        "your",
        "what",
        "when",
        "will",
        "would",
        "could",
        "should",
        "there",
        "their",
        "they",
        "them",
        "then",
        "than",
        "were",
        "been",
        "just",
        "like",
        "also",
        "only",
        "very",
        "much",
        "some",
        "into",
        "about",
        "really",
        "please",
        "thanks",
        "thank",
        "hello",
        "dear",
        "here",
        "more",
        "does",
        "dont",
        "want",
        "need",
        "know",
        "order",
    ]
)
ZH_COMMON = frozenset(
    [
        "您好",
        "你好",
        "谢谢",
        "请问",
        "可以",
        "一下",
        "这个",
        "那个",
        "什么",
        "怎么",
        "我们",
        "你们",
        "就是",
        "还是",
        "没有",
        "已经",
        "现在",
        "亲亲",
    ]
)


def language_of(language: str) -> str:
    return "zh" if language == "zh" else "en"


def key_terms(text: str, language: str) -> set[str]:
    """Content words of a message: English words of 4+ letters (not stop words), Chinese character bigrams."""
    if language_of(language) == "zh":
        runs = re.findall(r"[\u4e00-\u9fff]+", text)
        return {run[i : i + 2] for run in runs for i in range(len(run) - 1)} - ZH_COMMON
    return {w for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in STOPWORDS}


SIGN_OFF = {
    "en": re.compile(
        r"^(thanks|thank you|many thanks|cheers|best|kind regards|warm regards|warmly|regards|best wishes|all the best|"
        r"take care|talk soon|have a (nice|great|lovely|good) (day|evening|weekend))\b",
        re.I,
    ),
    "zh": re.compile(
        r"^(谢谢|感谢|祝您|祝你|么么哒|期待|有任何问题|有问题随时|.{0,8}客服.{0,6}(随时|在这里|竭诚|一直))"
    ),
}
