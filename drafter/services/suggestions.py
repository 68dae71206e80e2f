"""Suggested entries: well-rated approved replies, scrubbed of personal data, merged when they answer the same thing.

A knowledge manager approves one (it becomes a `past_reply` entry that retrieval finds for the next draft) or
dismisses it with a reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import fmean
from typing import Literal

import numpy as np
from pydantic import ValidationError
from sqlalchemy.orm import Session

from drafter.core.drafts import Draft, DraftRequest
from drafter.core.errors import Conflict, InvalidInput, NotFound
from drafter.core.models import EntryContent, EntryKind, EntryVersion, Identity
from drafter.core.reviews import Suggestion, SuggestionApproval, SuggestionDismissal
from drafter.review.scrub import scrub_for
from drafter.services.knowledge import KnowledgeIndex, KnowledgeService
from drafter.storage import Database, SuggestionRepository
from drafter.storage.tables import SuggestionRow

log = logging.getLogger(__name__)
SuggestionFilter = Literal["open", "approved", "dismissed", "all"]


@dataclass(frozen=True)
class SuggestionCandidate:
    """A scrubbed, embedded reply that may become a suggestion or join one."""

    draft_id: str
    language: str
    intent: str
    question: str
    reply: str
    rating: int
    tags: list[str]
    vector: bytes | None


def _suggestion(row: SuggestionRow) -> Suggestion:
    return Suggestion(
        id=row.id,
        language=row.language,
        intent=row.intent,
        question=row.question,
        reply=row.reply,
        rating=row.rating,
        count=len(row.draft_ids),
        draft_ids=row.draft_ids,
        tags=row.tags,
        status=row.status,
        entry_id=row.entry_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _cosine(a: bytes, b: bytes) -> float:
    x, y = np.frombuffer(a, np.float32), np.frombuffer(b, np.float32)
    if x.shape != y.shape:  # made by a different embedder: not comparable
        return 0.0
    return float(x @ y / max(float(np.linalg.norm(x) * np.linalg.norm(y)), 1e-12))


class SuggestionService:
    def __init__(
        self,
        *,
        db: Database,
        index: KnowledgeIndex,
        knowledge: KnowledgeService,
        merge_thresholds: dict[str, float],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._index = index
        self._knowledge = knowledge
        self._merge_thresholds = merge_thresholds
        self._clock = clock

    async def candidate(
        self, shop: str, draft: Draft, request: DraftRequest, final: str, rating: int, intent: str, language: str
    ) -> SuggestionCandidate:
        """Scrub the question and the reply; embed the question, which decides what counts as a duplicate."""
        question = scrub_for(request)
        vector = await self._index.aembed(question, "zh" if language == "zh" else "en")
        return SuggestionCandidate(
            draft_id=draft.id,
            language=language,
            intent=intent,
            question=question,
            reply=scrub_for(request, final),
            rating=rating,
            tags=[intent.replace("_", "-")],
            vector=None if vector is None else np.asarray(vector, np.float32).tobytes(),
        )

    def record(self, session: Session, shop: str, candidate: SuggestionCandidate, now: datetime) -> int:
        """Add the candidate, or merge it into an open suggestion for the same question; returns the id."""
        repo = SuggestionRepository(session)
        for row in repo.open_like(shop, candidate.language, candidate.intent):
            same = row.question == candidate.question or (
                row.vector is not None
                and candidate.vector is not None
                and _cosine(row.vector, candidate.vector) >= self._merge_thresholds.get(candidate.language, 1.0)
            )
            if same:
                if candidate.rating >= max(row.ratings):  # the best-rated reply speaks for the group
                    row.reply = candidate.reply
                row.ratings = [*row.ratings, candidate.rating]
                row.draft_ids = [*row.draft_ids, candidate.draft_id]
                row.rating = round(fmean(row.ratings), 2)
                row.updated_at = now
                session.flush()
                return row.id
        row = repo.add(
            SuggestionRow(
                shop_id=shop,
                language=candidate.language,
                intent=candidate.intent,
                question=candidate.question,
                reply=candidate.reply,
                rating=float(candidate.rating),
                ratings=[candidate.rating],
                draft_ids=[candidate.draft_id],
                tags=candidate.tags,
                vector=candidate.vector,
                created_at=now,
                updated_at=now,
            )
        )
        return row.id

    def listed(
        self, shop: str, *, status: SuggestionFilter = "open", limit: int = 50, offset: int = 0
    ) -> list[Suggestion]:
        with self._db.transaction() as session:
            rows = SuggestionRepository(session).listed(
                shop, status=None if status == "all" else status, limit=limit, offset=offset
            )
            return [_suggestion(r) for r in rows]

    def approve(
        self, identity: Identity, suggestion_id: int, approval: SuggestionApproval
    ) -> tuple[Suggestion, EntryVersion]:
        """Write the suggestion as a published past reply, in the same transaction that marks it approved."""
        row = self._open(identity.shop, suggestion_id)
        try:
            content = EntryContent(
                id=approval.entry_id or f"reply-suggested-{suggestion_id}",
                kind=EntryKind.PAST_REPLY,
                title=(approval.title or row.question)[:200],
                body=approval.reply or row.reply,
                language="zh" if row.language == "zh" else "en",
                tags=row.tags,
                author=identity.name[:80],
                rating=row.rating,
            )
        except ValidationError as exc:
            error = exc.errors()[0]
            field = {"id": "entry_id", "body": "reply"}.get(str(error["loc"][0]), str(error["loc"][0]))
            raise InvalidInput(f"the entry would be invalid: {error['msg']}", field=field) from exc
        now = self._clock()

        def mark(session: Session) -> None:
            if not SuggestionRepository(session).decide(
                identity.shop, suggestion_id, status="approved", at=now, by=identity.name, entry_id=content.id
            ):
                raise Conflict(f"suggestion {suggestion_id} was decided by someone else first")

        version = self._knowledge.create(identity.shop, content, also=mark)
        log.info("suggestion approved", extra={"shop": identity.shop, "suggestion": suggestion_id})
        return self._get(identity.shop, suggestion_id), version

    def dismiss(self, identity: Identity, suggestion_id: int, dismissal: SuggestionDismissal) -> Suggestion:
        self._open(identity.shop, suggestion_id)
        with self._db.transaction() as session:
            decided = SuggestionRepository(session).decide(
                identity.shop,
                suggestion_id,
                status="dismissed",
                at=self._clock(),
                by=identity.name,
                reason=dismissal.reason,
            )
        if not decided:
            raise Conflict(f"suggestion {suggestion_id} was decided by someone else first")
        return self._get(identity.shop, suggestion_id)

    def _open(self, shop: str, suggestion_id: int) -> SuggestionRow:
        with self._db.transaction() as session:
            row = SuggestionRepository(session).get(shop, suggestion_id)
            if row is None:
                raise NotFound(f"no suggestion {suggestion_id} in shop {shop!r}")
            if row.status != "open":
                raise Conflict(f"suggestion {suggestion_id} is already {row.status}")
            session.expunge(row)
            return row

    def _get(self, shop: str, suggestion_id: int) -> Suggestion:
        with self._db.transaction() as session:
            row = SuggestionRepository(session).get(shop, suggestion_id)
            assert row is not None
            return _suggestion(row)
