"""The folder format: valid files parse; every malformed file is named with its field and problem."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from drafter.core.errors import ImportFailed
from drafter.core.models import SHOP_TZ, EntryKind
from drafter.services.knowledge_files import read_entries, render_entry, write_entries
from tests.conftest import KNOWLEDGE

GOOD = """---
id: faq-returns
kind: faq
title: "Can I return it?"
language: en
tags: [returns, refund]
valid_from: 2026-11-01
---
Yes, within 7 days.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems(root: Path) -> list[str]:
    with pytest.raises(ImportFailed) as caught:
        read_entries(root)
    return [str(p) for p in caught.value.problems]


def test_markdown_and_jsonl_parse(tmp_path: Path) -> None:
    write(tmp_path, "faq/returns.md", GOOD)
    write(tmp_path, "bulk.jsonl", '{"id": "faq-b", "kind": "faq", "title": "Q", "body": "A", "language": "zh"}\n\n')
    entries = {e.id: e for e in read_entries(tmp_path)}
    assert set(entries) == {"faq-returns", "faq-b"}
    returns = entries["faq-returns"]
    assert returns.body == "Yes, within 7 days."
    assert returns.tags == ["refund", "returns"]
    assert returns.valid_from is not None
    assert returns.valid_from.astimezone(SHOP_TZ).hour == 0  # a date means midnight shop time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace('title: "Can I return it?"\n', ""), "faq/bad.md: title: Field required"),
        (GOOD.replace("kind: faq", "kind: recipe"), "faq/bad.md: kind: Input should be"),
        (GOOD.replace("language: en", "language: fr"), "faq/bad.md: language: Input should be 'en' or 'zh'"),
        (GOOD.replace("id: faq-returns", "id: Bad Id!"), "faq/bad.md: id: String should match pattern"),
        (GOOD.replace("tags: [returns, refund]", "rating: 5"), "rating is only allowed on a past_reply"),
        (GOOD.replace("kind: faq", "kind: past_reply"), "rating (1 to 5) is required"),
        (GOOD.replace("tags: [returns, refund]", "colour: red"), "faq/bad.md: colour: Extra inputs are not permitted"),
        (GOOD.replace("tags: [returns, refund]", "tags: [returns"), "faq/bad.md: invalid YAML front matter"),
        ("no front matter here", "faq/bad.md: no YAML front matter"),
        (GOOD.replace("Yes, within 7 days.", ""), "faq/bad.md: body: String should have at least 1 character"),
        (
            GOOD.replace("Yes, within 7 days.", "x" * 8001),
            "faq/bad.md: body: String should have at most 8000 characters",
        ),
        (
            GOOD.replace("valid_from: 2026-11-01", "valid_from: 2026-11-01\nvalid_to: 2026-10-01"),
            "valid_to must be after valid_from",
        ),
    ],
)
def test_malformed_file_is_named_with_field_and_problem(tmp_path: Path, text: str, expected: str) -> None:
    write(tmp_path, "faq/good.md", GOOD.replace("faq-returns", "faq-good"))
    write(tmp_path, "faq/bad.md", text)
    found = problems(tmp_path)
    assert any(expected in p for p in found), found


def test_duplicate_ids_and_bad_jsonl_lines(tmp_path: Path) -> None:
    write(tmp_path, "a.md", GOOD)
    write(tmp_path, "b.md", GOOD)
    write(tmp_path, "c.jsonl", '{"id": "faq-c"}\nnot json\n')
    found = problems(tmp_path)
    assert any("b.md: id: duplicate id 'faq-returns', also in a.md" in p for p in found)
    assert any("c.jsonl:1: kind: Field required" in p for p in found)
    assert any("c.jsonl: line 2: invalid JSON" in p for p in found)


def test_render_then_read_gives_an_equal_entry(tmp_path: Path) -> None:
    write(tmp_path / "in", "x.md", GOOD)
    (original,) = read_entries(tmp_path / "in")
    write_entries([original], tmp_path / "out")
    (again,) = read_entries(tmp_path / "out")
    assert again == original
    assert again.content_hash() == original.content_hash()
    assert render_entry(original).startswith("---\nid: faq-returns\n")


def test_demo_knowledge_base_is_complete() -> None:
    entries = read_entries(KNOWLEDGE)
    per_kind_lang = Counter((e.kind, e.language) for e in entries)
    for language in ("en", "zh"):
        assert per_kind_lang[(EntryKind.FAQ, language)] >= 40
        assert per_kind_lang[(EntryKind.TEMPLATE, language)] >= 15
        assert per_kind_lang[(EntryKind.PRODUCT, language)] >= 20
        assert per_kind_lang[(EntryKind.POLICY, language)] >= 12
    assert sum(n for (kind, _), n in per_kind_lang.items() if kind is EntryKind.PAST_REPLY) >= 30
    with_slots = Counter(e.language for e in entries if e.kind is EntryKind.TEMPLATE and "{{" in e.body)
    assert with_slots["en"] >= 15
    assert with_slots["zh"] >= 15
