"""Build evals/datasets/retrieval.jsonl, the labelled retrieval test set.

    python evals/datasets/build/build_retrieval.py            # write the file
    python evals/datasets/build/build_retrieval.py --check    # only validate, print counts
    python evals/datasets/build/build_retrieval.py --emit-queries DIR   # per-source query files for
                                                              # candidates.py (manual labelling aid)

Standard library only. Inputs:
- evals/datasets/retrieval/authored_*.jsonl: the writers' queries; their labels get the cross-labels
  of crosslabels.py (added after checking the candidates of three rankers against the whole
  knowledge base) and lose the promotion policies that are not live on the evaluation date;
- thirdparty.py: queries picked from Bitext, JDDC 2019 and ABCD, with their labels. Bitext and JDDC
  selections are checked against the copies in /work/shared/data (override with --data).
Every id must exist in its shop: demo = knowledge_base/, abcd = evals/knowledge/abcd/ (front
matter ids), and no template is ever relevant.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(HERE))

import crosslabels  # noqa: E402
import thirdparty  # noqa: E402

AUTHORED = REPO / "evals/datasets/retrieval"
OUT = REPO / "evals/datasets/retrieval.jsonl"
SHOPS = {"demo": REPO / "knowledge_base", "abcd": REPO / "evals/knowledge/abcd"}
DEFAULT_DATA = Path("/work/shared/data")
PLACEHOLDER = re.compile(r"\[[^\[\]]*x\]")  # [订单x] [数字x] [地址x] [姓名x] [金额x] ...


def front_matter(path: Path) -> dict[str, str]:
    """id and kind from a Markdown entry's front matter (simple `key: value` lines)."""
    text = path.read_text(encoding="utf-8")
    match = re.match(r"\A---\s*\n(.*?)\n---", text, re.S)
    if not match:
        raise SystemExit(f"{path}: no front matter")
    fields = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() in {"id", "kind"}:
            fields[key.strip()] = value.strip().strip("'\"")
    return fields


def shop_entries(root: Path) -> dict[str, str]:
    """entry id -> kind for every Markdown entry under root (README.md is not an entry)."""
    entries = {}
    for path in sorted(root.rglob("*.md")):
        if path.name == "README.md":
            continue
        fields = front_matter(path)
        if fields["id"] in entries:
            raise SystemExit(f"duplicate id {fields['id']} in {root}")
        entries[fields["id"]] = fields["kind"]
    return entries


def authored_queries() -> tuple[list[dict], dict[str, int]]:
    stats = {"added": 0, "removed_not_live": 0, "dropped_queries": 0}
    out = []
    used = set()
    for path in sorted(AUTHORED.glob("authored_*.jsonl")):
        stem = path.stem.removeprefix("authored_")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            if not line.strip():
                continue
            q = json.loads(line)
            relevant = list(q["relevant"])
            removed = [r for r in relevant if r in crosslabels.NOT_LIVE]
            relevant = [r for r in relevant if r not in crosslabels.NOT_LIVE]
            stats["removed_not_live"] += len(removed)
            key = (stem, number)
            if key in crosslabels.ADD:
                text, extra = crosslabels.ADD[key]
                if text != q["query"]:
                    raise SystemExit(f"{path.name}:{number + 1}: cross-label is for {text!r}, line has {q['query']!r}")
                used.add(key)
                for entry_id in extra:
                    if entry_id in relevant:
                        raise SystemExit(f"{path.name}:{number + 1}: {entry_id} is already labelled")
                    relevant.append(entry_id)
                    stats["added"] += 1
            if not relevant:
                stats["dropped_queries"] += 1
                continue
            out.append(
                {
                    "query": q["query"],
                    "language": q["language"],
                    "relevant": relevant,
                    "shop": "demo",
                    "source": q.get("source", "authored"),
                }
            )
    unused = set(crosslabels.ADD) - used
    if unused:
        raise SystemExit(f"cross-labels for lines that do not exist: {sorted(unused)}")
    return out, stats


def bitext_queries(data: Path) -> list[dict]:
    path = data / "bitext_intent_utterances/bitext_customer_support_20k_utterances.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    known = {(r["intent"], r["utterance"]) for r in rows}
    out = []
    for intent, utterance, relevant in thirdparty.BITEXT:
        if (intent, utterance) not in known:
            raise SystemExit(f"bitext: no {intent!r} utterance {utterance!r} in {path}")
        out.append(
            {
                "query": utterance,
                "language": "en",
                "relevant": list(relevant),
                "shop": "demo",
                "source": f"bitext:{intent}",
            }
        )
    return out


def _subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(ch in it for ch in small)


