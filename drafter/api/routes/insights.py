"""Aggregates over reviews: drafting metrics, voice of the customer, and Prometheus exposition."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from drafter.api.deps import Reader, ServicesDep, TelemetryDep
from drafter.api.errors import ERROR_RESPONSES
from drafter.api.params import End, Start, window
from drafter.api.telemetry import CONTENT_TYPE
from drafter.core.drafts import Intent
from drafter.core.reviews import DraftingMetrics, MetricsQuery, VocReport
from drafter.review.voc import Department

router = APIRouter(tags=["insights"], responses=ERROR_RESPONSES)


@router.get("/v1/metrics/drafting", summary="Acceptance, edits, time to approve, SLA, blocks: per intent and entry")
def drafting_metrics(
    identity: Reader,
    services: ServicesDep,
    start: Start = None,
    end: End = None,
    agent: Annotated[str | None, Query(min_length=1, max_length=120, description="The agent's key name")] = None,
    intent: Intent | None = None,
) -> DraftingMetrics:
    start, end = window(start, end)
    return services.insights.drafting(identity.shop, MetricsQuery(start=start, end=end, agent=agent, intent=intent))


@router.get("/v1/voc", summary="Voice of the customer: reviewed conversations by department, product and week")
def voice_of_customer(
    identity: Reader,
    services: ServicesDep,
    start: Start = None,
    end: End = None,
    department: Department | None = None,
) -> VocReport:
    start, end = window(start, end)
    return services.insights.voc(identity.shop, start, end, department.value if department else None)


@router.get("/metrics", summary="Prometheus metrics (no shop, customer or key data in labels)", tags=["health"])
def prometheus(telemetry: TelemetryDep) -> Response:
    return Response(content=telemetry.exposition(), media_type=CONTENT_TYPE)
