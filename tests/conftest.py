"""Shared fixtures: real databases (SQLite always, PostgreSQL when configured), services, clients."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from drafter.api import create_app
from drafter.bootstrap import Services, build_services
from drafter.core.models import Role
from drafter.core.settings import RetrievalSettings, Settings
from tests.fakes import Clock, HashEmbedder

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge_base"
POSTGRES_URL = os.environ.get("DRAFTER_TEST_POSTGRES_URL")  # noqa: TID251 - the test switch CI sets


def _postgres_schema_url(base: str) -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, and a PostgreSQL schema when CI provides a server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'drafter.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("DRAFTER_TEST_POSTGRES_URL is not set")
    yield from _postgres_schema_url(POSTGRES_URL)


def make_settings(database_url: str, tmp_path: Path, **retrieval: object) -> Settings:
    return Settings(
        database_url=database_url,
        retrieval=RetrievalSettings.model_validate(
            {"index_dir": tmp_path / "index", "sync_interval_s": 0.0, **retrieval}
        ),
        var_dir=tmp_path / "var",
    )


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def clock() -> Clock | None:
    """Real time; a test module that moves time by hand overrides this with a `Clock`."""
    return None


@pytest.fixture
def services(settings: Settings, embedder: HashEmbedder, clock: Clock | None) -> Iterator[Services]:
    built = build_services(settings, embedder=embedder, clock=clock)
    built.db.upgrade()
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def client(settings: Settings, services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(settings, services=services)) as test_client:
        yield test_client


class Keys(dict[tuple[str, Role], str]):
    def headers(self, shop: str, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self[(shop, role)]}"}


@pytest.fixture
def keys(services: Services) -> Keys:
    """Two shops, `a` and `b`, with one key per role each."""
    out = Keys()
    for shop in ("alpha", "beta"):
        services.access.ensure_shop(shop, f"Shop {shop}")
        for role in Role:
            out[(shop, role)] = services.access.create_key(shop, role)
    return out
