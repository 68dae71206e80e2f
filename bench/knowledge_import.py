"""Knowledge import benchmark: read + validate, import, re-import and memory at N entries.

    .venv/bin/python bench/knowledge_import.py                               # 10,000 entries, real embedders
    .venv/bin/python bench/knowledge_import.py --entries 1000 --hash-embedder  # a quick run
    .venv/bin/python bench/knowledge_import.py --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test

The entries are synthetic but shaped like the demo shop's: the five kinds in a FAQ-heavy mix, half
English and half Chinese, bodies of 200 to 700 characters stitched from the demo knowledge base's
own sentences (with line breaks, commas and quotes), up to three tags, products, validity windows,
drafts and archived entries. Every entry carries its own reference number, so no two texts are
equal and the embedding cache saves nothing.

The entries are written as CSV, JSONL and a folder, and each is read back and validated (and must
equal what was written). Importing does not depend on the file format, so one import is measured
per database, as the two steps `KnowledgeService.import_entries` runs: the database transaction,
then the index refresh (embedding every entry with the real models unless `--hash-embedder`).
Re-importing the same entries, and the same CSV file end to end, must change nothing.

Memory: "tracemalloc peak" is the Python heap's peak during that step, measured in a second, traced
run so that tracing does not slow the timed one; "max RSS" is the process's high-water mark
(`ru_maxrss`) once the step is done, so it only grows down a table.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np
from sqlalchemy import create_engine, text

from drafter.bootstrap import Services, build_services
from drafter.core.models import EntryContent, EntryKind, Language
from drafter.core.settings import Settings
from drafter.retrieval.tokenizer import Tokenizer
from drafter.services.knowledge import KnowledgeService
from drafter.services.knowledge_files import KnowledgeFormat, read_entries, write_entries

ROOT = Path(__file__).resolve().parent.parent
SHOP = "bench"
T = TypeVar("T")


class HashEmbedder:
    """Bag of hashed tokens (as in tests/fakes.py): costs almost nothing, so the refresh shows the rest."""

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension
        self.name = f"hash-{dimension}"
        self._tokenizer = Tokenizer()

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, np.float32)
        for token in self._tokenizer.tokens(text) or [text]:
            vector[hash(token) % self.dimension] += 1.0
        return vector / max(float(np.linalg.norm(vector)), 1e-12)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([self._vector(t) for t in texts], np.float32).reshape(len(texts), self.dimension)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_documents(texts)


# ---- synthetic entries ------------------------------------------------------------------------

KIND_WEIGHTS = {
    EntryKind.FAQ: 35,
    EntryKind.PAST_REPLY: 25,
    EntryKind.PRODUCT: 15,
    EntryKind.POLICY: 15,
    EntryKind.TEMPLATE: 10,
}
_SENTENCE_END = {"en": re.compile(r"(?<=[.!?])\s+"), "zh": re.compile(r"(?<=[。！？])")}


def _sources(demo: Sequence[EntryContent]) -> tuple[dict[str, list[str]], dict[tuple[str, str], list[str]]]:
    sentences: dict[str, list[str]] = {"en": [], "zh": []}
    titles: dict[tuple[str, str], list[str]] = {}
    for entry in demo:
        pieces = (s.strip() for s in _SENTENCE_END[entry.language].split(entry.body))
        sentences[entry.language].extend(s for s in pieces if len(s) > 8)
        titles.setdefault((entry.kind.value, entry.language), []).append(entry.title)
    return sentences, titles


def _body(sentences: list[str], language: Language, number: int, rng: random.Random) -> str:
    target = rng.randint(200, 700)
    parts = [f"Ref KB-{number:06d}." if language == "en" else f"编号 KB-{number:06d}。"]
    while sum(len(p) for p in parts) < target:
        parts.append(rng.choice(sentences))
        if rng.random() < 0.15:
            parts.append("\n")
    joined = ("" if language == "zh" else " ").join(parts).replace(" \n ", "\n")
    return joined[:7000].strip()  # the folder format trims a body: keep the formats comparable


def synthetic_entries(count: int, seed: int = 7) -> list[EntryContent]:
    """`count` valid entries shaped like the demo shop's (see the module docstring)."""
    rng = random.Random(seed)
    demo = read_entries(ROOT / "knowledge_base")
    sentences, titles = _sources(demo)
    tags = sorted({t for e in demo for t in e.tags}) or ["general"]
    products: list[str | None] = [*sorted({e.product for e in demo if e.product}), None]
    kinds = list(KIND_WEIGHTS)
    out = []
    for number in range(count):
        kind = rng.choices(kinds, weights=list(KIND_WEIGHTS.values()))[0]
        language: Language = "en" if number % 2 == 0 else "zh"
        windowed = kind is EntryKind.POLICY and rng.random() < 0.3
        data = {
            "id": f"{kind.value.replace('_', '-')}-bench-{number:06d}{'-zh' if language == 'zh' else ''}",
            "kind": kind,
            "title": f"{rng.choice(titles.get((kind.value, language), ['Untitled']))} ({number})"[:200],
            "body": _body(sentences[language], language, number, rng),
            "language": language,
            "tags": rng.sample(tags, k=min(len(tags), rng.randint(0, 3))),
            "product": rng.choice(products) if kind in (EntryKind.PRODUCT, EntryKind.FAQ) else None,
            "valid_from": "2026-11-01" if windowed else None,
            "valid_to": "2026-11-12T00:00:00+08:00" if windowed else None,
            "status": rng.choices(["published", "draft", "archived"], weights=[90, 7, 3])[0],
            "rating": rng.choice([3.5, 4.0, 4.5, 5.0]) if kind is EntryKind.PAST_REPLY else None,
        }
        out.append(EntryContent.model_validate(data))
    return out


