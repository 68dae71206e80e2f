"""A whole evaluation through the real pipeline (hash embedder): files, report, and the regression gate.

The planted regression is a phrasebook change that drops every apology: the gate must fail on it, naming the
LEAP score, and pass on an unchanged re-run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from drafter.core.settings import Settings
from drafter.evaluation.results import load_run
from drafter.evaluation.session import EvalSession
from tests.conftest import make_settings
from tests.fakes import HashEmbedder

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "evals" / "datasets" / "core.yaml"
COMPLAINTS = {"late_delivery", "damaged_item", "wrong_item", "complaint"}
NEUTRAL = {"en": "Let me look into this for you.", "zh": "我来帮您看一下。"}


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """Core's complaint cases (where LEAP asks for an apology) plus a few pre-sale ones, in one file."""
    document = yaml.safe_load(CORE.read_text(encoding="utf-8"))
    complaints = [c for c in document["cases"] if c["expected"]["intent"] in COMPLAINTS]
    presale = [c for c in document["cases"] if c["expected"]["intent"] == "pre_sale_question"][:4]
    document["cases"] = complaints + presale
    path = tmp_path / "complaints.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def _run(settings: Settings, dataset: Path, out: Path, baseline: Path | None = None) -> Path:
    with EvalSession.open(settings, dataset, root=ROOT, embedder=HashEmbedder()) as session:
        _, _, folder = session.execute(
            kind="drafts", out=out, root=ROOT, baseline=baseline, tolerances=ROOT / "evals" / "tolerances.yaml"
        )
    return folder


def _apologises(reply: str) -> bool:
    return any(word in reply.lower() for word in ("sorry", "apologi", "抱歉", "歉意"))


def _without_apologies(tmp_path: Path) -> Path:
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    for language, neutral in NEUTRAL.items():
        path = prompts / f"phrasebook.{language}.yaml"
        book = yaml.safe_load(path.read_text(encoding="utf-8"))
        book["apologize"] = {fault: [neutral] for fault in book["apologize"]}
        path.write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")
    return prompts


def test_a_run_writes_config_rows_summary_and_report(tmp_path: Path, database_url: str, dataset: Path) -> None:
    folder = _run(make_settings(database_url, tmp_path), dataset, tmp_path / "runs")

    summary, rows = load_run(folder)
    cases = yaml.safe_load(dataset.read_text(encoding="utf-8"))["cases"]
    assert [r.id for r in rows] == [c["id"] for c in cases]
    assert summary.config.cases == len(cases)
    assert summary.config.model == "composer"
    assert json.loads((folder / "config.json").read_text(encoding="utf-8"))["dataset"] == "core"
    leap = next(s for s in summary.scorers if s.name == "leap")
    assert leap.applicable == len(cases)
    assert leap.mean is not None
    assert leap.mean > 0.5
    assert {g.group for g in summary.groups} >= {"all", "en", "zh", "tag:complaint"}
    first = rows[0]
    assert first.response
    assert first.retrieved_contexts
    assert {s.name for s in first.scores} >= {"leap", "policy", "expected_facts", "recall@5", "reference_cosine"}
    report = (folder / "report.html").read_text(encoding="utf-8")
    assert all(f'id="{section}"' in report for section in ("config", "summary", "plots", "tags", "worst", "cases"))
    assert f'id="case-{first.id}"' in report


def test_the_gate_passes_an_unchanged_run_and_fails_one_without_apologies(tmp_path: Path, dataset: Path) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'eval.db'}", tmp_path)
    baseline = _run(settings, dataset, tmp_path / "base")

    same = _run(settings, dataset, tmp_path / "same", baseline=baseline)
    assert (same / "gate.txt").read_text(encoding="utf-8").startswith("PASS")

    planted = settings.model_copy(update={"prompts_dir": _without_apologies(tmp_path)})
    worse = _run(planted, dataset, tmp_path / "worse", baseline=baseline)
    verdict = (worse / "gate.txt").read_text(encoding="utf-8")
    assert verdict.startswith("FAIL")
    assert "all/leap:" in verdict
    apologising = [sum(_apologises(r.response) for r in load_run(run)[1]) for run in (baseline, worse)]
    assert apologising[1] < apologising[0]
    report = (worse / "report.html").read_text(encoding="utf-8")
    assert 'id="comparison"' in report
