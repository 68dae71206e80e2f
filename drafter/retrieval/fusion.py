"""Rank fusion and diversity."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]], weights: Sequence[float], *, k: int = 60
) -> list[tuple[int, float]]:
    """Fuse ranked id lists: score(id) = sum of weight / (k + rank). Best first; ties keep first-seen order."""
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])


def maximal_marginal_relevance(
    relevance: np.ndarray, vectors: np.ndarray, *, k: int, lambda_: float = 0.7
) -> list[int]:
    """Pick k row indices balancing relevance against similarity to rows already picked."""
    n = len(relevance)
    if n == 0:
        return []
    rel = (relevance - relevance.min()) / (np.ptp(relevance) or 1.0)
    sims = vectors @ vectors.T
    chosen: list[int] = [int(np.argmax(rel))]
    while len(chosen) < min(k, n):
        redundancy = sims[:, chosen].max(axis=1)
        score = lambda_ * rel - (1 - lambda_) * redundancy
        score[chosen] = -np.inf
        chosen.append(int(np.argmax(score)))
    return chosen
