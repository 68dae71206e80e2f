"""Retrieval benchmark: latency, concurrency, build time and memory at 1k / 10k / 100k chunks.

    .venv/bin/python bench/retrieval.py                  # English (all-MiniLM-L6-v2), 1k, 10k, 100k
    .venv/bin/python bench/retrieval.py --language zh    # Chinese (multilingual-e5-small)
    .venv/bin/python bench/retrieval.py --sizes 1000     # a quick run

How the synthetic knowledge bases are made: a pool of real texts (the demo shop's entries plus
customer-service messages and replies from ../shared/data) is embedded with the real model.
Each synthetic chunk joins two pool texts; its vector is the normalised sum of their vectors
plus a little noise. Embedding 100k fresh chunks would take about 30 minutes with MiniLM and
hours with e5 on this machine, and says nothing about search speed; the model's real cost is
measured directly ("bare embedder call") and the pool's embedding throughput is printed.
Everything else is the production path: entries are imported through KnowledgeService into a
real SQLite database, the vectors go into the embedding cache, and a fresh Retriever builds
its FAISS and BM25 indexes from the database and answers `retrieve` calls.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from drafter.bootstrap import build_embedders, build_services
from drafter.core.models import EntryContent, Language, RetrievalFilter
from drafter.core.settings import Settings
from drafter.retrieval.embedder import Embedder
from drafter.retrieval.retriever import text_hash
from drafter.retrieval.vector_index import FaissIndex
from drafter.services.knowledge_files import read_entries
from drafter.storage import EmbeddingRepository

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pool_texts(language: Language, size: int, rng: random.Random) -> list[str]:
    """Real texts to build chunks from: the demo shop's entries plus third-party messages."""
    texts = [e.search_text() for e in read_entries(ROOT / "knowledge_base") if e.language == language]
    extra: list[str] = []
    if language == "en":
        with (DATA / "bitext_intent_utterances" / "bitext_customer_support_20k_utterances.csv").open() as fh:
            extra = [row["utterance"] for row in csv.DictReader(fh)]
    else:
        for line in (DATA / "jddc2019_chats" / "chat_0.1per_sessions.jsonl").read_text().splitlines():
            for turn in json.loads(line).get("turns", []):
                if len(turn.get("text", "")) > 8:
                    extra.append(turn["text"])
    rng.shuffle(extra)
    return texts + extra[: max(0, size - len(texts))]


def queries_for(language: Language, count: int, rng: random.Random) -> list[str]:
    files = [
        ROOT / "evals" / "datasets" / "retrieval.jsonl",
        *sorted((ROOT / "evals" / "datasets").glob("retrieval/*.jsonl")),
    ]
    found = sorted(
        {
            row["query"]
            for path in files
            if path.exists()
            for row in map(json.loads, path.read_text().splitlines())
            if row["language"] == language
        }
    )
    if not found:
        raise SystemExit("no labelled queries under evals/datasets")
    rng.shuffle(found)
    # Unique strings: nothing is cached, every query is embedded.
    return [f"{found[i % len(found)]} ({i})" if i >= len(found) else found[i] for i in range(count)]


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def timed(calls: Sequence[Callable[[], object]]) -> list[float]:
    out = []
    for call in calls:
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def throughput(run: Callable[[str], object], queries: Sequence[str], callers: int) -> float:
    """Queries per second with `callers` threads sharing the query list."""
    chunks = [queries[i::callers] for i in range(callers)]
    barrier = threading.Barrier(callers + 1)

    def worker(chunk: Sequence[str]) -> None:
        barrier.wait()
        for q in chunk:
            run(q)

    threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return len(queries) / (time.perf_counter() - started)


def synthetic(
    pool: list[str], vectors: np.ndarray, size: int, language: Language, rng: np.random.Generator
) -> tuple[list[EntryContent], dict[str, np.ndarray]]:
    entries, cache = [], {}
    kinds = ["faq", "policy", "past_reply", "product"]
    for i in range(size):
        a, b = rng.integers(0, len(pool), size=2)
        kind = kinds[i % 4]
        entry = EntryContent.model_validate(
            {
                "id": f"bench-{i}",
                "kind": kind,
                "title": pool[a][:190] or "untitled",
                "body": pool[b][:7000] or "empty",
                "language": language,
                "tags": [f"t{i % 17}"],
                "rating": 4.5 if kind == "past_reply" else None,
            }
        )
        vector = vectors[a] + vectors[b] + np.asarray(rng.normal(0, 0.05, vectors.shape[1]), np.float32)
        cache[text_hash(entry.search_text())] = vector / np.linalg.norm(vector)
        entries.append(entry)
    return entries, cache


