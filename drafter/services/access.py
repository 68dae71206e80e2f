"""Shops and API keys: create them, and turn a presented key into an identity."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets

from drafter.core.errors import InvalidInput, NotFound, Unauthenticated
from drafter.core.models import SLUG_PATTERN, Identity, Role, Shop
from drafter.storage import Database, ShopRepository

log = logging.getLogger(__name__)

KEY_PREFIX = "drk_"


def hash_key(raw: str) -> str:
    """Keys are 256-bit random strings, so a plain SHA-256 is a safe, fast lookup hash."""
    return hashlib.sha256(raw.encode()).hexdigest()


class AccessService:
    """Shops and their API keys. Keys are shown once and stored only as hashes."""

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def ensure_shop(self, shop: str, name: str) -> Shop:
        if not re.fullmatch(SLUG_PATTERN, shop):
            raise InvalidInput("shop id must be 2 to 80 lowercase letters, digits or '-'", field="shop")
        with self._db.transaction() as session:
            repo = ShopRepository(session)
            return repo.get(shop) or repo.create(shop, name)

    def shops(self) -> list[Shop]:
        with self._db.transaction() as session:
            return ShopRepository(session).list()

    def create_key(self, shop: str, role: Role, *, name: str = "") -> str:
        """Create a key and return it; this is the only time it is visible."""
        raw = KEY_PREFIX + secrets.token_urlsafe(32)
        with self._db.transaction() as session:
            repo = ShopRepository(session)
            if repo.get(shop) is None:
                raise NotFound(f"shop {shop!r} does not exist")
            key_id = repo.add_key(shop, role, name or role.value, raw[:12], hash_key(raw))
        log.info("api key created", extra={"shop": shop, "role": role.value, "key_id": key_id})
        return raw

    def revoke_keys(self, shop: str, name: str) -> int:
        with self._db.transaction() as session:
            return ShopRepository(session).revoke_keys(shop, name)

    def authenticate(self, raw: str) -> Identity:
        """The identity behind a presented key. Raises Unauthenticated for unknown or revoked keys."""
        with self._db.transaction() as session:
            identity = ShopRepository(session).identity_for(hash_key(raw))
        if identity is None:
            raise Unauthenticated("unknown or revoked API key")
        return identity
