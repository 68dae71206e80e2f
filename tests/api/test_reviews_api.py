"""The review loop over HTTP: approve / edit / reject, refusals, staleness, sending, the audit trail, roles, races."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from drafter.bootstrap import Services
from drafter.core.errors import Conflict
from drafter.core.log_config import JsonFormatter
from drafter.core.models import Identity, Role
from drafter.core.reviews import ReviewAction, ReviewRequest
from tests.conftest import KNOWLEDGE, Keys
from tests.fakes import Clock

# Thursday 10:00 in Shanghai, inside the demo shop's service hours (09:00-21:00).
START = datetime(2026, 11, 19, 2, 0, tzinfo=UTC)
DAMAGED: dict[str, Any] = {
    "conversation_id": "conv-damaged",
    "conversation": [
        {"role": "customer", "text": "Hi, my Hydra serum arrived with a cracked bottle, order LL1001. Can you help?"}
    ],
    "customer": {"name": "Sarah Chen", "tier": "silver"},
    "orders": [
        {
            "id": "LL1001",
            "status": "delivered",
            "items": [{"name": "Hydra Serum", "product": "hydra-serum", "price": "159"}],
        }
    ],
    "agent_name": "Mia",
}


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def agent(client: TestClient, keys: Keys, services: Services) -> dict[str, str]:
    services.knowledge.import_path("alpha", KNOWLEDGE)
    return keys.headers("alpha", Role.AGENT)


def draft(client: TestClient, headers: dict[str, str], body: dict[str, Any] = DAMAGED) -> dict[str, Any]:
    response = client.post("/v1/drafts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def review(client: TestClient, headers: dict[str, str], draft_id: str, **body: Any) -> Any:
    return client.post(f"/v1/drafts/{draft_id}/review", json=body, headers=headers)


def test_approve_records_the_decision_and_the_audit_trail(
    client: TestClient, agent: dict[str, str], keys: Keys, clock: Clock
) -> None:
    made = draft(client, agent)
    clock.advance(seconds=90)
    response = review(client, agent, made["id"], action="approve", rating=5)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "approved"
    assert body["final_text"] == made["variants"][0]["reply"]
    assert body["char_distance"] == 0
    assert body["time_to_review_s"] == 90
    assert body["department"] in {"operations", "logistics"}
    read = client.get(f"/v1/drafts/{made['id']}", headers=keys.headers("alpha", Role.EVALUATOR)).json()
    assert read["review_status"] == "approved"
    events = client.get(f"/v1/drafts/{made['id']}/events", headers=agent).json()
    assert [e["kind"] for e in events] == ["created", "approved"]
    assert events[1]["actor"] == "agent"
    assert events[1]["detail"]["rating"] == 5


def test_an_edit_breaking_policy_is_refused_with_its_findings_then_accepted_with_an_override(
    client: TestClient, agent: dict[str, str]
) -> None:
    made = draft(client, agent)
    bad = "Sarah, I'm so sorry. I will refund you 800 CNY in cash today."
    refused = review(client, agent, made["id"], action="edit", text=bad, reason="customer is upset")
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "guardrail_blocked"
    assert error["field"] == "text"
    codes = {d["code"] for d in error["details"]}
    assert {"refund_over_authority", "cash_compensation"} <= codes
    span = next(d["span"] for d in error["details"] if d["code"] == "refund_over_authority")
    assert "800" in bad[span[0] : span[1]]
    overridden = review(
        client, agent, made["id"], action="edit", text=bad, reason="upset", override_reason="team lead approved"
    )
    assert overridden.status_code == 200
    assert overridden.json()["overridden"] is True
    assert overridden.json()["suggestion_id"] is None  # a policy override never becomes a suggestion
    kinds = [e["kind"] for e in client.get(f"/v1/drafts/{made['id']}/events", headers=agent).json()]
    assert kinds == ["created", "review_refused", "edited"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "edit"}, "text"),
        ({"action": "reject"}, "reason"),
        ({"action": "approve", "text": "hello"}, "text"),
        ({"action": "approve", "variant": 1}, "variant"),
        ({"action": "approve", "variant": 7}, "variant"),
        ({"action": "approve", "rating": 6}, "rating"),
        ({"action": "approve", "source_ratings": {"faq-not-cited": 4}}, "source_ratings.faq-not-cited"),
        ({"action": "publish"}, "action"),
        ({"action": "edit", "text": "x" * 6001}, "text"),
    ],
)
def test_invalid_reviews_name_the_field(
    client: TestClient, agent: dict[str, str], body: dict[str, Any], field: str
) -> None:
    made = draft(client, agent)
    response = review(client, agent, made["id"], **body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert client.get(f"/v1/drafts/{made['id']}", headers=agent).json()["review_status"] == "pending_review"


def test_an_unchanged_edit_is_refused(client: TestClient, agent: dict[str, str]) -> None:
    made = draft(client, agent)
    response = review(client, agent, made["id"], action="edit", text=made["variants"][0]["reply"])
    assert response.status_code == 422
    assert "unchanged" in response.json()["error"]["message"]


def test_a_draft_is_reviewed_once(client: TestClient, agent: dict[str, str]) -> None:
    made = draft(client, agent)
    assert review(client, agent, made["id"], action="reject", reason="wrong tone").status_code == 200
    again = review(client, agent, made["id"], action="approve")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_reviewed"


def test_concurrent_reviews_exactly_one_wins(client: TestClient, agent: dict[str, str], services: Services) -> None:
    made = draft(client, agent)
    who = Identity(shop="alpha", role=Role.AGENT, key_id=1, name="racer")

    async def race() -> list[object]:
        calls = [
            services.reviews.review(who, made["id"], ReviewRequest(action=ReviewAction.APPROVE, rating=n % 5 + 1))
            for n in range(8)
        ]
        return await asyncio.gather(*calls, return_exceptions=True)

    outcomes = asyncio.run(race())
    assert sum(1 for o in outcomes if not isinstance(o, BaseException)) == 1
    assert all(isinstance(o, Conflict) for o in outcomes if isinstance(o, BaseException))
    events = client.get(f"/v1/drafts/{made['id']}/events", headers=agent).json()
    assert [e["kind"] for e in events] == ["created", "approved"]


def test_a_newer_customer_message_makes_a_draft_stale(client: TestClient, agent: dict[str, str]) -> None:
    first = draft(client, agent)
    follow = {**DAMAGED, "conversation": [*DAMAGED["conversation"], {"role": "customer", "text": "Hello??"}]}
    second = draft(client, agent, follow)
    refined = client.post(f"/v1/drafts/{second['id']}/refine", json={"instruction": "shorter"}, headers=agent)
    assert refined.status_code == 201
    old = client.get(f"/v1/drafts/{first['id']}", headers=agent).json()
    assert old["stale"] is True
    assert old["superseded_by"] == second["id"]
    assert client.get(f"/v1/drafts/{second['id']}", headers=agent).json()["stale"] is False  # a refine adds no message
    refused = review(client, agent, first["id"], action="approve")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "draft_stale"
    forced = review(client, agent, first["id"], action="approve", override_reason="answers both messages")
    assert forced.status_code == 200
    assert client.get(f"/v1/drafts/{second['id']}", headers=agent).json()["review_status"] == "pending_review"


def test_the_inbox_reports_a_message(client: TestClient, agent: dict[str, str], clock: Clock) -> None:
    made = draft(client, agent)
    clock.advance(minutes=1)
    agent_turn = {"role": "agent", "time": clock.now.isoformat()}
    url = "/v1/conversations/conv-damaged/messages"
    assert client.post(url, json=agent_turn, headers=agent).json()["stale_drafts"] == []
    customer_turn = {"role": "customer", "time": clock.now.isoformat()}
    assert client.post(url, json=customer_turn, headers=agent).json()["stale_drafts"] == [made["id"]]
    assert client.get(f"/v1/drafts/{made['id']}", headers=agent).json()["stale"] is True
    invalid = client.post(url, json={"time": "yesterday"}, headers=agent)
    assert invalid.status_code == 422
    assert invalid.json()["error"]["field"] == "time"


def test_sent_only_after_approval(client: TestClient, agent: dict[str, str]) -> None:
    made = draft(client, agent)
    early = client.post(f"/v1/drafts/{made['id']}/sent", headers=agent)
    assert early.status_code == 409
    review(client, agent, made["id"], action="approve")
    sent = client.post(f"/v1/drafts/{made['id']}/sent", headers=agent)
    assert sent.status_code == 200
    assert sent.json()["review_status"] == "sent"
    assert client.post(f"/v1/drafts/{made['id']}/sent", headers=agent).status_code == 409
    kinds = [e["kind"] for e in client.get(f"/v1/drafts/{made['id']}/events", headers=agent).json()]
    assert kinds == ["created", "approved", "sent"]


def test_roles(client: TestClient, agent: dict[str, str], keys: Keys) -> None:
    made = draft(client, agent)
    for role in (Role.EVALUATOR, Role.KNOWLEDGE_MANAGER):
        denied = review(client, keys.headers("alpha", role), made["id"], action="approve")
        assert denied.status_code == 403
        assert client.post("/v1/follow-ups/1/close", json={}, headers=keys.headers("alpha", role)).status_code == 403
    assert (
        client.get(f"/v1/drafts/{made['id']}/events", headers=keys.headers("alpha", Role.EVALUATOR)).status_code == 200
    )
    assert client.get("/v1/metrics/drafting", headers=keys.headers("alpha", Role.EVALUATOR)).status_code == 200
    assert client.get("/v1/follow-ups", headers=keys.headers("alpha", Role.EVALUATOR)).status_code == 200
    other_shop = review(client, keys.headers("beta", Role.AGENT), made["id"], action="approve")
    assert other_shop.status_code == 404


def test_prometheus_counts_drafts_and_reviews(client: TestClient, agent: dict[str, str]) -> None:
    made = draft(client, agent)
    review(client, agent, made["id"], action="reject", reason="not our policy")
    text = client.get("/metrics").text
    assert 'drafter_reviews_total{action="reject",edit_class="none"} 1.0' in text
    assert "drafter_drafts_total{" in text
    assert "alpha" not in text  # no shop in labels


def test_no_customer_or_reply_text_in_logs(
    client: TestClient, agent: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="drafter")
    secret = {**DAMAGED, "conversation": [{"role": "customer", "text": "Zebra Street 88, call 13800138000, cracked"}]}
    made = draft(client, agent, secret)
    text = made["variants"][0]["reply"] + " Quokka promise: I'll call you back within 2 hours."
    refused = review(client, agent, made["id"], action="edit", text=text + " Refund 900 CNY.", reason="Quokka why")
    assert refused.status_code == 422
    assert review(client, agent, made["id"], action="edit", text=text, rating=5, reason="Quokka why").status_code == 200
    assert caplog.records
    for record in caplog.records:
        line = JsonFormatter().format(record)
        for leaked in ("Zebra", "13800138000", "Quokka", agent["Authorization"][7:]):
            assert leaked not in line
