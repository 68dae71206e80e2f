"""Reviews, follow-ups and suggestions, always scoped to one shop."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from drafter.storage.tables import FollowUpRow, ReviewRow, SuggestionRow


class ReviewRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, row: ReviewRow) -> ReviewRow:
        self._s.add(row)
        self._s.flush()
        return row

    def between(
        self,
        shop: str,
        start: datetime | None,
        end: datetime | None,
        *,
        agent: str | None = None,
        intent: str | None = None,
    ) -> list[ReviewRow]:
        """Reviews made in [start, end), optionally by one agent or about one intent."""
        stmt = select(ReviewRow).where(ReviewRow.shop_id == shop)
        if start is not None:
            stmt = stmt.where(ReviewRow.reviewed_at >= start)
        if end is not None:
            stmt = stmt.where(ReviewRow.reviewed_at < end)
        if agent is not None:
            stmt = stmt.where(ReviewRow.agent == agent)
        if intent is not None:
            stmt = stmt.where(ReviewRow.intent == intent)
        return list(self._s.scalars(stmt.order_by(ReviewRow.reviewed_at)))


class FollowUpRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, rows: Sequence[FollowUpRow]) -> list[FollowUpRow]:
        self._s.add_all(rows)
        self._s.flush()
        return list(rows)

    def get(self, shop: str, follow_up_id: int) -> FollowUpRow | None:
        return self._s.scalar(select(FollowUpRow).where(FollowUpRow.shop_id == shop, FollowUpRow.id == follow_up_id))

    def due(
        self, shop: str, *, status: str | None, due_before: datetime | None, limit: int, offset: int
    ) -> list[FollowUpRow]:
        stmt = select(FollowUpRow).where(FollowUpRow.shop_id == shop)
        if status is not None:
            stmt = stmt.where(FollowUpRow.status == status)
        if due_before is not None:
            stmt = stmt.where(FollowUpRow.due_at < due_before)
        stmt = stmt.order_by(FollowUpRow.due_at, FollowUpRow.id).limit(limit).offset(offset)
        return list(self._s.scalars(stmt))

    def close(self, shop: str, follow_up_id: int, **values: Any) -> bool:
        """Close an open follow-up; False when it was already closed (or does not exist)."""
        stmt = (
            update(FollowUpRow)
            .where(FollowUpRow.shop_id == shop, FollowUpRow.id == follow_up_id, FollowUpRow.status == "open")
            .values(**values)
        )
        result: CursorResult[Any] = self._s.execute(stmt)  # type: ignore[assignment]
        return result.rowcount == 1


class SuggestionRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, row: SuggestionRow) -> SuggestionRow:
        self._s.add(row)
        self._s.flush()
        return row

    def get(self, shop: str, suggestion_id: int, *, for_update: bool = False) -> SuggestionRow | None:
        stmt = select(SuggestionRow).where(SuggestionRow.shop_id == shop, SuggestionRow.id == suggestion_id)
        return self._s.scalar(stmt.with_for_update() if for_update else stmt)

    def listed(self, shop: str, *, status: str | None, limit: int, offset: int) -> list[SuggestionRow]:
        stmt = select(SuggestionRow).where(SuggestionRow.shop_id == shop)
        if status is not None:
            stmt = stmt.where(SuggestionRow.status == status)
        stmt = stmt.order_by(SuggestionRow.rating.desc(), SuggestionRow.id).limit(limit).offset(offset)
        return list(self._s.scalars(stmt))

    def open_like(self, shop: str, language: str, intent: str) -> list[SuggestionRow]:
        """Open suggestions a new one could merge into."""
        stmt = select(SuggestionRow).where(
            SuggestionRow.shop_id == shop,
            SuggestionRow.status == "open",
            SuggestionRow.language == language,
            SuggestionRow.intent == intent,
        )
        return list(self._s.scalars(stmt.with_for_update()))

    def decide(self, shop: str, suggestion_id: int, *, status: str, at: datetime, by: str, **values: Any) -> bool:
        """Approve or dismiss an open suggestion; False if someone decided it first."""
        stmt = (
            update(SuggestionRow)
            .where(SuggestionRow.shop_id == shop, SuggestionRow.id == suggestion_id, SuggestionRow.status == "open")
            .values(status=status, decided_at=at, decided_by=by, updated_at=at, **values)
        )
        result: CursorResult[Any] = self._s.execute(stmt)  # type: ignore[assignment]
        return result.rowcount == 1
