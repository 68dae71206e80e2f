"""The paired comparison: sign-flip p-values, tolerances, hard scorers, groups."""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter.core.drafts import Message
from drafter.core.errors import InvalidInput
from drafter.core.evaluation import CaseResult, Score
from drafter.evaluation.compare import Tolerances, compare, gate_text, read_tolerances, sign_flip_p


def _row(case: str, language: str, **scores: float | None) -> CaseResult:
    values = [Score(name=n, value=v, reason="-") for n, v in scores.items()]
    applying = [v for v in scores.values() if v is not None]
    return CaseResult(
        id=case,
        tags=["refund", language],
        language=language,
        user_input=[Message(role="customer", text="hi")],
        response="r",
        retrieved_contexts=[],
        cited_ids=[],
        intent="refund",
        escalation=[],
        status="ok",
        findings=[],
        scores=values,
        overall=sum(applying) / len(applying) if applying else None,
        ms=1.0,
    )


def test_sign_flip_p_is_exact_for_few_pairs() -> None:
    # 4 equal negative differences: only all-minus and all-plus of 16 sign patterns reach |sum| = 4.
    assert sign_flip_p([-1, -1, -1, -1]) == pytest.approx(2 / 16)
    assert sign_flip_p([0, 0, 0]) == 1.0
    assert sign_flip_p([1, -1]) == 1.0


def test_sign_flip_p_is_small_for_many_consistent_drops_and_large_for_noise() -> None:
    assert sign_flip_p([-0.5] * 40) < 0.001
    assert sign_flip_p([0.5, -0.5] * 20) > 0.5


def test_a_significant_drop_beyond_tolerance_is_a_regression_and_a_small_one_is_not() -> None:
    base = [_row(f"c{i}", "en", leap=1.0, tone=1.0) for i in range(30)]
    head = [_row(f"c{i}", "en", leap=0.5 if i < 20 else 1.0, tone=1.0 if i else 0.99) for i in range(30)]
    result = compare(base, head, Tolerances(default=0.02))

    leap = next(d for d in result.deltas if d.name == "leap" and d.group == "all")
    tone = next(d for d in result.deltas if d.name == "tone" and d.group == "all")
    assert leap.delta == pytest.approx(-10 / 30, abs=1e-4)
    assert leap.regression
    assert not tone.regression  # -0.0003: within tolerance
    assert result.failed
    assert "all/leap" in gate_text(result)


def test_groups_compare_each_language_apart() -> None:
    base = [_row("e1", "en", leap=1.0), _row("z1", "zh", leap=1.0)] * 1
    head = [_row("e1", "en", leap=1.0), _row("z1", "zh", leap=0.0)]
    deltas = {(d.group, d.name): d for d in compare(base, head, Tolerances()).deltas}
    assert deltas[("en", "leap")].delta == 0.0
    assert deltas[("zh", "leap")].delta == -1.0
    assert deltas[("zh", "leap")].cases == 1


def test_a_hard_scorer_fails_on_one_new_failure_whatever_the_mean() -> None:
    base = [_row(f"c{i}", "zh", policy=1.0) for i in range(50)]
    head = [_row(f"c{i}", "zh", policy=0.0 if i == 7 else 1.0) for i in range(50)]
    result = compare(base, head, Tolerances(hard=["policy"]))
    assert result.new_failures == {"policy": ["c7"]}
    assert not result.regressions  # one case in 50 is not significant ...
    assert result.failed  # ... but a hard scorer fails on it
    assert compare(base, head, Tolerances()).failed is False


def test_cases_in_one_run_only_are_counted_not_compared() -> None:
    result = compare([_row("a", "en", leap=1.0)], [_row("b", "en", leap=0.0)], Tolerances())
    assert result.unpaired == 2
    assert not result.failed
    assert "2 cases are in only one run" in gate_text(result)


def test_tolerances_file_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("alpha: 2\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="alpha"):
        read_tolerances(path)
    committed = read_tolerances(Path(__file__).resolve().parents[2] / "evals" / "tolerances.yaml")
    assert committed.of("policy") == 0.0
    assert committed.of("unlisted") == committed.default
