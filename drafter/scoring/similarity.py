"""Similarity to the case's reference reply: embedding cosine, chrF and BLEU (sacrebleu; Chinese by character).

The one module that imports `sacrebleu`. Embeddings come through `TextEmbedder`, the same dense model per
language that retrieval uses, batched over all candidates of a run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import sacrebleu

from drafter.core.evaluation import Score
from drafter.scoring.candidate import Candidate, not_applicable


class TextEmbedder(Protocol):
    def __call__(self, texts: Sequence[str], language: str) -> np.ndarray:
        """One L2-normalised row per text, from the language's dense model."""


def _reference(candidate: Candidate) -> str | None:
    return candidate.case.reference if candidate.case else None


class ReferenceChrf:
    """chrF (character n-grams, β=2) against the reference, 0..1; the usual choice for Chinese."""

    name = "reference_chrf"

    def score(self, candidate: Candidate) -> Score:
        reference = _reference(candidate)
        if not reference:
            return not_applicable(self.name, "no reference reply")
        value = sacrebleu.sentence_chrf(candidate.reply, [reference]).score / 100
        return Score(name=self.name, value=round(value, 4), reason=f"chrF {value * 100:.1f}")


class ReferenceBleu:
    """Sentence BLEU (exponential smoothing) against the reference, 0..1; Chinese tokenised by character."""

    name = "reference_bleu"

    def score(self, candidate: Candidate) -> Score:
        reference = _reference(candidate)
        if not reference:
            return not_applicable(self.name, "no reference reply")
        tokenize = "zh" if candidate.context.language == "zh" else "13a"
        value = sacrebleu.sentence_bleu(candidate.reply, [reference], tokenize=tokenize).score / 100
        return Score(name=self.name, value=round(value, 4), reason=f"BLEU {value * 100:.1f} ({tokenize})")


class ReferenceCosine:
    """Cosine of reply and reference embeddings (clipped at 0), batched per language over a run."""

    name = "reference_cosine"

    def __init__(self, embed: TextEmbedder) -> None:
        self._embed = embed

    def score_many(self, candidates: Sequence[Candidate]) -> list[Score]:
        scores: list[Score] = [not_applicable(self.name, "no reference reply") for _ in candidates]
        by_language: dict[str, list[int]] = {}
        for i, candidate in enumerate(candidates):
            if _reference(candidate):
                by_language.setdefault(candidate.context.language, []).append(i)
        for language, indices in by_language.items():
            pairs = [(candidates[i].reply, _reference(candidates[i]) or "") for i in indices]
            unique = list(dict.fromkeys(text for pair in pairs for text in pair))  # repeats embed once
            vectors = dict(zip(unique, self._embed(unique, language), strict=True))
            for (reply, reference), i in zip(pairs, indices, strict=True):
                value = max(0.0, float(np.dot(vectors[reply], vectors[reference])))
                scores[i] = Score(name=self.name, value=round(min(value, 1.0), 4), reason=f"cosine {value:.3f}")
        return scores
