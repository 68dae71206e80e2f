"""The scorers of a run, in report order, and the overall score."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from drafter.core.evaluation import Score
from drafter.scoring.candidate import Candidate, Scorer
from drafter.scoring.expectations import (
    EscalationMatch,
    ExpectedFacts,
    ForbiddenCommitments,
    Groundedness,
    IntentMatch,
    ReciprocalRank,
    RetrievalRecall,
)
from drafter.scoring.judge import JUDGE
from drafter.scoring.rubric import (
    ClosingQuestion,
    EscalationNotice,
    LanguageMatch,
    LeapCoverage,
    Length,
    Personalisation,
    PolicyCompliance,
    Tone,
)
from drafter.scoring.similarity import ReferenceBleu, ReferenceChrf, ReferenceCosine, TextEmbedder

# The reply's quality; their mean is a case's `overall`. Retrieval, analysis and similarity are reported apart.
RUBRIC: tuple[Scorer, ...] = (
    LeapCoverage(),
    PolicyCompliance(),
    Groundedness(),
    ExpectedFacts(),
    ForbiddenCommitments(),
    Personalisation(),
    LanguageMatch(),
    Tone(),
    Length(),
    ClosingQuestion(),
    EscalationNotice(),
)
# What applies to an answer with no case, passages or order (FAQ script campaigns).
CAMPAIGN: tuple[Scorer, ...] = (
    LeapCoverage(),
    PolicyCompliance(),
    Tone(),
    LanguageMatch(),
    Length(),
    ClosingQuestion(),
    EscalationNotice(),
)
RETRIEVAL: tuple[Scorer, ...] = (RetrievalRecall(), ReciprocalRank())
ANALYSIS: tuple[Scorer, ...] = (IntentMatch(), EscalationMatch())
SIMILARITY: tuple[Scorer, ...] = (ReferenceChrf(), ReferenceBleu())
RUBRIC_NAMES = frozenset(s.name for s in RUBRIC)


def overall(scores: Sequence[Score]) -> float | None:
    """Mean of the rubric scores that apply, plus the judge's when there is one."""
    values = [s.value for s in scores if s.value is not None and (s.name in RUBRIC_NAMES or s.name == JUDGE)]
    return round(statistics.fmean(values), 4) if values else None


class ScoringSuite:
    """Every scorer over a batch of candidates; without an embedder, no cosine similarity."""

    def __init__(self, *, embed: TextEmbedder | None = None, retrieval: bool = True) -> None:
        self._per_case: tuple[Scorer, ...] = (*RUBRIC, *(RETRIEVAL if retrieval else ()), *ANALYSIS, *SIMILARITY)
        self._cosine = ReferenceCosine(embed) if embed is not None else None

    @property
    def names(self) -> list[str]:
        return [s.name for s in self._per_case] + ([ReferenceCosine.name] if self._cosine else [])

    def score(self, candidate: Candidate) -> list[Score]:
        return self.score_many([candidate])[0]

    def score_many(self, candidates: Sequence[Candidate]) -> list[list[Score]]:
        rows = [[scorer.score(c) for scorer in self._per_case] for c in candidates]
        if self._cosine is not None:
            for row, cosine in zip(rows, self._cosine.score_many(candidates), strict=True):
                row.append(cosine)
        return rows
