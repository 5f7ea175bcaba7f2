"""Cursor lists without page numbers (async actions): the :class:`EndDateCursor` strategy and its planner.

The next request sends ``end_date`` = the ``created_at`` of the last item seen; pages are
inherently sequential. Datetimes go out in UTC with milliseconds
(:class:`~voucherify_ext.instants.Instant`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable, Mapping
from typing import Any

import attrs
from dateutil.parser import isoparse

from voucherify_ext.instants import Instant, to_instant
from voucherify_ext.logs import logger
from voucherify_ext.pagination.drift import OnDrift, PaginationDriftWarning
from voucherify_ext.pagination.pages import (
    MAX_PAGE_SIZE,
    KeyFn,
    Page,
    PageRequest,
    Planner,
    RawPage,
    Step,
    Verdict,
)

__all__ = ["EndDateCursor"]


def _optional_instant(value: datetime.datetime | datetime.date | str | None) -> Instant | None:
    return None if value is None else to_instant(value)


def _default_cursor(item: Any) -> Instant | None:
    value = item.get("created_at") if isinstance(item, Mapping) else getattr(item, "created_at", None)
    if isinstance(value, str):
        try:
            value = isoparse(value)
        except ValueError:
            return None
    return Instant.of(value) if isinstance(value, datetime.datetime) else None


@attrs.frozen
class EndDateCursor:
    """Cursor lists without page numbers (async actions): the next request sends
    ``end_date`` = the ``created_at`` of the last item. Stops when ``has_more`` is false, on a
    short or empty page, or when the cursor stops moving. Items at the boundary timestamp that
    come back again are dropped by id (only the boundary's ids are kept, so memory is flat).
    Pages are inherently sequential, so ``prefetch`` has no effect.

    ``end_date`` (a datetime, a date, or an ISO 8601 string) starts the walk before that
    instant instead of at the newest item. Datetimes are sent in UTC with milliseconds
    (:class:`Instant`).
    """

    end_date: Instant | None = attrs.field(default=None, converter=_optional_instant)
    cursor_param: str = "end_date"
    limit_param: str = "limit"
    max_page_size: int = MAX_PAGE_SIZE
    cursor_of: Callable[[Any], Any] = _default_cursor

    def planner(
        self,
        *,
        page_size: int,
        max_items: int | None,
        key: KeyFn,
        params: Mapping[str, Any] | None = None,
        on_drift: OnDrift = "warn",
    ) -> Planner:
        # newest first by creation time, a key that never changes: pages cannot drift
        return _CursorPlanner(self, page_size, max_items, key)


def _cursor_text(cursor: object) -> str | None:
    if cursor is None:
        return None
    if isinstance(cursor, datetime.datetime):
        return Instant.of(cursor).isoformat()
    return str(cursor)


class _CursorPlanner:
    def __init__(self, strategy: EndDateCursor, page_size: int, max_items: int | None, key: KeyFn) -> None:
        self.s = strategy
        self.size = page_size
        self.max_items = max_items
        self.key = key
        self.cursor: Any = strategy.end_date
        self.boundary: set[Hashable] = set()
        self.waiting = False
        self.done = max_items == 0
        self.yielded = 0
        self.pages = 0
        self.drift: list[PaginationDriftWarning] = []

    def next_request(self) -> PageRequest | None:
        if self.done or self.waiting:
            return None
        self.waiting = True
        params: dict[str, Any] = {self.s.limit_param: self.size}
        if self.cursor is not None:
            params[self.s.cursor_param] = self.cursor
        return PageRequest(params)

    def accept(self, raw: RawPage) -> Step:
        self.waiting = False
        self.pages += 1
        items = [item for item in raw.items if self.key(item) not in self.boundary or self.key(item) is None]
        if self.max_items is not None:
            items = items[: self.max_items - self.yielded]
        self.yielded += len(items)
        previous = self.cursor
        if raw.items:
            self.cursor = self.s.cursor_of(raw.items[-1])
            self.boundary = {
                k
                for item in raw.items
                if self.s.cursor_of(item) == self.cursor and (k := self.key(item)) is not None
            }
        page = Page(
            items=items, number=None, total=raw.total, cursor=_cursor_text(self.cursor), has_more=raw.has_more
        )
        emit = bool(items) or self.pages == 1
        finished = (
            (self.max_items is not None and self.yielded >= self.max_items)
            or not raw.items
            or raw.has_more is False
            or len(raw.items) < self.size
            or self.cursor is None
        )
        if not finished and self.cursor == previous:
            logger.warning(
                "the %s cursor did not move (%s); stopping", self.s.cursor_param, _cursor_text(self.cursor)
            )
            finished = True
        self.done = finished
        return Step(page, Verdict.DONE if finished else Verdict.MORE, emit)

    def limit_error(self) -> BaseException:  # pragma: no cover - cursor lists have no ceiling
        raise AssertionError("a cursor list has no page limit")
