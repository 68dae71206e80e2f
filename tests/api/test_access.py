"""Keys, roles and shop isolation on every route."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from drafter.core.models import Role
from tests.api.test_knowledge_api import body
from tests.conftest import Keys

PUBLIC = {"/healthz", "/readyz", "/metrics"}
WRITE_ROUTES = [
    ("POST", "/v1/knowledge/entries"),
    ("PUT", "/v1/knowledge/entries/{entry_id}"),
    ("POST", "/v1/knowledge/entries/{entry_id}/archive"),
    ("POST", "/v1/knowledge/entries/{entry_id}/restore"),
    ("POST", "/v1/knowledge/entries/{entry_id}/rollback"),
    ("POST", "/v1/knowledge/import"),
]


DRAFT_BODY = {"conversation": [{"role": "customer", "text": "what is the secret zebra code?"}]}


def call(
    client: TestClient,
    method: str,
    path: str,
    headers: dict[str, str],
    ids: dict[str, str] | None = None,
    **kwargs: Any,
) -> Any:
    for name, value in {"entry_id": "faq-secret", "version": "1", **(ids or {})}.items():
        path = path.replace("{" + name + "}", value)
    return client.request(method, path, headers=headers, **kwargs)


def seed_shop_a(client: TestClient, keys: Keys) -> dict[str, str]:
    """Shop alpha gets a secret entry, a pending draft that retrieved it, and a reviewed draft that left a
    follow-up and a suggestion, and an open campaign for the secret entry with one answer; returns their ids by
    path parameter name."""
    created = client.post(
        "/v1/knowledge/entries",
        json=body("faq-secret", title="Secret of shop A", body="Only shop A knows the zebra code."),
        headers=keys.headers("alpha", Role.KNOWLEDGE_MANAGER),
    )
    assert created.status_code == 201
    draft = client.post(
        "/v1/drafts", json={**DRAFT_BODY, "conversation_id": "conv-secret"}, headers=keys.headers("alpha", Role.AGENT)
    )
    assert draft.status_code == 201
    assert "faq-secret" in [p["entry_id"] for p in draft.json()["passages"]]
    agent = keys.headers("alpha", Role.AGENT)
    second = client.post("/v1/drafts", json={**DRAFT_BODY, "conversation_id": "conv-other"}, headers=agent).json()
    promise = second["variants"][0]["reply"] + " I'll check with the carrier and update you within 2 hours."
    reviewed = client.post(
        f"/v1/drafts/{second['id']}/review",
        json={"action": "edit", "text": promise, "rating": 5, "reason": "promise an update"},
        headers=agent,
    ).json()
    assert reviewed["follow_ups"]
    assert reviewed["suggestion_id"]
    campaign = client.post(
        "/v1/knowledge/campaigns",
        json={"question": "What is the zebra code?", "language": "en", "entry_id": "faq-secret"},
        headers=keys.headers("alpha", Role.KNOWLEDGE_MANAGER),
    ).json()
    campaign_answer = client.post(
        f"/v1/knowledge/campaigns/{campaign['id']}/answers", json={"text": "Only we know it."}, headers=agent
    ).json()
    return {
        "campaign_id": str(campaign["id"]),
        "answer_id": str(campaign_answer["id"]),
        "draft_id": str(draft.json()["id"]),
        "conversation_id": "conv-secret",
        "follow_up_id": str(reviewed["follow_ups"][0]["id"]),
        "suggestion_id": str(reviewed["suggestion_id"]),
    }


def app_routes(client: TestClient) -> set[tuple[str, str]]:
    """Every (method, path) the app serves, from its OpenAPI document."""
    paths = client.get("/openapi.json").json()["paths"]
    return {(method.upper(), path) for path, operations in paths.items() for method in operations}


# Every authenticated route and what beta's key must see when it points at shop A's data.
ISOLATION: dict[tuple[str, str], Any] = {
    ("GET", "/v1/me"): lambda r: r.json()["shop"] == "beta",
    ("GET", "/v1/knowledge/entries"): lambda r: r.json()["total"] == 0,
    ("GET", "/v1/knowledge/entries/{entry_id}"): lambda r: r.status_code == 404,
    ("GET", "/v1/knowledge/entries/{entry_id}/versions"): lambda r: r.status_code == 404,
    ("PUT", "/v1/knowledge/entries/{entry_id}"): lambda r: r.status_code == 404,
    ("POST", "/v1/knowledge/entries/{entry_id}/archive"): lambda r: r.status_code == 404,
    ("POST", "/v1/knowledge/entries/{entry_id}/restore"): lambda r: r.status_code == 404,
    ("POST", "/v1/knowledge/entries/{entry_id}/rollback"): lambda r: r.status_code == 404,
    ("GET", "/v1/knowledge/entries/{entry_id}/versions/{version}/drafts"): lambda r: r.status_code == 404,
    # Importing the same id in shop b makes b's own entry; shop a's is checked unchanged below.
    ("POST", "/v1/knowledge/import"): lambda r: r.status_code == 200 and r.json()["created"] == ["faq-secret"],
    ("GET", "/v1/knowledge/gaps"): lambda r: r.json()["candidates"] == 0 and r.json()["clusters"] == [],
    ("GET", "/v1/knowledge/revision"): lambda r: r.json() == {"shop": "beta", "revision": 0},
    ("POST", "/v1/knowledge/search"): lambda r: r.status_code == 200 and r.json()["passages"] == [],
    # Creating the same id in shop b makes b's own entry; shop a's is checked unchanged below.
    ("POST", "/v1/knowledge/entries"): lambda r: r.status_code == 201 and r.json()["version"] == 1,
    ("POST", "/v1/drafts"): lambda r: (
        r.status_code == 201 and "faq-secret" not in [p["entry_id"] for p in r.json()["passages"]]
    ),
    ("GET", "/v1/drafts/{draft_id}"): lambda r: r.status_code == 404,
    ("POST", "/v1/drafts/{draft_id}/refine"): lambda r: r.status_code == 404,
    ("POST", "/v1/drafts/{draft_id}/review"): lambda r: r.status_code == 404,
    ("POST", "/v1/drafts/{draft_id}/sent"): lambda r: r.status_code == 404,
    ("GET", "/v1/drafts/{draft_id}/events"): lambda r: r.status_code == 404,
    ("POST", "/v1/conversations/{conversation_id}/messages"): lambda r: r.json()["stale_drafts"] == [],
    ("GET", "/v1/follow-ups"): lambda r: r.json() == [],
    ("POST", "/v1/follow-ups/{follow_up_id}/close"): lambda r: r.status_code == 404,
    ("GET", "/v1/metrics/drafting"): lambda r: r.json()["reviewed"] == 0 and r.json()["drafts"] == 0,
    ("GET", "/v1/voc"): lambda r: r.json()["total"] == 0,
    ("GET", "/v1/knowledge/suggestions"): lambda r: r.json() == [],
    ("POST", "/v1/knowledge/suggestions/{suggestion_id}/approve"): lambda r: r.status_code == 404,
    ("POST", "/v1/knowledge/suggestions/{suggestion_id}/dismiss"): lambda r: r.status_code == 404,
    ("GET", "/v1/knowledge/campaigns"): lambda r: r.json() == [],
    # Shop b has no faq-secret of its own to open a campaign for.
    ("POST", "/v1/knowledge/campaigns"): lambda r: r.status_code == 422 and r.json()["error"]["field"] == "entry_id",
    ("GET", "/v1/knowledge/campaigns/{campaign_id}"): lambda r: r.status_code == 404,
    ("POST", "/v1/knowledge/campaigns/{campaign_id}/answers"): lambda r: r.status_code == 404,
    ("PUT", "/v1/knowledge/campaigns/{campaign_id}/answers/{answer_id}/rating"): lambda r: r.status_code == 404,
    ("POST", "/v1/knowledge/campaigns/{campaign_id}/promote"): lambda r: r.status_code == 404,
    ("POST", "/v1/knowledge/campaigns/{campaign_id}/close"): lambda r: r.status_code == 404,
}
PAYLOADS: dict[tuple[str, str], dict[str, Any]] = {
    ("PUT", "/v1/knowledge/entries/{entry_id}"): {"json": body("faq-secret", body="overwritten by b")},
    ("POST", "/v1/knowledge/search"): {"json": {"query": "zebra code secret"}},
    ("POST", "/v1/knowledge/entries/{entry_id}/rollback"): {"params": {"to": 1}},
    ("POST", "/v1/knowledge/import"): {"json": [body("faq-secret", body="b's import")]},
    ("POST", "/v1/knowledge/entries"): {"json": body("faq-secret", body="b's own")},
    ("POST", "/v1/drafts"): {"json": DRAFT_BODY},
    ("POST", "/v1/drafts/{draft_id}/refine"): {"json": {"instruction": "shorter"}},
    ("POST", "/v1/drafts/{draft_id}/review"): {"json": {"action": "approve"}},
    ("POST", "/v1/conversations/{conversation_id}/messages"): {"json": {"time": "2030-01-01T00:00:00Z"}},
    ("POST", "/v1/follow-ups/{follow_up_id}/close"): {"json": {}},
    ("POST", "/v1/knowledge/suggestions/{suggestion_id}/approve"): {"json": {}},
    ("POST", "/v1/knowledge/suggestions/{suggestion_id}/dismiss"): {"json": {"reason": "not mine"}},
    ("POST", "/v1/knowledge/campaigns"): {"json": {"question": "zebra?", "language": "en", "entry_id": "faq-secret"}},
    ("POST", "/v1/knowledge/campaigns/{campaign_id}/answers"): {"json": {"text": "b's answer"}},
    ("PUT", "/v1/knowledge/campaigns/{campaign_id}/answers/{answer_id}/rating"): {"json": {"rating": 1}},
    ("POST", "/v1/knowledge/campaigns/{campaign_id}/promote"): {"json": {"answer_id": 1}},
}


def test_every_route_is_covered_by_the_isolation_test(client: TestClient) -> None:
    routes = {r for r in app_routes(client) if r[1] not in PUBLIC}
    assert routes == set(ISOLATION)


@pytest.mark.parametrize("route", sorted(ISOLATION))
def test_shop_b_can_read_or_change_nothing_of_shop_a(client: TestClient, keys: Keys, route: tuple[str, str]) -> None:
    ids = seed_shop_a(client, keys)
    method, path = route
    response = call(client, method, path, keys.headers("beta", Role.ADMIN), ids, **PAYLOADS.get(route, {}))
    assert ISOLATION[route](response), response.text
    a_view = client.get("/v1/knowledge/entries/faq-secret", headers=keys.headers("alpha", Role.AGENT)).json()
    assert a_view["version"] == 1
    assert a_view["status"] == "published"
    assert "zebra" in a_view["body"]
    a_agent = keys.headers("alpha", Role.AGENT)
    a_draft = client.get(f"/v1/drafts/{ids['draft_id']}", headers=a_agent).json()
    assert (a_draft["review_status"], a_draft["stale"]) == ("pending_review", False)
    a_follow_ups = client.get("/v1/follow-ups", params={"due": "all"}, headers=a_agent).json()
    assert ids["follow_up_id"] in [str(f["id"]) for f in a_follow_ups]
    a_suggestions = client.get("/v1/knowledge/suggestions", headers=a_agent).json()
    assert ids["suggestion_id"] in [str(s["id"]) for s in a_suggestions]
    a_campaign = client.get(f"/v1/knowledge/campaigns/{ids['campaign_id']}", headers=a_agent).json()
    assert (a_campaign["status"], a_campaign["answer_count"]) == ("open", 1)
    assert a_campaign["answers"][0]["ratings"] == 0


@pytest.mark.parametrize("role", [Role.AGENT, Role.EVALUATOR])
@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
def test_only_knowledge_managers_and_admins_write(
    client: TestClient, keys: Keys, role: Role, method: str, path: str
) -> None:
    seed_shop_a(client, keys)
    response = call(client, method, path, keys.headers("alpha", role), json=body("faq-secret"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_missing_malformed_and_unknown_keys_are_401(client: TestClient) -> None:
    assert client.get("/v1/me").status_code == 401
    assert client.get("/v1/me", headers={"Authorization": "Token abc"}).status_code == 401
    unknown = client.get("/v1/me", headers={"Authorization": "Bearer drk_nope"})
    assert unknown.status_code == 401
    assert unknown.headers["WWW-Authenticate"] == "Bearer"


def test_revoked_key_stops_working(client: TestClient, keys: Keys) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    key = services.access.create_key("alpha", Role.AGENT, name="temp")
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert services.access.revoke_keys("alpha", "temp") == 1
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": True, "knowledge_loaded": True}


def test_openapi_documents_every_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for method, path in app_routes(client):
        operation = spec["paths"][path][method.lower()]
        assert operation.get("summary"), (method, path)
