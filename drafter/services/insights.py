"""What reviews say in aggregate: drafting metrics (how far agents trust drafts) and voice-of-customer routing.

Definitions (the README's metrics table repeats them):
- acceptance rate = approved unchanged / reviewed; edit rate = edited / reviewed; rejection rate = rejected / reviewed.
- guardrail block rate = drafts generated whose first variant was blocked / drafts generated in the window.
- time to approve = review time - draft time, over approved and edited drafts; p50 and p90 by nearest rank.
- SLA met rate = approved or edited before the analysis's SLA deadline / approved or edited.
- per entry: the reviews of drafts whose chosen variant cited the entry, with the agents' ratings of that entry.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from statistics import fmean

from drafter.core.reviews import DraftingMetrics, EntryRates, MetricsQuery, Rates, VocBucket, VocReport, VocWeek
from drafter.storage import Database, DraftRepository, ReviewRepository
from drafter.storage.tables import ReviewRow


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(values: Sequence[float]) -> float | None:
    return round(fmean(values), 4) if values else None


def _nearest_rank(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(math.ceil(q * len(ordered)) - 1, 0)], 3)


def _counts(rows: Sequence[ReviewRow]) -> dict[str, int]:
    actions = Counter(r.action for r in rows)
    return {"approved": actions["approve"], "edited": actions["edit"], "rejected": actions["reject"]}


def _rates(rows: Sequence[ReviewRow]) -> dict[str, object]:
    counts, n = _counts(rows), len(rows)
    return {
        "reviewed": n,
        **counts,
        "acceptance_rate": _ratio(counts["approved"], n),
        "edit_rate": _ratio(counts["edited"], n),
        "rejection_rate": _ratio(counts["rejected"], n),
        "mean_rating": _mean([r.rating for r in rows if r.rating is not None]),
    }


def _grouped(rows: Iterable[ReviewRow], key: str) -> dict[str, list[ReviewRow]]:
    groups: dict[str, list[ReviewRow]] = defaultdict(list)
    for row in rows:
        groups[getattr(row, key)].append(row)
    return dict(sorted(groups.items()))


class InsightService:
    def __init__(self, *, db: Database) -> None:
        self._db = db

    def drafting(self, shop: str, query: MetricsQuery) -> DraftingMetrics:
        with self._db.transaction() as session:
            rows = ReviewRepository(session).between(
                shop, query.start, query.end, agent=query.agent, intent=query.intent.value if query.intent else None
            )
            drafts = DraftRepository(session)
            made = [
                blocked
                for intent, blocked in drafts.made_between(shop, query.start, query.end)
                if query.intent is None or intent == query.intent.value
            ]
            refusals = drafts.count_events(shop, "review_refused", query.start, query.end)
        used = [r for r in rows if r.action != "reject"]
        edited = [r for r in rows if r.action == "edit"]
        waits = [(r.reviewed_at - r.draft_created_at).total_seconds() for r in used]
        return DraftingMetrics.model_validate(
            {
                **_rates(rows),
                "drafts": len(made),
                "guardrail_block_rate": _ratio(sum(made), len(made)),
                "review_refusals": refusals,
                "overrides": sum(1 for r in rows if r.override_reason),
                "mean_char_distance": _mean([r.char_distance for r in edited]),
                "mean_token_distance": _mean([r.token_distance for r in edited]),
                "edit_classes": dict(sorted(Counter(c for r in edited for c in r.edit_classes).items())),
                "time_to_approve_p50_s": _nearest_rank(waits, 0.5),
                "time_to_approve_p90_s": _nearest_rank(waits, 0.9),
                "sla_met_rate": _ratio(sum(1 for r in used if r.reviewed_at <= r.sla_deadline), len(used)),
                "intent_corrections": sum(1 for r in rows if r.intent != r.drafted_intent),
                "by_intent": {k: Rates.model_validate(_rates(v)) for k, v in _grouped(rows, "intent").items()},
                "by_entry": self._by_entry(rows),
            }
        )

    @staticmethod
    def _by_entry(rows: Sequence[ReviewRow]) -> dict[str, EntryRates]:
        citing: dict[str, list[ReviewRow]] = defaultdict(list)
        for row in rows:
            for entry_id in dict.fromkeys(e for e, _ in row.cited):
                citing[entry_id].append(row)
        return {
            entry_id: EntryRates.model_validate(
                {
                    **_rates(group),
                    "mean_source_rating": _mean(
                        [r.source_ratings[entry_id] for r in group if entry_id in r.source_ratings]
                    ),
                }
            )
            for entry_id, group in sorted(citing.items())
        }

    def voc(self, shop: str, start: datetime | None, end: datetime | None, department: str | None) -> VocReport:
        """Reviewed conversations by the department that can act on them, by product and by ISO week."""
        with self._db.transaction() as session:
            rows = ReviewRepository(session).between(shop, start, end)
        if department is not None:
            rows = [r for r in rows if r.department == department]
        weeks: dict[str, Counter[str]] = defaultdict(Counter)
        for row in rows:
            year, week, _ = row.reviewed_at.isocalendar()
            weeks[f"{year}-W{week:02d}"][row.department] += 1
        products = [r for r in rows if r.product]
        return VocReport(
            start=start,
            end=end,
            total=len(rows),
            by_department=self._buckets(rows, "department"),
            by_product=self._buckets(products, "product"),
            by_week=[VocWeek(week=w, departments=dict(sorted(c.items()))) for w, c in sorted(weeks.items())],
        )

    @staticmethod
    def _buckets(rows: Sequence[ReviewRow], key: str) -> list[VocBucket]:
        buckets = [
            VocBucket(
                key=name,
                count=len(group),
                negative=sum(1 for r in group if r.sentiment == "negative"),
                topics=dict(Counter(r.topic for r in group).most_common()),
            )
            for name, group in _grouped(rows, key).items()
        ]
        return sorted(buckets, key=lambda b: (-b.count, b.key))
