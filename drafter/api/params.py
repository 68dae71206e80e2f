"""Query parameters shared by several routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query

from drafter.core.errors import InvalidInput

Start = Annotated[datetime | None, Query(alias="from", description="Start, inclusive (ISO 8601 with a zone)")]
End = Annotated[datetime | None, Query(alias="to", description="End, exclusive (ISO 8601 with a zone)")]


def window(start: datetime | None, end: datetime | None) -> tuple[datetime | None, datetime | None]:
    """A time window from `from` and `to`; both need a zone, and `to` comes after `from`."""
    for name, value in (("from", start), ("to", end)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(f"{name} needs a time zone, e.g. 2026-11-22T00:00:00+08:00", field=name)
    if start is not None and end is not None and end <= start:
        raise InvalidInput("to must be after from", field="to")
    return start, end
