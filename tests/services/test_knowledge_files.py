"""Knowledge files (folder, JSONL, CSV): valid files parse and round-trip; every problem names file, line and field."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from drafter.core.errors import ImportFailed, InvalidInput
from drafter.core.models import SHOP_TZ, EntryContent, EntryKind
from drafter.services.knowledge_files import (
    KnowledgeFormat,
    choose_format,
    read_entries,
    render_entry,
    write_entries,
)
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
    assert any("c.jsonl:2: invalid JSON" in p for p in found)


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


# ---- JSONL and CSV ----------------------------------------------------------------------------

AWKWARD = [
    EntryContent.model_validate(
        {
            "id": "faq-awkward-en",
            "kind": "faq",
            "title": 'Commas, "quotes", pipes | and: colons',
            "body": "Line one, with a comma.\nLine \"two\" with 'quotes'\n\n- a list | with a pipe\n\ttabbed, 100%",
            "language": "en",
            "tags": ["returns", "refund"],
            "valid_from": "2026-11-01",
            "valid_to": "2026-11-12T10:30:00+08:00",
        }
    ),
    EntryContent.model_validate(
        {
            "id": "faq-awkward-zh",
            "kind": "faq",
            "title": "可以退货吗？「七天无理由」，运费谁出？",
            "body": '亲，您好～\n支持七天无理由退货，"质量问题"由我们承担运费。\n逗号,引号",竖线|都可以。🙂',
            "language": "zh",
            "product": "silk-serum",
            "status": "draft",
            "author": "小李",
        }
    ),
    EntryContent.model_validate(
        {
            "id": "past-reply-late",
            "kind": "past_reply",
            "title": "Where is my order??",
            "body": "Sorry!",
            "language": "en",
            "rating": 4.5,
        }
    ),
]
HEADER = "id,kind,title,body,language,tags,rating\n"


def write_csv(folder: Path, rows: str, header: str = HEADER) -> Path:
    return write(folder, "entries.csv", header + rows)


@pytest.mark.parametrize("fmt", ["folder", "jsonl", "csv"])
def test_every_format_round_trips_to_equal_entries(tmp_path: Path, fmt: KnowledgeFormat) -> None:
    path = tmp_path / {"folder": "kb", "jsonl": "entries.jsonl", "csv": "entries.csv"}[fmt]
    assert write_entries(AWKWARD, path, format=fmt) == len(AWKWARD)
    again = read_entries(path)
    assert sorted(again, key=lambda e: e.id) == sorted(AWKWARD, key=lambda e: e.id)
    assert {e.content_hash() for e in again} == {e.content_hash() for e in AWKWARD}


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_file_formats_keep_bodies_exactly(tmp_path: Path, fmt: KnowledgeFormat) -> None:
    body = '  leading spaces\r\nCRLF\rlone CR\u2028line separator\x85next line\n""quoted"",trailing  \n'
    entry = AWKWARD[0].model_copy(update={"body": body, "title": "a lone CR\rin a cell without a newline"})
    path = tmp_path / f"entries.{fmt}"
    write_entries([entry], path, format=fmt)
    assert read_entries(path) == [entry]


def test_csv_header_is_every_model_field_and_lists_use_pipes(tmp_path: Path) -> None:
    path = tmp_path / "entries.csv"
    write_entries(AWKWARD[:1], path, format="csv")
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    assert lines[0] == ",".join(EntryContent.model_fields)
    assert "refund|returns" in lines[1]


def test_csv_with_only_required_columns_and_a_bom_uses_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", '\ufeffid,kind,title,body,language\nfaq-a,faq,"Q, really?","A\nB",zh\n\n')
    (entry,) = read_entries(path)
    assert (entry.title, entry.body, entry.tags, entry.product, entry.author) == (
        "Q, really?",
        "A\nB",
        [],
        None,
        "kb-team",
    )


def test_invalid_csv_rows_are_named_by_line_and_field(tmp_path: Path) -> None:
    rows = (
        "faq-ok,faq,Q,A,en,returns,\n"
        'past-reply-bad,past_reply,Q,"a body\nover two lines",en,,9\n'
        "faq-bad-tag,faq,Q,A,zh,Bad Tag|ok,\n"
        "faq-long-row,faq,Q,A,en,,,extra\n"
        "past-reply-nan,past_reply,Q,A,en,,great\n"
    )
    found = problems(write_csv(tmp_path, rows))
    assert any("entries.csv:3: rating: Input should be less than or equal to 5" in p for p in found), found
    assert any("entries.csv:5: tags.0: String should match pattern" in p for p in found), found
    assert any("entries.csv:6: 8 cells, the header has 7 columns" in p for p in found), found
    assert any("entries.csv:7: rating: Input should be a valid number" in p for p in found), found
    assert len(found) == 4, found


def test_broken_csv_quoting_is_reported_with_its_line(tmp_path: Path) -> None:
    found = problems(write_csv(tmp_path, 'faq-a,faq,Q,A,en,,\nfaq-b,faq,"Q"x,A,en,,\n'))
    assert found == ["entries.csv:3: invalid CSV: ',' expected after '\"'"]


def test_missing_required_column_is_reported_once(tmp_path: Path) -> None:
    header = "id,kind,body,language\n"
    found = problems(write_csv(tmp_path, "faq-a,faq,A,en\nfaq-b,faq,B,fr\nfaq-c,faq,C,en\n", header=header))
    assert found[0] == "entries.csv:1: title: missing required column"
    assert not any("title: Field required" in p for p in found), found
    assert "entries.csv:3: language: Input should be 'en' or 'zh'" in found


def test_unknown_repeated_and_unnamed_columns_are_rejected_once(tmp_path: Path) -> None:
    header = "id,kind,title,body,language,colour,title,\n"
    found = problems(write_csv(tmp_path, "faq-a,faq,Q,A,en,red,Q2,\nfaq-b,faq,Q,A,en,blue,Q2,\n", header=header))
    assert found[0].startswith("entries.csv:1: colour: unknown column (the columns are the entry fields: id, kind,")
    assert found[1:] == ["entries.csv:1: title: column appears twice", "entries.csv:1: column 8 has no name"]


def test_duplicate_ids_are_named_within_a_file_and_across_files(tmp_path: Path) -> None:
    write_csv(tmp_path, "faq-returns,faq,Q,A,en,,\nfaq-b,faq,Q,A,en,,\nfaq-b,faq,Q2,A2,en,,\n")
    write(tmp_path, "faq/returns.md", GOOD)
    write(tmp_path, "more.jsonl", '{"id": "faq-b", "kind": "faq", "title": "Q", "body": "A", "language": "en"}\n')
    found = problems(tmp_path)
    assert "entries.csv:4: id: duplicate id 'faq-b', also in entries.csv:3" in found
    assert "faq/returns.md: id: duplicate id 'faq-returns', also in entries.csv:2" in found
    assert "more.jsonl:1: id: duplicate id 'faq-b', also in entries.csv:3" in found


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "empty.csv: empty file: expected a header row"),
        ("gbk.csv", HEADER.encode() + "faq-a,faq,退货,可以,zh,,\n".encode("gbk"), "gbk.csv: not UTF-8 text"),
        ("entries.txt", b"{}", "entries.txt: unsupported file type '.txt'"),
    ],
)
def test_unreadable_files_are_named(tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    (tmp_path / name).write_bytes(content)
    found = problems(tmp_path / name)
    assert len(found) == 1
    assert found[0].startswith(expected), found


def test_csv_writer_refuses_a_list_item_it_could_not_read_back(tmp_path: Path) -> None:
    bad = EntryContent.model_construct(**{**AWKWARD[0].model_dump(), "tags": ["a|b"]})
    with pytest.raises(ValueError, match=re.escape("tags: an item is empty or contains '|'")):
        write_entries([bad], tmp_path / "x.csv", format="csv")


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_demo_knowledge_base_round_trips_through_file_formats(tmp_path: Path, fmt: KnowledgeFormat) -> None:
    folder = read_entries(KNOWLEDGE)
    path = tmp_path / f"demo.{fmt}"
    write_entries(folder, path, format=fmt)
    assert read_entries(path) == folder


@pytest.mark.parametrize(
    ("path", "requested", "expected"),
    [("out", None, "folder"), ("out.csv", None, "csv"), ("OUT.JSONL", "jsonl", "jsonl"), ("out", "folder", "folder")],
)
def test_choose_format_follows_the_suffix(path: str, requested: KnowledgeFormat | None, expected: str) -> None:
    assert choose_format(Path(path), requested) == expected


@pytest.mark.parametrize(("path", "requested"), [("out.csv", "jsonl"), ("out", "csv"), ("out.jsonl", "folder")])
def test_choose_format_refuses_a_suffix_the_import_would_misread(path: str, requested: KnowledgeFormat) -> None:
    with pytest.raises(InvalidInput, match=f"format {requested} needs"):
        choose_format(Path(path), requested)
