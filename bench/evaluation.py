"""Evaluation run benchmark: how long `drafter eval run` takes for N composer cases with the real models.

    .venv/bin/python bench/evaluation.py                 # core.yaml x 6 = 996 cases, concurrency 4
    .venv/bin/python bench/evaluation.py --repeat 1 --concurrency 1

Prints the workspace setup time (migrate, import the demo knowledge base, index; cold = a new workspace that
embeds all 278 entries, warm = the same workspace again), then the run: drafting + scoring time, cases per
second, and the median and p95 drafting time of one case. The run is the CLI's code path (`EvalSession`).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter.core.settings import RetrievalSettings, Settings  # noqa: E402
from drafter.evaluation.session import EvalSession  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "core.yaml")
    parser.add_argument("--repeat", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    logging.getLogger("drafter").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        settings = Settings(
            database_url=f"sqlite:///{var / 'eval.db'}",
            retrieval=RetrievalSettings(index_dir=var / "index"),
            var_dir=var,
            knowledge_dir=ROOT / "knowledge_base",
            prompts_dir=ROOT / "prompts",
        )
        for label in ("cold", "warm"):
            started = time.perf_counter()
            with EvalSession.open(settings, args.dataset, root=ROOT) as session:
                setup = time.perf_counter() - started
                summary, rows, _ = session.execute(
                    kind="drafts", out=var / "runs", root=ROOT, concurrency=args.concurrency, repeat=args.repeat
                )
            ms = sorted(r.ms for r in rows)
            p95 = ms[int(0.95 * (len(ms) - 1))]
            print(
                f"{label}: setup {setup:.1f} s; {len(rows)} cases in {summary.seconds:.1f} s "
                f"({len(rows) / summary.seconds:.1f} cases/s, concurrency {args.concurrency}); "
                f"one draft: median {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms; "
                f"overall {summary.mean('overall'):.3f}"
            )


if __name__ == "__main__":
    main()
