"""Every evaluation dataset in evals/datasets/*.yaml is well formed and points at real knowledge entries."""

from __future__ import annotations

import csv
import json
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from drafter.core.evaluation import Dataset
from tests.conftest import KNOWLEDGE, ROOT

DATASETS = ROOT / "evals" / "datasets"
PATHS = sorted(DATASETS.glob("*.yaml"))
KNOWLEDGE_OF_SHOP = {"demo": KNOWLEDGE}  # shops whose knowledge folder a dataset may leave implicit
NEEDS_RELEVANT = {"core", "abcd"}  # datasets scored on retrieval: every case names its answer
LANGUAGES = {"en", "zh"}
CJK = re.compile(r"[\u4e00-\u9fff]")
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---", re.S)


@cache
def load(path: Path) -> Dataset:
    return Dataset.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def entry_ids(folder: Path) -> frozenset[str]:
    """Ids of a knowledge folder: Markdown front matter `id:`, and the `id` of JSONL lines and CSV rows."""
    ids: set[str] = set()
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".md":
            match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
            if match:
                ids.add(str(yaml.safe_load(match.group(1))["id"]))
        elif path.suffix == ".jsonl":
            lines = path.read_text(encoding="utf-8").splitlines()
            ids.update(str(json.loads(line)["id"]) for line in lines if line.strip())
        elif path.suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as handle:
                ids.update(row["id"] for row in csv.DictReader(handle))
    return frozenset(ids)


def knowledge_folder(dataset: Dataset) -> Path:
    if dataset.knowledge:
        return ROOT / dataset.knowledge
    assert dataset.shop in KNOWLEDGE_OF_SHOP, f"{dataset.name}: shop {dataset.shop!r} needs a `knowledge` folder"
    return KNOWLEDGE_OF_SHOP[dataset.shop]


def by_name(name: str) -> Dataset:
    found = [load(p) for p in PATHS if load(p).name == name]
    assert len(found) == 1, f"expected one dataset named {name!r}, found {len(found)}"
    return found[0]


def test_the_datasets_are_found() -> None:
    names = {load(p).name for p in PATHS}
    assert {"core", "abcd", "jddc"} <= names
    assert len(names) == len(PATHS), "two files declare the same dataset name"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_dataset_validates_with_unique_ids(path: Path) -> None:
    dataset = load(path)
    ids = [case.id for case in dataset.cases]
    assert len(ids) == len(set(ids))
    assert path.stem == dataset.name


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_relevant_entries_exist_in_the_knowledge_folder(path: Path) -> None:
    dataset = load(path)
    folder = knowledge_folder(dataset)
    known = entry_ids(folder)
    assert known, f"no entries found under {folder}"
    unknown = {case.id: sorted(set(case.relevant_entry_ids) - known) for case in dataset.cases}
    assert {case: ids for case, ids in unknown.items() if ids} == {}


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_language_tag_matches_expected_language(path: Path) -> None:
    for case in load(path).cases:
        languages = LANGUAGES.intersection(case.tags)
        assert len(languages) == 1, f"{case.id}: tags {case.tags} need exactly one of en/zh"
        if case.expected.language is not None:
            assert languages == {case.expected.language}, case.id


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_conversations_end_with_the_customer(path: Path) -> None:
    for case in load(path).cases:
        assert case.user_input[-1].role == "customer", case.id


@pytest.mark.parametrize("name", sorted(NEEDS_RELEVANT))
def test_every_case_names_a_relevant_entry(name: str) -> None:
    missing = [case.id for case in by_name(name).cases if not case.relevant_entry_ids]
    assert missing == []


def test_abcd_uses_its_own_knowledge_base() -> None:
    dataset = by_name("abcd")
    assert dataset.shop == "abcd"
    assert dataset.knowledge == "evals/knowledge/abcd"
    assert all(entry.startswith("abcd-") for case in dataset.cases for entry in case.relevant_entry_ids)


def test_jddc_has_real_chinese_references() -> None:
    dataset = by_name("jddc")
    assert len(dataset.cases) >= 100
    for case in dataset.cases:
        assert case.reference is not None, case.id
        assert case.reference.strip(), case.id
        assert CJK.search(case.reference), f"{case.id}: reference is not Chinese"
        assert case.reference_rating is None, f"{case.id}: real replies are unrated"
        assert case.expected.language == "zh", case.id
