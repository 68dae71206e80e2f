"""The `VectorIndex` seam and `FaissIndex`: exact inner product, HNSW past a size threshold."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, Protocol

import faiss as _faiss
import numpy as np

IndexKind = Literal["flat", "hnsw"]
faiss: Any = _faiss  # the bundled stubs miss SearchParametersHNSW and selector keywords
faiss.omp_set_num_threads(1)  # one query at a time is faster single-threaded, and never spins


class VectorIndex(Protocol):
    """Vectors keyed by int64 ids; search returns the nearest live ids by inner product."""

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add (or replace) vectors under these ids."""

    def remove(self, ids: Iterable[int]) -> None:
        """Remove ids; unknown ids are ignored. Removed ids are never returned again."""

    def search(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Up to k (id, score) pairs, best first, restricted to `allowed` ids when given."""

    def vectors(self, ids: Iterable[int]) -> np.ndarray:
        """The stored vectors of these ids, in order."""


class FaissIndex:
    """`IndexIDMap2` over flat inner product; switches to HNSW past `hnsw_threshold` vectors.

    HNSW cannot delete, so removals there become tombstones filtered at search time, and the
    graph is rebuilt when a quarter of it is dead. Thread-safe: one lock around every call.
    """

    def __init__(self, dimension: int, *, hnsw_threshold: int = 50_000, hnsw_m: int = 32, ef_search: int = 64) -> None:
        self.dimension = dimension
        self.hnsw_threshold = hnsw_threshold
        self._m = hnsw_m
        self._ef_search = ef_search
        self._lock = threading.RLock()
        self._ids: set[int] = set()
        self._tombstones: set[int] = set()
        self._index: Any = self._new("flat")
        self.kind: IndexKind = "flat"

    def _new(self, kind: IndexKind) -> Any:
        inner: Any
        if kind == "flat":
            inner = faiss.IndexFlatIP(self.dimension)
        else:
            inner = faiss.IndexHNSWFlat(self.dimension, self._m, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = 40
            inner.hnsw.efSearch = self._ef_search
        return faiss.IndexIDMap2(inner)

    def __len__(self) -> int:
        return len(self._ids)

    def ids(self) -> set[int]:
        with self._lock:
            return set(self._ids)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), self.dimension)
        with self._lock:
            self.remove(int(i) for i in ids if int(i) in self._ids)
            target: IndexKind = "hnsw" if len(self._ids) + len(ids) > self.hnsw_threshold else "flat"
            if target != self.kind:
                self._rebuild(target)
            self._index.add_with_ids(vectors, ids)
            self._ids.update(int(i) for i in ids)

    def remove(self, ids: Iterable[int]) -> None:
        with self._lock:
            doomed = [i for i in ids if i in self._ids]
            if not doomed:
                return
            self._ids.difference_update(doomed)
            if self.kind == "flat":
                self._index.remove_ids(np.asarray(doomed, dtype=np.int64))
                return
            self._tombstones.update(doomed)
            if len(self._tombstones) * 4 > len(self._ids) + len(self._tombstones):
                self._rebuild("hnsw")

    def _rebuild(self, kind: IndexKind) -> None:
        live = np.fromiter(sorted(self._ids), dtype=np.int64, count=len(self._ids))
        vectors = self._reconstruct(live)
        self._index = self._new(kind)
        self.kind = kind
        self._tombstones.clear()
        if len(live):
            self._index.add_with_ids(vectors, live)

    def _reconstruct(self, ids: np.ndarray) -> np.ndarray:
        if len(ids) == 0:
            return np.zeros((0, self.dimension), np.float32)
        return np.vstack([self._index.reconstruct(int(i)) for i in ids]).astype(np.float32)

    def vectors(self, ids: Iterable[int]) -> np.ndarray:
        with self._lock:
            return self._reconstruct(np.asarray(list(ids), dtype=np.int64))

    def search(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, self.dimension)
        with self._lock:
            if not self._ids or k <= 0:
                return []
            selector = self._selector(allowed)
            if selector is None:
                scores, ids = self._index.search(query, min(k, len(self._ids)))
            else:
                params = (
                    faiss.SearchParametersHNSW(sel=selector, efSearch=max(self._ef_search, k))
                    if self.kind == "hnsw"
                    else faiss.SearchParameters(sel=selector)
                )
                scores, ids = self._index.search(query, min(k, len(self._ids)), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def _selector(self, allowed: np.ndarray | None) -> Any:
        if allowed is not None:
            live = np.asarray(allowed, dtype=np.int64)
            if self._tombstones:
                live = live[~np.isin(live, np.fromiter(self._tombstones, np.int64))]
            return faiss.IDSelectorBatch(live)
        if self._tombstones:
            dead = faiss.IDSelectorBatch(np.fromiter(self._tombstones, np.int64))
            selector = faiss.IDSelectorNot(dead)
            selector.referenced = dead  # keep the inner selector alive while faiss uses it
            return selector
        return None

    def save(self, path: Path) -> None:
        """Write the index (tombstones are compacted away first)."""
        with self._lock:
            if self._tombstones:
                self._rebuild(self.kind)
            faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, *, dimension: int, hnsw_threshold: int = 50_000) -> FaissIndex:
        raw = faiss.read_index(str(path))
        if raw.d != dimension:
            raise ValueError(f"index has dimension {raw.d}, expected {dimension}")
        index = cls(dimension, hnsw_threshold=hnsw_threshold)
        if not isinstance(raw, faiss.IndexIDMap2):
            raise ValueError(f"expected an IndexIDMap2, found {type(raw).__name__}")
        index._index = raw
        index.kind = "hnsw" if "HNSW" in type(faiss.downcast_index(index._index.index)).__name__ else "flat"
        index._ids = {int(i) for i in faiss.vector_to_array(index._index.id_map)}
        return index
