"""Accuracy of conversation analysis on `evals/datasets/analysis.jsonl`.

python -m drafter.evaluation.analysis_eval evals/datasets/analysis.jsonl [--errors]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import yaml

from drafter.analysis import ConversationAnalyzer, detect_language
from drafter.analysis.exemplars import EmbedQueries, ExemplarVotes, read_exemplars
from drafter.core.drafts import Analysis, DraftRequest, ReplyLanguage
from drafter.core.settings import Settings
from drafter.core.shop_profile import ShopProfile


@dataclass
class AnalysisScores:
    """Accuracy per field and language; recall and precision for escalation and injection."""

    total: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def add(self, key: str, ok: bool, detail: str = "") -> None:
        self.total[key] += 1
        self.correct[key] += int(ok)
        if not ok and detail:
            self.errors.append(f"{key}: {detail}")

    def rate(self, key: str) -> float:
        return self.correct[key] / self.total[key] if self.total[key] else 0.0


def request_for(case: dict[str, object]) -> DraftRequest:
    value = case.get("order_value")
    orders = [{"id": "EVAL1", "total": str(Decimal(str(value)))}] if value is not None else []
    tier = case.get("customer_tier")
    return DraftRequest.model_validate(
        {"conversation": case["messages"], "orders": orders, "customer": {"tier": tier} if tier else None}
    )


def score_case(case: dict[str, object], analysis: Analysis, scores: AnalysisScores) -> None:
    lang = str(case["language"])
    text = str(case["messages"][-1]["text"])[:80]  # type: ignore[index]
    scores.add(
        f"intent/{lang}",
        analysis.intent.value == case["intent"],
        f"{text!r} want {case['intent']} got {analysis.intent.value}",
    )
    scores.add(
        f"urgency/{lang}",
        analysis.urgency.value == case["urgency"],
        f"{text!r} want {case['urgency']} got {analysis.urgency.value}",
    )
    scores.add(f"language/{lang}", analysis.language == lang, f"{text!r} got {analysis.language}")
    want = set(map(str, case["escalation"]))  # type: ignore[call-overload]
    got = {t.value for t in analysis.escalation}
    for trigger in want:
        scores.add("escalation_recall", trigger in got, f"{text!r} missed {trigger}")
    for trigger in got:
        scores.add("escalation_precision", trigger in want, f"{text!r} spurious {trigger}")
    scores.add(
        "injection_recall" if case["injection"] else "injection_false_alarm_free",
        bool(analysis.injection_markers) == bool(case["injection"]),
        f"{text!r}",
    )


def evaluate(
    cases: Sequence[dict[str, object]],
    profile: ShopProfile,
    *,
    analyzer: ConversationAnalyzer | None = None,
    embed: EmbedQueries | None = None,
) -> AnalysisScores:
    """Score every case; with `embed`, each message's vector feeds the analyzer's exemplar votes."""
    analyzer = analyzer or ConversationAnalyzer()
    scores = AnalysisScores()
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    for case in cases:
        request = request_for(case)
        vector = None
        if embed is not None:
            text = analyzer.customer_text(request)
            vector = embed([text], detect_language(text)[1])[0]
        score_case(case, analyzer.analyze(request, profile, now, vector=vector), scores)
    return scores


def exemplar_analyzer(path: Path) -> tuple[ConversationAnalyzer, EmbedQueries]:
    """An analyzer voting with the exemplars in `path`, using the configured per-language embedders."""
    from drafter.bootstrap import build_embedders

    embedders = build_embedders(Settings().retrieval)

    def embed(texts: Sequence[str], language: ReplyLanguage) -> np.ndarray:
        return embedders[language].embed_queries(list(texts))

    return ConversationAnalyzer(exemplars=ExemplarVotes(read_exemplars(path), embed)), embed


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Analysis accuracy")
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--profile", type=Path, default=Path("knowledge_base/shop.yaml"))
    parser.add_argument("--errors", action="store_true")
    parser.add_argument("--exemplars", type=Path, default=None, help="Also vote with these intent exemplars")
    args = parser.parse_args(argv)
    cases = [json.loads(line) for line in args.dataset.read_text(encoding="utf-8").splitlines() if line.strip()]
    profile = ShopProfile.model_validate(yaml.safe_load(args.profile.read_text(encoding="utf-8")))
    if args.exemplars:
        analyzer, embed = exemplar_analyzer(args.exemplars)
        scores = evaluate(cases, profile, analyzer=analyzer, embed=embed)
    else:
        scores = evaluate(cases, profile)
    groups: dict[str, list[str]] = defaultdict(list)
    for key in sorted(scores.total):
        groups[key.split("/")[0]].append(key)
    for keys in groups.values():
        print("  ".join(f"{k} {scores.rate(k):.3f} (n={scores.total[k]})" for k in keys))
    if args.errors:
        print("\n".join(scores.errors))


if __name__ == "__main__":
    main()