# ---- measuring --------------------------------------------------------------------------------


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed(step: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = step()
    return result, time.perf_counter() - started


def traced_peak_mb(step: Callable[[], object]) -> float:
    """The Python heap's peak while `step` runs (tracemalloc slows it: never time this run)."""
    tracemalloc.start()
    try:
        step()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 2**20


@contextmanager
def postgres_schema(base: str) -> Iterator[str]:
    """A throwaway schema on the server at `base` (as the tests do); dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def bench_formats(entries: list[EntryContent], folder: Path) -> tuple[list[str], Path]:
    """Write and read back every format; the rows of the first table, and the CSV file's path."""
    rows = []
    expected = sorted(entries, key=lambda e: e.id)
    paths: dict[KnowledgeFormat, Path] = {
        "csv": folder / "entries.csv",
        "jsonl": folder / "entries.jsonl",
        "folder": folder / "kb",
    }
    for fmt, path in paths.items():
        _, write_s = timed(partial(write_entries, entries, path, format=fmt))
        read, read_s = timed(partial(read_entries, path))
        if sorted(read, key=lambda e: e.id) != expected:
            raise SystemExit(f"{fmt}: reading back did not give the written entries")
        del read
        peak = traced_peak_mb(partial(read_entries, path))
        rows.append(
            f"| {fmt} | {size_mb(path):.1f} | {write_s:.2f} | {read_s:.2f} | {len(entries) / read_s:,.0f} "
            f"| {peak:.0f} | {max_rss_mb():.0f} |"
        )
    return rows, paths["csv"]


def bench_database(
    name: str, url: str, entries: list[EntryContent], csv_file: Path, folder: Path, hash_embedder: bool
) -> str:
    """Import into a fresh database, refresh the index, re-import: one row of the second table."""
    defaults = Settings()  # DRAFTER_* settings apply, as in the other benchmarks
    settings = Settings(
        database_url=url,
        retrieval=defaults.retrieval.model_copy(update={"index_dir": folder / f"index-{name}", "sync_interval_s": 60}),
        var_dir=folder / "var",
    )
    services: Services = build_services(settings, embedder=HashEmbedder() if hash_embedder else None)
    try:
        services.db.upgrade()
        services.access.ensure_shop(SHOP, SHOP)
        database_only = KnowledgeService(db=services.db)  # the import's transaction without its refresh
        created, db_s = timed(lambda: database_only.import_entries(SHOP, entries))
        stats, refresh_s = timed(lambda: services.retriever.refresh(SHOP))
        rss_import = max_rss_mb()
        again, reimport_s = timed(lambda: services.knowledge.import_entries(SHOP, entries))
        from_file, file_s = timed(lambda: services.knowledge.import_path(SHOP, csv_file))
        no_op = all(not (r.created or r.updated) and r.revision == created.revision for r in (again, from_file))
        services.access.ensure_shop(f"{SHOP}-traced", SHOP)
        import_peak = traced_peak_mb(lambda: database_only.import_entries(f"{SHOP}-traced", entries))
        reimport_peak = traced_peak_mb(lambda: database_only.import_entries(f"{SHOP}-traced", entries))
        embedder = services.retriever.embedder_name
    finally:
        services.close()
    return (
        f"| {name} | {embedder} | {len(created.created):,} | {db_s:.1f} | {refresh_s:.1f} | {db_s + refresh_s:.1f} "
        f"| {stats.passages:,} | {reimport_s:.2f} | {file_s:.2f} | {'yes' if no_op else 'NO'} "
        f"| {import_peak:.1f} | {reimport_peak:.1f} | {rss_import:.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Knowledge import benchmark")
    parser.add_argument("--entries", type=int, default=10_000, help="How many entries to generate")
    parser.add_argument("--hash-embedder", action="store_true", help="A hashing embedder instead of the real models")
    parser.add_argument("--postgres-url", help="Also import into a fresh schema on this PostgreSQL server")
    args = parser.parse_args()
    entries, generate_s = timed(lambda: synthetic_entries(args.entries))
    kinds = {k.value: sum(e.kind is k for e in entries) for k in EntryKind}
    print(f"# knowledge import benchmark: {len(entries):,} entries generated in {generate_s:.1f} s")
    print(f"# kinds: {kinds}; mean body {sum(len(e.body) for e in entries) / len(entries):.0f} characters")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows, csv_file = bench_formats(entries, folder)
        print("\n## Reading files\n")
        print("| format | size MB | write s | read + validate s | entries/s | tracemalloc peak MB | max RSS MB |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        print("\n".join(rows), flush=True)
        databases = [("sqlite", f"sqlite:///{folder / 'bench.db'}")]
        print("\n## Importing into a fresh database\n")
        print(
            "| database | embedder | created | import (DB) s | index refresh s | import total s | passages "
            "| re-import s | re-import CSV file s | no-op | tracemalloc import MB | tracemalloc re-import MB "
            "| max RSS MB |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|", flush=True)
        print(bench_database(*databases[0], entries, csv_file, folder, args.hash_embedder), flush=True)
        if args.postgres_url:
            with postgres_schema(args.postgres_url) as url:
                print(bench_database("postgresql", url, entries, csv_file, folder, args.hash_embedder), flush=True)


if __name__ == "__main__":
    main()
