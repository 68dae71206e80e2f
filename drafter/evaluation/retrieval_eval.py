"""Recall@1, recall@5 and MRR of each ranker (dense, lexical, hybrid) on a labelled query set.

    python -m drafter.evaluation.retrieval_eval evals/datasets/retrieval.jsonl

Each line of the dataset: {"query", "language", "relevant": [entry ids], "shop"?: "demo", "source"?}.
recall@k = |relevant in top k| / min(k, |relevant|), averaged; hit@5 = any relevant entry in the
top 5; MRR uses the first relevant hit. Groups: language, and language:source.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from drafter.bootstrap import Services, build_services
from drafter.core.models import EntryKind, Language, RetrievalFilter
from drafter.core.settings import RetrievalSettings, Settings
from drafter.retrieval.retriever import Mode

MODES: tuple[Mode, ...] = ("dense", "lexical", "hybrid")
# Templates are reply skeletons the composer picks by situation, not answers to a question.
SEARCHED_KINDS = [EntryKind.POLICY, EntryKind.FAQ, EntryKind.PRODUCT, EntryKind.PAST_REPLY]


class LabelledQuery(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    query: str = Field(min_length=1)
    language: Language
    relevant: list[str] = Field(min_length=1)
    shop: str = "demo"
    source: str = "authored"


@dataclass(frozen=True)
class Score:
    recall_at_1: float
    recall_at_5: float
    hit_at_5: float
    mrr: float
    count: int


def read_dataset(path: Path) -> list[LabelledQuery]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [LabelledQuery.model_validate_json(line) for line in lines if line.strip()]


def score(ranked: Sequence[Sequence[str]], relevant: Sequence[Sequence[str]]) -> Score:
    """Mean recall@1, recall@5 and MRR over queries."""
    r1, r5, h5, rr = [], [], [], []
    for got, want in zip(ranked, relevant, strict=True):
        wanted = set(want)
        r1.append(len(wanted & set(got[:1])) / min(1, len(wanted)))
        r5.append(len(wanted & set(got[:5])) / min(5, len(wanted)))
        h5.append(float(bool(wanted & set(got[:5]))))
        rr.append(next((1 / rank for rank, e in enumerate(got, start=1) if e in wanted), 0.0))
    if not r1:
        return Score(0.0, 0.0, 0.0, 0.0, 0)
    mean = statistics.fmean
    return Score(mean(r1), mean(r5), mean(h5), mean(rr), len(r1))


def evaluate(services: Services, queries: Iterable[LabelledQuery], *, k: int = 10) -> dict[tuple[Mode, str], Score]:
    """Scores per (mode, language) and per (mode, "all")."""
    queries = list(queries)
    results: dict[tuple[Mode, str], Score] = {}
    for mode in MODES:
        ranked: dict[str, list[list[str]]] = defaultdict(list)
        wanted: dict[str, list[list[str]]] = defaultdict(list)
        for q in queries:
            passages = services.retriever.retrieve(
                q.query, shop=q.shop, k=k, filter=RetrievalFilter(language=q.language, kinds=SEARCHED_KINDS), mode=mode
            )
            for group in (q.language, "all", f"{q.language}:{q.source.split(':')[0]}"):
                ranked[group].append([p.entry_id for p in passages])
                wanted[group].append(q.relevant)
        for group in ranked:
            results[(mode, group)] = score(ranked[group], wanted[group])
    return results


def report(results: dict[tuple[Mode, str], Score]) -> str:
    lines = [f"{'mode':8} {'group':14} {'n':>4} {'R@1':>6} {'R@5':>6} {'Hit@5':>6} {'MRR':>6}"]
    for (mode, group), s in sorted(results.items(), key=lambda kv: (kv[0][1], MODES.index(kv[0][0]))):
        lines.append(
            f"{mode:8} {group:14} {s.count:4d} {s.recall_at_1:6.3f} {s.recall_at_5:6.3f} {s.hit_at_5:6.3f} {s.mrr:6.3f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("dataset", type=Path)
    choices = ["multilingual-e5-small", "all-minilm-l6-v2"]
    parser.add_argument("--embedder-en", choices=choices, default=None, help="Override the English dense model")
    parser.add_argument("--embedder-zh", choices=choices, default=None, help="Override the Chinese dense model")
    parser.add_argument(
        "--database-url", default="sqlite:///var/eval/retrieval.db", help="Kept between runs: embeddings are cached"
    )
    parser.add_argument("--knowledge", type=Path, default=Path("knowledge_base"))
    parser.add_argument("--extra-shop", action="append", default=[], metavar="SHOP=PATH", help="Another shop to import")
    parser.add_argument(
        "--feature-products", action="store_true", help="Feature every product entry now (measures the featured boost)"
    )
    args = parser.parse_args(argv)
    base = Settings()
    overrides = {f"embedder_{lang}": name for lang in ("en", "zh") if (name := getattr(args, f"embedder_{lang}"))}
    retrieval = base.retrieval.model_copy(update={"index_dir": Path("var/eval/index"), **overrides})
    settings = base.model_copy(
        update={
            "database_url": args.database_url,
            "retrieval": RetrievalSettings.model_validate(retrieval.model_dump()),
        }
    )
    services = build_services(settings)
    try:
        services.db.upgrade()
        shops = {"demo": args.knowledge, **dict(s.split("=", 1) for s in args.extra_shop)}
        for shop, path in shops.items():
            services.access.ensure_shop(shop, shop)
            services.knowledge.import_path(shop, Path(path))
            if args.feature_products:
                _feature_products(services, shop)
        started = time.perf_counter()
        queries = read_dataset(args.dataset)
        results = evaluate(services, queries)
        took = time.perf_counter() - started
        print(f"embedder {services.retriever.embedder_name}; {len(queries)} queries; {took:.1f} s")
        print(report(results))
    finally:
        services.close()


def _feature_products(services: Services, shop: str) -> None:
    """Put every product entry of `shop` in a featured window around now (worst case for the other questions)."""
    now = datetime.now(UTC)
    featured = [
        e.model_copy(update={"featured_from": now - timedelta(days=1), "featured_to": now + timedelta(days=6)})
        for e in services.knowledge.export(shop)
        if e.kind is EntryKind.PRODUCT
    ]
    services.knowledge.import_entries(shop, featured)


if __name__ == "__main__":
    main()
