"""`drafter eval run core --baseline` with the real models: the committed composer baseline still holds.

When a change improves drafts, the gate still passes; when a change is meant to alter scores, regenerate the
baseline with `make eval-baseline` and commit it with the change that explains the new numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from drafter.cli.main import app
from drafter.evaluation.results import load_run

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "evals" / "baselines" / "composer-core"


def test_the_composer_passes_its_committed_baseline_on_core(tmp_path: Path) -> None:
    env = {"DRAFTER_VAR_DIR": str(tmp_path / "var")}
    args = ["eval", "run", str(ROOT / "evals/datasets/core.yaml"), "--out", str(tmp_path / "runs")]
    result = CliRunner().invoke(app, [*args, "--baseline", str(BASELINE)], env=env)

    assert result.exit_code == 0, result.output
    assert "PASS: no regression beyond tolerance" in result.output
    (run,) = (tmp_path / "runs").iterdir()
    summary, rows = load_run(run)
    baseline, _ = load_run(BASELINE)
    assert len(rows) == baseline.config.cases == 166
    assert summary.config.model == baseline.config.model == "composer"
    assert (run / "report.html").stat().st_size > 100_000
