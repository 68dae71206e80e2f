"""Prometheus counters and histograms at `/metrics` (one registry per app; labels carry no shop or customer data)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from drafter.core.drafts import Draft
from drafter.core.reviews import Review

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Telemetry:
    """What the service did, for dashboards and alerts."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.drafts = Counter(
            "drafter_drafts", "Drafts generated", ["intent", "status", "fallback"], registry=self.registry
        )
        self.draft_seconds = Histogram(
            "drafter_draft_seconds",
            "Time to generate a draft",
            buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        self.reviews = Counter("drafter_reviews", "Reviews recorded", ["action", "edit_class"], registry=self.registry)
        self.review_refusals = Counter(
            "drafter_review_refusals",
            "Approvals refused by a blocking check or a stale draft",
            ["code"],
            registry=self.registry,
        )
        self.edit_distance = Histogram(
            "drafter_edit_distance_chars",
            "Character edit distance of edited replies",
            buckets=(5, 20, 50, 100, 200, 400, 800, 1600),
            registry=self.registry,
        )
        self.time_to_review = Histogram(
            "drafter_time_to_review_seconds",
            "From draft to the agent's decision",
            buckets=(10, 30, 60, 120, 300, 900, 1800, 3600, 14400, 86400),
            registry=self.registry,
        )
        self.follow_ups = Counter(
            "drafter_follow_ups", "Follow-ups created from promises", ["kind"], registry=self.registry
        )

    def drafted(self, draft: Draft) -> None:
        variant = draft.variants[0]
        self.drafts.labels(draft.analysis.intent.value, variant.status.value, str(variant.fallback).lower()).inc()
        self.draft_seconds.observe(draft.trace.timings.total_ms / 1000)

    def reviewed(self, review: Review) -> None:
        self.reviews.labels(review.action.value, review.primary_class or "none").inc()
        self.time_to_review.observe(review.time_to_review_s)
        if review.action.value == "edit":
            self.edit_distance.observe(review.char_distance)
        for follow_up in review.follow_ups:
            self.follow_ups.labels(follow_up.kind).inc()

    def refused(self, code: str) -> None:
        self.review_refusals.labels(code).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
