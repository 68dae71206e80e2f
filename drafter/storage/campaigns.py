"""Script-optimisation campaigns, their answers and ratings, always scoped to one shop."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from drafter.storage.tables import CampaignAnswerRow, CampaignRatingRow, CampaignRow


class CampaignRepository:
    """Reads and writes campaigns of one shop at a time; every method takes the shop."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, row: CampaignRow) -> CampaignRow:
        self._s.add(row)
        self._s.flush()
        return row

    def get(self, shop: str, campaign_id: int, *, for_update: bool = False) -> CampaignRow | None:
        stmt = select(CampaignRow).where(CampaignRow.shop_id == shop, CampaignRow.id == campaign_id)
        return self._s.scalar(stmt.with_for_update() if for_update else stmt)

    def listed(self, shop: str, *, status: str | None, limit: int, offset: int) -> list[tuple[CampaignRow, int]]:
        """Campaigns, newest first, each with its number of answers."""
        counts = (
            select(CampaignAnswerRow.campaign_id, func.count().label("n"))
            .where(CampaignAnswerRow.shop_id == shop)
            .group_by(CampaignAnswerRow.campaign_id)
            .subquery()
        )
        stmt = (
            select(CampaignRow, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.campaign_id == CampaignRow.id)
            .where(CampaignRow.shop_id == shop)
        )
        if status is not None:
            stmt = stmt.where(CampaignRow.status == status)
        stmt = stmt.order_by(CampaignRow.created_at.desc(), CampaignRow.id.desc()).limit(limit).offset(offset)
        return [(row, int(n)) for row, n in self._s.execute(stmt)]

    def finish(self, shop: str, campaign_id: int, *, status: str, at: datetime, **values: Any) -> bool:
        """Promote or close an open campaign; False if it was no longer open."""
        stmt = (
            update(CampaignRow)
            .where(CampaignRow.shop_id == shop, CampaignRow.id == campaign_id, CampaignRow.status == "open")
            .values(status=status, closed_at=at, **values)
        )
        result: CursorResult[Any] = self._s.execute(stmt)  # type: ignore[assignment]
        return result.rowcount == 1

    def add_answer(self, row: CampaignAnswerRow) -> CampaignAnswerRow:
        self._s.add(row)
        self._s.flush()
        return row

    def answer(self, shop: str, campaign_id: int, answer_id: int) -> CampaignAnswerRow | None:
        return self._s.scalar(
            select(CampaignAnswerRow).where(
                CampaignAnswerRow.shop_id == shop,
                CampaignAnswerRow.campaign_id == campaign_id,
                CampaignAnswerRow.id == answer_id,
            )
        )

    def answers(self, shop: str, campaign_id: int) -> list[CampaignAnswerRow]:
        stmt = select(CampaignAnswerRow).where(
            CampaignAnswerRow.shop_id == shop, CampaignAnswerRow.campaign_id == campaign_id
        )
        return list(self._s.scalars(stmt.order_by(CampaignAnswerRow.id)))

    def ratings(self, shop: str, campaign_id: int) -> dict[int, list[int]]:
        """Answer id -> its ratings, for every rated answer of the campaign."""
        stmt = (
            select(CampaignRatingRow.answer_id, CampaignRatingRow.rating)
            .join(CampaignAnswerRow, CampaignAnswerRow.id == CampaignRatingRow.answer_id)
            .where(CampaignRatingRow.shop_id == shop, CampaignAnswerRow.campaign_id == campaign_id)
            .order_by(CampaignRatingRow.id)
        )
        out: dict[int, list[int]] = {}
        for answer_id, rating in self._s.execute(stmt):
            out.setdefault(answer_id, []).append(rating)
        return out

    def rate(self, shop: str, answer_id: int, *, rater: str, rating: int, at: datetime) -> None:
        """Record the rater's rating of the answer, replacing their earlier one."""
        row = self._s.scalar(
            select(CampaignRatingRow).where(
                CampaignRatingRow.shop_id == shop,
                CampaignRatingRow.answer_id == answer_id,
                CampaignRatingRow.rater == rater,
            )
        )
        if row is None:
            self._s.add(CampaignRatingRow(answer_id=answer_id, shop_id=shop, rater=rater, rating=rating, created_at=at))
        else:
            row.rating = rating
            row.created_at = at
        self._s.flush()
