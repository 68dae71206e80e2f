"""Hybrid retrieval (dense + BM25, fused by RRF) over each shop's live knowledge, kept in step with the database."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import numpy as np

from drafter.core.models import EntryVersion, Passage, RankerScores, RetrievalFilter
from drafter.core.settings import RetrievalSettings
from drafter.retrieval.batcher import QueryBatcher
from drafter.retrieval.corpus import Corpus
from drafter.retrieval.embedder import Embedder
from drafter.retrieval.fusion import maximal_marginal_relevance, reciprocal_rank_fusion
from drafter.retrieval.index_store import IndexStore
from drafter.retrieval.tokenizer import Tokenizer
from drafter.retrieval.vector_index import FaissIndex
from drafter.storage import Database, EmbeddingRepository, KnowledgeRepository, ShopRepository

log = logging.getLogger(__name__)
SNIPPET_CHARS = 280
Progress = Callable[[int, int], None]
Mode = Literal["hybrid", "dense", "lexical"]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class _ShopState:
    index: FaissIndex
    corpus: Corpus
    revision: int
    checked_at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class RetrievalStats:
    shop: str
    revision: int
    passages: int
    index_kind: str


class Retriever:
    """Searches one shop at a time. Indexes are derived from the database and rebuilt from it."""

    def __init__(
        self,
        *,
        db: Database,
        embedder: Embedder,
        store: IndexStore,
        tokenizer: Tokenizer,
        settings: RetrievalSettings,
    ) -> None:
        self._db = db
        self._embedder = embedder
        self._store = store
        self._tokenizer = tokenizer
        self._settings = settings
        self._batcher = QueryBatcher(embedder, window_s=settings.batch_window_ms / 1000, max_batch=settings.max_batch)
        self._states: dict[str, _ShopState] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    @property
    def embedder_name(self) -> str:
        return self._embedder.name

    def close(self) -> None:
        self._batcher.close()

    # ---- keeping in step -------------------------------------------------------------------

    def _lock(self, shop: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(shop, threading.Lock())

    def load_all(self, progress: Progress | None = None) -> list[RetrievalStats]:
        """Bring every shop's index up to date (start-up)."""
        with self._db.transaction() as session:
            shops = [s.id for s in ShopRepository(session).list()]
        return [self.refresh(shop, progress=progress) for shop in shops]

    def refresh(self, shop: str, progress: Progress | None = None) -> RetrievalStats:
        """Catch the shop's indexes up with its knowledge revision: add and remove what changed."""
        with self._lock(shop):
            state = self._states.get(shop)
            with self._db.transaction() as session:
                revision = ShopRepository(session).revision(shop)
                if state is not None and state.revision == revision:
                    state.checked_at = time.monotonic()
                    return self._stats(shop, state)
                repo = KnowledgeRepository(session)
                desired = repo.live_version_ids(shop)
                known = state.corpus.by_id if state else {}
                fetched = repo.versions_by_id(shop, desired - known.keys())
            versions = [known[i] for i in desired & known.keys()] + fetched
            started = time.perf_counter()
            index = state.index if state else self._load_or_new(shop)
            in_index = index.ids()
            index.remove(in_index - desired)
            self._add_vectors(index, [v for v in versions if v.version_id not in in_index], progress)
            tokens = {**(state.corpus.tokens if state else {})}
            for v in fetched:
                tokens[v.version_id] = self._tokenizer.tokens(v.content.search_text())
            corpus = Corpus(versions, tokens)
            new_state = _ShopState(index=index, corpus=corpus, revision=revision)
            self._states[shop] = new_state
            if state is None or fetched or len(corpus) != len(state.corpus):
                self._store.save(shop, index, embedder=self._embedder.name, revision=revision)
            log.info(
                "index refreshed",
                extra={
                    "shop": shop,
                    "revision": revision,
                    "passages": len(corpus),
                    "added": len(fetched),
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return self._stats(shop, new_state)

    def _stats(self, shop: str, state: _ShopState) -> RetrievalStats:
        return RetrievalStats(
            shop=shop, revision=state.revision, passages=len(state.corpus), index_kind=state.index.kind
        )

    def _load_or_new(self, shop: str) -> FaissIndex:
        loaded = self._store.load(
            shop,
            embedder=self._embedder.name,
            dimension=self._embedder.dimension,
            hnsw_threshold=self._settings.hnsw_threshold,
        )
        if loaded is not None:
            return loaded[0]
        return FaissIndex(self._embedder.dimension, hnsw_threshold=self._settings.hnsw_threshold)

    def _add_vectors(self, index: FaissIndex, versions: Sequence[EntryVersion], progress: Progress | None) -> None:
        if not versions:
            return
        hashes = [text_hash(v.content.search_text()) for v in versions]
        with self._db.transaction() as session:
            cached = EmbeddingRepository(session).get_many(self._embedder.name, hashes)
        missing = [(h, v) for h, v in zip(hashes, versions, strict=True) if h not in cached]
        step = 64
        for start in range(0, len(missing), step):
            chunk = missing[start : start + step]
            vectors = self._embedder.embed_documents([v.content.search_text() for _, v in chunk])
            fresh = {h: vec for (h, _), vec in zip(chunk, vectors, strict=True)}
            with self._db.transaction() as session:
                EmbeddingRepository(session).put_many(self._embedder.name, fresh)
            cached.update(fresh)
            if progress:
                progress(min(start + step, len(missing)), len(missing))
        ids = np.fromiter((v.version_id for v in versions), np.int64, len(versions))
        index.add(ids, np.vstack([cached[h] for h in hashes]))

    def _fresh_state(self, shop: str) -> _ShopState | None:
        state = self._states.get(shop)
        if state is None or time.monotonic() - state.checked_at > self._settings.sync_interval_s:
            self.refresh(shop)
            state = self._states.get(shop)
        return state

    # ---- searching -------------------------------------------------------------------------

    def retrieve(
        self,
        query: str,
        *,
        shop: str,
        k: int = 5,
        filter: RetrievalFilter | None = None,
        mmr: bool = False,
        mode: Mode = "hybrid",
    ) -> list[Passage]:
        """The k passages of `shop` that best answer `query` under `filter` (empty list if none)."""
        state = self._fresh_state(shop)
        if state is None or len(state.corpus) == 0 or not query.strip():
            return []
        vector = self._batcher.embed(query)
        return self._search(state, query, vector, k, filter or RetrievalFilter(), mmr, mode)

    async def aretrieve(
        self,
        query: str,
        *,
        shop: str,
        k: int = 5,
        filter: RetrievalFilter | None = None,
        mmr: bool = False,
        mode: Mode = "hybrid",
    ) -> list[Passage]:
        """`retrieve` for the event loop: database, embedding and search all run off the loop."""
        state = self._states.get(shop)
        if state is None or time.monotonic() - state.checked_at > self._settings.sync_interval_s:
            state = await asyncio.to_thread(self._fresh_state, shop)
        if state is None or len(state.corpus) == 0 or not query.strip():
            return []
        vector = await asyncio.wrap_future(self._batcher.submit(query))
        return await asyncio.to_thread(self._search, state, query, vector, k, filter or RetrievalFilter(), mmr, mode)

    def _dense(self, state: _ShopState, vector: np.ndarray, mask: np.ndarray, n: int) -> list[tuple[int, float]]:
        corpus = state.corpus
        allowed = int(mask.sum())
        wanted = min(n, allowed)
        over = 4 * n if allowed < len(corpus) else n
        hits = [(i, s) for i, s in state.index.search(vector, over) if (r := corpus.row(i)) is not None and mask[r]]
        if len(hits) < wanted:
            hits = [
                (i, s)
                for i, s in state.index.search(vector, n, allowed=corpus.version_ids[mask])
                if corpus.row(i) is not None
            ]
        return hits[:n]

    def _search(
        self, state: _ShopState, query: str, vector: np.ndarray, k: int, flt: RetrievalFilter, mmr: bool, mode: Mode
    ) -> list[Passage]:
        corpus = state.corpus
        mask = corpus.mask(flt, datetime.now(UTC))
        if not mask.any():
            return []
        n = max(self._settings.candidates, k)
        dense = self._dense(state, vector, mask, n) if mode != "lexical" else []
        lexical = (
            [(int(corpus.version_ids[r]), s) for r, s in corpus.lexical.search(self._tokenizer.tokens(query), n, mask)]
            if mode != "dense"
            else []
        )
        lexical_weight = 2.0 if self._tokenizer.identifiers(query) else 1.0
        fused = reciprocal_rank_fusion(
            [[i for i, _ in dense], [i for i, _ in lexical]], [1.0, lexical_weight], k=self._settings.rrf_k
        )
        if mmr and len(fused) > k:
            pool = fused[: 3 * k]
            picks = maximal_marginal_relevance(
                np.array([s for _, s in pool]), state.index.vectors(i for i, _ in pool), k=k
            )
            fused = [pool[p] for p in picks]
        dense_at = {i: (rank, s) for rank, (i, s) in enumerate(dense, start=1)}
        lexical_at = {i: (rank, s) for rank, (i, s) in enumerate(lexical, start=1)}
        return [self._passage(corpus.by_id[i], score, dense_at.get(i), lexical_at.get(i)) for i, score in fused[:k]]

    @staticmethod
    def _passage(
        version: EntryVersion, fused: float, dense: tuple[int, float] | None, lexical: tuple[int, float] | None
    ) -> Passage:
        c = version.content
        snippet = c.body if len(c.body) <= SNIPPET_CHARS else c.body[: SNIPPET_CHARS - 1].rstrip() + "…"
        return Passage(
            entry_id=c.id,
            version=version.version,
            version_id=version.version_id,
            kind=c.kind,
            title=c.title,
            snippet=snippet,
            language=c.language,
            tags=list(c.tags),
            product=c.product,
            rating=c.rating,
            scores=RankerScores(
                dense_rank=dense[0] if dense else None,
                dense_score=round(dense[1], 4) if dense else None,
                lexical_rank=lexical[0] if lexical else None,
                lexical_score=round(lexical[1], 4) if lexical else None,
                fused=round(fused, 6),
            ),
        )
