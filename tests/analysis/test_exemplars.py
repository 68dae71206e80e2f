"""Exemplar votes: nearest neighbours decide where rules are silent; the exemplars never leak the test set."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pytest
import yaml

from drafter.analysis import ConversationAnalyzer
from drafter.analysis.exemplars import Exemplar, ExemplarVotes, read_exemplars
from drafter.core.drafts import DraftRequest, Intent
from drafter.core.shop_profile import ShopProfile
from drafter.evaluation.analysis_eval import evaluate, exemplar_analyzer
from tests.conftest import KNOWLEDGE, ROOT
from tests.fakes import HashEmbedder

EXEMPLARS = ROOT / "prompts" / "intent_exemplars.jsonl"
PROFILE = ShopProfile.model_validate(yaml.safe_load((KNOWLEDGE / "shop.yaml").read_text()))
hashed = HashEmbedder(dimension=256)


def embed(texts: Sequence[str], language: str) -> np.ndarray:
    return hashed.embed_queries(list(texts))


def test_votes_follow_the_nearest_exemplars() -> None:
    votes = ExemplarVotes(
        [
            Exemplar(text="can I change my delivery address", language="en", intent=Intent.OTHER),
            Exemplar(text="please change the address on my order", language="en", intent=Intent.OTHER),
            Exemplar(text="the zip on my jacket broke", language="en", intent=Intent.DAMAGED),
        ],
        embed,
        k=2,
    )
    shares = votes.votes(embed(["change address please"], "en")[0], "en")
    assert max(shares, key=lambda intent: shares[intent]) is Intent.OTHER
    assert sum(shares.values()) == pytest.approx(1.0)
    assert votes.votes(None, "en") == {}
    assert votes.votes(embed(["x"], "zh")[0], "zh") == {}


def test_votes_decide_where_no_rule_speaks() -> None:
    votes = ExemplarVotes(
        [Exemplar(text="my parcel went to the neighbour", language="en", intent=Intent.LATE)], embed, k=1
    )
    analyzer = ConversationAnalyzer(exemplars=votes)
    request = DraftRequest.model_validate(
        {"conversation": [{"role": "customer", "text": "parcel went to the neighbour"}]}
    )
    now = datetime(2026, 11, 22, 6, tzinfo=UTC)
    assert ConversationAnalyzer().analyze(request, PROFILE, now).intent is Intent.OTHER
    vector = embed([analyzer.customer_text(request)], "en")[0]
    assert analyzer.analyze(request, PROFILE, now, vector=vector).intent is Intent.LATE


def test_the_exemplar_file_is_balanced_and_disjoint_from_the_test_set() -> None:
    exemplars = read_exemplars(EXEMPLARS)
    counts = Counter((e.intent, e.language) for e in exemplars)
    assert len(counts) == len(Intent) * 2
    assert min(counts.values()) >= 20
    cases = [
        json.loads(line) for line in (ROOT / "evals" / "datasets" / "analysis.jsonl").read_text().splitlines() if line
    ]
    test_texts = {m["text"].strip().lower() for case in cases for m in case["messages"]}
    assert not {e.text.strip().lower() for e in exemplars} & test_texts


@pytest.mark.slow
def test_exemplars_raise_intent_accuracy_with_the_real_models() -> None:
    """Measured 2026-11-22: intent 0.718 en / 0.664 zh with exemplars, against 0.632 / 0.609 from rules alone."""
    cases = [
        json.loads(line) for line in (ROOT / "evals" / "datasets" / "analysis.jsonl").read_text().splitlines() if line
    ]
    analyzer, real_embed = exemplar_analyzer(EXEMPLARS)
    scores = evaluate(cases, PROFILE, analyzer=analyzer, embed=real_embed)
    assert scores.rate("intent/en") >= 0.69
    assert scores.rate("intent/zh") >= 0.64
    assert scores.rate("urgency/en") >= 0.82
    assert scores.rate("injection_false_alarm_free") == 1.0
