"""Embedding cache: vectors by (model, content hash)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from drafter.storage.tables import EmbeddingRow

_CHUNK = 500


class EmbeddingRepository:
    """Not shop-scoped: a vector depends only on the model and the text, never on who owns it."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def get_many(self, model: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        wanted = list(dict.fromkeys(hashes))
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            rows = self._s.execute(
                select(EmbeddingRow.content_hash, EmbeddingRow.vector).where(
                    EmbeddingRow.model == model, EmbeddingRow.content_hash.in_(chunk)
                )
            )
            for content_hash, blob in rows:
                found[content_hash] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model: str, vectors: Mapping[str, np.ndarray]) -> None:
        known = self.get_many(model, vectors.keys())
        self._s.add_all(
            EmbeddingRow(model=model, content_hash=h, vector=np.asarray(v, np.float32).tobytes())
            for h, v in vectors.items()
            if h not in known
        )
        self._s.flush()
