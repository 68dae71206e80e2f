"""One contract suite over every VectorIndex: FAISS flat, FAISS HNSW and the numpy reference."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from drafter.retrieval.vector_index import FaissIndex, VectorIndex
from tests.fakes import NumpyIndex

DIM = 32
FACTORIES: dict[str, Callable[[], VectorIndex]] = {
    "faiss-flat": lambda: FaissIndex(DIM),
    "faiss-hnsw": lambda: FaissIndex(DIM, hnsw_threshold=1),
    "numpy": lambda: NumpyIndex(DIM),
}


def unit(rows: int, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(rows, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture(params=sorted(FACTORIES))
def index(request: pytest.FixtureRequest) -> VectorIndex:
    return FACTORIES[request.param]()


def test_nearest_to_a_stored_vector_is_itself(index: VectorIndex) -> None:
    vectors = unit(200)
    index.add(np.arange(100, 300), vectors)
    for row in (0, 57, 199):
        (best_id, best_score), *_ = index.search(vectors[row], 3)
        assert best_id == 100 + row
        assert best_score == pytest.approx(1.0, abs=1e-4)


def test_results_are_ordered_and_limited(index: VectorIndex) -> None:
    index.add(np.arange(50), unit(50))
    hits = index.search(unit(1, seed=9)[0], 10)
    scores = [s for _, s in hits]
    assert len(hits) == 10
    assert scores == sorted(scores, reverse=True)


def test_removed_ids_never_come_back(index: VectorIndex) -> None:
    vectors = unit(100)
    index.add(np.arange(100), vectors)
    index.remove([3, 4, 999])
    for row in (3, 4):
        assert all(i not in (3, 4) for i, _ in index.search(vectors[row], 100))


def test_allowed_restricts_the_result(index: VectorIndex) -> None:
    vectors = unit(100)
    index.add(np.arange(100), vectors)
    hits = index.search(vectors[0], 5, allowed=np.array([10, 20, 30]))
    assert {i for i, _ in hits} == {10, 20, 30}


def test_re_adding_an_id_replaces_its_vector(index: VectorIndex) -> None:
    a, b = unit(2, seed=3)
    index.add(np.array([7]), a[None, :])
    index.add(np.array([7]), b[None, :])
    hits = index.search(b, 5)
    assert hits[0][0] == 7
    assert hits[0][1] == pytest.approx(1.0, abs=1e-4)
    assert len(hits) == 1


def test_vectors_returns_what_was_stored(index: VectorIndex) -> None:
    vectors = unit(10)
    index.add(np.arange(10), vectors)
    np.testing.assert_allclose(index.vectors([4, 2]), vectors[[4, 2]], atol=1e-6)


def test_empty_index_searches_to_nothing(index: VectorIndex) -> None:
    assert index.search(unit(1)[0], 5) == []


def test_flat_switches_to_hnsw_past_the_threshold_and_keeps_results() -> None:
    vectors = unit(300)
    index = FaissIndex(DIM, hnsw_threshold=200)
    index.add(np.arange(150), vectors[:150])
    assert index.kind == "flat"
    index.add(np.arange(150, 300), vectors[150:])
    assert index.kind == "hnsw"
    assert len(index) == 300
    assert index.search(vectors[10], 1)[0][0] == 10


def test_hnsw_compacts_after_many_removals() -> None:
    vectors = unit(200)
    index = FaissIndex(DIM, hnsw_threshold=1)
    index.add(np.arange(200), vectors)
    index.remove(range(100))
    assert len(index) == 100
    assert index.ids() == set(range(100, 200))
    assert all(i >= 100 for i, _ in index.search(vectors[5], 50))


@pytest.mark.parametrize("threshold", [1, 10_000])
def test_save_and_load_round_trip(tmp_path: Path, threshold: int) -> None:
    vectors = unit(64)
    index = FaissIndex(DIM, hnsw_threshold=threshold)
    index.add(np.arange(1000, 1064), vectors)
    index.remove([1000])
    index.save(tmp_path / "v.faiss")
    loaded = FaissIndex.load(tmp_path / "v.faiss", dimension=DIM, hnsw_threshold=threshold)
    assert loaded.kind == index.kind
    assert loaded.ids() == set(range(1001, 1064))
    assert loaded.search(vectors[5], 1)[0][0] == 1005
    with pytest.raises(ValueError, match="dimension"):
        FaissIndex.load(tmp_path / "v.faiss", dimension=DIM + 1)
