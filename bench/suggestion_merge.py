"""Which cosine similarity should merge two suggested replies? Measured on the labelled retrieval queries.

Two customer questions whose labelled answers are the same entry are "the same question" (a merge is right); two
whose answers are disjoint are different (a merge would lose one). For each threshold this prints the precision
and recall of "merge when cosine >= threshold", per language, with the packaged embedders the service uses.

    .venv/bin/python bench/suggestion_merge.py
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np

from drafter.bootstrap import build_embedders
from drafter.core.settings import RetrievalSettings

ROOT = Path(__file__).resolve().parent.parent
# The two models spread cosines very differently (MiniLM low, e5 compressed near 1), so each gets its own range.
THRESHOLDS = {
    "en": (0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85),
    "zh": (0.90, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97),
}


def pairs(queries: list[dict[str, object]]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    same, different = [], []
    for (i, a), (j, b) in itertools.combinations(enumerate(queries), 2):
        ra, rb = set(a["relevant"]), set(b["relevant"])  # type: ignore[call-overload]
        if a["relevant"][0] == b["relevant"][0]:  # type: ignore[index]
            same.append((i, j))
        elif not ra & rb:
            different.append((i, j))
    return same, different


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "retrieval.jsonl")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.dataset.read_text().splitlines() if line.strip()]
    embedders = build_embedders(RetrievalSettings())
    print("| language | embedder | threshold | precision | recall | same pairs | different pairs |")
    print("|---|---|---|---|---|---|---|")
    for language in ("en", "zh"):
        queries = [r for r in rows if r["language"] == language and r["shop"] == "demo"]
        embedder = embedders[language]
        vectors = embedder.embed_queries([q["query"] for q in queries])
        vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        same, different = pairs(queries)
        cos_same = np.array([vectors[i] @ vectors[j] for i, j in same])
        cos_diff = np.array([vectors[i] @ vectors[j] for i, j in different])
        for threshold in THRESHOLDS[language]:
            true, false = int((cos_same >= threshold).sum()), int((cos_diff >= threshold).sum())
            precision = true / (true + false) if true + false else float("nan")
            recall = true / len(cos_same)
            print(
                f"| {language} | {embedder.name} | {threshold:.2f} | {precision:.3f} | {recall:.3f} "
                f"| {len(same)} | {len(different)} |"
            )


if __name__ == "__main__":
    main()
