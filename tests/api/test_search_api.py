"""Hit testing over HTTP."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from drafter.core.models import Role
from tests.api.test_knowledge_api import body
from tests.conftest import Keys


def test_published_entry_is_found_within_a_second(client: TestClient, keys: Keys) -> None:
    km = keys.headers("alpha", Role.KNOWLEDGE_MANAGER)
    created = client.post(
        "/v1/knowledge/entries", json=body("faq-wrap", title="Gift wrap?", body="Gift wrap is 5 yuan."), headers=km
    )
    assert created.status_code == 201
    started = time.monotonic()
    found = client.post(
        "/v1/knowledge/search", json={"query": "gift wrap", "k": 3}, headers=keys.headers("alpha", Role.AGENT)
    )
    assert time.monotonic() - started < 1.0
    passage = found.json()["passages"][0]
    assert (passage["entry_id"], passage["version"]) == ("faq-wrap", 1)
    assert set(passage["scores"]) == {
        "dense_rank",
        "dense_score",
        "lexical_rank",
        "lexical_score",
        "featured_boost",
        "fused",
    }


def test_modes_and_filters_are_accepted(client: TestClient, keys: Keys) -> None:
    km = keys.headers("alpha", Role.KNOWLEDGE_MANAGER)
    client.post(
        "/v1/knowledge/entries", json=body("faq-wrap", title="Gift wrap?", body="Gift wrap is 5 yuan."), headers=km
    )
    for mode in ("dense", "lexical", "hybrid"):
        response = client.post(
            "/v1/knowledge/search",
            json={"query": "gift wrap", "mode": mode, "filter": {"kinds": ["faq"], "language": "en"}},
            headers=km,
        )
        assert response.status_code == 200
        assert [p["entry_id"] for p in response.json()["passages"]] == ["faq-wrap"]
    none = client.post("/v1/knowledge/search", json={"query": "gift wrap", "filter": {"language": "zh"}}, headers=km)
    assert none.json()["passages"] == []


def test_invalid_search_names_the_field(client: TestClient, keys: Keys) -> None:
    agent = keys.headers("alpha", Role.AGENT)
    for payload, field in (
        ({"query": "x", "k": 0}, "k"),
        ({"query": ""}, "query"),
        ({"query": "x" * 2001}, "query"),
        ({"query": "x", "filter": {"kinds": ["recipe"]}}, "filter.kinds.0"),
        ({"query": "x", "filter": {"min_rating": 9}}, "filter.min_rating"),
    ):
        response = client.post("/v1/knowledge/search", json=payload, headers=agent)
        assert response.status_code == 422, payload
        assert response.json()["error"]["field"] == field
