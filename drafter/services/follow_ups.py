"""The promises ledger: follow-ups due today (the daily clearance list), overdue ones flagged, closing them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from drafter.core.errors import Conflict, NotFound
from drafter.core.models import Identity
from drafter.core.reviews import FollowUp, FollowUpClose
from drafter.storage import Database, FollowUpRepository, ShopRepository
from drafter.storage.tables import FollowUpRow

Due = Literal["today", "overdue", "all"]
FollowUpFilter = Literal["open", "done", "cancelled", "all"]


def follow_up(row: FollowUpRow, now: datetime) -> FollowUp:
    return FollowUp(
        id=row.id,
        draft_id=row.draft_id,
        conversation_id=row.conversation_id,
        kind=row.kind,
        text=row.text,
        due_at=row.due_at,
        status=row.status,
        overdue=row.status == "open" and row.due_at < now,
        created_by=row.created_by,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        note=row.note,
    )


class FollowUpService:
    def __init__(self, *, db: Database, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._db = db
        self._clock = clock

    def listed(
        self, shop: str, *, due: Due = "today", status: FollowUpFilter = "open", limit: int = 100, offset: int = 0
    ) -> list[FollowUp]:
        """Follow-ups by due time. `today` means due before midnight in the shop's time zone (overdue included)."""
        now = self._clock()
        with self._db.transaction() as session:
            zone = ZoneInfo(ShopRepository(session).profile(shop).shop.timezone)
            local = now.astimezone(zone)
            end_of_today = datetime.combine(local.date() + timedelta(days=1), time(0), zone).astimezone(UTC)
            before = {"today": end_of_today, "overdue": now, "all": None}[due]
            rows = FollowUpRepository(session).due(
                shop, status=None if status == "all" else status, due_before=before, limit=limit, offset=offset
            )
            return [follow_up(r, now) for r in rows]

    def close(self, identity: Identity, follow_up_id: int, request: FollowUpClose) -> FollowUp:
        """Mark a follow-up done (or cancelled). Raises Conflict if it is already closed."""
        now = self._clock()
        with self._db.transaction() as session:
            repo = FollowUpRepository(session)
            row = repo.get(identity.shop, follow_up_id)
            if row is None:
                raise NotFound(f"no follow-up {follow_up_id} in shop {identity.shop!r}")
            closed = repo.close(
                identity.shop,
                follow_up_id,
                status=request.outcome,
                closed_at=now,
                closed_by=identity.name,
                note=request.note,
            )
            if not closed:
                raise Conflict(f"follow-up {follow_up_id} is already {row.status}")
            session.refresh(row)
            return follow_up(row, now)
