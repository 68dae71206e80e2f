"""Scoring human replies (no drafting), STC-3 calibration, and `drafter eval compare` exit codes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from drafter.cli.main import app
from drafter.core.drafts import Message
from drafter.core.errors import InvalidInput
from drafter.core.evaluation import CaseResult, Dataset, RunConfig, Score
from drafter.evaluation.calibration import build_dataset, correlate, dialogue_scores, human_ratings
from drafter.evaluation.datasets import read_dataset, references_as_responses, select
from drafter.evaluation.results import load_run, summarize, write_run
from drafter.evaluation.session import EvalSession
from tests.conftest import ROOT, make_settings
from tests.fakes import HashEmbedder

# Beside the checkout (../shared/data), or where the machines keep it when the checkout lives elsewhere.
STC3 = next(
    (p for p in (ROOT.parent / "shared/data/stc3_dialeval", Path("/work/shared/data/stc3_dialeval")) if p.exists()),
    ROOT.parent / "shared/data/stc3_dialeval",
)
LATE = [{"role": "customer", "text": "My order LL1001 is 5 days late and nobody answers me. I'm really annoyed."}]
GOOD = (
    "Hi Sarah, I'm so sorry your order LL1001 is 5 days late; that is really frustrating. I've asked ZTO to trace "
    "it and I'll update you within 2 hours. Would you prefer A) a reship by SF Express or B) a full refund?"
)
BAD = "Not my problem, contact the courier."
ZH_GOOD = (
    "亲，您的快递五天了还没到，真的非常抱歉让您久等了😣我已经帮您联系中通核实包裹位置，2小时内给您回复。"
    "您希望A）顺丰补发，还是B）全额退款呢？"
)


def _cases(path: Path) -> Path:
    customer = {"name": "Sarah", "tier": "silver", "order_count": 5}
    orders = [{"id": "LL1001", "status": "shipped", "carrier": "ZTO", "items": [{"name": "Scarf", "price": "199"}]}]
    rows = [
        {"id": "good", "tags": ["late_delivery", "en"], "user_input": LATE, "customer": customer, "orders": orders,
         "expected_facts": [["sorry"]], "response": GOOD},
        {"id": "bad", "tags": ["late_delivery", "en"], "user_input": LATE, "customer": customer, "orders": orders,
         "expected_facts": [["sorry"]], "response": BAD},
        {"id": "zh", "tags": ["late_delivery", "zh"], "channel": "live_chat",
         "user_input": [{"role": "customer", "text": "快递五天了还没到，怎么回事？"}], "response": ZH_GOOD},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_human_replies_are_scored_as_written(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(database_url, tmp_path)
    with EvalSession.open(settings, _cases(tmp_path / "replies.jsonl"), root=ROOT, embedder=HashEmbedder()) as session:
        summary, _, folder = session.execute(kind="replies", out=tmp_path / "runs", root=ROOT)
    rows = {r.id: r for r in load_run(folder)[1]}
    assert rows["good"].response == GOOD  # not redrafted
    assert {r.status for r in rows.values()} == {"scored"}
    assert summary.config.model == "human"
    assert rows["good"].score("leap") == 1.0
    assert rows["good"].score("question") == 1.0
    assert rows["bad"].score("tone") == 0.0
    assert rows["bad"].score("expected_facts") == 0.0
    assert rows["zh"].score("leap") == 1.0
    assert rows["zh"].score("language") == 1.0
    assert rows["bad"].overall is not None
    assert rows["good"].overall is not None
    assert rows["bad"].overall < rows["good"].overall
    assert rows["good"].score("recall@5") is None  # retrieval is not scored for human replies


def _stc3(folder: Path) -> Path:
    """Four tiny dialogues: the better the helpdesk turn, the higher the annotators' A and S."""
    replies = [
        ("d1", "I'm so sorry about the delay. I've checked and will update you within 2 hours. Refund or reship?", 2),
        ("d2", "Sorry for the trouble; we are checking it now.", 1),
        ("d3", "Please wait.", -1),
        ("d4", "Not my problem, contact the courier.", -2),
    ]
    data = [
        {"id": d, "turns": [{"sender": "customer", "utterances": ["My parcel is late!"]},
                            {"sender": "helpdesk", "utterances": [text]}]}
        for d, text, _ in replies
    ]  # fmt: skip
    notes = [
        {"id": d, "turns": [], "annotations": [{"quality": {"A": q, "S": q, "E": 0}, "nugget": []}] * 3}
        for d, _, q in replies
    ]
    folder.mkdir()
    (folder / "test_data_en.json").write_text(json.dumps(data), encoding="utf-8")
    (folder / "test_annotations_en.json").write_text(json.dumps(notes), encoding="utf-8")
    return folder


