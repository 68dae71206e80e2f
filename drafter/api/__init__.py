"""The HTTP API (FastAPI)."""

from drafter.api.app import create_app

__all__ = ["create_app"]
