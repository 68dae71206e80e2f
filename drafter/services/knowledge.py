"""Knowledge use cases: import, create, update, archive, read. Every write is one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
from sqlalchemy.orm import Session

from drafter.core.errors import Conflict, InvalidInput, NotFound, Unavailable
from drafter.core.models import (
    EntryContent,
    EntryStatus,
    EntrySummary,
    EntryVersion,
    ImportReport,
    Language,
    Passage,
    RetrievalFilter,
)
from drafter.core.shop_profile import ShopProfile
from drafter.services.knowledge_files import read_entries, read_profile
from drafter.storage import Database, EntryQuery, KnowledgeRepository, ShopRepository

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


class KnowledgeIndex(Protocol):
    """The derived search indexes: kept in step with the database, searched per shop."""

    def refresh(self, shop: str) -> object:
        """Bring the shop's indexes up to its current knowledge revision before returning."""

    async def aretrieve(
        self,
        query: str,
        *,
        shop: str,
        k: int = 5,
        filter: RetrievalFilter | None = None,
        mmr: bool = False,
        mode: Literal["hybrid", "dense", "lexical"] = "hybrid",
    ) -> list[Passage]:
        """The k best passages of `shop` for `query` under `filter`."""

    async def aretrieve_many(
        self,
        query: str,
        *,
        shop: str,
        searches: Sequence[tuple[RetrievalFilter, int]],
        vector: np.ndarray | None = None,
    ) -> list[list[Passage]]:
        """One result list per (filter, k), embedding the query once (or using `vector`)."""

    async def aembed(self, query: str, language: Language) -> np.ndarray | None:
        """The query's vector in `language`'s embedding space (None for an empty query)."""


