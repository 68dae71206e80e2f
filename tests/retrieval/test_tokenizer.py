"""Chinese words via jieba (with shop vocabulary), English stems, identifiers."""

from __future__ import annotations

from drafter.retrieval.tokenizer import Tokenizer

tokenizer = Tokenizer()


def test_chinese_keeps_domain_words_and_drops_particles() -> None:
    tokens = tokenizer.tokens("请问积雪草修护霜敏感肌可以用吗？")
    assert "积雪草" in tokens
    assert "敏感肌" in tokens
    assert "吗" not in tokens
    assert "请问" not in tokens


def test_english_is_stemmed_and_stopwords_dropped() -> None:
    assert tokenizer.tokens("Returning the shoes") == tokenizer.tokens("return shoe")
    assert "the" not in tokenizer.tokens("the refunds")


def test_mixed_text_gets_both() -> None:
    tokens = tokenizer.tokens("我的SF快递 refund 还没到")
    assert "refund" in tokens
    assert "快递" in tokens
    assert "sf" in tokens


def test_identifiers_are_found() -> None:
    assert tokenizer.identifiers("where is order #AB12345 and 20261122001?") == ["ab12345", "20261122001"]
    assert tokenizer.identifiers("where is my order") == []


def test_is_chinese() -> None:
    assert Tokenizer.is_chinese("退货")
    assert not Tokenizer.is_chinese("returns")
