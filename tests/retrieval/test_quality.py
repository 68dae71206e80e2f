"""Retrieval quality with the real packaged models on the labelled set (slow: embeds both shops once)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drafter.bootstrap import Services, build_services
from drafter.evaluation.retrieval_eval import Score, evaluate, read_dataset
from drafter.retrieval.retriever import Mode
from tests.conftest import KNOWLEDGE, ROOT, make_settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    tmp = tmp_path_factory.mktemp("quality")
    services = build_services(make_settings(f"sqlite:///{tmp / 'q.db'}", tmp))
    services.db.upgrade()
    for shop, folder in (("demo", KNOWLEDGE), ("abcd", ROOT / "evals" / "knowledge" / "abcd")):
        services.access.ensure_shop(shop, shop)
        services.knowledge.import_path(shop, Path(folder))
    yield services
    services.close()


@pytest.fixture(scope="module")
def results(real_services: Services) -> dict[tuple[Mode, str], Score]:
    return evaluate(real_services, read_dataset(ROOT / "evals" / "datasets" / "retrieval.jsonl"))


@pytest.mark.parametrize(("language", "floor"), [("en", 0.90), ("zh", 0.85)])
def test_hybrid_finds_an_answer_in_the_top_5(
    results: dict[tuple[Mode, str], Score], language: str, floor: float
) -> None:
    assert results[("hybrid", language)].hit_at_5 >= floor


@pytest.mark.parametrize("language", ["en", "zh"])
def test_hybrid_recall_does_not_regress(results: dict[tuple[Mode, str], Score], language: str) -> None:
    # Strict multi-label recall@5 measured 0.83 (en) and 0.83 (zh) on 2026-11-22.
    assert results[("hybrid", language)].recall_at_5 >= 0.80


@pytest.mark.parametrize("language", ["en", "zh"])
def test_hybrid_beats_each_ranker_alone(results: dict[tuple[Mode, str], Score], language: str) -> None:
    hybrid = results[("hybrid", language)]
    for mode in ("dense", "lexical"):
        assert hybrid.mrr >= results[(mode, language)].mrr  # type: ignore[index]
        assert hybrid.hit_at_5 >= results[(mode, language)].hit_at_5  # type: ignore[index]


def test_chinese_dense_uses_a_chinese_capable_model(results: dict[tuple[Mode, str], Score]) -> None:
    # MiniLM scored 0.12 R@5 on Chinese queries; e5 must stay far above it.
    assert results[("dense", "zh")].recall_at_5 >= 0.7
