"""Knowledge management over HTTP: restore, rollback, drafts affected, featured windows, imports with a dry run."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from drafter.bootstrap import Services, build_services
from drafter.core.models import Role
from drafter.services.knowledge_files import read_entries
from drafter.storage import KnowledgeRepository
from tests.api.test_knowledge_api import body
from tests.conftest import KNOWLEDGE, Keys, make_settings

ENTRIES = "/v1/knowledge/entries"


@pytest.fixture
def km(keys: Keys) -> dict[str, str]:
    return keys.headers("alpha", Role.KNOWLEDGE_MANAGER)


def test_restore_publishes_an_archived_entry_again(client: TestClient, km: dict[str, str], keys: Keys) -> None:
    client.post(ENTRIES, json=body(), headers=km)
    assert client.post(f"{ENTRIES}/faq-returns/restore", headers=km).status_code == 409  # not archived
    client.post(f"{ENTRIES}/faq-returns/archive", headers=km)
    stale = client.post(f"{ENTRIES}/faq-returns/restore", headers={**km, "If-Match": '"1"'})
    assert stale.status_code == 409
    restored = client.post(f"{ENTRIES}/faq-returns/restore", headers={**km, "If-Match": '"2"'})
    assert restored.status_code == 200
    assert (restored.json()["version"], restored.json()["status"]) == (3, "published")
    assert restored.json()["author"] == "knowledge_manager"
    read = client.get(f"{ENTRIES}/faq-returns", headers=keys.headers("alpha", Role.AGENT)).json()
    assert read["live_version"] == 3
    assert client.post(f"{ENTRIES}/faq-returns/restore", headers=keys.headers("alpha", Role.AGENT)).status_code == 403


def test_rollback_writes_the_old_content_as_a_new_version(client: TestClient, km: dict[str, str]) -> None:
    client.post(ENTRIES, json=body(body="Within 7 days."), headers=km)
    client.put(f"{ENTRIES}/faq-returns", json=body(body="Within 30 days (wrong)."), headers=km)
    rolled = client.post(f"{ENTRIES}/faq-returns/rollback", params={"to": 1}, headers={**km, "If-Match": '"2"'})
    assert rolled.status_code == 200
    assert (rolled.json()["version"], rolled.json()["body"]) == (3, "Within 7 days.")
    versions = client.get(f"{ENTRIES}/faq-returns/versions", headers=km).json()
    assert [v["body"] for v in versions] == ["Within 7 days.", "Within 30 days (wrong).", "Within 7 days."]
    assert client.post(f"{ENTRIES}/faq-returns/rollback", params={"to": 9}, headers=km).status_code == 404
    missing = client.post(f"{ENTRIES}/faq-returns/rollback", headers=km)
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "to"
    conflict = client.post(f"{ENTRIES}/faq-returns/rollback", params={"to": 2}, headers={**km, "If-Match": '"2"'})
    assert conflict.status_code == 409


def test_drafts_affected_by_a_version(client: TestClient, km: dict[str, str], keys: Keys, services: Services) -> None:
    services.knowledge.import_path("alpha", KNOWLEDGE)
    agent = keys.headers("alpha", Role.AGENT)
    ask = {"conversation": [{"role": "customer", "text": "I want to return the serum, how many days do I have?"}]}
    made = client.post("/v1/drafts", json=ask, headers=agent).json()
    cited = made["variants"][0]["citations"][0]
    client.post(f"/v1/drafts/{made['id']}/review", json={"action": "approve"}, headers=agent)
    entry = client.get(f"{ENTRIES}/{cited['entry_id']}", headers=km).json()
    corrected = {k: entry[k] for k in ("id", "kind", "title", "language", "tags", "product", "rating") if entry[k]}
    client.put(f"{ENTRIES}/{cited['entry_id']}", json={**corrected, "body": entry["body"] + " (corrected)"}, headers=km)
    url = f"{ENTRIES}/{cited['entry_id']}/versions"
    affected = client.get(f"{url}/{cited['version']}/drafts", headers=km).json()
    assert affected["total"] == 1
    assert affected["items"][0]["draft_id"] == made["id"]
    assert affected["items"][0]["review_status"] == "approved"
    assert client.get(f"{url}/{cited['version'] + 1}/drafts", headers=km).json()["total"] == 0
    assert client.get(f"{url}/99/drafts", headers=km).status_code == 404


def test_a_featured_window_lifts_a_product_only_inside_it(client: TestClient, km: dict[str, str]) -> None:
    now = datetime.now(UTC)
    for slug, name in (("product-blue-mug", "Blue ceramic mug"), ("product-green-mug", "Green ceramic mug")):
        entry = body(slug, kind="product", title=name, body=f"{name}, 350 ml, dishwasher safe.", tags=["mugs"])
        client.post(ENTRIES, json=entry, headers=km)

    def order() -> list[str]:
        found = client.post("/v1/knowledge/search", json={"query": "ceramic mug"}, headers=km).json()["passages"]
        return [p["entry_id"] for p in found]

    unfeatured = order()
    last = unfeatured[1]
    window = {
        "featured_from": (now - timedelta(days=1)).isoformat(),
        "featured_to": (now + timedelta(days=6)).isoformat(),
    }
    name = "Blue ceramic mug" if last == "product-blue-mug" else "Green ceramic mug"
    featured = body(last, kind="product", title=name, body=f"{name}, 350 ml, dishwasher safe.", tags=["mugs"], **window)
    assert client.put(f"{ENTRIES}/{last}", json=featured, headers=km).status_code == 200
    assert order()[0] == last
    top = client.post("/v1/knowledge/search", json={"query": "ceramic mug"}, headers=km).json()["passages"][0]
    assert top["scores"]["featured_boost"] > 0
    past = {
        "featured_from": (now - timedelta(days=9)).isoformat(),
        "featured_to": (now - timedelta(days=2)).isoformat(),
    }
    expired = body(last, kind="product", title=name, body=f"{name}, 350 ml, dishwasher safe.", tags=["mugs"], **past)
    client.put(f"{ENTRIES}/{last}", json=expired, headers=km)
    assert order() == unfeatured
    half = body(last, kind="product", title=name, body="x", featured_from=now.isoformat())
    invalid = client.put(f"{ENTRIES}/{last}", json=half, headers=km)
    assert invalid.status_code == 422


def jsonl(entries: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(e, ensure_ascii=False) for e in entries)


def test_import_dry_run_shows_the_diff_and_changes_nothing(client: TestClient, km: dict[str, str]) -> None:
    client.post(ENTRIES, json=body("faq-a", body="Old."), headers=km)
    client.post(ENTRIES, json=body("faq-b"), headers=km)
    client.post(ENTRIES, json=body("faq-c"), headers=km)
    upload = jsonl([body("faq-a", body="New."), body("faq-b"), body("faq-d"), {**body("faq-e"), "kind": "poem"}])
    headers = {**km, "Content-Type": "application/x-ndjson"}
    revision = client.get("/v1/knowledge/revision", headers=km).json()["revision"]
    dry = client.post("/v1/knowledge/import", params={"dry_run": True, "sync": True}, content=upload, headers=headers)
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert report["invalid"] == [
        {"source": "import.jsonl:4", "field": "kind", "message": report["invalid"][0]["message"]}
    ]
    valid = jsonl([body("faq-a", body="New."), body("faq-b"), body("faq-d")])
    report = client.post(
        "/v1/knowledge/import", params={"dry_run": True, "sync": True}, content=valid, headers=headers
    ).json()
    assert (report["created"], report["updated"], report["unchanged"], report["removed"]) == (
        ["faq-d"],
        ["faq-a"],
        ["faq-b"],
        ["faq-c"],
    )
    assert report["changes"] == {"faq-a": ["body"]}
    assert client.get("/v1/knowledge/revision", headers=km).json()["revision"] == revision
    assert client.get(f"{ENTRIES}/faq-d", headers=km).status_code == 404
    applied = client.post("/v1/knowledge/import", params={"sync": True}, content=valid, headers=headers).json()
    assert applied["revision"] == revision + 1
    assert client.get(f"{ENTRIES}/faq-c", headers=km).json()["status"] == "archived"
    assert client.get(f"{ENTRIES}/faq-a", headers=km).json()["body"] == "New."


def test_an_invalid_import_is_refused_naming_line_and_field(client: TestClient, km: dict[str, str]) -> None:
    upload = jsonl([body("faq-a"), {**body("faq-b"), "rating": 9}])
    response = client.post(
        "/v1/knowledge/import", content=upload, headers={**km, "Content-Type": "application/x-ndjson"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "import.jsonl:2: rating"
    assert client.get(f"{ENTRIES}/faq-a", headers=km).status_code == 404
    wrong_type = client.post("/v1/knowledge/import", content="x", headers={**km, "Content-Type": "text/plain"})
    assert wrong_type.status_code == 422
    assert wrong_type.json()["error"]["field"] == "Content-Type"
    not_json = client.post("/v1/knowledge/import", content="{", headers={**km, "Content-Type": "application/json"})
    assert not_json.json()["error"]["field"] == "body"
    array = client.post("/v1/knowledge/import", json=[body("faq-z")], headers=km)
    assert array.json()["created"] == ["faq-z"]


def test_an_import_failing_half_way_leaves_the_knowledge_base_as_it_was(
    client: TestClient, km: dict[str, str], services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.post(ENTRIES, json=body("faq-a", body="Before."), headers=km)
    before = client.get(f"{ENTRIES}?limit=200", headers=km).json()
    revision = client.get("/v1/knowledge/revision", headers=km).json()["revision"]
    write = KnowledgeRepository.write
    calls = {"n": 0}

    def failing_write(self: KnowledgeRepository, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return write(self, *args, **kwargs)

    monkeypatch.setattr(KnowledgeRepository, "write", failing_write)
    upload = jsonl([body("faq-a", body="After."), body("faq-b"), body("faq-c"), body("faq-d")])
    with TestClient(client.app, raise_server_exceptions=False) as failing:
        response = failing.post(
            "/v1/knowledge/import", content=upload, headers={**km, "Content-Type": "application/x-ndjson"}
        )
    assert response.status_code == 500
    assert calls["n"] == 3
    monkeypatch.setattr(KnowledgeRepository, "write", write)
    assert client.get(f"{ENTRIES}?limit=200", headers=km).json() == before
    assert client.get("/v1/knowledge/revision", headers=km).json()["revision"] == revision
    hits = client.post("/v1/knowledge/search", json={"query": "Can I return it?"}, headers=km).json()["passages"]
    assert [p["entry_id"] for p in hits] == ["faq-a"]


def test_the_demo_shop_round_trips_through_the_import_api(
    client: TestClient, km: dict[str, str], services: Services
) -> None:
    services.knowledge.import_path("alpha", KNOWLEDGE)
    exported = [e.model_dump(mode="json") for e in services.knowledge.export("alpha")]
    assert len(exported) == len(read_entries(KNOWLEDGE))
    report = client.post("/v1/knowledge/import", params={"sync": True}, json=exported, headers=km).json()
    assert (report["created"], report["updated"], report["removed"]) == ([], [], [])
    assert len(report["unchanged"]) == len(exported)


def test_creating_a_near_duplicate_warns_with_the_other_entry(client: TestClient, km: dict[str, str]) -> None:
    original = body("faq-returns", body="Unworn items can be returned within 7 days of delivery for a full refund.")
    assert client.post(ENTRIES, json=original, headers=km).json()["warnings"] == []
    copy = {**original, "id": "faq-returns-copy"}
    created = client.post(ENTRIES, json=copy, headers=km)
    assert created.status_code == 201  # a warning, not a refusal
    [warning] = created.json()["warnings"]
    assert (warning["code"], warning["entry_id"], warning["version"]) == ("near_duplicate", "faq-returns", 1)
    assert warning["similarity"] >= warning["threshold"]
    other_kind = {**original, "id": "policy-returns", "kind": "policy"}
    assert client.post(ENTRIES, json=other_kind, headers=km).json()["warnings"] == []
    distinct = body("faq-shipping", title="How long is shipping?", body="Parcels ship in 24 hours by ZTO.")
    assert client.post(ENTRIES, json=distinct, headers=km).json()["warnings"] == []


@pytest.mark.slow
def test_the_duplicate_guard_with_the_real_embedders(tmp_path: Path) -> None:
    """The measured thresholds on the real models: a copy-and-edit is flagged, a distinct FAQ is not (SQLite only:
    the database plays no part in the similarity)."""
    built = build_services(make_settings(f"sqlite:///{tmp_path / 'dup.db'}", tmp_path))
    targets = {"faq-where-is-my-order", "faq-where-is-my-order-zh"}
    faqs = [e for e in read_entries(KNOWLEDGE) if e.kind.value == "faq"]
    try:
        built.db.upgrade()
        built.access.ensure_shop("demo", "Demo")
        # The targets among their 20 nearest neighbours' worth of FAQs in each language: enough to be confused with.
        sample = [e for e in faqs if e.id in targets] + [e for e in faqs if e.id not in targets][:40]
        built.knowledge.import_entries("demo", sample)
        for entry in (e for e in sample if e.id in targets):
            lines = entry.body.split("\n")
            edited = entry.model_copy(update={"id": f"{entry.id}-2", "body": "\n".join(lines[:-1])})
            assert [d.entry_id for d in built.knowledge.near_duplicates("demo", edited)] == [entry.id]
            fresh = entry.model_copy(update={"id": "faq-new", "title": "Do you sell gift cards?", "body": "Not yet."})
            assert built.knowledge.near_duplicates("demo", fresh) == []
    finally:
        built.close()


def test_a_promotion_starts_and_ends_by_its_window(client: TestClient, km: dict[str, str]) -> None:
    now = datetime.now(UTC)
    window = {"valid_from": (now + timedelta(days=1)).isoformat(), "valid_to": (now + timedelta(days=3)).isoformat()}
    promo = body("policy-double-11", kind="policy", title="Double 11 sale", body="20% off everything.", **window)
    assert client.post(ENTRIES, json=promo, headers=km).status_code == 201

    def found(moment: datetime) -> bool:
        search = {"query": "Double 11 sale discount", "filter": {"valid_at": moment.isoformat()}}
        passages = client.post("/v1/knowledge/search", json=search, headers=km).json()["passages"]
        return "policy-double-11" in [p["entry_id"] for p in passages]

    assert not found(now)  # not started
    assert found(now + timedelta(days=2))  # running
    assert not found(now + timedelta(days=3))  # valid_to is exclusive
    backwards = {**promo, "id": "policy-bad-window", "valid_to": (now - timedelta(days=1)).isoformat()}
    refused = client.post(ENTRIES, json=backwards, headers=km)
    assert refused.status_code == 422