def test_calibration_correlates_dialogue_scores_with_annotators(tmp_path: Path) -> None:
    folder = _stc3(tmp_path / "stc3")
    dataset = build_dataset(folder, "en")
    assert [c.id for c in dataset.cases] == ["d1:1", "d2:1", "d3:1", "d4:1"]
    assert dataset.cases[0].user_input[0].role == "customer"
    settings = make_settings(f"sqlite:///{tmp_path / 'eval.db'}", tmp_path)
    with EvalSession.open(settings, dataset, root=ROOT, embedder=HashEmbedder()) as session:
        _, rows, _ = session.execute(kind="replies", out=tmp_path / "runs", root=ROOT)
    ratings = human_ratings(folder)
    assert ratings["d1"] == {"A": 2, "S": 2, "E": 0}
    scores = dialogue_scores(rows, ["overall", "leap"])
    found = {(c.score, c.target): c for c in correlate("en", scores, ratings, ["overall", "leap"])}
    assert found[("overall", "A")].rho > 0.7
    assert found[("overall", "S")].dialogues == 4


@pytest.mark.skipif(not STC3.exists(), reason="the shared STC-3 data is not on this machine")
def test_the_real_stc3_files_give_one_case_per_helpdesk_turn_with_text() -> None:
    for language in ("zh", "en"):
        dataset = build_dataset(STC3, language)
        assert len({c.id.split(":")[0] for c in dataset.cases}) >= 380
        assert all(c.response and c.user_input[-1].text for c in dataset.cases)
    assert len(human_ratings(STC3)) == 390


def _run(folder: Path, leap: list[float]) -> Path:
    rows = [
        CaseResult(
            id=f"c{i}", tags=["en"], language="en", user_input=[Message(role="customer", text="hi")], response="r",
            retrieved_contexts=[], cited_ids=[], intent="other", escalation=[], status="ok", findings=[],
            scores=[Score(name="leap", value=v, reason="-")], overall=v, ms=1.0,
        )
        for i, v in enumerate(leap)
    ]  # fmt: skip
    config = RunConfig(
        dataset="t", dataset_version=1, dataset_sha256="0" * 64, cases=len(rows), model="composer", judge=None,
        prompt_version="p", git_sha="abc", git_dirty=False, started_at=datetime(2026, 11, 22, tzinfo=UTC),
        concurrency=1, embedders={},
    )  # fmt: skip
    return write_run(folder, summarize(config, rows, 1.0), rows, None)


def test_compare_exits_1_on_a_regression_and_0_without(tmp_path: Path) -> None:
    base = _run(tmp_path / "base", [1.0] * 30)
    same = _run(tmp_path / "same", [1.0] * 30)
    worse = _run(tmp_path / "worse", [0.5] * 30)
    runner = CliRunner()
    tolerances = str(ROOT / "evals" / "tolerances.yaml")
    passed = runner.invoke(app, ["eval", "compare", str(base), str(same), "--tolerances", tolerances])
    assert passed.exit_code == 0, passed.output
    assert "PASS" in passed.output
    failed = runner.invoke(app, ["eval", "compare", str(base), str(worse), "--tolerances", tolerances])
    assert failed.exit_code == 1, failed.output
    assert "REGRESSION" in failed.output
    assert "all/leap: 1.0 -> 0.5" in failed.output
    missing = runner.invoke(app, ["eval", "compare", str(tmp_path / "nowhere"), str(same)])
    assert missing.exit_code == 2
    assert "not an evaluation run" in missing.output


