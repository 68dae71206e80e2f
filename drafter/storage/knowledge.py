"""Knowledge entries and their immutable versions, always scoped to one shop."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from drafter.core.errors import Conflict, InvalidInput
from drafter.core.models import EntryContent, EntryKind, EntryStatus, EntrySummary, EntryVersion
from drafter.storage.tables import EntryRow, VersionRow, utcnow

_CHUNK = 500


@dataclass(frozen=True)
class EntryQuery:
    """Filters for listing entries (applied to each entry's latest version)."""

    kind: EntryKind | None = None
    language: str | None = None
    status: EntryStatus | None = None
    tag: str | None = None
    product: str | None = None
    text: str | None = None
    limit: int = 50
    offset: int = 0


def _version(row: VersionRow) -> EntryVersion:
    content = EntryContent(
        id=row.slug,
        kind=EntryKind(row.kind),
        title=row.title,
        body=row.body,
        language=row.language,
        tags=list(row.tags),
        product=row.product,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        status=EntryStatus(row.status),
        author=row.author,
        rating=row.rating,
        featured_from=row.featured_from,
        featured_to=row.featured_to,
    )
    return EntryVersion(
        version_id=row.id,
        version=row.version,
        revision=row.revision,
        content=content,
        content_hash=row.content_hash,
        created_at=row.created_at,
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class KnowledgeRepository:
    """Reads and writes entries of one shop at a time; every method takes the shop."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def _entry(self, shop: str, slug: str) -> EntryRow | None:
        return self._s.scalar(select(EntryRow).where(EntryRow.shop_id == shop, EntryRow.slug == slug))

    def _summary(self, entry: EntryRow, latest: VersionRow) -> EntrySummary:
        live = None
        if entry.live_version_id is not None:
            live_row = self._s.get(VersionRow, entry.live_version_id)
            live = live_row.version if live_row else None
        return EntrySummary(latest=_version(latest), live_version=live)

    def head(self, shop: str, slug: str) -> EntrySummary | None:
        entry = self._entry(shop, slug)
        if entry is None:
            return None
        latest = self._s.scalar(
            select(VersionRow).where(VersionRow.entry_id == entry.id, VersionRow.version == entry.latest_version)
        )
        return self._summary(entry, latest) if latest else None

    def versions(self, shop: str, slug: str) -> list[EntryVersion]:
        rows = self._s.scalars(
            select(VersionRow).where(VersionRow.shop_id == shop, VersionRow.slug == slug).order_by(VersionRow.version)
        )
        return [_version(r) for r in rows]

    def list_entries(self, shop: str, query: EntryQuery) -> tuple[list[EntrySummary], int]:
        stmt = (
            select(EntryRow, VersionRow)
            .join(
                VersionRow,
                (VersionRow.entry_id == EntryRow.id) & (VersionRow.version == EntryRow.latest_version),
            )
            .where(EntryRow.shop_id == shop)
        )
        if query.kind:
            stmt = stmt.where(VersionRow.kind == query.kind.value)
        if query.language:
            stmt = stmt.where(VersionRow.language == query.language)
        if query.status:
            stmt = stmt.where(VersionRow.status == query.status.value)
        if query.product:
            stmt = stmt.where(VersionRow.product == query.product)
        if query.tag:
            stmt = stmt.where(cast(VersionRow.tags, String).like(f'%"{_escape_like(query.tag)}"%', escape="\\"))
        if query.text:
            pattern = f"%{_escape_like(query.text)}%"
            stmt = stmt.where(
                or_(VersionRow.title.ilike(pattern, escape="\\"), VersionRow.body.ilike(pattern, escape="\\"))
            )
        total = self._s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self._s.execute(stmt.order_by(EntryRow.slug).limit(query.limit).offset(query.offset))
        return [self._summary(entry, version) for entry, version in rows], int(total)

    def latest_versions(self, shop: str) -> list[EntryVersion]:
        """The latest version of every entry, whatever its status, ordered by id."""
        rows = self._s.scalars(
            select(VersionRow)
            .join(EntryRow, (VersionRow.entry_id == EntryRow.id) & (VersionRow.version == EntryRow.latest_version))
            .where(EntryRow.shop_id == shop)
            .order_by(EntryRow.slug)
        )
        return [_version(r) for r in rows]

    def write(
        self, shop: str, content: EntryContent, *, revision: int, expected_version: int | None = None
    ) -> EntryVersion:
        """Write `content` as the next version of its entry (creating the entry if new).

        Raises:
            Conflict: `expected_version` is given and is not the entry's latest version.
            InvalidInput: the kind differs from the entry's kind.
        """
        entry = self._entry(shop, content.id)
        if entry is None:
            if expected_version not in (None, 0):
                raise Conflict(f"entry {content.id!r} does not exist (expected version {expected_version})")
            entry = EntryRow(shop_id=shop, slug=content.id, kind=content.kind.value, latest_version=0)
            self._s.add(entry)
            self._s.flush()
        elif expected_version is not None and expected_version != entry.latest_version:
            raise Conflict(f"entry {content.id!r} is at version {entry.latest_version}, not {expected_version}")
        if entry.kind != content.kind.value:
            raise InvalidInput(
                f"entry {content.id!r} is a {entry.kind}; its kind cannot change to {content.kind.value}",
                field="kind",
            )
        row = VersionRow(
            entry_id=entry.id,
            shop_id=shop,
            version=entry.latest_version + 1,
            revision=revision,
            slug=content.id,
            kind=content.kind.value,
            title=content.title,
            body=content.body,
            language=content.language,
            tags=list(content.tags),
            product=content.product,
            valid_from=content.valid_from,
            valid_to=content.valid_to,
            status=content.status.value,
            author=content.author,
            rating=content.rating,
            featured_from=content.featured_from,
            featured_to=content.featured_to,
            content_hash=content.content_hash(),
        )
        self._s.add(row)
        self._s.flush()
        entry.latest_version = row.version
        entry.updated_at = utcnow()
        if content.status is EntryStatus.PUBLISHED:
            entry.live_version_id = row.id
        elif content.status is EntryStatus.ARCHIVED:
            entry.live_version_id = None
        return _version(row)

    def live_version_ids(self, shop: str) -> set[int]:
        """Ids of the versions retrieval should serve for this shop."""
        rows = self._s.scalars(
            select(EntryRow.live_version_id).where(EntryRow.shop_id == shop, EntryRow.live_version_id.is_not(None))
        )
        return {int(v) for v in rows if v is not None}

    def versions_by_id(self, shop: str, ids: Iterable[int]) -> list[EntryVersion]:
        wanted = list(ids)
        out: list[EntryVersion] = []
        for start in range(0, len(wanted), _CHUNK):
            rows = self._s.scalars(
                select(VersionRow).where(VersionRow.shop_id == shop, VersionRow.id.in_(wanted[start : start + _CHUNK]))
            )
            out.extend(_version(r) for r in rows)
        return out
