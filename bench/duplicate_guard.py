"""Which cosine similarity marks a new entry as a near duplicate? Measured on the demo knowledge base.

Negatives: every entry against its most similar *other* entry of the same kind and language (distinct entries a
knowledge manager wrote on purpose). Positives: every entry against a copy-and-edit of itself (a sentence dropped,
the sentences reordered, the numbers changed): what an accidental duplicate looks like. For each threshold this
prints how many duplicates are caught and how many distinct entries would be flagged, per language.

    .venv/bin/python bench/duplicate_guard.py
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np

from drafter.bootstrap import build_embedders
from drafter.core.models import EntryContent
from drafter.core.settings import RetrievalSettings
from drafter.services.knowledge_files import read_entries

ROOT = Path(__file__).resolve().parent.parent
_SENTENCE = re.compile(r"(?<=[.!?。！？\n])\s*")
THRESHOLDS = {"en": (0.80, 0.85, 0.88, 0.90, 0.92, 0.94), "zh": (0.94, 0.95, 0.96, 0.97, 0.975, 0.98, 0.985)}


def variants(entry: EntryContent) -> list[str]:
    """Copy-and-edit versions of an entry: drop the last sentence, reorder, change every number."""
    sentences = [s for s in _SENTENCE.split(entry.body) if s.strip()]
    edited = []
    if len(sentences) > 1:
        edited.append(" ".join(sentences[:-1]))
        edited.append(" ".join(sentences[1:] + sentences[:1]))
    renumbered = re.sub(r"\d+", lambda m: str(int(m.group(0)) + 1), entry.body)
    if renumbered != entry.body:
        edited.append(renumbered)
    return [f"{entry.title}\n{body}" for body in edited]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge_base")
    args = parser.parse_args()
    entries = read_entries(args.knowledge)
    embedders = build_embedders(RetrievalSettings())
    print("| language | embedder | threshold | duplicates caught | distinct entries flagged | duplicates | entries |")
    print("|---|---|---|---|---|---|---|")
    for language in ("en", "zh"):
        group = [e for e in entries if e.language == language]
        embed = embedders[language].embed_documents
        vectors = embed([e.search_text() for e in group])
        same_kind = np.array([[a.kind == b.kind for b in group] for a in group])
        similarity = np.where(same_kind & ~np.eye(len(group), dtype=bool), vectors @ vectors.T, -1.0)
        nearest_other = similarity.max(axis=1)
        positives = []
        for row, entry in enumerate(group):
            edited = variants(entry)
            if edited:
                positives.extend((embed(edited) @ vectors[row]).tolist())
        caught_of = np.array(positives)
        for threshold in THRESHOLDS[language]:
            caught = float((caught_of >= threshold).mean())
            flagged = float((nearest_other >= threshold).mean())
            print(
                f"| {language} | {embedders[language].name} | {threshold:.2f} | {caught:.3f} | {flagged:.3f} "
                f"| {len(caught_of)} | {len(group)} |"
            )


if __name__ == "__main__":
    main()
