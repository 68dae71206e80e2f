"""Keys, roles and shop isolation on every route."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from drafter.core.models import Role
from tests.api.test_knowledge_api import body
from tests.conftest import Keys

PUBLIC = {"/healthz", "/readyz"}
WRITE_ROUTES = [
    ("POST", "/v1/knowledge/entries"),
    ("PUT", "/v1/knowledge/entries/{entry_id}"),
    ("POST", "/v1/knowledge/entries/{entry_id}/archive"),
]


DRAFT_BODY = {"conversation": [{"role": "customer", "text": "what is the secret zebra code?"}]}


def call(
    client: TestClient, method: str, path: str, headers: dict[str, str], draft_id: str = "0" * 32, **kwargs: Any
) -> Any:
    path = path.replace("{entry_id}", "faq-secret").replace("{draft_id}", draft_id)
    return client.request(method, path, headers=headers, **kwargs)


def seed_shop_a(client: TestClient, keys: Keys) -> str:
    """Shop alpha gets a secret entry and a draft that retrieved it; returns the draft id."""
    created = client.post(
        "/v1/knowledge/entries",
        json=body("faq-secret", title="Secret of shop A", body="Only shop A knows the zebra code."),
        headers=keys.headers("alpha", Role.KNOWLEDGE_MANAGER),
    )
    assert created.status_code == 201
    draft = client.post("/v1/drafts", json=DRAFT_BODY, headers=keys.headers("alpha", Role.AGENT))
    assert draft.status_code == 201
    assert "faq-secret" in [p["entry_id"] for p in draft.json()["passages"]]
    return str(draft.json()["id"])


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
    ("GET", "/v1/knowledge/revision"): lambda r: r.json() == {"shop": "beta", "revision": 0},
    ("POST", "/v1/knowledge/search"): lambda r: r.status_code == 200 and r.json()["passages"] == [],
    # Creating the same id in shop b makes b's own entry; shop a's is checked unchanged below.
    ("POST", "/v1/knowledge/entries"): lambda r: r.status_code == 201 and r.json()["version"] == 1,
    ("POST", "/v1/drafts"): lambda r: (
        r.status_code == 201 and "faq-secret" not in [p["entry_id"] for p in r.json()["passages"]]
    ),
    ("GET", "/v1/drafts/{draft_id}"): lambda r: r.status_code == 404,
    ("POST", "/v1/drafts/{draft_id}/refine"): lambda r: r.status_code == 404,
}
PAYLOADS: dict[tuple[str, str], dict[str, Any]] = {
    ("PUT", "/v1/knowledge/entries/{entry_id}"): {"json": body("faq-secret", body="overwritten by b")},
    ("POST", "/v1/knowledge/search"): {"json": {"query": "zebra code secret"}},
    ("POST", "/v1/knowledge/entries"): {"json": body("faq-secret", body="b's own")},
    ("POST", "/v1/drafts"): {"json": DRAFT_BODY},
    ("POST", "/v1/drafts/{draft_id}/refine"): {"json": {"instruction": "shorter"}},
}


def test_every_route_is_covered_by_the_isolation_test(client: TestClient) -> None:
    routes = {r for r in app_routes(client) if r[1] not in PUBLIC}
    assert routes == set(ISOLATION)


@pytest.mark.parametrize("route", sorted(ISOLATION))
def test_shop_b_can_read_or_change_nothing_of_shop_a(client: TestClient, keys: Keys, route: tuple[str, str]) -> None:
    draft_id = seed_shop_a(client, keys)
    method, path = route
    response = call(client, method, path, keys.headers("beta", Role.ADMIN), draft_id, **PAYLOADS.get(route, {}))
    assert ISOLATION[route](response), response.text
    a_view = client.get("/v1/knowledge/entries/faq-secret", headers=keys.headers("alpha", Role.AGENT)).json()
    assert a_view["version"] == 1
    assert a_view["status"] == "published"
    assert "zebra" in a_view["body"]


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
