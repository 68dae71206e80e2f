"""Stored drafts and their audit trail, always scoped to one shop."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from drafter.core.drafts import Draft, DraftRequest, DraftStatus, ReviewStatus
from drafter.storage.tables import DraftCitationRow, DraftEventRow, DraftRow, ReviewRow


def customer_turns(request: DraftRequest) -> int:
    return sum(1 for m in request.conversation if m.role == "customer")


class DraftRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, draft: Draft, request: DraftRequest, *, parent_id: str | None = None) -> None:
        self._s.add(
            DraftRow(
                id=draft.id,
                shop_id=draft.shop,
                conversation_id=draft.conversation_id,
                parent_id=parent_id,
                status=draft.review_status.value,
                draft=draft.model_dump(mode="json"),
                request=request.model_dump(mode="json"),
                created_at=draft.created_at,
                intent=draft.analysis.intent.value,
                language=draft.variants[0].language,
                blocked=draft.variants[0].status is DraftStatus.BLOCKED,
                customer_turns=customer_turns(request),
            )
        )
        self._s.flush()  # the citations' foreign key needs the draft row first
        cited = {(c.entry_id, c.version) for variant in draft.variants for c in variant.citations}
        self._s.add_all(
            DraftCitationRow(draft_id=draft.id, entry_slug=entry, version=version, shop_id=draft.shop)
            for entry, version in sorted(cited)
        )
        self._s.flush()

    def row(self, shop: str, draft_id: str, *, for_update: bool = False) -> DraftRow | None:
        stmt = select(DraftRow).where(DraftRow.shop_id == shop, DraftRow.id == draft_id)
        return self._s.scalar(stmt.with_for_update() if for_update else stmt)

    def get(self, shop: str, draft_id: str) -> tuple[Draft, DraftRequest] | None:
        row = self.row(shop, draft_id)
        return None if row is None else (self.draft(row), DraftRequest.model_validate(row.request))

    @staticmethod
    def draft(row: DraftRow) -> Draft:
        """The stored draft with its current review state (the JSON keeps the state it was made in)."""
        stored = Draft.model_validate(row.draft)
        return stored.model_copy(
            update={
                "review_status": ReviewStatus(row.status),
                "stale": row.stale_at is not None,
                "superseded_by": row.superseded_by,
            }
        )

    def transition(
        self, shop: str, draft_id: str, *, source: Sequence[ReviewStatus], to: ReviewStatus, **values: Any
    ) -> bool:
        """Move the draft to `to` only if it is still in one of `source`: of two racing callers, one wins."""
        stmt = (
            update(DraftRow)
            .where(DraftRow.shop_id == shop, DraftRow.id == draft_id, DraftRow.status.in_([s.value for s in source]))
            .values(status=to.value, **values)
        )
        result: CursorResult[Any] = self._s.execute(stmt)  # type: ignore[assignment]
        return result.rowcount == 1

    def mark_stale(
        self,
        shop: str,
        conversation_id: str,
        *,
        at: datetime,
        turns_below: int | None = None,
        made_before: datetime | None = None,
        superseded_by: str | None = None,
    ) -> list[str]:
        """Pending drafts of a conversation that a newer customer message has overtaken; returns their ids."""
        stmt = select(DraftRow.id).where(
            DraftRow.shop_id == shop,
            DraftRow.conversation_id == conversation_id,
            DraftRow.status == ReviewStatus.PENDING.value,
            DraftRow.stale_at.is_(None),
        )
        if turns_below is not None:
            stmt = stmt.where(DraftRow.customer_turns < turns_below)
        if made_before is not None:
            stmt = stmt.where(DraftRow.created_at < made_before)
        ids = list(self._s.scalars(stmt))
        if ids:
            self._s.execute(
                update(DraftRow)
                .where(DraftRow.shop_id == shop, DraftRow.id.in_(ids))
                .values(stale_at=at, superseded_by=superseded_by)
            )
            for draft_id in ids:
                self.log(shop, draft_id, "stale", at=at, detail={"superseded_by": superseded_by})
        return ids

    def log(
        self,
        shop: str,
        draft_id: str,
        kind: str,
        *,
        at: datetime,
        actor: str | None = None,
        key_id: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Append one audit event (who, when, what)."""
        self._s.add(
            DraftEventRow(
                shop_id=shop, draft_id=draft_id, kind=kind, actor=actor, key_id=key_id, at=at, detail=detail or {}
            )
        )

    def events(self, shop: str, draft_id: str) -> list[DraftEventRow]:
        stmt = (
            select(DraftEventRow)
            .where(DraftEventRow.shop_id == shop, DraftEventRow.draft_id == draft_id)
            .order_by(DraftEventRow.at, DraftEventRow.id)
        )
        return list(self._s.scalars(stmt))

    def made_between(self, shop: str, start: datetime | None, end: datetime | None) -> list[tuple[str | None, bool]]:
        """(intent, blocked) of each draft made in [start, end)."""
        stmt = select(DraftRow.intent, DraftRow.blocked).where(DraftRow.shop_id == shop)
        if start is not None:
            stmt = stmt.where(DraftRow.created_at >= start)
        if end is not None:
            stmt = stmt.where(DraftRow.created_at < end)
        return [(intent, blocked) for intent, blocked in self._s.execute(stmt)]

    def count_events(self, shop: str, kind: str, start: datetime | None, end: datetime | None) -> int:
        stmt = (
            select(func.count())
            .select_from(DraftEventRow)
            .where(DraftEventRow.shop_id == shop, DraftEventRow.kind == kind)
        )
        if start is not None:
            stmt = stmt.where(DraftEventRow.at >= start)
        if end is not None:
            stmt = stmt.where(DraftEventRow.at < end)
        return self._s.scalar(stmt) or 0

    def citing(self, shop: str, entry: str, version: int, *, limit: int, offset: int) -> tuple[list[DraftRow], int]:
        """Drafts that cited this version of the entry, newest first, and how many there are."""
        cited = select(DraftCitationRow.draft_id).where(
            DraftCitationRow.shop_id == shop, DraftCitationRow.entry_slug == entry, DraftCitationRow.version == version
        )
        stmt = select(DraftRow).where(DraftRow.shop_id == shop, DraftRow.id.in_(cited))
        total = self._s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self._s.scalars(stmt.order_by(DraftRow.created_at.desc()).limit(limit).offset(offset))
        return list(rows), total

    def with_reviews(
        self, shop: str, start: datetime | None, end: datetime | None
    ) -> list[tuple[DraftRow, str | None, str | None]]:
        """Drafts made in [start, end) with their review's action and primary edit class (None when unreviewed)."""
        stmt = (
            select(DraftRow, ReviewRow.action, ReviewRow.primary_class)
            .outerjoin(ReviewRow, ReviewRow.draft_id == DraftRow.id)
            .where(DraftRow.shop_id == shop)
        )
        if start is not None:
            stmt = stmt.where(DraftRow.created_at >= start)
        if end is not None:
            stmt = stmt.where(DraftRow.created_at < end)
        return [(row, action, primary) for row, action, primary in self._s.execute(stmt.order_by(DraftRow.created_at))]
