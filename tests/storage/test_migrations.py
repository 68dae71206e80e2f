"""Migrations match the models, and 0004 fills the new draft columns for drafts stored before it."""

from __future__ import annotations

import json

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from drafter.storage import Database
from drafter.storage.database import alembic_config
from drafter.storage.tables import Base


def test_the_migrations_build_exactly_the_models(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []
    finally:
        db.dispose()


def test_0004_backfills_drafts_made_before_it(database_url: str) -> None:
    db = Database(database_url)
    try:
        with db.engine.begin() as connection:
            cfg = alembic_config(db.url)
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "0003")
            connection.execute(
                text("INSERT INTO shops (id, name, knowledge_revision, created_at) VALUES ('s', 'S', 0, :t)"),
                {"t": "2026-11-01 00:00:00"},
            )
            draft = {"analysis": {"intent": "late_delivery"}, "variants": [{"language": "zh", "status": "blocked"}]}
            request = {"conversation": [{"role": "customer"}, {"role": "agent"}, {"role": "customer"}]}
            connection.execute(
                text(
                    "INSERT INTO drafts (id, shop_id, status, draft, request, created_at) "
                    "VALUES ('d1', 's', 'pending_review', :draft, :request, :t)"
                ),
                {"draft": json.dumps(draft), "request": json.dumps(request), "t": "2026-11-01 00:00:00"},
            )
        db.upgrade()
        with db.engine.connect() as connection:
            row = connection.execute(
                text("SELECT intent, language, blocked, customer_turns, stale_at FROM drafts WHERE id = 'd1'")
            ).one()
        assert tuple(row) == ("late_delivery", "zh", True, 2, None)
    finally:
        db.dispose()
