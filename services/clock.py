"""The services' notion of now: naive UTC, as every table stores times."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """The current time in UTC without a time zone."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
