"""Logs are JSON-able and never carry customer text."""

from __future__ import annotations

import json
import logging

import pytest

from drafter.bootstrap import Services
from drafter.core.log_config import JsonFormatter
from drafter.core.models import EntryContent, Role

SECRET = "Zhang Wei 13800138000 lives at 88 Secret Road"


def test_json_formatter_keeps_extras() -> None:
    record = logging.makeLogRecord({"name": "drafter.x", "levelname": "INFO", "msg": "did %s", "args": ("it",)})
    record.shop = "demo"
    data = json.loads(JsonFormatter().format(record))
    assert data["message"] == "did it"
    assert data["shop"] == "demo"
    assert data["level"] == "INFO"


def test_no_customer_text_in_logs(services: Services, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="drafter")
    services.access.ensure_shop("alpha", "Alpha")
    entry = EntryContent(id="reply-x", kind="past_reply", title=SECRET, body=f"Dear {SECRET}", language="en", rating=5)
    services.knowledge.import_entries("alpha", [entry])
    key = services.access.create_key("alpha", Role.AGENT)
    services.access.authenticate(key)
    services.retriever.retrieve(SECRET, shop="alpha")
    assert caplog.records, "expected some logging to check"
    formatter = JsonFormatter()
    for record in caplog.records:
        line = formatter.format(record)
        assert "Secret Road" not in line
        assert "13800138000" not in line
        assert key not in line
