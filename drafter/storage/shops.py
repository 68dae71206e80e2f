"""Shops and their API keys."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from drafter.core.errors import NotFound
from drafter.core.models import Identity, Role, Shop
from drafter.core.shop_profile import ShopProfile
from drafter.storage.tables import ApiKeyRow, ShopRow, utcnow


def _shop(row: ShopRow) -> Shop:
    return Shop(id=row.id, name=row.name, knowledge_revision=row.knowledge_revision)


class ShopRepository:
    """Shops, their knowledge revision and their API keys."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, shop: str) -> Shop | None:
        row = self._s.get(ShopRow, shop)
        return _shop(row) if row else None

    def list(self) -> list[Shop]:
        return [_shop(r) for r in self._s.scalars(select(ShopRow).order_by(ShopRow.id))]

    def create(self, shop: str, name: str) -> Shop:
        row = ShopRow(id=shop, name=name, knowledge_revision=0)
        self._s.add(row)
        self._s.flush()
        return _shop(row)

    def profile(self, shop: str) -> ShopProfile:
        """The shop's policy numbers; the strict default when none was imported."""
        row = self._s.get(ShopRow, shop)
        if row is None or row.profile is None:
            return ShopProfile.strict(shop)
        return ShopProfile.model_validate(row.profile)

    def set_profile(self, shop: str, profile: ShopProfile) -> bool:
        """Store the profile; returns whether it changed."""
        row = self._s.get(ShopRow, shop)
        if row is None:
            raise NotFound(f"shop {shop!r} does not exist")
        data = profile.model_dump(mode="json")
        if row.profile == data:
            return False
        row.profile = data
        return True

    def revision(self, shop: str) -> int:
        value = self._s.scalar(select(ShopRow.knowledge_revision).where(ShopRow.id == shop))
        return int(value or 0)

    def bump_revision(self, shop: str) -> int:
        """Increment the shop's knowledge revision inside the caller's transaction (row-locked)."""
        stmt = (
            update(ShopRow)
            .where(ShopRow.id == shop)
            .values(knowledge_revision=ShopRow.knowledge_revision + 1)
            .returning(ShopRow.knowledge_revision)
        )
        return int(self._s.execute(stmt).scalar_one())

    def add_key(self, shop: str, role: Role, name: str, prefix: str, key_hash: str) -> int:
        row = ApiKeyRow(shop_id=shop, role=role.value, name=name, prefix=prefix, key_hash=key_hash)
        self._s.add(row)
        self._s.flush()
        return row.id

    def identity_for(self, key_hash: str) -> Identity | None:
        row = self._s.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == key_hash, ApiKeyRow.revoked_at.is_(None)))
        if row is None:
            return None
        return Identity(shop=row.shop_id, role=Role(row.role), key_id=row.id, name=row.name)

    def revoke_keys(self, shop: str, name: str) -> int:
        """Revoke every live key of `shop` with this name; returns how many."""
        stmt = (
            update(ApiKeyRow)
            .where(ApiKeyRow.shop_id == shop, ApiKeyRow.name == name, ApiKeyRow.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        result: CursorResult[Any] = self._s.execute(stmt)  # type: ignore[assignment]
        return result.rowcount or 0
