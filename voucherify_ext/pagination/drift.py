"""Telling when a page-numbered iteration cannot be trusted: the list moved under it.

Page numbers are positions in a sorted list. When items change position between two page
reads, a position-based walk skips some items and repeats others; repeats are dropped by id,
skips cannot be seen directly. What *can* be seen, and what this module watches:

* **repeats**: an item yielded on an earlier page comes back. Under a sort key that items
  change (``updated_at``, ``status``), this is the footprint of a skip: in an iteration that runs
  to its end, with no item removed, exactly as many items that exist at the end were not
  yielded as were repeated (every position is read once, so ``positions read = total``, and
  ``distinct = positions read - repeats``). Under ``created_at``, which never changes, a repeat
  is an item created before the cursor (descending: a new order) and skips nothing;
* **totals that go down**: positions moved back (items removed, or, with ``prefetch > 1``,
  pages served in another order than they are read), so an item may have slipped behind the
  cursor; in ascending ``created_at`` order only a decrease in the order the pages were *served*
  counts (new items land at the end and shift nothing);
* **totals that contradict the pages**: more items served than ``total`` says exist, or a short
  page although ``total`` promises more.

Each finding is a :class:`PaginationDriftWarning` (``on_drift="warn"``, the default: issued once
per iteration, at the caller's line; every finding is also logged on the ``voucherify`` logger),
a :class:`PaginationDriftError` (``on_drift="raise"``: the iteration stops there) or only
recorded (``on_drift="ignore"``); the iterator's ``drift`` attribute lists them all.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal

from voucherify_ext.caller_warnings import warn_at_caller
from voucherify_ext.errors import VoucherifyError
from voucherify_ext.logs import logger

__all__ = [
    "ON_DRIFT",
    "DriftWatch",
    "OnDrift",
    "PaginationDriftError",
    "PaginationDriftWarning",
]

OnDrift = Literal["warn", "raise", "ignore"]
ON_DRIFT: tuple[str, ...] = ("warn", "raise", "ignore")

#: the kinds of finding
REPEAT = "repeat"
TOTAL_DOWN = "total_down"
TOTAL_CONTRADICTED = "total_contradicted"


class PaginationDriftWarning(UserWarning):
    """The list changed under a page-numbered iteration: items may have been skipped.

    ``kind`` is ``"repeat"`` (items already yielded came back: items moved across a page
    boundary), ``"total_down"`` (the list's ``total`` went down between pages) or
    ``"total_contradicted"`` (the pages and ``total`` disagree); ``page`` is the page number
    where it was seen; ``order`` the sort the iteration used (None when none was sent);
    ``count`` the number of items concerned (repeats, the drop of the total, or the surplus).
    """

    def __init__(
        self, message: str, *, kind: str = REPEAT, page: int = 0, order: str | None = None, count: int = 0
    ) -> None:
        self.message = message
        self.kind = kind
        self.page = page
        self.order = order
        self.count = count
        super().__init__(message)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        fields = {"kind": self.kind, "page": self.page, "order": self.order, "count": self.count}
        return (_rebuild_warning, (self.message, fields))


def _rebuild_warning(message: str, fields: dict[str, Any]) -> PaginationDriftWarning:
    return PaginationDriftWarning(message, **fields)


class PaginationDriftError(VoucherifyError):
    """``on_drift="raise"``: the iteration stopped because the list changed under it (see
    :class:`PaginationDriftWarning` for ``kind``, ``page``, ``order`` and ``count``). Items of
    earlier pages have been yielded; those of the page where the drift was seen have not."""

    def __init__(
        self, message: str, *, kind: str = REPEAT, page: int = 0, order: str | None = None, count: int = 0
    ) -> None:
        self.kind = kind
        self.page = page
        self.order = order
        self.count = count
        super().__init__(message)


def _sort_text(value: Any) -> str | None:
    if value is None:
        return None
    text = getattr(value, "value", value)
    return text if isinstance(text, str) else str(text)


class DriftWatch:
    """One iteration's drift detector, fed every accepted page in page order.

    ``order`` is the sort sent with every page (``"updated_at"``, ``"-created_at"``...);
    ``fixed_keys`` are the sort keys an item never changes (``created_at``); ``noun``,
    ``remedy`` (after a drift) and ``total_remedy`` (after a contradicting total) shape the
    messages.
    """

    def __init__(
        self,
        *,
        order: Any,
        fixed_keys: Collection[str],
        on_drift: OnDrift,
        noun: str,
        remedy: str,
        total_remedy: str = "",
    ) -> None:
        self.order = _sort_text(order)
        key = self.order.lstrip("-") if self.order is not None else None
        self.descending = bool(self.order) and self.order is not None and self.order.startswith("-")
        self.fixed = key is not None and key in fixed_keys
        self.on_drift = on_drift
        self.noun = noun
        self.remedy = remedy
        self.total_remedy = total_remedy
        self.events: list[PaginationDriftWarning] = []
        self._warned = False
        self._served: list[tuple[int, int, int]] = []  # (arrival, page, total) of accepted pages
        self._previous: tuple[int, int] | None = None  # (page, total) of the previous page in order

    # -- findings ---------------------------------------------------------------------------

    def repeats(self, page: int, count: int) -> None:
        """``count`` items of ``page`` had been yielded before."""
        if count <= 0 or self.fixed:
            return  # under a key that never changes, a repeat is an item created before the cursor
        sort = f"order={self.order!r}" if self.order is not None else "the server's default order"
        self._report(
            REPEAT,
            page,
            count,
            f"page {page} repeated {count} {self.noun} already yielded: {self.noun} changed position "
            f"while iterating by {sort} (a change to the sort field moves an item), so {self.noun} "
            f"that did not change may have been skipped, with no error from the server (by the end "
            f"of the iteration, as many as were repeated: see the iterator's .drift).",
        )

    def total(self, page: int, arrival: int, total: int | None) -> None:
        """``page`` reported ``total``; ``arrival`` orders the pages by when they were served."""
        if total is None:
            return
        previous, self._previous = self._previous, (page, total)
        served_before = [t for a, _, t in self._served if a < arrival]
        self._served.append((arrival, page, total))
        in_page_order = previous is not None and total < previous[1]
        in_time = bool(served_before) and total < max(served_before)
        if not (in_time or (in_page_order and not (self.fixed and not self.descending))):
            return  # ascending by a fixed key: pages served out of order shift nothing
        higher = max(served_before) if in_time else previous[1] if previous is not None else total
        self._report(
            TOTAL_DOWN,
            page,
            higher - total,
            f"the total went down from {higher} to {total} at page {page}: {self.noun} were removed, "
            f"or pages were served in another order than they are read (prefetch), so up to "
            f"{higher - total} {self.noun} may have slipped behind the iteration and been skipped.",
        )

    def contradicted(self, page: int, count: int, message: str) -> None:
        """The pages and the ``total`` disagree (the server's count is not the list's length)."""
        self._report(TOTAL_CONTRADICTED, page, count, message, self.total_remedy)

    # -- reporting --------------------------------------------------------------------------

    def _report(self, kind: str, page: int, count: int, text: str, remedy: str | None = None) -> None:
        remedy = self.remedy if remedy is None else remedy
        message = f"{text} {remedy}".strip()
        event = PaginationDriftWarning(message, kind=kind, page=page, order=self.order, count=count)
        self.events.append(event)
        logger.info("pagination drift: %s", message)
        if self.on_drift == "raise":
            raise PaginationDriftError(message, kind=kind, page=page, order=self.order, count=count)
        if self.on_drift == "warn" and not self._warned:
            self._warned = True
            warn_at_caller(event)
