"""Deterministic stand-ins for the seams that cost time (the embedder), and a reference index."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import numpy as np

from drafter.retrieval.tokenizer import Tokenizer

_TOKENIZER = Tokenizer()


class HashEmbedder:
    """Bag of hashed tokens: texts sharing words get similar vectors. Counts its calls."""

    def __init__(self, dimension: int = 64, name: str = "hash-64") -> None:
        self._dimension = dimension
        self._name = name
        self.document_calls = 0
        self.documents_embedded = 0
        self.query_calls = 0

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self._dimension, np.float32)
        for token in _TOKENIZER.tokens(text) or [text]:
            digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
            vector[int.from_bytes(digest[:4], "little") % self._dimension] += 1.0
        return vector / max(float(np.linalg.norm(vector)), 1e-12)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.document_calls += 1
        self.documents_embedded += len(texts)
        return np.array([self._vector(t) for t in texts], np.float32).reshape(len(texts), self._dimension)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.query_calls += 1
        return np.array([self._vector(t) for t in texts], np.float32).reshape(len(texts), self._dimension)


class NumpyIndex:
    """Exact brute-force reference implementation of the `VectorIndex` contract."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self._vectors: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._vectors)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        for i, v in zip(np.asarray(ids).tolist(), np.asarray(vectors, np.float32), strict=True):
            self._vectors[int(i)] = v

    def remove(self, ids: Iterable[int]) -> None:
        for i in ids:
            self._vectors.pop(int(i), None)

    def search(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        pool = set(np.asarray(allowed).tolist()) if allowed is not None else None
        scored = [(i, float(v @ vector)) for i, v in self._vectors.items() if pool is None or i in pool]
        return sorted(scored, key=lambda p: -p[1])[:k]

    def vectors(self, ids: Iterable[int]) -> np.ndarray:
        return np.array([self._vectors[int(i)] for i in ids], np.float32)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
