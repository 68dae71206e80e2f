"""Nearest-neighbour intent votes from labelled exemplar messages (`prompts/intent_exemplars.jsonl`).

Rules recognise the cues they were written for; exemplars cover the phrasings no rule anticipated.
The vectors come from the same per-language embedder as retrieval, so a draft embeds its query once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from drafter.core.drafts import Intent, ReplyLanguage
from drafter.core.errors import ConfigurationError

EmbedQueries = Callable[[Sequence[str], ReplyLanguage], np.ndarray]


class Exemplar(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    language: ReplyLanguage
    intent: Intent


def read_exemplars(path: Path) -> list[Exemplar]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        return [Exemplar.model_validate(json.loads(line)) for line in lines if line.strip()]
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"intent exemplars {path}: {exc}") from exc


class ExemplarVotes:
    """Similarity-weighted votes of the k nearest exemplars in the message's language.

    Exemplars are embedded on first use (or `prepare()`), not at construction: the embedding
    cache lives in the database, which may not be migrated yet when services are built.
    """

    def __init__(self, exemplars: Sequence[Exemplar], embed: EmbedQueries, *, k: int = 7) -> None:
        self._exemplars = list(exemplars)
        self._embed = embed
        self._k = k
        self._by_language: dict[str, tuple[np.ndarray, list[Intent]]] | None = None
        self._lock = threading.Lock()

    def prepare(self) -> None:
        with self._lock:
            if self._by_language is not None:
                return
            prepared: dict[str, tuple[np.ndarray, list[Intent]]] = {}
            for language in ("en", "zh"):
                mine = [e for e in self._exemplars if e.language == language]
                if mine:
                    vectors = np.asarray(self._embed([e.text for e in mine], language), dtype=np.float32)
                    prepared[language] = (vectors, [e.intent for e in mine])
            self._by_language = prepared

    def votes(self, vector: np.ndarray | None, language: str) -> dict[Intent, float]:
        """Intent -> share of the neighbours' similarity (sums to 1); empty without exemplars or a vector."""
        if vector is None:
            return {}
        self.prepare()
        assert self._by_language is not None
        if language not in self._by_language:
            return {}
        vectors, intents = self._by_language[language]
        scores = vectors @ np.asarray(vector, dtype=np.float32)
        top = np.argsort(-scores)[: self._k]
        weights = np.maximum(scores[top], 0.0)
        if weights.sum() <= 0:
            return {}
        out: dict[Intent, float] = {}
        for index, weight in zip(top, weights, strict=True):
            out[intents[int(index)]] = out.get(intents[int(index)], 0.0) + float(weight)
        total = sum(out.values())
        return {intent: weight / total for intent, weight in out.items()}
