"""Reading evaluation datasets: a YAML document (header + cases) or JSONL (one case per line)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml
from pydantic import ValidationError

from drafter.core.errors import InvalidInput
from drafter.core.evaluation import Dataset


def read_dataset(path: Path, *, shop: str = "demo") -> Dataset:
    """The dataset in `path`; a JSONL file is named after the file and assumes `shop`.

    Raises:
        InvalidInput: unreadable file, or a case that does not validate (names the case and the field).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}", field="dataset") from exc
    try:
        if path.suffix == ".jsonl":
            cases = [json.loads(line) for line in text.splitlines() if line.strip()]
            document: object = {"name": path.stem.replace(" ", "-"), "version": 1, "shop": shop, "cases": cases}
        else:
            document = yaml.safe_load(text)
        return Dataset.model_validate(document)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InvalidInput(f"{path}: not valid {path.suffix.lstrip('.')}: {exc}", field="dataset") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"{path}: {where}: {first['msg']}", field=where) from exc


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def references_as_responses(dataset: Dataset) -> Dataset:
    """The cases that have a reference, with it as their `response`: how the rubric grades the gold replies.

    Raises:
        InvalidInput: no case has a reference.
    """
    cases = [c.model_copy(update={"response": c.reference}) for c in dataset.cases if c.reference]
    if not cases:
        raise InvalidInput(f"no case of {dataset.name} has a reference", field="dataset")
    return dataset.model_copy(update={"name": f"{dataset.name}-references", "cases": cases})


def select(dataset: Dataset, *, tags: list[str], limit: int | None = None) -> Dataset:
    """The cases carrying every tag in `tags`, at most `limit` of them, in file order.

    Raises:
        InvalidInput: no case is left.
    """
    cases = [c for c in dataset.cases if set(tags) <= set(c.tags)][:limit]
    if not cases:
        raise InvalidInput(f"no case of {dataset.name} has every tag of {tags}", field="tag")
    return dataset.model_copy(update={"cases": cases})
