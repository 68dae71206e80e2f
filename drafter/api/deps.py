"""Request dependencies: the services and the caller's identity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request

from drafter.api.telemetry import Telemetry
from drafter.bootstrap import Services
from drafter.core.errors import Forbidden, Unauthenticated
from drafter.core.models import Identity, Role


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_telemetry(request: Request) -> Telemetry:
    telemetry: Telemetry = request.app.state.telemetry
    return telemetry


TelemetryDep = Annotated[Telemetry, Depends(get_telemetry)]


def get_identity(services: ServicesDep, authorization: Annotated[str | None, Header()] = None) -> Identity:
    if not authorization:
        raise Unauthenticated("missing Authorization: Bearer <API key>")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <API key>'")
    return services.access.authenticate(token.strip())


def require(*roles: Role) -> Callable[..., Identity]:
    """A dependency that admits the given roles (admins are always admitted)."""
    allowed = set(roles) | {Role.ADMIN}

    def check(identity: Annotated[Identity, Depends(get_identity)]) -> Identity:
        if identity.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise Forbidden(f"role {identity.role.value} may not do this (allowed: {names})")
        return identity

    return check


Reader = Annotated[Identity, Depends(require(Role.AGENT, Role.KNOWLEDGE_MANAGER, Role.EVALUATOR))]
Editor = Annotated[Identity, Depends(require(Role.KNOWLEDGE_MANAGER))]
Drafter = Annotated[Identity, Depends(require(Role.AGENT))]
Reviewer = Annotated[Identity, Depends(require(Role.AGENT, Role.EVALUATOR))]
Contributor = Annotated[Identity, Depends(require(Role.AGENT, Role.KNOWLEDGE_MANAGER))]
