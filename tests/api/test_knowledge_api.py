"""Knowledge routes: CRUD with versions, ETags and conflicts; validation errors name the field."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from drafter.core.models import Role
from tests.conftest import Keys


def body(slug: str = "faq-returns", **changes: Any) -> dict[str, Any]:
    data = {
        "id": slug,
        "kind": "faq",
        "title": "Can I return it?",
        "body": "Yes, within 7 days.",
        "language": "en",
        "tags": ["returns"],
    }
    return {**data, **changes}


def test_create_read_update_archive(client: TestClient, keys: Keys) -> None:
    km = keys.headers("alpha", Role.KNOWLEDGE_MANAGER)
    created = client.post("/v1/knowledge/entries", json=body(), headers=km)
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 1
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == "/v1/knowledge/entries/faq-returns"

    read = client.get("/v1/knowledge/entries/faq-returns", headers=keys.headers("alpha", Role.AGENT))
    assert read.status_code == 200
    assert read.json()["live_version"] == 1

    updated = client.put(
        "/v1/knowledge/entries/faq-returns", json=body(body="Within 7 days."), headers={**km, "If-Match": '"1"'}
    )
    assert updated.status_code == 200
    assert updated.json()["version"] == 2
    assert updated.json()["revision"] == 2

    stale = client.put("/v1/knowledge/entries/faq-returns", json=body(body="Other."), headers={**km, "If-Match": '"1"'})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"

    archived = client.post("/v1/knowledge/entries/faq-returns/archive", headers=km)
    assert archived.status_code == 200
    assert archived.json()["status"] == "archived"

    versions = client.get("/v1/knowledge/entries/faq-returns/versions", headers=km).json()
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert client.get("/v1/knowledge/revision", headers=km).json() == {"shop": "alpha", "revision": 3}


def test_duplicate_create_is_a_conflict(client: TestClient, keys: Keys) -> None:
    km = keys.headers("alpha", Role.KNOWLEDGE_MANAGER)
    assert client.post("/v1/knowledge/entries", json=body(), headers=km).status_code == 201
    assert client.post("/v1/knowledge/entries", json=body(), headers=km).status_code == 409


def test_list_filters(client: TestClient, keys: Keys) -> None:
    km = keys.headers("alpha", Role.KNOWLEDGE_MANAGER)
    client.post("/v1/knowledge/entries", json=body(), headers=km)
    client.post("/v1/knowledge/entries", json=body("faq-zh", language="zh", title="能退吗", body="可以"), headers=km)
    listed = client.get("/v1/knowledge/entries", params={"language": "zh"}, headers=km).json()
    assert listed["total"] == 1
    assert listed["items"][0]["id"] == "faq-zh"
    assert client.get("/v1/knowledge/entries", params={"q": "7 days"}, headers=km).json()["total"] == 1


def test_validation_errors_name_the_field_and_the_limit(client: TestClient, keys: Keys) -> None:
    km = keys.headers("alpha", Role.KNOWLEDGE_MANAGER)
    too_long = client.post("/v1/knowledge/entries", json=body(title="x" * 201), headers=km)
    assert too_long.status_code == 422
    error = too_long.json()["error"]
    assert error["field"] == "title"
    assert "200" in error["message"]

    bad_kind = client.post("/v1/knowledge/entries", json=body(kind="recipe"), headers=km).json()["error"]
    assert bad_kind["field"] == "kind"

    rating = client.post("/v1/knowledge/entries", json=body(rating=6), headers=km).json()["error"]
    assert rating["field"] == "rating"
    assert "5" in rating["message"]

    paging = client.get("/v1/knowledge/entries", params={"limit": 500}, headers=km)
    assert paging.status_code == 422
    assert paging.json()["error"]["field"] == "limit"

    bad_id = client.get("/v1/knowledge/entries/Not%20A%20Slug", headers=km)
    assert bad_id.status_code == 422
    assert bad_id.json()["error"]["field"] == "entry_id"

    mismatch = client.put("/v1/knowledge/entries/faq-other", json=body(), headers=km)
    assert mismatch.status_code in (404, 422)

    bad_if_match = client.put("/v1/knowledge/entries/faq-returns", json=body(), headers={**km, "If-Match": "abc"})
    assert bad_if_match.status_code == 422
    assert bad_if_match.json()["error"]["field"] == "If-Match"


def test_body_over_the_limit_is_413(client: TestClient, keys: Keys) -> None:
    km = keys.headers("alpha", Role.KNOWLEDGE_MANAGER)
    huge = client.post(
        "/v1/knowledge/entries", content=b"x" * 2_000_000, headers={**km, "Content-Type": "application/json"}
    )
    assert huge.status_code == 413
    assert huge.json()["error"]["field"] == "body"


def test_unknown_entry_is_404(client: TestClient, keys: Keys) -> None:
    response = client.get("/v1/knowledge/entries/faq-missing", headers=keys.headers("alpha", Role.AGENT))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
