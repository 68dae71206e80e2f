"""Reads the knowledge-base folder format (Markdown with YAML front matter, or JSONL)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from drafter.core.errors import ImportFailed, ImportProblem
from drafter.core.models import EntryContent
from drafter.core.shop_profile import ShopProfile

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n(.*))?\Z", re.S)
_NOT_ENTRIES = {"README.md"}
PROFILE_FILE = "shop.yaml"


def _problems(source: str, exc: ValidationError) -> list[ImportProblem]:
    out = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or None
        out.append(ImportProblem(source=source, field=field, message=err["msg"]))
    return out


def _validate(source: str, data: Any) -> tuple[EntryContent | None, list[ImportProblem]]:
    if not isinstance(data, dict):
        return None, [ImportProblem(source, None, "expected a mapping of fields")]
    try:
        return EntryContent.model_validate(data), []
    except ValidationError as exc:
        return None, _problems(source, exc)


def _markdown(path: Path, source: str) -> Iterator[tuple[str, Any]]:
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if not match:
        raise _Unreadable("no YAML front matter between two '---' lines at the top")
    try:
        fields = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise _Unreadable(f"invalid YAML front matter: {exc}".replace("\n", " ")) from exc
    if isinstance(fields, dict):
        fields = {**fields, "body": (match.group(2) or "").strip()}
    yield source, fields


def _jsonl(path: Path, source: str) -> Iterator[tuple[str, Any]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield f"{source}:{number}", json.loads(line)
        except json.JSONDecodeError as exc:
            raise _Unreadable(f"line {number}: invalid JSON: {exc.msg}") from exc


class _Unreadable(Exception):
    pass


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
        raise ImportFailed(_problems(PROFILE_FILE, exc)) from exc


def entry_files(root: Path) -> list[Path]:
    """The entry files under `root` (or `root` itself), in a stable order."""
    if root.is_file():
        return [root]
    return sorted(
        p for p in root.rglob("*") if p.is_file() and p.suffix in {".md", ".jsonl"} and p.name not in _NOT_ENTRIES
    )


def read_entries(root: Path) -> list[EntryContent]:
    """Parse and validate every entry under `root`.

    Raises:
        ImportFailed: with every problem found (file, field, message); nothing is returned then.
    """
    if not root.exists():
        raise ImportFailed([ImportProblem(str(root), None, "no such file or folder")])
    entries: list[EntryContent] = []
    problems: list[ImportProblem] = []
    seen: dict[str, str] = {}
    for path in entry_files(root):
        source = str(path.relative_to(root)) if root.is_dir() else path.name
        reader = _markdown if path.suffix == ".md" else _jsonl
        try:
            for where, data in reader(path, source):
                entry, found = _validate(where, data)
                problems.extend(found)
                if entry is None:
                    continue
                if entry.id in seen:
                    problems.append(ImportProblem(where, "id", f"duplicate id {entry.id!r}, also in {seen[entry.id]}"))
                    continue
                seen[entry.id] = where
                entries.append(entry)
        except (_Unreadable, UnicodeDecodeError) as exc:
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


def write_entries(entries: list[EntryContent], root: Path) -> int:
    """Write entries as the folder format under `root` (one file each); returns the count."""
    for entry in entries:
        path = root / FOLDERS[entry.kind.value] / f"{entry.id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_entry(entry), encoding="utf-8")
    return len(entries)
