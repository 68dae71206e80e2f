"""Drafter's error hierarchy.

Services raise these; `drafter.api.errors` maps each to an HTTP status and a stable `code`.

    DrafterError
    ├── InvalidInput            422  a value breaks a rule (names the field and the limit)
    │   └── ImportFailed        422  knowledge files failed validation; nothing was imported
    ├── NotFound                404  no such thing in the caller's shop
    ├── Conflict                409  a concurrent change or a stale version
    ├── AuthError
    │   ├── Unauthenticated     401  no key, or a key we do not know
    │   └── Forbidden           403  the key's role may not do this
    ├── ConfigurationError           settings or content that cannot work (raised at start-up)
    └── Unavailable             503  a dependency (database, index, model) cannot serve now
"""

from __future__ import annotations

from dataclasses import dataclass


class DrafterError(Exception):
    """Base of every error Drafter raises on purpose."""

    code = "drafter_error"


class InvalidInput(DrafterError):
    """A value breaks a rule; `field` names it."""

    code = "invalid_input"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ImportProblem:
    """One reason a knowledge file was refused."""

    source: str
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}: {self.field}" if self.field else self.source
        return f"{where}: {self.message}"


class ImportFailed(InvalidInput):
    """Knowledge files failed validation; the import wrote nothing."""

    code = "import_failed"

    def __init__(self, problems: list[ImportProblem]) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{first}{more}; nothing was imported", field=first.field)
        self.problems = problems


class NotFound(DrafterError):
    """No such thing in the caller's shop."""

    code = "not_found"


class Conflict(DrafterError):
    """A concurrent change, a stale version or a duplicate."""

    code = "conflict"


class AuthError(DrafterError):
    """Base of authentication and authorisation failures."""

    code = "auth_error"


class Unauthenticated(AuthError):
    """No API key, or one we do not know."""

    code = "unauthenticated"


class Forbidden(AuthError):
    """The key's role may not do this."""

    code = "forbidden"


class ConfigurationError(DrafterError):
    """Settings or content that cannot work."""

    code = "configuration_error"


class Unavailable(DrafterError):
    """A dependency cannot serve now."""

    code = "unavailable"
