"""Calibration on NTCIR STC-3: do the rubric's scores agree with people's ratings of real helpdesk dialogues?

STC-3 (DialEval) holds 390 Weibo customer-helpdesk dialogues, in Chinese and in English translation, each rated
by 19 annotators for task accomplishment (A), customer satisfaction (S) and efficiency (E), -2..2. Each
helpdesk turn becomes a case (the dialogue so far, the turn as `response`), scored as a human reply; a
dialogue's score is the mean over its helpdesk turns, and Spearman's rho is taken against the annotators' mean
A and S, per language. The data is research-only: it is read from where it lies, never copied into the repo.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from scipy.stats import spearmanr

from drafter.core.drafts import Channel, Message
from drafter.core.evaluation import CaseResult, Dataset, EvalCase, Expected

FILES = {"zh": "test_data_cn.json", "en": "test_data_en.json"}
ANNOTATIONS = "test_annotations_en.json"
MAX_TEXT = 4000


@dataclass(frozen=True)
class Correlation:
    language: str
    score: str
    target: str
    rho: float
    p_value: float
    dialogues: int


def _text(utterances: Sequence[str]) -> str:
    return " ".join(u.strip() for u in utterances if u.strip())[:MAX_TEXT]


def build_dataset(folder: Path, language: str) -> Dataset:
    """One case per helpdesk turn with text: id `<dialogue>:<turn>`, the turns before it as the conversation."""
    dialogues = json.loads((folder / FILES[language]).read_text(encoding="utf-8"))
    cases = []
    for dialogue in dialogues:
        history: list[Message] = []
        for number, turn in enumerate(dialogue["turns"]):
            text = _text(turn["utterances"])
            if not text:
                continue
            if turn["sender"] == "helpdesk" and any(m.role == "customer" for m in history):
                cases.append(
                    EvalCase(
                        id=f"{dialogue['id']}:{number}",
                        tags=["stc3", language],
                        user_input=history[-8:],
                        channel=Channel.LIVE_CHAT,
                        expected=Expected(language="zh" if language == "zh" else "en"),
                        response=text,
                    )
                )
            history.append(Message(role="customer" if turn["sender"] == "customer" else "agent", text=text))
    return Dataset(name=f"stc3-{language}", version=1, shop="demo", cases=cases)


def human_ratings(folder: Path) -> dict[str, dict[str, float]]:
    """Per dialogue id, the annotators' mean A (task accomplishment), S (satisfaction) and E (efficiency)."""
    rated = json.loads((folder / ANNOTATIONS).read_text(encoding="utf-8"))
    return {
        str(d["id"]): {key: statistics.fmean(a["quality"][key] for a in d["annotations"]) for key in ("A", "S", "E")}
        for d in rated
    }


def dialogue_scores(rows: Sequence[CaseResult], names: Sequence[str]) -> dict[str, dict[str, float]]:
    """Per dialogue, the mean over its helpdesk turns of each named score (turns where it applies)."""
    collected: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        dialogue = row.id.split(":")[0]
        for name in names:
            value = row.overall if name == "overall" else row.score(name)
            if value is not None:
                collected[dialogue][name].append(value)
    return {d: {n: statistics.fmean(v) for n, v in scores.items()} for d, scores in collected.items()}


def correlate(
    language: str, scores: dict[str, dict[str, float]], ratings: dict[str, dict[str, float]], names: Sequence[str]
) -> list[Correlation]:
    """Spearman's rho of each score against A and S over the dialogues that have both."""
    out = []
    for name in names:
        for target in ("A", "S"):
            pairs = [(s[name], ratings[d][target]) for d, s in scores.items() if name in s and d in ratings]
            if len(pairs) < 3 or len({p for p, _ in pairs}) < 2:
                continue
            rho, p = spearmanr([p for p, _ in pairs], [h for _, h in pairs])
            out.append(Correlation(language, name, target, round(float(rho), 3), float(p), len(pairs)))
    return out
