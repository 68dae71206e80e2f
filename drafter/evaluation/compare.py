"""Paired comparison of two runs and the regression gate.

Cases are joined on id. For each scorer and group, the delta is the mean of the paired differences (head minus
base) over the cases both runs scored, and the p-value a two-sided sign-flip permutation test of those
differences (exact up to 16 non-zero pairs, else 20,000 random flips with a fixed seed). A regression is a drop
beyond the scorer's tolerance that is significant at `alpha`, or, for a hard scorer, any case that passed in
the base run and scores 0 in the head run.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from pydantic import Field, ValidationError

from drafter.core.errors import InvalidInput
from drafter.core.evaluation import CaseResult
from drafter.core.models import Frozen
from drafter.evaluation.report import Delta
from drafter.evaluation.results import OVERALL, scorer_names

EXACT_UP_TO = 16
FLIPS = 20_000


class Tolerances(Frozen):
    """How far a score may fall before the gate fails (`evals/tolerances.yaml`)."""

    alpha: float = Field(default=0.05, gt=0, lt=1)
    default: float = Field(default=0.02, ge=0, le=1)
    scorers: dict[str, float] = Field(default_factory=dict)
    hard: list[str] = Field(default=[], description="Scorers where any case falling from 1 to 0 is a regression")
    groups: list[str] = Field(default_factory=lambda: ["all", "en", "zh"])

    def of(self, name: str) -> float:
        return self.scorers.get(name, self.default)


def read_tolerances(path: Path | None) -> Tolerances:
    if path is None:
        return Tolerances()
    try:
        return Tolerances.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise InvalidInput(f"tolerances {path}: {exc}", field="tolerances") from exc


def sign_flip_p(differences: Sequence[float], *, seed: int = 7) -> float:
    """Two-sided p-value that the paired differences' mean is 0 (1.0 when every difference is 0)."""
    d = np.asarray([x for x in differences if x != 0], dtype=np.float64)
    if d.size == 0:
        return 1.0
    observed = abs(d.sum())
    if d.size <= EXACT_UP_TO:
        signs = np.array(list(itertools.product((1.0, -1.0), repeat=d.size)))
    else:
        signs = np.random.default_rng(seed).choice((1.0, -1.0), size=(FLIPS, d.size))
    sums = np.abs(signs @ d)
    return float(np.mean(sums >= observed - 1e-12))


@dataclass(frozen=True)
class Comparison:
    deltas: list[Delta]
    new_failures: dict[str, list[str]]
    unpaired: int

    @property
    def regressions(self) -> list[Delta]:
        return [d for d in self.deltas if d.regression]

    @property
    def failed(self) -> bool:
        return bool(self.regressions or any(self.new_failures.values()))


def _value(row: CaseResult, name: str) -> float | None:
    return row.overall if name == OVERALL else row.score(name)


def _delta(name: str, group: str, pairs: Sequence[tuple[CaseResult, CaseResult]], tolerances: Tolerances) -> Delta:
    values = [
        (b, h)
        for base, head in pairs
        if (b := _value(base, name)) is not None and (h := _value(head, name)) is not None
    ]
    if not values:
        return Delta(name=name, group=group, base=None, head=None, delta=None, p_value=None, cases=0, regression=False)
    base = float(np.mean([b for b, _ in values]))
    head = float(np.mean([h for _, h in values]))
    p = sign_flip_p([h - b for b, h in values])
    delta = head - base
    regression = delta < -tolerances.of(name) - 1e-9 and p <= tolerances.alpha
    return Delta(
        name=name,
        group=group,
        base=round(base, 4),
        head=round(head, 4),
        delta=round(delta, 4),
        p_value=round(p, 4),
        cases=len(values),
        regression=regression,
    )


def compare(base: Sequence[CaseResult], head: Sequence[CaseResult], tolerances: Tolerances) -> Comparison:
    """Deltas per scorer and group, with significance and the gate's verdict."""
    by_id = {r.id: r for r in base}
    pairs = [(by_id[r.id], r) for r in head if r.id in by_id]
    unpaired = len(base) + len(head) - 2 * len(pairs)
    names = [OVERALL, *scorer_names([*base, *head])]
    deltas = []
    for group in tolerances.groups:
        members = [
            (b, h) for b, h in pairs if group == "all" or h.language == group or group.removeprefix("tag:") in h.tags
        ]
        deltas += [_delta(name, group, members, tolerances) for name in names]
    new_failures = {
        name: [h.id for b, h in pairs if (_value(b, name) or 0) >= 1.0 and _value(h, name) == 0.0]
        for name in tolerances.hard
    }
    return Comparison(deltas=deltas, new_failures=new_failures, unpaired=unpaired)


def gate_text(result: Comparison) -> str:
    """The gate's verdict: PASS or FAIL, then each regression and each case that newly fails a hard scorer."""
    lines = [f"{d.group}/{d.name}: {d.base} -> {d.head} ({d.delta:+.4f}, p={d.p_value})" for d in result.regressions]
    lines += [f"new failures in {name}: {', '.join(ids[:10])}" for name, ids in result.new_failures.items() if ids]
    if result.unpaired:
        lines.append(f"{result.unpaired} cases are in only one run (not compared)")
    head = "FAIL: regression beyond tolerance" if result.failed else "PASS: no regression beyond tolerance"
    return "\n".join([head, *lines])
