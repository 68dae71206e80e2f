"""The one-record-per-entry knowledge formats: JSONL (a JSON object a line) and CSV (a row each).

Both take their fields from `EntryContent.model_fields`, so a field added to the model becomes a
key and a column here with no change. In CSV, list fields join their items with `|` and an empty
cell means the field is absent (its default: None, `[]`, `published`, ...).
"""

from __future__ import annotations

import csv
import json
import types
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from drafter.core.errors import ImportProblem
from drafter.core.models import EntryContent

LIST_SEPARATOR = "|"


@dataclass(frozen=True)
class Parsed:
    """One record of a knowledge file: where it is, its entry when valid, and what is wrong with it."""

    where: str
    entry: EntryContent | None
    problems: list[ImportProblem]


def validation_problems(
    source: str, exc: ValidationError, *, skip_missing: frozenset[str] = frozenset()
) -> list[ImportProblem]:
    """One problem per validation error, naming the field; `skip_missing` fields may be absent silently."""
    out = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or None
        if err["type"] == "missing" and field in skip_missing:
            continue
        out.append(ImportProblem(source=source, field=field, message=err["msg"]))
    return out


def validate(where: str, data: Any, *, skip_missing: frozenset[str] = frozenset()) -> Parsed:
    """Validate one record's fields as an `EntryContent`."""
    if not isinstance(data, dict):
        return Parsed(where, None, [ImportProblem(where, None, "expected a mapping of fields")])
    try:
        return Parsed(where, EntryContent.model_validate(data), [])
    except ValidationError as exc:
        return Parsed(where, None, validation_problems(where, exc, skip_missing=skip_missing))


# ---- JSONL ----------------------------------------------------------------------------------


def read_jsonl(path: Path, source: str) -> Iterator[Parsed]:
    """Each non-blank line of `path` as a record `source:LINE`; an invalid line is reported, not fatal."""
    # Text-mode iteration splits on \n, \r\n and \r only: U+2028 inside a JSON string stays put.
    with path.open(encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{source}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Parsed(where, None, [ImportProblem(where, None, f"invalid JSON: {exc.msg}")])
                continue
            yield validate(where, data)


def write_jsonl(entries: Sequence[EntryContent], path: Path) -> None:
    """One JSON object a line, every field present (`null` when unset), UTF-8 text unescaped."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for entry in entries:
            out.write(json.dumps(entry.model_dump(mode="json"), ensure_ascii=False) + "\n")


# ---- CSV ------------------------------------------------------------------------------------


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(arg) for arg in typing.get_args(annotation) if arg is not type(None))
    return origin in (list, set, frozenset, tuple)


def list_fields() -> frozenset[str]:
    """The fields that CSV writes as `|`-separated items."""
    return frozenset(name for name, info in EntryContent.model_fields.items() if _is_list(info.annotation))


@dataclass(frozen=True)
class _Header:
    columns: list[str | None]  # None: a column whose cells are ignored (already reported)
    missing: frozenset[str]
    problems: list[ImportProblem]


def _header(cells: list[str], where: str) -> _Header:
    fields = EntryContent.model_fields
    columns: list[str | None] = []
    problems = []
    for number, cell in enumerate(cells, start=1):
        name = cell.strip()
        if not name:
            problems.append(ImportProblem(where, None, f"column {number} has no name"))
        elif name not in fields:
            known = ", ".join(fields)
            problems.append(ImportProblem(where, name, f"unknown column (the columns are the entry fields: {known})"))
        elif name in columns:
            problems.append(ImportProblem(where, name, "column appears twice"))
        columns.append(name if name in fields and name not in columns else None)
    missing = frozenset(n for n, info in fields.items() if info.is_required() and n not in columns)
    problems += [ImportProblem(where, name, "missing required column") for name in fields if name in missing]
    return _Header(columns, missing, problems)


def read_csv(path: Path, source: str) -> Iterator[Parsed]:
    """Each row of `path` as a record `source:LINE` (the line the row starts on; the header is line 1).

    A header problem (unknown, repeated or missing column) is reported once, on line 1; rows are
    still checked, without repeating "Field required" for a missing column.
    """
    lists = list_fields()
    with path.open(encoding="utf-8-sig", newline="") as text:
        rows = csv.reader(text, strict=True)
        line = 1
        try:
            cells = next(rows, None)
            if cells is None:
                yield Parsed(source, None, [ImportProblem(source, None, "empty file: expected a header row")])
                return
            header = _header(cells, f"{source}:1")
            if header.problems:
                yield Parsed(f"{source}:1", None, header.problems)
            line = rows.line_num + 1
            for cells in rows:
                where, line = f"{source}:{line}", rows.line_num + 1
                if not any(cells):
                    continue
                if len(cells) != len(header.columns):
                    found = f"{len(cells)} cells, the header has {len(header.columns)} columns"
                    yield Parsed(where, None, [ImportProblem(where, None, found)])
                    continue
                data = {
                    name: value.split(LIST_SEPARATOR) if name in lists else value
                    for name, value in zip(header.columns, cells, strict=True)
                    if name is not None and value != ""
                }
                yield validate(where, data, skip_missing=header.missing)
        except csv.Error as exc:  # broken quoting: the rest of the file cannot be trusted
            where = f"{source}:{line}"
            yield Parsed(where, None, [ImportProblem(where, None, f"invalid CSV: {exc}")])


def _cell(name: str, value: Any) -> str:
    """A JSON-mode field value as CSV text; raises ValueError for what CSV cannot carry back."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        items = [_cell(name, item) for item in value]
        if any(LIST_SEPARATOR in item or not item for item in items):
            raise ValueError(f"{name}: an item is empty or contains {LIST_SEPARATOR!r}; CSV cannot hold it")
        return LIST_SEPARATOR.join(items)
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    raise ValueError(f"{name}: a {type(value).__name__} value has no CSV form")


def write_csv(entries: Sequence[EntryContent], path: Path) -> None:
    """A header of every field, then one row per entry (RFC 4180: CRLF line ends, quoted when needed).

    Raises:
        ValueError: a value CSV cannot carry back (a list item containing `|`, a nested mapping).
    """
    names = list(EntryContent.model_fields)
    with path.open("w", encoding="utf-8", newline="") as out:
        # CRLF line ends make the writer quote any cell with \r or \n (with "\n" alone, a lone \r is not quoted).
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(names)
        for entry in entries:
            data = entry.model_dump(mode="json")
            writer.writerow([_cell(name, data[name]) for name in names])