def bench_size(
    size: int, language: Language, embedder: Embedder, pool: list[str], vectors: np.ndarray, queries: list[str]
) -> dict[str, Any]:
    rng = np.random.default_rng(size)
    entries, cache = synthetic(pool, vectors, size, language, rng)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{tmp}/bench.db",
            retrieval=Settings().retrieval.model_copy(update={"index_dir": Path(tmp) / "index", "sync_interval_s": 60}),
        )
        writer = build_services(settings, embedder=embedder)
        writer.db.upgrade()
        writer.access.ensure_shop("bench", "bench")
        with writer.db.transaction() as session:  # vectors first: the import's refresh embeds nothing
            EmbeddingRepository(session).put_many(embedder.name, cache)
        started = time.perf_counter()
        writer.knowledge.import_entries("bench", entries)
        ingest_s = time.perf_counter() - started  # one transaction + the writer's own index refresh
        writer.close()

        services = build_services(settings, embedder=embedder)
        before = rss_mb()
        started = time.perf_counter()
        stats = services.retriever.refresh("bench")
        build_s = time.perf_counter() - started
        memory = rss_mb() - before
        flt = RetrievalFilter(language=language)

        def run(q: str) -> object:
            return services.retriever.retrieve(q, shop="bench", k=5, filter=flt)

        for q in queries[:20]:
            run(q)
        bare = timed([lambda q=q: embedder.embed_queries([q]) for q in queries])  # type: ignore[misc]
        single = timed([lambda q=q: run(q) for q in queries])  # type: ignore[misc]
        qps = {c: throughput(run, queries, c) for c in (1, 8, 32)}
        index = services.retriever._states["bench"].indexes[language]
        flat_ms, index_ms = search_costs(index, vectors.shape[1], rng)
        services.close()
    return {
        "size": size,
        "index": stats.index_kinds[language],
        "ingest_s": ingest_s,
        "build_s": build_s,
        "memory_mb": memory,
        "bare_p50": percentile(bare, 50),
        "p50": percentile(single, 50),
        "p95": percentile(single, 95),
        "p99": percentile(single, 99),
        "qps1": qps[1],
        "qps8": qps[8],
        "qps32": qps[32],
        "faiss_flat_ms": flat_ms,
        "faiss_index_ms": index_ms,
    }


def search_costs(index: FaissIndex, dimension: int, rng: np.random.Generator) -> tuple[float, float]:
    """Median ms of one k=50 search: exact flat over the same vectors versus the index in use."""
    ids = np.fromiter(sorted(index.ids()), np.int64)
    flat = FaissIndex(dimension, hnsw_threshold=10**9)
    flat.add(ids, index.vectors(ids))
    probes = rng.normal(size=(100, dimension)).astype(np.float32)
    return (
        statistics.median(timed([lambda p=p: flat.search(p, 50) for p in probes])),  # type: ignore[misc]
        statistics.median(timed([lambda p=p: index.search(p, 50) for p in probes])),  # type: ignore[misc]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Retrieval benchmark")
    parser.add_argument("--language", choices=["en", "zh"], default="en")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--pool", type=int, default=3000)
    args = parser.parse_args()
    language: Language = args.language
    rng = random.Random(7)
    embedder = build_embedders(Settings().retrieval)[language]  # DRAFTER_RETRIEVAL__* applies
    pool = pool_texts(language, args.pool, rng)
    started = time.perf_counter()
    vectors = embedder.embed_documents(pool)
    pool_rate = len(pool) / (time.perf_counter() - started)
    queries = queries_for(language, args.queries, rng)
    threads = Settings().retrieval.torch_threads
    print(f"# retrieval benchmark: {language}, {embedder.name} ({threads} thread(s)), {len(queries)} queries, 2 cores")
    print(f"# pool: {len(pool)} real texts embedded at {pool_rate:.0f} texts/s")
    header = (
        f"{'chunks':>7} {'index':>5} {'ingest s':>8} {'build s':>7} {'mem MB':>6} {'embed p50':>9} "
        f"{'p50':>6} {'p95':>6} {'p99':>6} {'p50/emb':>7} {'p99/emb':>7} {'qps 1':>6} {'qps 8':>6} {'qps 32':>6} "
        f"{'32/1':>5} {'flat ms':>7} {'idx ms':>6}"
    )
    print(header)
    for size in (int(s) for s in args.sizes.split(",")):
        r = bench_size(size, language, embedder, pool, vectors, queries)
        print(
            f"{r['size']:>7} {r['index']:>5} {r['ingest_s']:>8.1f} {r['build_s']:>7.1f} {r['memory_mb']:>6.0f} "
            f"{r['bare_p50']:>9.2f} {r['p50']:>6.2f} {r['p95']:>6.2f} {r['p99']:>6.2f} "
            f"{r['p50'] / r['bare_p50']:>7.2f} {r['p99'] / r['bare_p50']:>7.2f} "
            f"{r['qps1']:>6.0f} {r['qps8']:>6.0f} {r['qps32']:>6.0f} {r['qps32'] / r['qps1']:>5.1f} "
            f"{r['faiss_flat_ms']:>7.2f} {r['faiss_index_ms']:>6.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