def test_references_can_be_scored_as_the_responses() -> None:
    core = read_dataset(ROOT / "evals" / "datasets" / "core.yaml")
    gold = references_as_responses(core)
    assert gold.name == "core-references"
    assert len(gold.cases) == sum(1 for c in core.cases if c.reference) == 66
    assert all(c.response == c.reference for c in gold.cases)
    bare = core.model_copy(update={"cases": [c.model_copy(update={"reference": None}) for c in core.cases[:2]]})
    with pytest.raises(InvalidInput, match="no case of core has a reference"):
        references_as_responses(bare)


def test_cores_gold_replies_pass_every_hard_check(tmp_path: Path) -> None:
    """The references were written to the shop's policy: no guardrail or forbidden pattern may fire on them."""
    gold = references_as_responses(read_dataset(ROOT / "evals" / "datasets" / "core.yaml"))
    settings = make_settings(f"sqlite:///{tmp_path / 'eval.db'}", tmp_path)
    with EvalSession.open(settings, gold, root=ROOT, embedder=HashEmbedder()) as session:
        summary, rows, _ = session.execute(kind="replies", out=tmp_path / "runs", root=ROOT)
    for name in ("policy", "tone", "language", "forbidden_commitments", "expected_facts"):
        failing = [(r.id, s.reason) for r in rows for s in r.scores if s.name == name and s.value != 1.0]
        assert failing == [], name
    assert (summary.mean("leap") or 0) > 0.85


def test_select_keeps_cases_with_every_tag_up_to_the_limit() -> None:
    core = read_dataset(ROOT / "evals" / "datasets" / "core.yaml")
    chinese_complaints = select(core, tags=["complaint", "zh"])
    assert chinese_complaints.cases
    assert all({"complaint", "zh"} <= set(c.tags) for c in chinese_complaints.cases)
    assert len(chinese_complaints.cases) == sum(1 for c in core.cases if {"complaint", "zh"} <= set(c.tags))
    assert [c.id for c in select(core, tags=[], limit=3).cases] == [c.id for c in core.cases[:3]]
    with pytest.raises(InvalidInput, match="every tag"):
        select(core, tags=["no-such-tag"])


def test_scoring_replies_without_a_response_is_refused_before_any_work(tmp_path: Path) -> None:
    path = tmp_path / "half.jsonl"
    rows = [{"id": "with", "user_input": LATE, "response": GOOD}, {"id": "without", "user_input": LATE}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    settings = make_settings(f"sqlite:///{tmp_path / 'eval.db'}", tmp_path)
    with (
        EvalSession.open(settings, path, root=ROOT, embedder=HashEmbedder()) as session,
        pytest.raises(InvalidInput, match=r"1 cases have no response to score, e\.g\. without"),
    ):
        session.execute(kind="replies", out=tmp_path / "runs", root=ROOT)
    assert not (tmp_path / "runs").exists()


def test_a_dataset_names_its_repeated_case_ids() -> None:
    case = {"id": "late-1", "user_input": [{"role": "customer", "text": "hi"}]}
    other = {**case, "id": "late-2"}
    with pytest.raises(ValidationError, match=r"case ids must be unique; repeated: late-1 \["):
        Dataset.model_validate({"name": "t", "version": 1, "cases": [case, other, case]})
    assert len(Dataset.model_validate({"name": "t", "version": 1, "cases": [case, other]}).cases) == 2
