"""BM25 over pre-tokenised documents (bm25s), with a document mask for filters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import bm25s
import numpy as np


class Bm25Index:
    """Immutable: built once over documents in a fixed order; positions are row numbers."""

    def __init__(self, documents: Sequence[list[str]]) -> None:
        self._size = len(documents)
        self._bm25: Any = None
        if self._size:
            self._bm25 = bm25s.BM25()
            self._bm25.index([list(d) for d in documents], show_progress=False)
            self._vocab: dict[str, int] = self._bm25.vocab_dict

    def __len__(self) -> int:
        return self._size

    def search(self, tokens: list[str], k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Up to k (row, score) pairs with a positive score, best first."""
        if self._bm25 is None:
            return []
        ids = [self._vocab[t] for t in tokens if t in self._vocab]
        if not ids or k <= 0:
            return []
        scores = np.asarray(self._bm25.get_scores(ids), dtype=np.float32)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, self._size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