def jddc_queries(data: Path) -> list[dict]:
    path = data / "jddc2019_chats/chat_0.1per_sessions.jsonl"
    sessions = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for prefix, turn, text, relevant in thirdparty.JDDC:
        matches = [s for s in sessions if s["session_id"].startswith(prefix)]
        if len(matches) != 1:
            raise SystemExit(f"jddc: session prefix {prefix} matches {len(matches)} sessions")
        t = matches[0]["turns"][turn]
        if t["role"] != "customer":
            raise SystemExit(f"jddc: {prefix} turn {turn} is not a customer turn")
        original = PLACEHOLDER.sub("", t["text"])
        # the kept text is the customer's own wording: in order, minus placeholders, system labels
        # and repeats (a number word may stand for a removed [数字x])
        squeezed = re.sub(r"\s+", "", text)
        if not _subsequence(squeezed.replace("两", ""), re.sub(r"\s+", "", original)):
            raise SystemExit(f"jddc: {text!r} is not taken from {t['text']!r}")
        if PLACEHOLDER.search(text):
            raise SystemExit(f"jddc: placeholder left in {text!r}")
        out.append({"query": text, "language": "zh", "relevant": list(relevant), "shop": "demo", "source": "jddc2019"})
    return out


def abcd_queries(data: Path) -> list[dict]:
    samples = json.loads((data / "abcd/abcd_sample.json").read_text(encoding="utf-8"))
    customer_turns = {text for conv in samples for role, text in conv["original"] if role == "customer"}
    out = []
    for query, relevant, from_sample in thirdparty.ABCD:
        if from_sample and query not in customer_turns:
            raise SystemExit(f"abcd: {query!r} is not a customer turn in abcd_sample.json")
        out.append({"query": query, "language": "en", "relevant": list(relevant), "shop": "abcd", "source": "abcd"})
    return out


def dedupe(queries: list[dict]) -> tuple[list[dict], int]:
    """Exact duplicates (same shop, language and query text): keep the first, merge labels."""
    seen: dict[tuple[str, str, str], dict] = {}
    out = []
    for q in queries:
        key = (q["shop"], q["language"], q["query"])
        if key in seen:
            first = seen[key]
            first["relevant"] += [r for r in q["relevant"] if r not in first["relevant"]]
            continue
        seen[key] = q
        out.append(q)
    return out, len(queries) - len(out)


def validate(queries: list[dict]) -> None:
    entries = {shop: shop_entries(root) for shop, root in SHOPS.items()}
    problems = []
    for q in queries:
        if q["language"] not in {"en", "zh"} or q["shop"] not in entries or not q["relevant"]:
            problems.append(f"bad fields: {q}")
            continue
        if len(set(q["relevant"])) != len(q["relevant"]):
            problems.append(f"repeated id in {q['query']!r}")
        for entry_id in q["relevant"]:
            kind = entries[q["shop"]].get(entry_id)
            if kind is None:
                problems.append(f"{entry_id} is not an entry of shop {q['shop']} ({q['query']!r})")
            elif kind == "template":
                problems.append(f"{entry_id} is a template ({q['query']!r})")
            elif entry_id in crosslabels.NOT_LIVE:
                problems.append(f"{entry_id} is a promotion that is not live ({q['query']!r})")
            elif entry_id.endswith("-zh") != (q["language"] == "zh") and q["shop"] == "demo":
                problems.append(f"{entry_id} has the wrong language for {q['query']!r}")
    if problems:
        raise SystemExit("\n".join(problems))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--check", action="store_true", help="validate and print counts, write nothing")
    parser.add_argument("--emit-queries", type=Path, help="write one query file per source to this folder")
    args = parser.parse_args()

    authored, stats = authored_queries()
    third = bitext_queries(args.data) + jddc_queries(args.data) + abcd_queries(args.data)
    queries, duplicates = dedupe(authored + third)
    validate(queries)

    counts = collections.Counter((q["source"].split(":")[0], q["language"]) for q in queries)
    for (source, language), n in sorted(counts.items()):
        print(f"{source:10} {language}  {n}")
    total = len(queries)
    zh = sum(q["language"] == "zh" for q in queries)
    print(
        f"total {total}, zh {zh} ({zh / total:.0%}); authored labels added {stats['added']}, "
        f"not-live promotion labels removed {stats['removed_not_live']}, authored queries dropped "
        f"{stats['dropped_queries']}, exact duplicates removed {duplicates}"
    )
    if total < 150 or zh * 3 < total:
        raise SystemExit("need at least 150 queries and at least a third in Chinese")

    if args.emit_queries:
        args.emit_queries.mkdir(parents=True, exist_ok=True)
        by_source = collections.defaultdict(list)
        for q in queries:
            by_source[q["source"].split(":")[0]].append(q)
        for source, items in by_source.items():
            lines = [json.dumps(q, ensure_ascii=False) for q in items]
            (args.emit_queries / f"{source}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if not args.check:
        lines = [json.dumps(q, ensure_ascii=False) for q in queries]
        OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
