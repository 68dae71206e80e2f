"""The LLM judge over real HTTP: a scripted OpenAI-compatible server, and the real llama.cpp server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from drafter.bootstrap import build_judge
from drafter.core.evaluation import EvalCase
from drafter.core.settings import LLMSettings
from drafter.evaluation.results import load_run
from drafter.evaluation.session import EvalSession
from drafter.scoring import Candidate, LLMJudge
from tests.conftest import ROOT, make_settings
from tests.fakes import HashEmbedder
from tests.generation.test_openai_model import TEXT, context
from tests.llm_servers import SMOLLM_MODEL_NAME, ScriptedReply, in_order, llama_server, scripted_server

REPLY = "Hi Emma, I'm so sorry your parcel is late. I'm checking with ZTO now. Reship or refund?"


def judge(base_url: str, *, timeout: float = 5.0, model: str = "judge") -> LLMJudge:
    settings = LLMSettings(base_url=base_url, model=model, timeout_s=timeout, max_retries=0)
    return build_judge(settings, ROOT / "prompts")


def verdict(j: LLMJudge, candidate: Candidate) -> Any:
    async def scenario() -> Any:
        try:
            return await j.judge(candidate)
        finally:
            await j.close()

    return asyncio.run(scenario())


def candidate(reference: str | None = None) -> Candidate:
    case = EvalCase.model_validate(
        {"id": "late-1", "user_input": [{"role": "customer", "text": TEXT}], "reference": reference}
    )
    return Candidate(reply=REPLY, context=context(), case=case)


def test_a_rating_becomes_a_judge_score_and_the_prompt_fences_every_text() -> None:
    answer = {"rating": 4, "reason": "Apologises and acts; the question could offer clearer options."}
    with scripted_server(in_order(ScriptedReply.answer(answer))) as server:
        score = verdict(judge(server.base_url), candidate(reference="Sorry Emma! Reship or refund?"))
    assert score.name == "judge"
    assert score.value == 0.75
    assert score.reason.startswith("4/5: Apologises")
    sent = server.requests[0]
    assert sent["response_format"]["json_schema"]["name"] == "verdict"
    system, user = (m["content"] for m in sent["messages"])
    assert "Listen" in system
    assert "Grounding" in system
    assert REPLY not in system
    assert f"<reply>{REPLY}</reply>" in user
    assert f'<customer_message role="customer">{TEXT}</customer_message>' in user
    assert "<reference>Sorry Emma! Reship or refund?</reference>" in user
    assert "SORRY10" in user  # what the shop allows this bronze customer


def test_no_verdict_is_not_applicable_rather_than_a_zero() -> None:
    replies = (ScriptedReply.answer({"rating": 9, "reason": "x"}), ScriptedReply.broken())
    with scripted_server(in_order(*replies)) as server:
        score = verdict(judge(server.base_url), candidate())
    assert score.value is None
    assert "no verdict" in score.reason
    assert len(server.requests) == 2  # one retry after the invalid rating


def test_a_run_with_a_judge_records_it_and_counts_it_in_overall(tmp_path: Path) -> None:
    document = yaml.safe_load((ROOT / "evals" / "datasets" / "core.yaml").read_text(encoding="utf-8"))
    document["cases"] = document["cases"][:3]
    dataset = tmp_path / "three.yaml"
    dataset.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")

    def script(request: dict[str, Any]) -> ScriptedReply:
        return ScriptedReply.answer({"rating": 5, "reason": "fine"})

    settings = make_settings(f"sqlite:///{tmp_path / 'eval.db'}", tmp_path)
    with scripted_server(script) as server:
        factory = lambda: judge(server.base_url)  # noqa: E731 - built inside the run's event loop
        with EvalSession.open(settings, dataset, root=ROOT, embedder=HashEmbedder(), judge=factory) as session:
            _, _, folder = session.execute(kind="drafts", out=tmp_path / "runs", root=ROOT)
    summary, rows = load_run(folder)
    assert len(server.requests) == 3
    assert summary.config.judge == "openai:judge:judge-v1"
    assert all(r.score("judge") == 1.0 for r in rows)
    rubric_only = [s.value for s in rows[0].scores if s.value is not None and s.name not in _NOT_RUBRIC]
    assert rows[0].overall == pytest.approx(sum(rubric_only) / len(rubric_only), abs=1e-4)
    assert json.loads((folder / "config.json").read_text(encoding="utf-8"))["judge"] == "openai:judge:judge-v1"


_NOT_RUBRIC = {"recall@5", "mrr", "intent", "escalation", "reference_chrf", "reference_bleu", "reference_cosine"}


@pytest.mark.llm
def test_real_llama_server_judges_or_gives_no_verdict() -> None:
    """SmolLM2-135M is no judge; what matters is that every path ends in a score in [0, 1] or no verdict."""
    with llama_server() as base_url:
        score = verdict(judge(base_url, timeout=60.0, model=SMOLLM_MODEL_NAME), candidate())
    assert score.name == "judge"
    assert score.value is None or 0.0 <= score.value <= 1.0
