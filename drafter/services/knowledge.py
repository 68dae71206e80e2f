"""Knowledge use cases: import, create, update, archive, read. Every write is one transaction."""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
from sqlalchemy.orm import Session

from drafter.core.errors import Conflict, ImportFailed, InvalidInput, NotFound, Unavailable
from drafter.core.models import (
    CitingDraft,
    EntryContent,
    EntryStatus,
    EntrySummary,
    EntryVersion,
    ImportIssue,
    ImportReport,
    Language,
    NearDuplicate,
    Passage,
    RetrievalFilter,
)
from drafter.core.shop_profile import ShopProfile
from drafter.services.knowledge_files import read_entries, read_profile
from drafter.storage import Database, DraftRepository, EntryQuery, KnowledgeRepository, ShopRepository

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
UploadFormat = Literal["csv", "jsonl", "json"]


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

    def similar_entries(self, content: EntryContent, *, shop: str, k: int = 3) -> list[tuple[EntryVersion, float]]:
        """Live entries of the same kind and language most like `content`, with their cosine similarity."""


class KnowledgeService:
    """Reads and writes one shop's knowledge; tells the indexes after each committed write."""

    def __init__(
        self,
        *,
        db: Database,
        index: KnowledgeIndex | None = None,
        duplicate_thresholds: Mapping[Language, float] | None = None,
    ) -> None:
        self._db = db
        self._index = index
        self._duplicate_thresholds = duplicate_thresholds or {"en": 0.90, "zh": 0.98}

    def near_duplicates(self, shop: str, content: EntryContent) -> list[NearDuplicate]:
        """Existing entries that `content` would nearly repeat (same kind and language, above the threshold)."""
        if self._index is None:
            return []
        threshold = self._duplicate_thresholds[content.language]
        return [
            NearDuplicate(
                entry_id=v.content.id, version=v.version, title=v.content.title, similarity=score, threshold=threshold
            )
            for v, score in self._index.similar_entries(content, shop=shop)
            if score >= threshold
        ]

    def _require_shop(self, shops: ShopRepository, shop: str) -> None:
        if shops.get(shop) is None:
            raise NotFound(f"shop {shop!r} does not exist")

    def _after_write(self, shop: str) -> None:
        if self._index is not None:
            self._index.refresh(shop)

    def import_path(
        self,
        shop: str,
        path: Path,
        *,
        dry_run: bool = False,
        sync: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Validate every file under `path` (and its shop.yaml), then import all of it in one transaction."""
        profile = read_profile(path)
        entries = read_entries(path)
        return self.import_entries(shop, entries, dry_run=dry_run, sync=sync, progress=progress, profile=profile)

    def import_upload(
        self, shop: str, data: bytes, fmt: UploadFormat, *, dry_run: bool = False, sync: bool = False
    ) -> ImportReport:
        """Import an uploaded CSV, JSONL or JSON file. A dry run reports invalid rows instead of failing.

        Raises:
            ImportFailed: rows are invalid (and this is not a dry run); nothing was written.
        """
        if fmt == "json":
            data, fmt = _json_as_jsonl(data), "jsonl"
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"import.{fmt}"
            path.write_bytes(data)
            try:
                entries = read_entries(path)
            except ImportFailed as exc:
                if not dry_run:
                    raise
                issues = [ImportIssue(source=p.source, field=p.field, message=p.message) for p in exc.problems]
                return ImportReport(
                    shop=shop,
                    created=[],
                    updated=[],
                    unchanged=[],
                    invalid=issues,
                    revision=self.revision(shop),
                    dry_run=True,
                    sync=sync,
                )
        return self.import_entries(shop, entries, dry_run=dry_run, sync=sync)

    def import_entries(
        self,
        shop: str,
        entries: Sequence[EntryContent],
        *,
        dry_run: bool = False,
        sync: bool = False,
        progress: Progress | None = None,
        profile: ShopProfile | None = None,
    ) -> ImportReport:
        """Apply an import in one transaction (or, with `dry_run`, report what it would do and apply nothing).

        Args:
            sync: the import is the whole knowledge base: entries it does not mention are archived.
        """
        with self._db.transaction() as session:
            shops = ShopRepository(session)
            self._require_shop(shops, shop)
            repo = KnowledgeRepository(session)
            latest = {v.content.id: v for v in repo.latest_versions(shop)}
            changed = [e for e in entries if e.id not in latest or latest[e.id].content_hash != e.content_hash()]
            mentioned = {e.id for e in entries}
            removed = sorted(
                slug
                for slug, v in latest.items()
                if sync and slug not in mentioned and v.content.status is not EntryStatus.ARCHIVED
            )
            report = ImportReport(
                shop=shop,
                created=[e.id for e in changed if e.id not in latest],
                updated=[e.id for e in changed if e.id in latest],
                unchanged=sorted(mentioned - {e.id for e in changed}),
                removed=removed,
                changes={e.id: _changed_fields(latest[e.id].content, e) for e in changed if e.id in latest},
                revision=shops.revision(shop),
                dry_run=dry_run,
                sync=sync,
                profile_updated=profile is not None and shops.set_profile(shop, profile),
            )
            if dry_run:
                session.rollback()
            elif changed or removed:
                report = report.model_copy(update={"revision": shops.bump_revision(shop)})
                archived = [
                    latest[slug].content.model_copy(update={"status": EntryStatus.ARCHIVED}) for slug in removed
                ]
                for done, entry in enumerate([*changed, *archived], start=1):
                    repo.write(shop, entry, revision=report.revision)
                    if progress:
                        progress(done, len(changed) + len(archived))
        log.info(
            "knowledge import",
            extra={
                "shop": shop,
                "new_entries": len(report.created),
                "changed_entries": len(report.updated),
                "removed_entries": len(report.removed),
                "unchanged_entries": len(report.unchanged),
                "dry_run": dry_run,
            },
        )
        if (changed or removed) and not dry_run:
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

    def restore(self, shop: str, entry_id: str, *, author: str, expected_version: int | None = None) -> EntryVersion:
        """Publish an archived entry again, as a new version. Raises Conflict if it is not archived."""
        head = self.get(shop, entry_id)
        if head.latest.content.status is not EntryStatus.ARCHIVED:
            raise Conflict(f"entry {entry_id!r} is {head.latest.content.status.value}, not archived")
        content = head.latest.content.model_copy(update={"status": EntryStatus.PUBLISHED, "author": author[:80]})
        return self.update(shop, entry_id, content, expected_version=expected_version)

    def rollback(
        self, shop: str, entry_id: str, to: int, *, author: str, expected_version: int | None = None
    ) -> EntryVersion:
        """Write version `to`'s content as a new version (history is never rewritten)."""
        versions = {v.version: v for v in self.versions(shop, entry_id)}
        if to not in versions:
            raise NotFound(f"entry {entry_id!r} has no version {to} (it has 1 to {max(versions)})")
        content = versions[to].content.model_copy(update={"author": author[:80]})
        return self.update(shop, entry_id, content, expected_version=expected_version)

    def citing_drafts(
        self, shop: str, entry_id: str, version: int, *, limit: int = 50, offset: int = 0
    ) -> tuple[list[CitingDraft], int]:
        """Drafts that cited this version: who may have been told what it said."""
        with self._db.transaction() as session:
            known = {v.version for v in KnowledgeRepository(session).versions(shop, entry_id)}
            if not known:
                raise NotFound(f"no entry {entry_id!r} in shop {shop!r}")
            if version not in known:
                raise NotFound(f"entry {entry_id!r} has no version {version}")
            rows, total = DraftRepository(session).citing(shop, entry_id, version, limit=limit, offset=offset)
            return [
                CitingDraft(
                    draft_id=r.id,
                    conversation_id=r.conversation_id,
                    created_at=r.created_at,
                    review_status=r.status,
                    reviewed_at=r.reviewed_at,
                    sent_at=r.sent_at,
                )
                for r in rows
            ], total

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


def _changed_fields(old: EntryContent, new: EntryContent) -> list[str]:
    before, after = old.model_dump(exclude={"author"}), new.model_dump(exclude={"author"})
    return [name for name in after if before.get(name) != after[name]]


def _json_as_jsonl(data: bytes) -> bytes:
    """A JSON array of entries (or {"entries": [...]}) as JSONL, so one reader validates every format."""
    try:
        parsed = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"the body is not valid JSON: {exc}", field="body") from exc
    if isinstance(parsed, dict) and isinstance(parsed.get("entries"), list):
        parsed = parsed["entries"]
    if not isinstance(parsed, list):
        raise InvalidInput('send a JSON array of entries, or {"entries": [...]}', field="body")
    return "\n".join(json.dumps(item, ensure_ascii=False) for item in parsed).encode()
