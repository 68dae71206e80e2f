"""Models, errors and settings shared by every layer; imports nothing internal."""

from drafter.core.errors import (
    AuthError,
    ConfigurationError,
    Conflict,
    DrafterError,
    Forbidden,
    ImportFailed,
    ImportProblem,
    InvalidInput,
    NotFound,
    Unauthenticated,
    Unavailable,
)
from drafter.core.settings import Settings

__all__ = [
    "AuthError",
    "ConfigurationError",
    "Conflict",
    "DrafterError",
    "Forbidden",
    "ImportFailed",
    "ImportProblem",
    "InvalidInput",
    "NotFound",
    "Settings",
    "Unauthenticated",
    "Unavailable",
]
