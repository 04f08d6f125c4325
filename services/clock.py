"""The services' notion of now: naive UTC, as every table stores times."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """The current time in UTC without a time zone."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


_last_text: tuple[dt.datetime | None, str] = (None, "")


def iso_text(value: dt.datetime) -> str:
    """``value.isoformat(" ", "microseconds")`` of a naive ``datetime``, the last one remembered.

    ``isoformat`` formats each field through C's ``printf``, some 8,000
    instructions a time, and a sale's time is written out several times: into
    its request's fingerprint (the wire's text), then into its order's and
    payment's rows (SQLite's text). Datetimes are immutable, so the text of the
    last one asked for is kept, and a second ask costs a comparison.
    """
    global _last_text
    seen, made = _last_text  # one tuple: threads see a pair that belongs together
    if value is not seen:
        made = value.isoformat(" ", "microseconds")
        _last_text = (value, made)
    return made
