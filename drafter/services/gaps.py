"""Knowledge gaps: what customers ask that the knowledge base answers badly, clustered by meaning.

A draft is a gap candidate when its best dense score was low (below what 90% of the labelled, answerable questions
reach: 0.41 with MiniLM, 0.886 with e5, measured on evals/datasets/retrieval.jsonl), or when the agent rejected it
or rewrote it. Candidates' questions (the customer's last message, scrubbed of personal data) are embedded and
grouped by a leader clustering: each joins the most similar cluster whose centroid is within the language's
threshold, or starts a new one. Each cluster shows examples, counts by reason, and what retrieval finds for its most
central question today.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import numpy as np

from drafter.core.drafts import Draft, DraftRequest
from drafter.core.models import GapCluster, GapEntry, GapReport, Language, Passage, RetrievalFilter
from drafter.review.scrub import scrub_for
from drafter.storage import Database, DraftRepository


class GapIndex(Protocol):
    """What gap finding needs from retrieval."""

    def embed_queries_cached(self, texts: Sequence[str], language: Language) -> np.ndarray:
        """Query vectors, cached by text."""

    def retrieve(self, query: str, *, shop: str, k: int = 5, filter: RetrievalFilter | None = None) -> list[Passage]:
        """The passages retrieval serves for `query` now."""


@dataclass
class _Candidate:
    draft_id: str
    language: Language
    question: str
    reasons: list[str]


@dataclass
class _Cluster:
    language: Language
    members: list[int] = field(default_factory=list)
    total: np.ndarray | None = None

    def centroid(self) -> np.ndarray:
        assert self.total is not None
        return self.total / max(float(np.linalg.norm(self.total)), 1e-12)


class GapService:
    def __init__(
        self,
        *,
        db: Database,
        index: GapIndex,
        low_scores: Mapping[Language, float],
        cluster_thresholds: Mapping[Language, float],
    ) -> None:
        self._db = db
        self._index = index
        self._low = low_scores
        self._thresholds = cluster_thresholds

    def gaps(
        self, shop: str, start: datetime | None, end: datetime | None, *, min_count: int = 1, limit: int = 50
    ) -> GapReport:
        candidates = self._candidates(shop, start, end)
        clusters: list[GapCluster] = []
        for language in ("en", "zh"):
            group = [c for c in candidates if c.language == language]
            if group:
                clusters.extend(self._clusters(shop, language, group))
        kept = [c for c in clusters if c.count >= min_count]
        kept.sort(key=lambda c: (-c.count, -c.reasons.get("rejected", 0), c.examples[0]))
        return GapReport(start=start, end=end, candidates=len(candidates), clusters=kept[:limit])

    def _candidates(self, shop: str, start: datetime | None, end: datetime | None) -> list[_Candidate]:
        with self._db.transaction() as session:
            rows = DraftRepository(session).with_reviews(shop, start, end)
            found = []
            for row, action, primary in rows:
                draft, request = Draft.model_validate(row.draft), DraftRequest.model_validate(row.request)
                language: Language = "zh" if draft.variants[0].language == "zh" else "en"
                best = max((p.scores.dense_score or 0.0 for p in draft.passages), default=0.0)
                reasons = [
                    reason
                    for reason, applies in (
                        ("low_score", best < self._low[language]),
                        ("rejected", action == "reject"),
                        ("rewritten", action == "edit" and primary == "rewritten"),
                    )
                    if applies
                ]
                if reasons:
                    found.append(_Candidate(row.id, language, scrub_for(request), reasons))
            return found

    def _clusters(self, shop: str, language: Language, group: list[_Candidate]) -> list[GapCluster]:
        vectors = self._index.embed_queries_cached([c.question for c in group], language)
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        clusters: list[_Cluster] = []
        for row, vector in enumerate(vectors):
            scores = [float(c.centroid() @ vector) for c in clusters]
            best = int(np.argmax(scores)) if scores else -1
            if best < 0 or scores[best] < self._thresholds[language]:
                clusters.append(_Cluster(language))
                best = len(clusters) - 1
            cluster = clusters[best]
            cluster.members.append(row)
            cluster.total = vector.copy() if cluster.total is None else cluster.total + vector
        return [self._describe(shop, c, group, vectors) for c in clusters]

    def _describe(self, shop: str, cluster: _Cluster, group: list[_Candidate], vectors: np.ndarray) -> GapCluster:
        members = [group[m] for m in cluster.members]
        central = group[max(cluster.members, key=lambda m: float(vectors[m] @ cluster.centroid()))]
        nearest = self._index.retrieve(
            central.question, shop=shop, k=3, filter=RetrievalFilter(language=cluster.language)
        )
        return GapCluster(
            language=cluster.language,
            count=len(members),
            reasons=dict(sorted(Counter(r for m in members for r in m.reasons).items())),
            examples=list(dict.fromkeys([central.question, *(m.question for m in members)]))[:5],
            draft_ids=[m.draft_id for m in members][:10],
            nearest=[
                GapEntry(entry_id=p.entry_id, title=p.title, kind=p.kind, dense_score=p.scores.dense_score)
                for p in nearest
            ],
        )
