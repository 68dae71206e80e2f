"""The whole loop through the API, with the real packaged embedder: draft -> refused edit -> fixed edit ->
follow-up on today's list -> scrubbed suggestion -> approved into the knowledge base -> cited by the next draft."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from drafter.api import create_app
from drafter.bootstrap import Services, build_services
from drafter.core.models import Role
from drafter.retrieval import SentenceTransformerEmbedder
from tests.api.test_reviews_api import DAMAGED, START, draft, review
from tests.conftest import KNOWLEDGE, Keys, make_settings
from tests.fakes import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def agent(client: TestClient, keys: Keys, services: Services) -> dict[str, str]:
    services.knowledge.import_path("alpha", KNOWLEDGE)
    return keys.headers("alpha", Role.AGENT)


@pytest.mark.slow
def test_the_full_review_loop_with_the_real_embedder(tmp_path: Path, clock: Clock) -> None:
    """SQLite only: the hash-embedder run below covers PostgreSQL; this one proves retrieval finds the new entry."""
    settings = make_settings(f"sqlite:///{tmp_path / 'loop.db'}", tmp_path)
    built = build_services(settings, embedder=SentenceTransformerEmbedder(), clock=clock)
    built.db.upgrade()
    try:
        with TestClient(create_app(settings, services=built)) as client:
            run_the_loop(client, built, clock)
    finally:
        built.close()


def run_the_loop(client: TestClient, services: Services, clock: Clock) -> None:
    services.access.ensure_shop("alpha", "Alpha")
    services.knowledge.import_path("alpha", KNOWLEDGE)
    agent = {"Authorization": f"Bearer {services.access.create_key('alpha', Role.AGENT, name='mia')}"}
    manager = {"Authorization": f"Bearer {services.access.create_key('alpha', Role.KNOWLEDGE_MANAGER)}"}
    made = draft(client, agent)
    original = made["variants"][0]["reply"]

    # An edit with an unauthorised promise is refused, naming the finding.
    bad = original + " As a special case I will refund you 500 CNY in cash."
    refused = review(client, agent, made["id"], action="edit", text=bad, reason="goodwill")
    assert refused.status_code == 422
    assert {"cash_compensation"} <= {d["code"] for d in refused.json()["error"]["details"]}

    # The fixed edit is accepted; its promise becomes a follow-up due within two hours.
    clock.advance(minutes=3)
    fixed = original + " I'll check with the carrier and update you within 2 hours."
    accepted = review(client, agent, made["id"], action="edit", text=fixed, reason="add an update", rating=5)
    assert accepted.status_code == 200, accepted.text
    result = accepted.json()
    assert result["status"] == "edited"
    assert result["char_distance"] == len(fixed) - len(original)
    assert result["suggestion_id"] is not None
    today = client.get("/v1/follow-ups", params={"due": "today"}, headers=agent).json()
    carrier = [f for f in today if f["draft_id"] == made["id"] and f["kind"] == "carrier_check"]
    assert len(carrier) == 1
    assert datetime.fromisoformat(carrier[0]["due_at"]) == clock.now + timedelta(hours=2)
    assert carrier[0]["overdue"] is False

    # The suggestion is scrubbed of the customer's name and order id.
    suggestions = client.get("/v1/knowledge/suggestions", headers=manager).json()
    assert [s["id"] for s in suggestions] == [result["suggestion_id"]]
    suggestion = suggestions[0]
    for personal in ("Sarah", "LL1001", "Mia"):
        assert personal not in suggestion["reply"]
        assert personal not in suggestion["question"]
    assert "{{order_number}}" in suggestion["question"]
    assert (
        client.post(f"/v1/knowledge/suggestions/{suggestion['id']}/approve", json={}, headers=agent).status_code == 403
    )  # agents do not write knowledge

    # A knowledge manager approves it; it becomes a published past reply...
    approved = client.post(
        f"/v1/knowledge/suggestions/{suggestion['id']}/approve",
        json={"entry_id": "reply-cracked-serum-bottle"},
        headers=manager,
    )
    assert approved.status_code == 201, approved.text
    entry = client.get("/v1/knowledge/entries/reply-cracked-serum-bottle", headers=manager).json()
    assert entry["kind"] == "past_reply"
    assert entry["rating"] == 5

    # ...which the next draft for the same question retrieves.
    again = draft(client, agent, {**DAMAGED, "conversation_id": "conv-next"})
    assert "reply-cracked-serum-bottle" in [p["entry_id"] for p in again["passages"]]


def test_the_loop_with_the_hash_embedder(client: TestClient, services: Services, clock: Clock) -> None:
    run_the_loop(client, services, clock)


def test_near_duplicate_suggestions_merge_and_a_manager_can_dismiss(
    client: TestClient, agent: dict[str, str], keys: Keys
) -> None:
    ids = []
    for conversation in ("one", "two"):
        made = draft(client, agent, {**DAMAGED, "conversation_id": conversation})
        response = review(client, agent, made["id"], action="approve", rating=4)
        ids.append(response.json()["suggestion_id"])
    assert ids[0] is not None
    assert ids[0] == ids[1]
    other = draft(client, agent, {"conversation": [{"role": "customer", "text": "Can I get a VAT invoice?"}]})
    distinct = review(client, agent, other["id"], action="approve", rating=5).json()["suggestion_id"]
    assert distinct not in (None, ids[0])
    manager = keys.headers("alpha", Role.KNOWLEDGE_MANAGER)
    listed = {s["id"]: s for s in client.get("/v1/knowledge/suggestions", headers=manager).json()}
    assert listed[ids[0]]["count"] == 2
    dismissed = client.post(
        f"/v1/knowledge/suggestions/{distinct}/dismiss", json={"reason": "covered by the invoice FAQ"}, headers=manager
    )
    assert dismissed.status_code == 200
    assert dismissed.json()["status"] == "dismissed"
    again = client.post(f"/v1/knowledge/suggestions/{distinct}/dismiss", json={"reason": "twice"}, headers=manager)
    assert again.status_code == 409
    assert [s["id"] for s in client.get("/v1/knowledge/suggestions", headers=manager).json()] == [ids[0]]


def test_low_ratings_and_rejections_suggest_nothing(client: TestClient, agent: dict[str, str]) -> None:
    low = draft(client, agent)
    assert review(client, agent, low["id"], action="approve", rating=3).json()["suggestion_id"] is None
    rejected = draft(client, agent, {**DAMAGED, "conversation_id": "other"})
    body = review(client, agent, rejected["id"], action="reject", reason="wrong", rating=5).json()
    assert body["suggestion_id"] is None
    assert body["follow_ups"] == []


def test_follow_ups_are_listed_flagged_overdue_and_closed_once(
    client: TestClient, agent: dict[str, str], clock: Clock
) -> None:
    made = draft(client, agent)
    text = made["variants"][0]["reply"] + " I'll check with the carrier and update you within 2 hours."
    review(client, agent, made["id"], action="edit", text=text, reason="promise an update")
    due = client.get("/v1/follow-ups", headers=agent).json()
    assert due
    assert not any(f["overdue"] for f in due)
    clock.advance(hours=3)
    overdue = client.get("/v1/follow-ups", params={"due": "overdue"}, headers=agent).json()
    assert overdue
    assert all(f["overdue"] for f in overdue)
    first = overdue[0]["id"]
    closed = client.post(f"/v1/follow-ups/{first}/close", json={"note": "carrier confirmed"}, headers=agent)
    assert closed.status_code == 200
    assert closed.json()["status"] == "done"
    assert closed.json()["closed_by"] == "agent"
    assert client.post(f"/v1/follow-ups/{first}/close", json={}, headers=agent).status_code == 409
    assert first not in [f["id"] for f in client.get("/v1/follow-ups", headers=agent).json()]
    done = client.get("/v1/follow-ups", params={"status": "done", "due": "all"}, headers=agent).json()
    assert [f["id"] for f in done] == [first]
    assert client.post("/v1/follow-ups/999999/close", json={}, headers=agent).status_code == 404


def test_approving_into_a_taken_id_conflicts_and_changes_nothing(
    client: TestClient, agent: dict[str, str], keys: Keys
) -> None:
    made = draft(client, agent)
    suggestion = review(client, agent, made["id"], action="approve", rating=5).json()["suggestion_id"]
    manager = keys.headers("alpha", Role.KNOWLEDGE_MANAGER)
    url = f"/v1/knowledge/suggestions/{suggestion}/approve"
    revision = client.get("/v1/knowledge/revision", headers=manager).json()["revision"]
    taken = client.post(url, json={"entry_id": "policy-allergic-reaction"}, headers=manager)
    assert taken.status_code == 409
    invalid = client.post(url, json={"entry_id": "Not A Slug"}, headers=manager)
    assert invalid.status_code == 422
    assert invalid.json()["error"]["field"] == "entry_id"
    assert client.get("/v1/knowledge/revision", headers=manager).json()["revision"] == revision
    still = client.get("/v1/knowledge/suggestions", headers=manager).json()
    assert [s["status"] for s in still if s["id"] == suggestion] == ["open"]
