"""Settings come from DRAFTER_ variables, nested with __, validated with clear limits."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from drafter.core.settings import Settings


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTER_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("DRAFTER_RETRIEVAL__EMBEDDER_ZH", "all-minilm-l6-v2")
    monkeypatch.setenv("DRAFTER_LLM__API_KEY", "sk-secret")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.retrieval.embedder_zh == "all-minilm-l6-v2"
    assert settings.llm.api_key is not None
    assert "sk-secret" not in repr(settings)


def test_invalid_values_name_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTER_RETRIEVAL__MAX_BATCH", "0")
    with pytest.raises(ValidationError, match="max_batch"):
        Settings()
