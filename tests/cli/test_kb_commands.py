"""`drafter kb import | diff | export` as a knowledge manager runs them (real models, a SQLite file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from drafter.cli.main import app
from drafter.core.models import EntryContent
from drafter.services.knowledge_files import read_entries, write_entries

pytestmark = pytest.mark.slow


def entry(slug: str, text: str) -> EntryContent:
    return EntryContent(id=slug, kind="faq", title=f"About {slug}", body=text, language="en", tags=["test"])


def test_import_then_diff_then_export(tmp_path: Path) -> None:
    env = {
        "DRAFTER_DATABASE_URL": f"sqlite:///{tmp_path / 'kb.db'}",
        "DRAFTER_RETRIEVAL__INDEX_DIR": str(tmp_path / "index"),
        "DRAFTER_VAR_DIR": str(tmp_path / "var"),
    }
    runner = CliRunner()
    assert runner.invoke(app, ["shops", "create", "s1", "--name", "Shop"], env=env).exit_code == 0
    first = tmp_path / "v1.csv"
    write_entries([entry("faq-a", "Alpha."), entry("faq-b", "Beta."), entry("faq-c", "Gamma.")], first, format="csv")
    imported = runner.invoke(app, ["kb", "import", str(first), "--shop", "s1"], env=env)
    assert imported.exit_code == 0, imported.output
    assert "3" in imported.output

    second = tmp_path / "v2.jsonl"
    write_entries([entry("faq-a", "Alpha, revised."), entry("faq-b", "Beta."), entry("faq-d", "Delta.")], second)
    diff = runner.invoke(app, ["kb", "diff", str(second), "--shop", "s1", "--sync"], env=env)
    assert diff.exit_code == 0, diff.output
    lines = {line.split("│")[1].strip(): line for line in diff.output.splitlines() if line.count("│") >= 3}
    assert "new" in lines["faq-d"]
    assert "changed" in lines["faq-a"]
    assert "body" in lines["faq-a"]
    assert "archived" in lines["faq-c"]

    out = tmp_path / "out.jsonl"
    exported = runner.invoke(app, ["kb", "export", str(out), "--shop", "s1"], env=env)
    assert exported.exit_code == 0, exported.output
    assert [e.body for e in read_entries(out)] == ["Alpha.", "Beta.", "Gamma."]  # the diff changed nothing

    broken = tmp_path / "broken.csv"
    broken.write_text("id,kind,title,body,language\nfaq-x,faq,T,,en\n", encoding="utf-8")
    refused = runner.invoke(app, ["kb", "diff", str(broken), "--shop", "s1"], env=env)
    assert refused.exit_code != 0
    assert "body" in refused.output
