"""Drafting metrics and voice of the customer on a seeded set of reviews, checked against values worked out by hand."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from drafter.bootstrap import Services
from drafter.core.drafts import Draft, DraftRequest, Intent
from drafter.core.models import Identity, Role
from drafter.core.reviews import MetricsQuery, ReviewAction, ReviewRequest
from tests.conftest import KNOWLEDGE
from tests.fakes import Clock

START = datetime(2026, 11, 19, 2, 0, tzinfo=UTC)  # Thursday 10:00 in Shanghai, inside service hours
MIA = Identity(shop="demo", role=Role.AGENT, key_id=1, name="mia")
LEE = Identity(shop="demo", role=Role.AGENT, key_id=2, name="lee")
ADDED = " I'll check with the carrier and update you within 2 hours."


def request(text: str, conversation: str, **extra: Any) -> DraftRequest:
    return DraftRequest.model_validate(
        {"conversation_id": conversation, "conversation": [{"role": "customer", "text": text}], **extra}
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def seeded(services: Services, clock: Clock) -> list[Draft]:
    """Four drafts made at 10:00; reviews at +30 s (reject), +60 s, +120 s (edit) and +1 h (by lee)."""
    services.access.ensure_shop("demo", "Demo")
    services.knowledge.import_path("demo", KNOWLEDGE)
    orders = [{"id": "LL1001", "items": [{"name": "Hydra Serum", "product": "hydra-serum", "price": "159"}]}]
    asks = [
        request("my parcel is 3 days late!!", "c1"),
        request("my serum arrived with a cracked bottle, order LL1001", "c2", orders=orders),
        request("is the hydra serum ok for sensitive skin?", "c3"),
        request("where is my order? it is a week late!!", "c4"),
    ]
    drafts = [asyncio.run(services.drafts.draft("demo", ask)) for ask in asks]
    steps: list[tuple[float, Identity, Draft, ReviewRequest]] = [
        (30, MIA, drafts[2], ReviewRequest(action=ReviewAction.REJECT, reason="it is a pre-sale question")),
        (60, MIA, drafts[0], ReviewRequest(action=ReviewAction.APPROVE, rating=5)),
        (
            120,
            MIA,
            drafts[1],
            ReviewRequest(
                action=ReviewAction.EDIT, text=drafts[1].variants[0].reply + ADDED, rating=4, reason="add the update"
            ),
        ),
        (3600, LEE, drafts[3], ReviewRequest(action=ReviewAction.APPROVE, rating=3, intent=Intent.LATE)),
    ]
    for seconds, who, made, decision in steps:
        clock.now = START + timedelta(seconds=seconds)
        asyncio.run(services.reviews.review(who, made.id, decision))
    return drafts


def test_metrics_match_hand_computed_values(services: Services, seeded: list[Draft]) -> None:
    m = services.insights.drafting("demo", MetricsQuery())
    assert (m.reviewed, m.approved, m.edited, m.rejected) == (4, 2, 1, 1)
    assert (m.acceptance_rate, m.edit_rate, m.rejection_rate) == (0.5, 0.25, 0.25)
    assert m.mean_rating == 4.0  # (5 + 4 + 3) / 3; the rejection carries no rating
    assert m.mean_char_distance == len(ADDED)  # an append costs exactly its length
    assert m.time_to_approve_p50_s == 120.0  # nearest rank over [60, 120, 3600]
    assert m.time_to_approve_p90_s == 3600.0
    # Both late-delivery messages are urgent (15 minutes): 60 s meets it, an hour does not; the edit met its SLA.
    assert m.sla_met_rate == round(2 / 3, 4)
    assert m.drafts == 4
    blocked = sum(d.variants[0].status.value == "blocked" for d in seeded)
    assert m.guardrail_block_rate == blocked / 4
    assert sum(m.edit_classes.values()) >= 1
    late = m.by_intent["late_delivery"]
    assert (late.reviewed, late.approved, late.acceptance_rate) == (2, 2, 1.0)
    assert m.intent_corrections == (1 if seeded[3].analysis.intent is not Intent.LATE else 0)
    cited = {c.entry_id for c in seeded[0].variants[0].citations}
    assert cited
    assert cited <= set(m.by_entry)


def test_metrics_filter_by_window_agent_and_intent(services: Services, seeded: list[Draft]) -> None:
    assert services.insights.drafting("demo", MetricsQuery(agent="lee")).reviewed == 1
    assert services.insights.drafting("demo", MetricsQuery(agent="nobody")).acceptance_rate is None
    late = services.insights.drafting("demo", MetricsQuery(intent=Intent.LATE))
    assert late.reviewed == 2
    window = MetricsQuery(start=START + timedelta(seconds=45), end=START + timedelta(seconds=600))
    assert services.insights.drafting("demo", window).reviewed == 2  # the +60 s and +120 s reviews
    assert services.insights.drafting("demo", window).drafts == 0  # every draft was made at 10:00


def test_voice_of_customer_groups_reviews_by_department_product_and_week(
    services: Services, seeded: list[Draft]
) -> None:
    report = services.insights.voc("demo", None, None, None)
    assert report.total == 4
    assert sum(b.count for b in report.by_department) == 4
    departments = {b.key: b for b in report.by_department}
    assert departments["logistics"].count >= 2  # two late parcels
    assert "delivery_delay" in departments["logistics"].topics
    assert [w.week for w in report.by_week] == ["2026-W47"]
    assert [b.key for b in report.by_product] == ["hydra-serum"]
    only = services.insights.voc("demo", None, None, "logistics")
    assert only.total == departments["logistics"].count
