"""Maps Drafter errors and request validation failures to HTTP responses with a stable `code`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from drafter.api.schemas import ErrorBody, ErrorDetail, ErrorInfo
from drafter.core.errors import (
    Conflict,
    DrafterError,
    Forbidden,
    ImportFailed,
    InvalidInput,
    NotFound,
    Unauthenticated,
    Unavailable,
)
from drafter.services.reviews import ReviewRefused

log = logging.getLogger(__name__)

STATUS: dict[type[DrafterError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    Unauthenticated: 401,
    Forbidden: 403,
    Unavailable: 503,
}


def error_response(status: int, info: ErrorInfo, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content=ErrorBody(error=info).model_dump(mode="json"), headers=headers)


def _status(exc: DrafterError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


async def _drafter_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DrafterError)
    details: list[ErrorDetail] = []
    if isinstance(exc, ImportFailed):
        details = [
            ErrorDetail(field=f"{p.source}: {p.field}" if p.field else p.source, message=p.message)
            for p in exc.problems
        ]
    if isinstance(exc, ReviewRefused):
        details = [ErrorDetail(field="text", message=f.message, code=f.code, span=f.span) for f in exc.findings]
    field = exc.field if isinstance(exc, InvalidInput) else None
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
    return error_response(
        _status(exc), ErrorInfo(code=exc.code, message=str(exc), field=field, details=details), headers
    )


def _field(loc: tuple[Any, ...]) -> str:
    """`body.title` -> `title`; a body that is not JSON at all (loc `body, <offset>`) stays `body`."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"} and len(parts) > 1 and not isinstance(loc[1], int):
        parts = parts[1:]
    return ".".join(parts[:1]) if len(loc) == 2 and isinstance(loc[1], int) else ".".join(parts)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [ErrorDetail(field=_field(tuple(e["loc"])), message=e["msg"]) for e in exc.errors()]
    first = details[0] if details else ErrorDetail(message="invalid request")
    message = f"{first.field}: {first.message}" if first.field else first.message
    if len(details) > 1:
        message += f" (and {len(details) - 1} more)"
    return error_response(422, ErrorInfo(code="invalid_request", message=message, field=first.field, details=details))


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=(type(exc), exc, exc.__traceback__))
    return error_response(500, ErrorInfo(code="internal_error", message="internal error; the request was not applied"))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DrafterError, _drafter_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or unknown API key"},
    403: {"model": ErrorBody, "description": "The key's role may not do this"},
    422: {"model": ErrorBody, "description": "Invalid request; `field` names the offending field"},
}
