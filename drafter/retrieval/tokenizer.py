"""Lexical tokens for Chinese (jieba) and English (Snowball stems), in one pass over mixed text."""

from __future__ import annotations

import functools
import logging
import re
import threading

import jieba
import Stemmer

_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[a-z0-9]+(?:['\-][a-z0-9]+)*")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_IDENTIFIER = re.compile(r"(?=[a-z0-9-]*\d)(?=[a-z0-9-]*[a-z])[a-z0-9-]{4,}|\d{5,}")

_EN_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "from",
        "by",
        "with",
        "about",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "she",
        "it",
        "its",
        "they",
        "them",
        "their",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "have",
        "has",
        "had",
        "not",
        "no",
        "so",
        "than",
        "too",
        "very",
        "just",
        "also",
        "any",
        "some",
        "please",
        "hi",
        "hello",
        "hey",
        "thanks",
        "thank",
        "pls",
        "plz",
    ]
)
_ZH_STOP = frozenset(
    [
        "的",
        "了",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "哦",
        "嘛",
        "是",
        "我",
        "你",
        "他",
        "她",
        "它",
        "我们",
        "你们",
        "们",
        "这",
        "那",
        "这个",
        "那个",
        "就",
        "都",
        "也",
        "还",
        "在",
        "有",
        "和",
        "与",
        "及",
        "或",
        "一个",
        "一下",
        "请问",
        "请",
        "亲",
        "您好",
        "你好",
        "谢谢",
        "么",
        "怎么",
        "什么",
        "可以",
        "能",
        "会",
        "要",
        "想",
        "给",
        "把",
        "被",
        "让",
        "吗",
        "哈",
        "嗯",
    ]
)
# Domain words jieba would otherwise split: products, ingredients and policy terms.
_DOMAIN_WORDS = [
    "玻尿酸",
    "积雪草",
    "水杨酸",
    "视黄醛",
    "维C",
    "烟酰胺",
    "神经酰胺",
    "氨基酸",
    "洁面",
    "精华",
    "修护霜",
    "爽肤水",
    "唇釉",
    "气垫",
    "防晒乳",
    "泥膜",
    "护手霜",
    "化妆刷",
    "开衫",
    "阔腿裤",
    "吊带裙",
    "羽绒服",
    "瑜伽裤",
    "围巾",
    "托特包",
    "半身裙",
    "发圈",
    "桑蚕丝",
    "亚麻",
    "羊绒",
    "纯棉",
    "七天无理由",
    "无理由退货",
    "运费险",
    "退货",
    "退款",
    "换货",
    "换码",
    "尺码",
    "色号",
    "敏感肌",
    "痘痘肌",
    "孕妇",
    "过敏",
    "保价",
    "价保",
    "发票",
    "顺丰",
    "中通",
    "包邮",
    "偏远地区",
    "物流",
    "快递",
    "单号",
    "破损",
    "错发",
    "漏发",
    "少发",
    "优惠券",
    "优惠码",
    "会员",
    "金卡",
    "银卡",
    "铜卡",
    "双11",
    "双12",
    "客服",
]

logging.getLogger("jieba").setLevel(logging.WARNING)


@functools.cache
def _chinese_dictionary() -> jieba.Tokenizer:
    """One jieba dictionary per process (loading costs about half a second); read-only after this."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in _DOMAIN_WORDS:
        tokenizer.add_word(word, freq=20000)
    return tokenizer


class Tokenizer:
    """Turns text into BM25 tokens. Thread-safe after construction (jieba is initialised eagerly)."""

    def __init__(self) -> None:
        self._jieba = _chinese_dictionary()
        self._stemmer = Stemmer.Stemmer("english")
        self._lock = threading.Lock()

    def tokens(self, text: str) -> list[str]:
        out: list[str] = []
        words: list[str] = []
        for run in _RUNS.findall(text.lower()):
            if _CJK.match(run):
                out.extend(w for w in self._jieba.lcut_for_search(run) if w not in _ZH_STOP)
            elif run not in _EN_STOP:
                words.append(run)
        with self._lock:  # PyStemmer objects are not thread-safe
            out.extend(self._stemmer.stemWords(words))
        return out

    @staticmethod
    def identifiers(text: str) -> list[str]:
        """Order numbers, SKUs and codes: tokens dense embeddings cannot match."""
        return _IDENTIFIER.findall(text.lower())

    @staticmethod
    def is_chinese(text: str) -> bool:
        return bool(_CJK.search(text))