class KnowledgeService:
    """Reads and writes one shop's knowledge; tells the indexes after each committed write."""

    def __init__(self, *, db: Database, index: KnowledgeIndex | None = None) -> None:
        self._db = db
        self._index = index

    def _require_shop(self, shops: ShopRepository, shop: str) -> None:
        if shops.get(shop) is None:
            raise NotFound(f"shop {shop!r} does not exist")

    def _after_write(self, shop: str) -> None:
        if self._index is not None:
            self._index.refresh(shop)

    def import_path(
        self, shop: str, path: Path, *, dry_run: bool = False, progress: Progress | None = None
    ) -> ImportReport:
        """Validate every file under `path` (and its shop.yaml), then import all of it in one transaction."""
        profile = read_profile(path)
        return self.import_entries(shop, read_entries(path), dry_run=dry_run, progress=progress, profile=profile)

    def import_entries(
        self,
        shop: str,
        entries: Sequence[EntryContent],
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
        profile: ShopProfile | None = None,
    ) -> ImportReport:
        created: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        with self._db.transaction() as session:
            shops = ShopRepository(session)
            self._require_shop(shops, shop)
            repo = KnowledgeRepository(session)
            known = repo.latest_hashes(shop)
            changed = [e for e in entries if known.get(e.id) != e.content_hash()]
            unchanged = sorted(e.id for e in entries if known.get(e.id) == e.content_hash())
            revision = shops.revision(shop)
            profile_updated = profile is not None and shops.set_profile(shop, profile)
            if changed and not dry_run:
                revision = shops.bump_revision(shop)
            for done, entry in enumerate(changed, start=1):
                (updated if entry.id in known else created).append(entry.id)
                if not dry_run:
                    repo.write(shop, entry, revision=revision)
                if progress:
                    progress(done, len(changed))
            if dry_run:
                session.rollback()
        report = ImportReport(
            shop=shop,
            created=created,
            updated=updated,
            unchanged=unchanged,
            revision=revision,
            dry_run=dry_run,
            profile_updated=profile_updated,
        )
        log.info(
            "knowledge import",
            extra={
                "shop": shop,
                "new_entries": len(created),
                "changed_entries": len(updated),
                "unchanged_entries": len(unchanged),
                "dry_run": dry_run,
            },
        )
        if changed and not dry_run:
            self._after_write(shop)
        return report

    def create(
        self, shop: str, content: EntryContent, *, also: Callable[[Session], None] | None = None
    ) -> EntryVersion:
        """Create a new entry. Raises Conflict if the id is taken.

        Args:
            also: more writes to commit in the same transaction (a suggestion marked approved, say).
        """
        return self._write(shop, content, expected_version=0, also=also)

    def update(
        self,
        shop: str,
        entry_id: str,
        content: EntryContent,
        *,
        expected_version: int | None,
        also: Callable[[Session], None] | None = None,
    ) -> EntryVersion:
        """Write a new version of an existing entry (unchanged content writes nothing, and runs no `also`)."""
        if content.id != entry_id:
            raise InvalidInput(f"body id {content.id!r} does not match the path's {entry_id!r}", field="id")
        head = self.get(shop, entry_id)
        if expected_version is not None and expected_version != head.latest.version:
            raise Conflict(f"entry {entry_id!r} is at version {head.latest.version}, not {expected_version}")
        if head.latest.content_hash == content.content_hash():
            return head.latest
        return self._write(shop, content, expected_version=head.latest.version, also=also)

    def archive(self, shop: str, entry_id: str, *, expected_version: int | None = None) -> EntryVersion:
        """Archive an entry: a new version with status archived; retrieval drops it."""
        head = self.get(shop, entry_id)
        if head.latest.content.status is EntryStatus.ARCHIVED:
            return head.latest
        content = head.latest.content.model_copy(update={"status": EntryStatus.ARCHIVED})
        return self.update(shop, entry_id, content, expected_version=expected_version)

    def _write(
        self, shop: str, content: EntryContent, *, expected_version: int, also: Callable[[Session], None] | None = None
    ) -> EntryVersion:
        with self._db.transaction() as session:
            shops = ShopRepository(session)
            self._require_shop(shops, shop)
            version = KnowledgeRepository(session).write(
                shop, content, revision=shops.bump_revision(shop), expected_version=expected_version
            )
            if also is not None:
                also(session)
        log.info("entry written", extra={"shop": shop, "entry": content.id, "version": version.version})
        self._after_write(shop)
        return version

    def get(self, shop: str, entry_id: str) -> EntrySummary:
        with self._db.transaction() as session:
            head = KnowledgeRepository(session).head(shop, entry_id)
        if head is None:
            raise NotFound(f"no entry {entry_id!r} in shop {shop!r}")
        return head

    def versions(self, shop: str, entry_id: str) -> list[EntryVersion]:
        with self._db.transaction() as session:
            versions = KnowledgeRepository(session).versions(shop, entry_id)
        if not versions:
            raise NotFound(f"no entry {entry_id!r} in shop {shop!r}")
        return versions

    def list_entries(self, shop: str, query: EntryQuery) -> tuple[list[EntrySummary], int]:
        with self._db.transaction() as session:
            return KnowledgeRepository(session).list_entries(shop, query)

    def export(self, shop: str) -> list[EntryContent]:
        """The latest content of every entry (archived and drafts included), for `write_entries`."""
        with self._db.transaction() as session:
            self._require_shop(ShopRepository(session), shop)
            return [v.content for v in KnowledgeRepository(session).latest_versions(shop)]

    def profile(self, shop: str) -> ShopProfile:
        with self._db.transaction() as session:
            return ShopRepository(session).profile(shop)

    def revision(self, shop: str) -> int:
        with self._db.transaction() as session:
            return ShopRepository(session).revision(shop)

    async def search(
        self,
        shop: str,
        query: str,
        *,
        k: int,
        filter: RetrievalFilter,
        mmr: bool = False,
        mode: Literal["hybrid", "dense", "lexical"] = "hybrid",
    ) -> list[Passage]:
        """What retrieval returns for `query` in `shop` (hit testing and drafting)."""
        if self._index is None:
            raise Unavailable("search is not configured in this process")
        return await self._index.aretrieve(query, shop=shop, k=k, filter=filter, mmr=mmr, mode=mode)
