"""A shop's live passages as an immutable snapshot: metadata columns for filters, plus BM25."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import numpy as np

from drafter.core.models import EntryKind, EntryVersion, RetrievalFilter
from drafter.retrieval.lexical_index import Bm25Index

_KINDS = list(EntryKind)
_LANGS = ["en", "zh"]


class Corpus:
    """Rows are live versions ordered by version id; built in one go, then only read."""

    def __init__(self, versions: Iterable[EntryVersion], tokens: dict[int, list[str]]) -> None:
        self.versions = sorted(versions, key=lambda v: v.version_id)
        self.by_id = {v.version_id: v for v in self.versions}
        self.version_ids = np.fromiter((v.version_id for v in self.versions), np.int64, len(self.versions))
        self._row = {vid: row for row, vid in enumerate(self.version_ids.tolist())}
        contents = [v.content for v in self.versions]
        self._kind = np.array([_KINDS.index(c.kind) for c in contents], np.int8)
        self._lang = np.array([_LANGS.index(c.language) for c in contents], np.int8)
        self._from = np.array([c.valid_from.timestamp() if c.valid_from else -np.inf for c in contents])
        self._to = np.array([c.valid_to.timestamp() if c.valid_to else np.inf for c in contents])
        self._rating = np.array([c.rating if c.rating is not None else np.nan for c in contents])
        self.slugs = np.array([c.id for c in contents], dtype=object)
        self._tags: dict[str, list[int]] = {}
        self._products: dict[str, list[int]] = {}
        for row, c in enumerate(contents):
            for tag in c.tags:
                self._tags.setdefault(tag, []).append(row)
            if c.product:
                self._products.setdefault(c.product, []).append(row)
        self.tokens = {v.version_id: tokens[v.version_id] for v in self.versions}
        self.lexical = Bm25Index([self.tokens[v.version_id] for v in self.versions])

    def __len__(self) -> int:
        return len(self.versions)

    def row(self, version_id: int) -> int | None:
        return self._row.get(version_id)

    def _rows_mask(self, rows: Iterable[int]) -> np.ndarray:
        mask = np.zeros(len(self), bool)
        mask[list(rows)] = True
        return mask

    def mask(self, flt: RetrievalFilter, now: datetime) -> np.ndarray:
        """Rows a search may return under `flt` at time `now` (validity is always applied)."""
        moment = (flt.valid_at or now).timestamp()
        mask = (self._from <= moment) & (moment < self._to)
        if flt.kinds:
            mask &= np.isin(self._kind, [_KINDS.index(k) for k in flt.kinds])
        if flt.language:
            mask &= self._lang == _LANGS.index(flt.language)
        if flt.tags:
            mask &= self._rows_mask(r for t in flt.tags for r in self._tags.get(t, []))
        if flt.product:
            mask &= self._rows_mask(self._products.get(flt.product, []))
        if flt.min_rating is not None:
            is_reply = self._kind == _KINDS.index(EntryKind.PAST_REPLY)
            mask &= ~is_reply | (np.nan_to_num(self._rating, nan=0.0) >= flt.min_rating)
        return mask
