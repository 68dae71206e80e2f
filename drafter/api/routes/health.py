"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from drafter.api.deps import ServicesDep
from drafter.api.schemas import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    summary="The database answers and every shop's knowledge is loaded",
    responses={503: {"model": Readiness, "description": "Not ready"}},
)
def readyz(request: Request, services: ServicesDep) -> JSONResponse:
    database = services.db.ping()
    loaded = bool(getattr(request.app.state, "knowledge_loaded", False))
    body = Readiness(status="ready" if database and loaded else "not_ready", database=database, knowledge_loaded=loaded)
    return JSONResponse(status_code=200 if body.status == "ready" else 503, content=body.model_dump())
