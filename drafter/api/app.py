"""`create_app(settings)`: the FastAPI application with a lifespan that builds and closes the services."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from drafter import __version__
from drafter.api.errors import error_response, install_error_handlers
from drafter.api.routes import campaigns, drafts, health, insights, knowledge, me, reviews, suggestions
from drafter.api.schemas import ErrorInfo
from drafter.api.telemetry import Telemetry
from drafter.bootstrap import Services, build_services
from drafter.core.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings, *, services: Services | None = None) -> FastAPI:
    """The app; `services` may be supplied (tests), otherwise the lifespan builds them from settings."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        built: Services = services if services is not None else await asyncio.to_thread(build_services, settings)
        app.state.services = built
        app.state.knowledge_loaded = False
        if settings.database.auto_migrate:
            await asyncio.to_thread(built.db.upgrade)
        stats = await asyncio.to_thread(built.retriever.load_all)
        await asyncio.to_thread(built.drafts.warm_up)
        app.state.knowledge_loaded = True
        log.info("ready", extra={"shops": len(stats), "passages": sum(s.passages for s in stats)})
        try:
            yield
        finally:
            if services is None:
                built.close()

    app = FastAPI(
        title="Drafter",
        version=__version__,
        summary="Grounded, policy-checked reply drafts for e-commerce customer-service agents.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.state.telemetry = Telemetry()
    limit, import_limit = settings.server.max_body_bytes, settings.server.max_import_bytes

    @app.middleware("http")
    async def body_limit(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        length = request.headers.get("content-length")
        allowed = import_limit if request.url.path == "/v1/knowledge/import" else limit
        if length and length.isdigit() and int(length) > allowed:
            return error_response(
                413,
                ErrorInfo(
                    code="payload_too_large", message=f"request body is over the {allowed}-byte limit", field="body"
                ),
            )
        return await call_next(request)

    routers = (
        health.router,
        me.router,
        knowledge.router,
        suggestions.router,
        campaigns.router,
        drafts.router,
        reviews.router,
        insights.router,
    )
    for router in routers:
        app.include_router(router)
    return app
