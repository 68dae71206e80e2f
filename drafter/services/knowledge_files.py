"""Reads and writes knowledge files: the folder format (Markdown with YAML front matter), JSONL and CSV."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Literal

import yaml
from pydantic import ValidationError

from drafter.core.errors import ImportFailed, ImportProblem, InvalidInput
from drafter.core.models import EntryContent
from drafter.core.shop_profile import ShopProfile
from drafter.services.knowledge_formats import (
    Parsed,
    read_csv,
    read_jsonl,
    validate,
    validation_problems,
    write_csv,
    write_jsonl,
)

KnowledgeFormat = Literal["folder", "jsonl", "csv"]

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n(.*))?\Z", re.S)
_NOT_ENTRIES = {"README.md"}
_SUFFIX_FORMATS: dict[str, KnowledgeFormat] = {".jsonl": "jsonl", ".csv": "csv"}
PROFILE_FILE = "shop.yaml"


class _Unreadable(Exception):
    pass


def _markdown(path: Path, source: str) -> Iterator[Parsed]:
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if not match:
        raise _Unreadable("no YAML front matter between two '---' lines at the top")
    try:
        fields = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise _Unreadable(f"invalid YAML front matter: {exc}".replace("\n", " ")) from exc
    if isinstance(fields, dict):
        fields = {**fields, "body": (match.group(2) or "").strip()}
    yield validate(source, fields)


_READERS: dict[str, Callable[[Path, str], Iterator[Parsed]]] = {
    ".md": _markdown,
    ".jsonl": read_jsonl,
    ".csv": read_csv,
}


def read_profile(root: Path) -> ShopProfile | None:
    """The shop profile in `root/shop.yaml`, if the folder has one.

    Raises:
        ImportFailed: the file is not valid YAML or breaks the profile's rules.
    """
    path = root / PROFILE_FILE
    if not root.is_dir() or not path.exists():
        return None
    try:
        return ShopProfile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as exc:
        problem = f"invalid YAML: {exc}".replace("\n", " ")
        raise ImportFailed([ImportProblem(PROFILE_FILE, None, problem)]) from exc
    except ValidationError as exc:
        raise ImportFailed(validation_problems(PROFILE_FILE, exc)) from exc


def entry_files(root: Path) -> list[Path]:
    """The entry files (`.md`, `.jsonl`, `.csv`) under `root`, or `root` itself, in a stable order."""
    if root.is_file():
        return [root]
    return sorted(
        p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in _READERS and p.name not in _NOT_ENTRIES
    )


def _read_file(path: Path, source: str) -> Iterator[Parsed]:
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise _Unreadable(f"unsupported file type {path.suffix!r}: import a folder, a .md, .jsonl or .csv file")
    try:
        yield from reader(path, source)
    except UnicodeDecodeError as exc:
        raise _Unreadable(f"not UTF-8 text ({exc.reason}); save the file as UTF-8 (in Excel: CSV UTF-8)") from exc


def read_entries(root: Path) -> list[EntryContent]:
    """Parse and validate every entry in `root`: a folder, or one `.md`, `.jsonl` or `.csv` file.

    Raises:
        ImportFailed: with every problem found (file, line, field, message) including ids that
            appear twice in this import; nothing is returned then.
    """
    if not root.exists():
        raise ImportFailed([ImportProblem(str(root), None, "no such file or folder")])
    entries: list[EntryContent] = []
    problems: list[ImportProblem] = []
    seen: dict[str, str] = {}
    for path in entry_files(root):
        source = str(path.relative_to(root)) if root.is_dir() else path.name
        try:
            for record in _read_file(path, source):
                problems.extend(record.problems)
                entry = record.entry
                if entry is None:
                    continue
                if entry.id in seen:
                    message = f"duplicate id {entry.id!r}, also in {seen[entry.id]}"
                    problems.append(ImportProblem(record.where, "id", message))
                    continue
                seen[entry.id] = record.where
                entries.append(entry)
        except _Unreadable as exc:
            problems.append(ImportProblem(source, None, str(exc)))
    if problems:
        raise ImportFailed(problems)
    return entries


FOLDERS = {
    "policy": "policies",
    "faq": "faq",
    "template": "templates",
    "product": "products",
    "past_reply": "past_replies",
}


def render_entry(entry: EntryContent) -> str:
    """The Markdown file for one entry; `read_entries` reads it back to an equal entry."""
    data = entry.model_dump(mode="json", exclude={"body"}, exclude_none=True)
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n{entry.body}\n"


def choose_format(path: Path, requested: KnowledgeFormat | None = None) -> KnowledgeFormat:
    """The format to write `path` in: what its suffix says (.csv, .jsonl), else folder.

    Raises:
        InvalidInput: `requested` is not that format; imports pick the reader by suffix, so a CSV
            export must end in .csv, a JSONL export in .jsonl, and a folder in neither.
    """
    implied = _SUFFIX_FORMATS.get(path.suffix.lower(), "folder")
    if requested is not None and requested != implied:
        wanted = (
            "a folder path, not a .csv or .jsonl file" if requested == "folder" else f"a file ending in .{requested}"
        )
        raise InvalidInput(f"format {requested} needs {wanted}; got {path.name}", field="format")
    return implied


def write_entries(entries: Sequence[EntryContent], path: Path, *, format: KnowledgeFormat = "folder") -> int:
    """Write entries so that `read_entries(path)` reads back equal ones; returns the count.

    `folder` writes one Markdown file per entry under `path/<kind folder>/` (files of other entries
    stay); `jsonl` and `csv` write (or replace) the one file `path`.

    Raises:
        ValueError: a value the format cannot carry back (see `knowledge_formats.write_csv`).
    """
    if format == "folder":
        for entry in entries:
            file = path / FOLDERS[entry.kind.value] / f"{entry.id}.md"
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(render_entry(entry), encoding="utf-8")
        return len(entries)
    path.parent.mkdir(parents=True, exist_ok=True)
    (write_csv if format == "csv" else write_jsonl)(entries, path)
    return len(entries)
