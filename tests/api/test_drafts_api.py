"""POST /v1/drafts over HTTP: validation, roles, streaming, refine."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from drafter.bootstrap import Services
from drafter.core.models import Role
from tests.conftest import KNOWLEDGE, Keys

LATE = {"conversation": [{"role": "customer", "text": "my parcel is 3 days late!!"}], "agent_name": "Mia"}


@pytest.fixture
def agent(client: TestClient, keys: Keys, services: Services) -> dict[str, str]:
    services.knowledge.import_path("alpha", KNOWLEDGE)
    return keys.headers("alpha", Role.AGENT)


def test_draft_round_trip(client: TestClient, agent: dict[str, str], keys: Keys) -> None:
    created = client.post("/v1/drafts", json=LATE, headers=agent)
    assert created.status_code == 201
    draft = created.json()
    assert draft["review_status"] == "pending_review"
    assert draft["analysis"]["intent"] == "late_delivery"
    assert draft["analysis"]["urgency"] == "urgent"
    assert draft["variants"][0]["citations"]
    assert set(draft["trace"]["timings"]) >= {
        "analysis_ms",
        "retrieval_ms",
        "generation_ms",
        "guardrails_ms",
        "total_ms",
    }
    read = client.get(f"/v1/drafts/{draft['id']}", headers=keys.headers("alpha", Role.EVALUATOR))
    assert read.status_code == 200
    assert read.json()["variants"] == draft["variants"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"conversation": []}, "conversation"),
        ({"conversation": [{"role": "customer", "text": "x"}] * 51}, "conversation"),
        ({"conversation": [{"role": "customer", "text": "x" * 4001}]}, "conversation.0.text"),
        ({"conversation": [{"role": "robot", "text": "hi"}]}, "conversation.0.role"),
        ({"channel": "fax"}, "channel"),
        ({"options": {"variants": 4}}, "options.variants"),
        ({"orders": [{"id": "A", "total": "-1"}]}, "orders.0.total"),
        ({"customer": {"tier": "platinum"}}, "customer.tier"),
    ],
)
def test_invalid_requests_name_the_field(
    client: TestClient, agent: dict[str, str], change: dict[str, Any], field: str
) -> None:
    response = client.post("/v1/drafts", json={**LATE, **change}, headers=agent)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


def test_roles(client: TestClient, agent: dict[str, str], keys: Keys) -> None:
    assert client.post("/v1/drafts", json=LATE, headers=keys.headers("alpha", Role.EVALUATOR)).status_code == 403
    assert (
        client.post("/v1/drafts", json=LATE, headers=keys.headers("alpha", Role.KNOWLEDGE_MANAGER)).status_code == 403
    )
    draft_id = client.post("/v1/drafts", json=LATE, headers=agent).json()["id"]
    assert (
        client.get(f"/v1/drafts/{draft_id}", headers=keys.headers("alpha", Role.KNOWLEDGE_MANAGER)).status_code == 403
    )
    assert client.get("/v1/drafts/" + "0" * 32, headers=agent).status_code == 404


def test_streaming_sends_analysis_deltas_then_the_draft(client: TestClient, agent: dict[str, str]) -> None:
    with client.stream("POST", "/v1/drafts", json={**LATE, "options": {"stream": True}}, headers=agent) as response:
        assert response.status_code == 201
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [line.removeprefix("event: ") for line in response.iter_lines() if line.startswith("event: ")]
    assert events[0] == "analysis"
    assert events[-1] == "draft"
    assert events.count("delta") >= 3


def test_stream_text_matches_the_final_draft(client: TestClient, agent: dict[str, str]) -> None:
    with client.stream("POST", "/v1/drafts", json={**LATE, "options": {"stream": True}}, headers=agent) as response:
        data = [json.loads(line.removeprefix("data: ")) for line in response.iter_lines() if line.startswith("data: ")]
    streamed = "".join(d["text"] for d in data if "text" in d).strip()
    final = data[-1]["variants"][0]
    assert final["reply"].startswith(streamed[:40])


def test_refine(client: TestClient, agent: dict[str, str]) -> None:
    draft = client.post("/v1/drafts", json=LATE, headers=agent).json()
    translated = client.post(f"/v1/drafts/{draft['id']}/refine", json={"instruction": "translate"}, headers=agent)
    assert translated.status_code == 201
    assert translated.json()["variants"][0]["language"] == "zh"
    shorter = client.post(f"/v1/drafts/{draft['id']}/refine", json={"instruction": "shorter"}, headers=agent).json()
    assert len(shorter["variants"][0]["reply"]) < len(draft["variants"][0]["reply"])
    bad = client.post(f"/v1/drafts/{draft['id']}/refine", json={"instruction": "funnier"}, headers=agent)
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "instruction"


def test_a_body_that_is_not_json_names_the_body(client: TestClient, agent: dict[str, str]) -> None:
    response = client.post("/v1/drafts", content=b"not json", headers={**agent, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "body"
