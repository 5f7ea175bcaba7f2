"""What the async-actions resource checks and derives without I/O: the action id, the starting
``end_date`` of a list, the list's strategy, and the progress callback of a wait."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from voucherify_client.models import AsyncActionGetResponseBody

from voucherify_ext.async_actions.states import action_state
from voucherify_ext.errors import InputTypeError, ValidationError
from voucherify_ext.instants import Instant, to_instant
from voucherify_ext.pagination import EndDateCursor

__all__ = ["EndDate", "action_id", "end_date_strategy", "list_kwargs", "progress_reporter"]

EndDate = datetime.datetime | datetime.date | str
"""A starting ``end_date``: a datetime (naive = UTC), a date, or an ISO 8601 string."""


def progress_reporter(
    on_progress: Callable[[int], None] | None,
) -> Callable[[AsyncActionGetResponseBody], None] | None:
    """An ``on_poll`` callback that calls ``on_progress(progress)`` whenever ``progress``
    (0-100; 100 once the action is done) changes; None without ``on_progress``."""
    if on_progress is None:
        return None
    last: list[int] = []

    def report(action: AsyncActionGetResponseBody) -> None:
        progress = action.progress if isinstance(action.progress, int) else 0
        if action_state(action) != "pending":
            progress = 100 if action_state(action) == "done" else progress
        if not last or last[0] != progress:
            last[:] = [progress]
            on_progress(progress)

    return report


def _end_date(value: EndDate | None) -> Instant | None:
    """``end_date`` as an instant; anything else is a :class:`ValidationError` (not the raw
    ``ValueError``/``OverflowError``/``TypeError`` of the parsers)."""
    if value is None:
        return None
    if not isinstance(value, datetime.date | str):
        raise InputTypeError(
            "end_date must be a datetime, a date or an ISO 8601 string, "
            f"got {type(value).__name__} {value!r}",
            path="end_date",
        )
    try:
        return to_instant(value)
    except (ValueError, OverflowError, TypeError) as exc:
        raise ValidationError(
            f"end_date {value!r} is not an ISO 8601 date or time (e.g. '2026-11-28T12:00:00Z'): {exc}",
            path="end_date",
        ) from None


def list_kwargs(limit: int, end_date: EndDate | None) -> dict[str, Any]:
    """The query of one list page."""
    kwargs: dict[str, Any] = {"limit": limit}
    instant = _end_date(end_date)
    if instant is not None:
        kwargs["end_date"] = instant
    return kwargs


def end_date_strategy(end_date: EndDate | None) -> EndDateCursor:
    """The cursor strategy of an iteration that starts before ``end_date``."""
    return EndDateCursor(end_date=_end_date(end_date))


def action_id(value: object) -> str:
    """Refuse an id that would turn ``GET /v1/async-actions/{id}`` into the list endpoint."""
    if not isinstance(value, str) or not value.strip() or "/" in value:
        raise ValidationError(f"async action id must be a non-empty string like 'aa_...', got {value!r}")
    return value
