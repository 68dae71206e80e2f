"""Hybrid retrieval (dense + BM25, fused by RRF) over each shop's live knowledge, kept in step with the database."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import numpy as np

from drafter.core.models import EntryContent, EntryVersion, Language, Passage, RankerScores, RetrievalFilter
from drafter.core.settings import RetrievalSettings
from drafter.retrieval.batcher import QueryBatcher
from drafter.retrieval.corpus import Corpus
from drafter.retrieval.embedder import Embedder
from drafter.retrieval.fusion import maximal_marginal_relevance, reciprocal_rank_fusion
from drafter.retrieval.index_store import IndexStore
from drafter.retrieval.tokenizer import Tokenizer
from drafter.retrieval.vector_index import FaissIndex, IndexKind
from drafter.storage import Database, EmbeddingRepository, KnowledgeRepository, ShopRepository

log = logging.getLogger(__name__)
SNIPPET_CHARS = 280
Progress = Callable[[int, int], None]
Mode = Literal["hybrid", "dense", "lexical"]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


LANGUAGES: tuple[Language, ...] = ("en", "zh")


@dataclass
class _ShopState:
    indexes: dict[Language, FaissIndex]
    corpus: Corpus
    revision: int
    checked_at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class RetrievalStats:
    shop: str
    revision: int
    passages: int
    index_kinds: dict[Language, IndexKind]


class Retriever:
    """Searches one shop at a time. Indexes are derived from the database and rebuilt from it.

    Each language has its own dense model and vector index (English and Chinese models differ in
    what they are good at); BM25 spans both, and the query's language picks the dense index.
    """

    def __init__(
        self,
        *,
        db: Database,
        embedders: Mapping[Language, Embedder],
        store: IndexStore,
        tokenizer: Tokenizer,
        settings: RetrievalSettings,
    ) -> None:
        self._db = db
        self._embedders = dict(embedders)
        self._store = store
        self._tokenizer = tokenizer
        self._settings = settings
        window = settings.batch_window_ms / 1000
        self._batchers = {
            language: QueryBatcher(embedder, window_s=window, max_batch=settings.max_batch)
            for language, embedder in self._embedders.items()
        }
        self._states: dict[str, _ShopState] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    @property
    def embedder_name(self) -> str:
        return ", ".join(f"{language}: {e.name}" for language, e in self._embedders.items())

    def close(self) -> None:
        for batcher in self._batchers.values():
            batcher.close()

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
            indexes = {language: self._sync_index(shop, language, state, versions, progress) for language in LANGUAGES}
            tokens = {**(state.corpus.tokens if state else {})}
            for v in fetched:
                tokens[v.version_id] = self._tokenizer.tokens(v.content.search_text())
            corpus = Corpus(versions, tokens)
            new_state = _ShopState(indexes=indexes, corpus=corpus, revision=revision)
            self._states[shop] = new_state
            if state is None or fetched or len(corpus) != len(state.corpus):
                for language, index in indexes.items():
                    self._store.save(
                        f"{shop}/{language}", index, embedder=self._embedders[language].name, revision=revision
                    )
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
        kinds = {language: index.kind for language, index in state.indexes.items()}
        return RetrievalStats(shop=shop, revision=state.revision, passages=len(state.corpus), index_kinds=kinds)

    def _sync_index(
        self,
        shop: str,
        language: Language,
        state: _ShopState | None,
        versions: Sequence[EntryVersion],
        progress: Progress | None,
    ) -> FaissIndex:
        """This language's index holding exactly its live versions (loaded, patched or rebuilt)."""
        embedder = self._embedders[language]
        threshold = self._settings.hnsw_threshold
        if state is not None:
            index = state.indexes[language]
        else:
            loaded = self._store.load(
                f"{shop}/{language}", embedder=embedder.name, dimension=embedder.dimension, hnsw_threshold=threshold
            )
            index = loaded[0] if loaded else FaissIndex(embedder.dimension, hnsw_threshold=threshold)
        mine = [v for v in versions if v.content.language == language]
        in_index = index.ids()
        index.remove(in_index - {v.version_id for v in mine})
        self._add_vectors(index, embedder, [v for v in mine if v.version_id not in in_index], progress)
        return index

    def _add_vectors(
        self, index: FaissIndex, embedder: Embedder, versions: Sequence[EntryVersion], progress: Progress | None
    ) -> None:
        if not versions:
            return
        hashes = [text_hash(v.content.search_text()) for v in versions]
        with self._db.transaction() as session:
            cached = EmbeddingRepository(session).get_many(embedder.name, hashes)
        missing = [(h, v) for h, v in zip(hashes, versions, strict=True) if h not in cached]
        step = 64
        for start in range(0, len(missing), step):
            chunk = missing[start : start + step]
            vectors = embedder.embed_documents([v.content.search_text() for _, v in chunk])
            fresh = {h: vec for (h, _), vec in zip(chunk, vectors, strict=True)}
            with self._db.transaction() as session:
                EmbeddingRepository(session).put_many(embedder.name, fresh)
            cached.update(fresh)
            if progress:
                progress(min(start + step, len(missing)), len(missing))
        ids = np.fromiter((v.version_id for v in versions), np.int64, len(versions))
        index.add(ids, np.vstack([cached[h] for h in hashes]))

    def _stale(self, state: _ShopState | None) -> bool:
        """Never loaded, or the revision has not been checked within the sync interval."""
        return state is None or time.monotonic() - state.checked_at > self._settings.sync_interval_s

    def _fresh_state(self, shop: str) -> _ShopState | None:
        if self._stale(self._states.get(shop)):
            self.refresh(shop)
        return self._states.get(shop)

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
        flt = filter or RetrievalFilter()
        language = self._language(query, flt)
        vector = self._batchers[language].embed(query)
        return self._search(state, query, language, vector, k, flt, mmr, mode)

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
        flt = filter or RetrievalFilter()
        ready = await self._ready(shop, query, flt, None)
        if ready is None:
            return []
        state, language, vector = ready
        return await asyncio.to_thread(self._search, state, query, language, vector, k, flt, mmr, mode)

    async def _ready(
        self, shop: str, query: str, flt: RetrievalFilter, vector: np.ndarray | None
    ) -> tuple[_ShopState, Language, np.ndarray] | None:
        """A fresh shop state, the dense language and the query vector; None when there is nothing to search."""
        state = self._states.get(shop)
        if self._stale(state):
            state = await asyncio.to_thread(self._fresh_state, shop)
        if state is None or len(state.corpus) == 0 or not query.strip():
            return None
        language = self._language(query, flt)
        if vector is None:
            vector = await asyncio.wrap_future(self._batchers[language].submit(query))
        return state, language, vector

    async def aembed(self, query: str, language: Language) -> np.ndarray | None:
        """The query's vector from this language's model (micro-batched); None for an empty query."""
        if not query.strip():
            return None
        return await asyncio.wrap_future(self._batchers[language].submit(query))

    def embed_queries_cached(self, texts: Sequence[str], language: Language) -> np.ndarray:
        """Query-side vectors for fixed texts (intent exemplars), cached in the database like passages."""
        embedder = self._embedders[language]
        model = f"{embedder.name}:query"
        hashes = [text_hash(t) for t in texts]
        with self._db.transaction() as session:
            cached = EmbeddingRepository(session).get_many(model, hashes)
        missing = list({h: t for h, t in zip(hashes, texts, strict=True) if h not in cached}.items())
        if missing:
            fresh = dict(zip([h for h, _ in missing], embedder.embed_queries([t for _, t in missing]), strict=True))
            with self._db.transaction() as session:
                EmbeddingRepository(session).put_many(model, fresh)
            cached.update(fresh)
        return np.vstack([cached[h] for h in hashes]) if texts else np.zeros((0, embedder.dimension), np.float32)

    async def aretrieve_many(
        self,
        query: str,
        *,
        shop: str,
        searches: Sequence[tuple[RetrievalFilter, int]],
        vector: np.ndarray | None = None,
    ) -> list[list[Passage]]:
        """Several filtered searches for one query, embedding it once (or using `vector`, from `aembed`)."""
        ready = await self._ready(shop, query, searches[0][0], vector) if searches else None
        if ready is None:
            return [[] for _ in searches]
        state, language, query_vector = ready

        def run() -> list[list[Passage]]:
            return [self._search(state, query, language, query_vector, k, flt, False, "hybrid") for flt, k in searches]

        return await asyncio.to_thread(run)

    def similar_entries(self, content: EntryContent, *, shop: str, k: int = 3) -> list[tuple[EntryVersion, float]]:
        """Live entries of the same kind and language most like `content` (cosine of document vectors).

        Its own earlier versions are left out; vectors are the documents' own, so scores compare with
        `bench/duplicate_guard.py`'s thresholds.
        """
        state = self._fresh_state(shop)
        if state is None or len(state.corpus) == 0:
            return []
        flt = RetrievalFilter(kinds=[content.kind], language=content.language)
        mask = state.corpus.mask(flt, datetime.now(UTC)) & (state.corpus.slugs != content.id)
        if not mask.any():
            return []
        vector = self._embedders[content.language].embed_documents([content.search_text()])[0]
        hits = self._dense(state.indexes[content.language], state.corpus, vector, mask, k)
        return [(state.corpus.by_id[i], round(score, 4)) for i, score in hits]

    def _language(self, query: str, flt: RetrievalFilter) -> Language:
        """Which dense index answers: the filter's language, else the query's script."""
        if flt.language:
            return flt.language
        return "zh" if self._tokenizer.is_chinese(query) else "en"

    @staticmethod
    def _dense(
        index: FaissIndex, corpus: Corpus, vector: np.ndarray, mask: np.ndarray, n: int
    ) -> list[tuple[int, float]]:
        """Nearest allowed rows: over-fetch and filter, or an exact restricted search when that is too few."""
        allowed = int(mask.sum())
        wanted = min(n, allowed, len(index))
        over = 4 * n if allowed < len(corpus) else n
        hits = [(i, s) for i, s in index.search(vector, over) if (r := corpus.row(i)) is not None and mask[r]]
        if len(hits) < wanted:
            restricted = index.search(vector, n, allowed=corpus.version_ids[mask])
            hits = [(i, s) for i, s in restricted if corpus.row(i) is not None]
        return hits[:n]

    def _search(
        self,
        state: _ShopState,
        query: str,
        language: Language,
        vector: np.ndarray,
        k: int,
        flt: RetrievalFilter,
        mmr: bool,
        mode: Mode,
    ) -> list[Passage]:
        corpus = state.corpus
        now = datetime.now(UTC)
        mask = corpus.mask(flt, now)
        if not mask.any():
            return []
        n = max(self._settings.candidates, k)
        index = state.indexes[language]
        dense = self._dense(index, corpus, vector, mask, n) if mode != "lexical" else []
        lexical = (
            [(int(corpus.version_ids[r]), s) for r, s in corpus.lexical.search(self._tokenizer.tokens(query), n, mask)]
            if mode != "dense"
            else []
        )
        lexical_weight = 2.0 if self._tokenizer.identifiers(query) else 1.0
        fused = reciprocal_rank_fusion(
            [[i for i, _ in dense], [i for i, _ in lexical]], [1.0, lexical_weight], k=self._settings.rrf_k
        )
        boosts = self._featured_boosts(corpus, fused, flt.valid_at or now)
        if boosts:
            fused = sorted(((i, s + boosts.get(i, 0.0)) for i, s in fused), key=lambda p: -p[1])
        if mmr and len(fused) > k:
            pool = fused[: 3 * k]
            picks = maximal_marginal_relevance(np.array([s for _, s in pool]), self._vectors(index, pool), k=k)
            fused = [pool[p] for p in picks]
        dense_at = {i: (rank, s) for rank, (i, s) in enumerate(dense, start=1)}
        lexical_at = {i: (rank, s) for rank, (i, s) in enumerate(lexical, start=1)}
        return [
            self._passage(corpus.by_id[i], score, dense_at.get(i), lexical_at.get(i), boosts.get(i, 0.0))
            for i, score in fused[:k]
        ]

    def _featured_boosts(
        self, corpus: Corpus, fused: Sequence[tuple[int, float]], moment: datetime
    ) -> dict[int, float]:
        """Entries inside their featured window gain a fraction of a first place in one ranker.

        Only what retrieval already found is boosted: featuring a product lifts it among relevant passages, it never
        puts it in front of an unrelated question.
        """
        boost = self._settings.featured_boost / (self._settings.rrf_k + 1)
        return {i: boost for i, _ in fused if boost and corpus.by_id[i].content.is_featured_at(moment)}

    @staticmethod
    def _vectors(index: FaissIndex, pool: Sequence[tuple[int, float]]) -> np.ndarray:
        """Vectors for MMR; passages of the other language (lexical hits) get zeros: no redundancy."""
        known = index.ids()
        vectors = np.zeros((len(pool), index.dimension), np.float32)
        rows = [row for row, (i, _) in enumerate(pool) if i in known]
        if rows:
            vectors[rows] = index.vectors(pool[row][0] for row in rows)
        return vectors

    @staticmethod
    def _passage(
        version: EntryVersion,
        fused: float,
        dense: tuple[int, float] | None,
        lexical: tuple[int, float] | None,
        featured_boost: float = 0.0,
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
            body=c.body,
            scores=RankerScores(
                dense_rank=dense[0] if dense else None,
                dense_score=round(dense[1], 4) if dense else None,
                lexical_rank=lexical[0] if lexical else None,
                lexical_score=round(lexical[1], 4) if lexical else None,
                featured_boost=round(featured_boost, 6),
                fused=round(fused, 6),
            ),
        )
