"""Stored drafts, always scoped to one shop."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from drafter.core.drafts import Draft, DraftRequest
from drafter.storage.tables import DraftRow


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
                status=draft.review_status,
                draft=draft.model_dump(mode="json"),
                request=request.model_dump(mode="json"),
                created_at=draft.created_at,
            )
        )
        self._s.flush()

    def get(self, shop: str, draft_id: str) -> tuple[Draft, DraftRequest] | None:
        row = self._s.scalar(select(DraftRow).where(DraftRow.shop_id == shop, DraftRow.id == draft_id))
        if row is None:
            return None
        return Draft.model_validate(row.draft), DraftRequest.model_validate(row.request)
