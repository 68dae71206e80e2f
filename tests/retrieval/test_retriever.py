"""The retriever on a real database with the deterministic embedder: freshness, filters, isolation, restarts."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from drafter.bootstrap import Services, build_services
from drafter.core.models import EntryContent, EntryKind, RetrievalFilter
from drafter.core.settings import Settings
from tests.fakes import HashEmbedder

NOW = datetime.now(UTC)


def content(slug: str, title: str, body: str, **extra: Any) -> EntryContent:
    return EntryContent.model_validate(
        {"id": slug, "kind": "faq", "title": title, "body": body, "language": "en", **extra}
    )


ENTRIES = [
    content("faq-returns", "How do I return an item?", "Returns are free within 7 days of delivery.", tags=["returns"]),
    content(
        "faq-shipping", "When will my parcel ship?", "Orders paid before 16:00 ship the same day.", tags=["shipping"]
    ),
    content("faq-returns-zh", "怎么退货？", "签收后7天内可以无理由退货。", language="zh", tags=["returns"]),
    content(
        "policy-returns",
        "Returns policy",
        "Return window is 7 days; refunds in 3-5 days.",
        kind="policy",
        tags=["returns"],
    ),
    content("product-serum", "Hydra Serum", "Serum for dry skin. SKU HS-3001.", kind="product", product="hydra-serum"),
    content(
        "reply-good", "where is my refund??", "So sorry for the wait on your refund...", kind="past_reply", rating=4.8
    ),
    content("reply-meh", "refund late", "Your refund is on its way.", kind="past_reply", rating=3.0),
    content(
        "policy-promo-old",
        "Autumn promotion 20% off",
        "Autumn promotion: 20% off everything.",
        kind="policy",
        valid_from=NOW - timedelta(days=30),
        valid_to=NOW - timedelta(days=1),
    ),
    content(
        "policy-promo-next",
        "Winter promotion 30% off",
        "Winter promotion: 30% off everything.",
        kind="policy",
        valid_from=NOW + timedelta(days=5),
        valid_to=NOW + timedelta(days=20),
    ),
]


@pytest.fixture
def shop(services: Services) -> str:
    services.access.ensure_shop("alpha", "Alpha")
    services.access.ensure_shop("beta", "Beta")
    services.knowledge.import_entries("alpha", ENTRIES)
    return "alpha"


def ids(services: Services, query: str, shop: str = "alpha", k: int = 10, **flt: Any) -> list[str]:
    return [p.entry_id for p in services.retriever.retrieve(query, shop=shop, k=k, filter=RetrievalFilter(**flt))]


def test_finds_the_answer_and_reports_both_rankers(services: Services, shop: str) -> None:
    (best, *_) = services.retriever.retrieve("how do i return an item", shop=shop, k=3)
    assert best.entry_id == "faq-returns"
    assert best.version == 1
    assert best.scores.dense_rank is not None
    assert best.scores.lexical_rank is not None


def test_published_entry_is_retrievable_at_once_and_archived_never_again(services: Services, shop: str) -> None:
    services.knowledge.create(shop, content("faq-giftwrap", "Do you gift wrap?", "Gift wrapping costs 5 yuan."))
    assert ids(services, "gift wrapping", k=1) == ["faq-giftwrap"]
    services.knowledge.archive(shop, "faq-giftwrap")
    assert "faq-giftwrap" not in ids(services, "gift wrapping", k=50)


def test_an_edit_serves_the_new_version(services: Services, shop: str) -> None:
    head = services.knowledge.get(shop, "faq-shipping").latest
    services.knowledge.update(
        shop, "faq-shipping", head.content.model_copy(update={"body": "Dispatch is at noon."}), expected_version=1
    )
    (best,) = services.retriever.retrieve("when do you dispatch at noon", shop=shop, k=1)
    assert (best.entry_id, best.version) == ("faq-shipping", 2)


def test_validity_windows(services: Services, shop: str) -> None:
    assert not {"policy-promo-old", "policy-promo-next"} & set(ids(services, "promotion off everything", k=50))
    future = ids(services, "promotion off everything", valid_at=NOW + timedelta(days=10))
    assert "policy-promo-next" in future
    assert "policy-promo-old" not in future


def test_filters(services: Services, shop: str) -> None:
    assert set(ids(services, "returns", kinds=[EntryKind.POLICY])) == {"policy-returns"}
    assert ids(services, "退货", language="zh") == ["faq-returns-zh"]
    assert set(ids(services, "returns", tags=["returns"], language="en")) == {"faq-returns", "policy-returns"}
    assert ids(services, "skin", product="hydra-serum") == ["product-serum"]
    replies = ids(services, "refund", kinds=[EntryKind.PAST_REPLY], min_rating=4)
    assert replies == ["reply-good"]


def test_identifier_is_found_lexically(services: Services, shop: str) -> None:
    assert ids(services, "is HS-3001 in stock", k=1) == ["product-serum"]


def test_shops_are_isolated_and_empty_is_empty(services: Services, shop: str) -> None:
    assert ids(services, "how do i return an item", shop="beta") == []
    assert ids(services, "   ") == []


def test_mmr_diversifies_near_duplicates(services: Services, shop: str) -> None:
    clones = [
        content(f"faq-clone-{i}", "Track my parcel", f"Track your parcel in the app, step {i}.") for i in range(3)
    ]
    services.knowledge.import_entries(shop, [*ENTRIES, *clones])
    plain = [p.entry_id for p in services.retriever.retrieve("track parcel", shop=shop, k=3)]
    diverse = [p.entry_id for p in services.retriever.retrieve("track parcel", shop=shop, k=3, mmr=True)]
    assert all(e.startswith("faq-clone") for e in plain)
    assert sum(e.startswith("faq-clone") for e in diverse) < 3


def test_editing_one_entry_embeds_only_that_entry(services: Services, shop: str, embedder: HashEmbedder) -> None:
    before = embedder.documents_embedded
    services.knowledge.create(shop, content("faq-new", "New question", "New answer."))
    assert embedder.documents_embedded == before + 1


def test_restart_loads_the_saved_index_without_embedding(settings: Settings, services: Services, shop: str) -> None:
    fresh = HashEmbedder()
    again = build_services(settings, embedder=fresh)
    try:
        again.retriever.load_all()
        assert fresh.documents_embedded == 0
        assert ids(again, "how do i return an item", k=1) == ["faq-returns"]
    finally:
        again.close()


def test_embedder_change_rebuilds_from_the_database(
    settings: Settings, services: Services, shop: str, tmp_path: Path
) -> None:
    other = HashEmbedder(dimension=48, name="hash-48")
    rebuilt = build_services(settings, embedder=other)
    try:
        stats = {s.shop: s for s in rebuilt.retriever.load_all()}
        assert other.documents_embedded == len(ENTRIES)
        assert stats["alpha"].passages == len(ENTRIES)
        assert ids(rebuilt, "how do i return an item", k=1) == ["faq-returns"]
    finally:
        rebuilt.close()


def test_another_replica_catches_up_through_the_revision(settings: Settings, services: Services, shop: str) -> None:
    replica = build_services(settings, embedder=HashEmbedder())
    try:
        assert ids(replica, "gift wrapping", k=1) != ["faq-giftwrap"]
        services.knowledge.create(shop, content("faq-giftwrap", "Do you gift wrap?", "Gift wrapping costs 5 yuan."))
        assert ids(replica, "gift wrapping", k=1) == ["faq-giftwrap"]
    finally:
        replica.close()


class SlowHashEmbedder(HashEmbedder):
    """Takes 20 ms per call, like a real model, so concurrent queries queue up behind it."""

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        time.sleep(0.02)
        return super().embed_queries(texts)


def test_concurrent_queries_share_embedding_batches(settings: Settings, shop: str) -> None:
    slow = SlowHashEmbedder()
    services = build_services(settings, embedder=slow)
    services.retriever.retrieve("warm up", shop=shop)
    calls_before = slow.query_calls
    barrier = threading.Barrier(32)
    errors: list[BaseException] = []

    def ask(i: int) -> None:
        barrier.wait()
        try:
            services.retriever.retrieve(f"return item {i}", shop=shop)
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    services.close()
    assert errors == []
    assert slow.query_calls - calls_before <= 8  # 32 queries in a handful of model calls
