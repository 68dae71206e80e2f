"""GET /v1/knowledge/gaps: rejected, rewritten and poorly grounded drafts, clustered by meaning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from drafter.api import create_app
from drafter.bootstrap import Services, build_services
from drafter.core.models import Role
from drafter.core.settings import Settings
from tests.conftest import KNOWLEDGE, Keys, make_settings
from tests.fakes import HashEmbedder

MARS = [
    "do you ship to mars colony? order LL7788",
    "do you ship to the mars colony",
    "can you ship to mars colony please",
]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Low scores off (the hash embedder's scale is not MiniLM's): only the agents' verdicts make candidates here.
    return make_settings(database_url, tmp_path, gap_low_score_en=0.0, gap_cluster_threshold_en=0.5)


@pytest.fixture
def agent(services: Services, keys: Keys) -> dict[str, str]:
    services.knowledge.import_path("alpha", KNOWLEDGE)
    return keys.headers("alpha", Role.AGENT)


def ask(client: TestClient, agent: dict[str, str], text: str, **extra: Any) -> str:
    body = {"conversation": [{"role": "customer", "text": text}], **extra}
    response = client.post("/v1/drafts", json=body, headers=agent)
    assert response.status_code == 201
    return str(response.json()["id"])


def test_rejected_and_rewritten_drafts_cluster_by_meaning(
    client: TestClient, agent: dict[str, str], keys: Keys
) -> None:
    orders = [{"id": "LL7788", "items": [{"name": "Serum", "price": "159"}]}]
    mars = [ask(client, agent, text, orders=orders if "LL7788" in text else []) for text in MARS]
    for draft_id in mars[:2]:
        client.post(
            f"/v1/drafts/{draft_id}/review", json={"action": "reject", "reason": "we have no answer"}, headers=agent
        )
    rewritten = "We do not ship off-planet yet, sorry! Would you like A) a reminder when we do or B) nothing for now?"
    client.post(
        f"/v1/drafts/{mars[2]}/review",
        json={"action": "edit", "text": rewritten, "reason": "wrong answer"},
        headers=agent,
    )
    bitcoin = ask(client, agent, "can I pay with bitcoin")
    client.post(f"/v1/drafts/{bitcoin}/review", json={"action": "reject", "reason": "no script"}, headers=agent)
    fine = ask(client, agent, "my parcel is 3 days late!!")
    client.post(f"/v1/drafts/{fine}/review", json={"action": "approve"}, headers=agent)

    report = client.get("/v1/knowledge/gaps", headers=keys.headers("alpha", Role.KNOWLEDGE_MANAGER)).json()
    assert report["candidates"] == 4
    first, second = report["clusters"]
    assert first["count"] == 3
    assert first["reasons"] == {"rejected": 2, "rewritten": 1}
    assert sorted(first["draft_ids"]) == sorted(mars)
    assert "LL7788" not in " ".join(first["examples"])
    assert any("{{order_number}}" in e for e in first["examples"])
    assert first["nearest"]
    assert (second["count"], second["examples"]) == (1, ["can I pay with bitcoin"])
    only_big = client.get("/v1/knowledge/gaps", params={"min_count": 2}, headers=agent).json()
    assert [c["count"] for c in only_big["clusters"]] == [3]


def test_the_window_and_its_validation(client: TestClient, agent: dict[str, str]) -> None:
    draft_id = ask(client, agent, "do you ship to mars colony")
    client.post(f"/v1/drafts/{draft_id}/review", json={"action": "reject", "reason": "no answer"}, headers=agent)
    future = client.get("/v1/knowledge/gaps", params={"from": "2999-01-01T00:00:00Z"}, headers=agent).json()
    assert future["candidates"] == 0
    naive = client.get("/v1/knowledge/gaps", params={"from": "2026-01-01T00:00:00"}, headers=agent)
    assert naive.status_code == 422
    assert naive.json()["error"]["field"] == "from"
    backwards = client.get(
        "/v1/knowledge/gaps", params={"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, headers=agent
    )
    assert backwards.json()["error"]["field"] == "to"


def test_low_retrieval_scores_are_gaps_too(database_url: str, tmp_path: Path) -> None:
    strict = make_settings(database_url, tmp_path / "strict", gap_low_score_en=1.0, gap_low_score_zh=1.0)
    built = build_services(strict, embedder=HashEmbedder())
    built.db.upgrade()
    try:
        built.access.ensure_shop("alpha", "Alpha")
        built.knowledge.import_path("alpha", KNOWLEDGE)
        agent = {"Authorization": f"Bearer {built.access.create_key('alpha', Role.AGENT)}"}
        with TestClient(create_app(strict, services=built)) as client:
            ask(client, agent, "my parcel is 3 days late!!")
            report = client.get("/v1/knowledge/gaps", headers=agent).json()
        assert report["candidates"] == 1
        assert report["clusters"][0]["reasons"] == {"low_score": 1}
    finally:
        built.close()
