"""Suggestion merging: per-language thresholds, the best-rated reply speaks for the group, embedders never mix."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from drafter.bootstrap import Services
from drafter.services.suggestions import SuggestionCandidate

NOW = datetime(2026, 11, 19, 2, 0, tzinfo=UTC)


def vector(cosine_to_x: float, dimension: int = 4) -> bytes:
    """A unit vector whose cosine with (1, 0, 0, ...) is `cosine_to_x`."""
    v = np.zeros(dimension, np.float32)
    v[0], v[1] = cosine_to_x, np.sqrt(1 - cosine_to_x**2)
    return v.tobytes()


def candidate(draft: str, language: str, vec: bytes, *, rating: int = 4, question: str = "q") -> SuggestionCandidate:
    return SuggestionCandidate(
        draft_id=draft,
        language=language,
        intent="late_delivery",
        question=f"{question} {draft}",
        reply=f"reply {draft}",
        rating=rating,
        tags=["late-delivery"],
        vector=vec,
    )


def record(services: Services, *candidates: SuggestionCandidate) -> list[int]:
    with services.db.transaction() as session:
        return [services.suggestions.record(session, "demo", c, NOW) for c in candidates]


def test_thresholds_are_per_language(services: Services) -> None:
    services.access.ensure_shop("demo", "Demo")
    # cos 0.8: above the English threshold (0.70), below the Chinese one (0.95).
    en = record(services, candidate("e1", "en", vector(1.0)), candidate("e2", "en", vector(0.8)))
    zh = record(services, candidate("z1", "zh", vector(1.0)), candidate("z2", "zh", vector(0.8)))
    assert en[0] == en[1]
    assert zh[0] != zh[1]
    assert record(services, candidate("z3", "zh", vector(0.96)))[0] == zh[0]


def test_the_best_rated_reply_represents_the_group(services: Services) -> None:
    services.access.ensure_shop("demo", "Demo")
    ids = record(
        services,
        candidate("a", "en", vector(1.0), rating=4),
        candidate("b", "en", vector(0.99), rating=5),
        candidate("c", "en", vector(0.98), rating=4),
    )
    assert len(set(ids)) == 1
    [merged] = services.suggestions.listed("demo")
    assert merged.reply == "reply b"
    assert merged.count == 3
    assert merged.rating == round((4 + 5 + 4) / 3, 2)
    assert merged.draft_ids == ["a", "b", "c"]


def test_vectors_of_another_embedder_never_merge(services: Services) -> None:
    services.access.ensure_shop("demo", "Demo")
    ids = record(services, candidate("a", "en", vector(1.0)), candidate("b", "en", vector(1.0, dimension=8)))
    assert ids[0] != ids[1]
