"""Instants as Voucherify writes them: UTC, milliseconds, ``Z`` (``2026-11-28T22:48:52.123Z``).

Pure formatting and parsing, no I/O: the cursor of a list (``end_date``) and the polling engine's
messages both use it, so it sits in the bottom layer.
"""

from __future__ import annotations

import datetime

from dateutil.parser import isoparse

__all__ = ["Instant", "format_instant", "to_instant"]


class Instant(datetime.datetime):
    """A UTC datetime whose ``isoformat()`` is Voucherify's own format, milliseconds and ``Z``
    (``2026-11-28T22:48:52.123Z``). The generated client serialises date-time query
    parameters with ``.isoformat()``; a plain aware datetime would go out as
    ``...52.123000+00:00``."""

    @classmethod
    def of(cls, value: datetime.datetime | datetime.date) -> Instant:
        """``value`` in UTC (a naive datetime is taken as UTC; a date as its midnight UTC)."""
        if not isinstance(value, datetime.datetime):
            value = datetime.datetime(value.year, value.month, value.day, tzinfo=datetime.UTC)
        elif value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        utc = value.astimezone(datetime.UTC)
        return cls(
            utc.year,
            utc.month,
            utc.day,
            utc.hour,
            utc.minute,
            utc.second,
            utc.microsecond,
            tzinfo=datetime.UTC,
        )

    def isoformat(self, sep: str = "T", timespec: str = "milliseconds") -> str:
        text = datetime.datetime.isoformat(self.astimezone(datetime.UTC), sep, timespec)
        return text.replace("+00:00", "Z")

    def __str__(self) -> str:
        return self.isoformat()


def to_instant(value: datetime.datetime | datetime.date | str) -> Instant:
    """An :class:`Instant` from a datetime, a date, or an ISO 8601 string (``ValueError``)."""
    if isinstance(value, str):
        value = isoparse(value)
    return Instant.of(value)


def format_instant(value: datetime.datetime) -> str:
    """A timezone-aware (or UTC-naive) datetime as Voucherify writes it: ``...T12:00:00.000Z``."""
    return Instant.of(value).isoformat()
