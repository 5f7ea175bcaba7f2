"""Lazy iteration over Voucherify's list endpoints, for any generated list operation.

::

    for order in iter_orders(vf.client):                      # every order, oldest first
        ...
    with iter_orders(vf.client, prefetch=4) as orders:        # up to 4 requests in flight
        for order in orders: ...
    it = paginate(list_orders.sync_detailed, vf.client, data_ref="orders",
                  params={"order": ParameterOrderListOrders.CREATED_AT}, page_size=50)
    it = paginate(list_async_actions.sync_detailed, vf.client, data_ref="async_actions",
                  strategy=EndDateCursor())

The generic :func:`paginate` / :func:`apaginate` take a generated ``sync_detailed`` /
``asyncio_detailed`` list function, the client, and the name of the envelope's list field
(``data_ref``); a *strategy* says how to reach the next page: :class:`PageNumbers`
(``page``/``limit``, orders and exports) or :class:`EndDateCursor` (``end_date`` = the
``created_at`` of the last item, async actions). Each page is parsed through
:func:`voucherify_ext.responses.unwrap`, so failures are typed errors; retries and rate
limiting come from the client's transport, per page.

Page-numbered lists stop at page 100 (``page`` is 1-100): past ``100 × page_size`` items the
iteration raises :class:`PaginationLimitError` instead of the API's opaque 400. Items already
yielded in the iteration are not yielded again (orders created while iterating shift page
boundaries): the iteration keeps the ids it yielded, at most 10,000 for a page-numbered list.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Hashable, Mapping
from typing import Any

import attrs
from dateutil.parser import isoparse
from voucherify_client.api.orders import list_orders
from voucherify_client.client import AuthenticatedClient
from voucherify_client.models.orders_list_response_body import OrdersListResponseBody
from voucherify_client.models.orders_list_response_body_item import OrdersListResponseBodyItem
from voucherify_client.models.parameter_order_list_orders import ParameterOrderListOrders

from voucherify_ext.errors import ConfigurationError, PaginationLimitError
from voucherify_ext.logs import logger
from voucherify_ext.pagination.drift import DriftWatch, OnDrift, PaginationDriftError, PaginationDriftWarning
from voucherify_ext.pagination.paginator import (
    AsyncPageIterator,
    AsyncPaginator,
    KeyFn,
    Page,
    PageIterator,
    PageRequest,
    PaginationStrategy,
    Paginator,
    Planner,
    RawPage,
    Step,
    Verdict,
)

__all__ = [
    "AsyncPageIterator",
    "AsyncPaginator",
    "EndDateCursor",
    "Instant",
    "Page",
    "PageIterator",
    "PageNumbers",
    "PaginationDriftError",
    "PaginationDriftWarning",
    "PaginationLimitError",
    "PaginationStrategy",
    "Paginator",
    "aiter_order_pages",
    "aiter_orders",
    "apaginate",
    "iter_order_pages",
    "iter_orders",
    "paginate",
]


MAX_PAGE_SIZE = 100
ORDER_VALUES = tuple(member.value for member in ParameterOrderListOrders)


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


# -- strategies ----------------------------------------------------------------------------------


_DRIFT_REMEDY = (
    "To read every item, iterate by created_at (an item's creation time never changes) or read "
    "the list another way (an export)."
)


@attrs.frozen
class PageNumbers:
    """``page``/``limit`` lists (orders, exports): pages 1..``max_page``.

    Once the first page reports ``total``, the remaining page numbers are known, so up to
    ``prefetch`` of them can be fetched at once. Stops on a short page, an empty page, or when
    ``total`` is covered; raises :class:`PaginationLimitError` when items remain past
    ``max_page``. ``noun`` and ``remedy`` shape that error's message.

    Drift (:mod:`voucherify_ext.pagination.drift`): the sort is read from the caller's
    ``params[order_param]``; ``fixed_keys`` are the sort keys an item never changes (repeats
    under them are new items, not skips); ``drift_remedy`` ends every drift message. A
    ``total`` behind the pages (more items served than it counts) is reported and no longer used
    to stop: pages are then read until a short or empty one.
    """

    max_page: int = 100
    page_param: str = "page"
    limit_param: str = "limit"
    max_page_size: int = MAX_PAGE_SIZE
    noun: str = "items"
    remedy: str = "Use an export to read every item"
    order_param: str = "order"
    fixed_keys: frozenset[str] = frozenset({"created_at"})
    drift_remedy: str = _DRIFT_REMEDY

    def planner(
        self,
        *,
        page_size: int,
        max_items: int | None,
        key: KeyFn,
        params: Mapping[str, Any] | None = None,
        on_drift: OnDrift = "warn",
    ) -> Planner:
        watch = DriftWatch(
            order=(params or {}).get(self.order_param),
            fixed_keys=self.fixed_keys,
            on_drift=on_drift,
            noun=self.noun,
            remedy=self.drift_remedy,
            total_remedy=f"{self.remedy}.",
        )
        return _PageNumberPlanner(self, page_size, max_items, key, watch)


class _PageNumberPlanner:
    def __init__(
        self, strategy: PageNumbers, page_size: int, max_items: int | None, key: KeyFn, watch: DriftWatch
    ) -> None:
        self.s = strategy
        self.size = page_size
        self.max_items = max_items
        self.key = key
        self.watch = watch
        self.next_number = 1
        self.received = 0
        self.last_page: int | None = None  # by the latest total
        self.total: int | None = None
        self.total_trusted = True  # False once a page served more items than its total counts
        self.seen: set[Hashable] = set()
        self.skipped = 0
        self.yielded = 0

    @property
    def drift(self) -> list[PaginationDriftWarning]:
        return self.watch.events

    def next_request(self) -> PageRequest | None:
        n = self.next_number
        if n > self.s.max_page:
            return None
        if n > self.received + 1 and (self.last_page is None or n > self.last_page):
            return None  # not known to exist yet
        if self.max_items is not None and (n - 1) * self.size >= self.max_items + self.skipped:
            return None  # cannot be needed
        self.next_number += 1
        return PageRequest({self.s.page_param: n, self.s.limit_param: self.size}, n)

    def accept(self, raw: RawPage) -> Step:
        number = raw.request.number or self.received + 1
        self.received = number
        served = (number - 1) * self.size + len(raw.items)  # positions read so far (earlier pages were full)
        self.watch.total(number, raw.arrival, raw.total)
        if raw.total is not None:
            self.total = raw.total
            if self.total_trusted and served > raw.total:
                self.total_trusted = False
                self.last_page = None
                self.watch.contradicted(
                    number,
                    served - raw.total,
                    f"page {number} brought the {self.s.noun} served to {served} although total="
                    f"{raw.total}: the total is behind the pages, so it is no longer used to stop; "
                    f"pages are read until a short or empty one.",
                )
            if self.total_trusted:
                self.last_page = math.ceil(raw.total / self.size)
        items = _dedupe(raw.items, self.key, self.seen)
        repeated = len(raw.items) - len(items)
        self.skipped += repeated
        self.watch.repeats(number, repeated)
        if self.max_items is not None:
            items = items[: self.max_items - self.yielded]
        self.yielded += len(items)
        page = Page(items=items, number=number, total=raw.total)
        emit = bool(items) or number == 1
        if self.max_items is not None and self.yielded >= self.max_items:
            return Step(page, Verdict.DONE, emit)
        if len(raw.items) < self.size:
            if raw.total is not None and self.total_trusted and served < raw.total:
                message = (
                    f"page {number} held {len(raw.items)} of {self.size} items although total="
                    f"{raw.total} promised more; stopping there (the API serves an empty page past "
                    f"the end), so up to {raw.total - served} {self.s.noun} may not have been yielded."
                )
                self.watch.contradicted(number, raw.total - served, message)
            return Step(page, Verdict.DONE, emit)
        if raw.total is not None and self.total_trusted and number * self.size >= raw.total:
            return Step(page, Verdict.DONE, emit)
        if number >= self.s.max_page:
            return Step(page, Verdict.LIMIT, emit)
        return Step(page, Verdict.MORE, emit)

    def limit_error(self) -> PaginationLimitError:
        s, size = self.s, self.size
        ceiling = s.max_page * size
        of = f"{self.yielded:,} of {self.total:,}" if self.total is not None else f"{self.yielded:,}"
        larger = (
            f" A larger page_size (up to {s.max_page_size}) reaches {s.max_page * s.max_page_size:,}."
            if size < s.max_page_size
            else ""
        )
        message = (
            f"Voucherify's list endpoint stops at page {s.max_page} ({s.max_page} × page_size={size} "
            f"= {ceiling:,} {s.noun}); {of} yielded. The API accepts page numbers 1-{s.max_page} only, "
            f"so the rest cannot be listed.{larger} {s.remedy}, or pass max_items to stop earlier."
        )
        return PaginationLimitError(
            message, yielded=self.yielded, page_size=size, total=self.total, max_page=s.max_page
        )


def _dedupe(items: list[Any], key: KeyFn, seen: set[Hashable]) -> list[Any]:
    out = []
    for item in items:
        k = key(item)
        if k is not None:
            if k in seen:
                continue
            seen.add(k)
        out.append(item)
    return out


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


# -- the iterators -----------------------------------------------------------------------------------


# -- constructors ------------------------------------------------------------------------------------

_DEFAULT_STRATEGY = PageNumbers()


def paginate(
    list_fn: Callable[..., Any],
    client: Any,
    *,
    data_ref: str,
    strategy: PaginationStrategy = _DEFAULT_STRATEGY,
    page_size: int = MAX_PAGE_SIZE,
    params: Mapping[str, Any] | None = None,
    max_items: int | None = None,
    prefetch: int = 1,
    key: KeyFn | None = None,
    envelope: type[Any] | None = None,
    on_drift: OnDrift = "warn",
) -> Paginator[Any]:
    """Iterate a generated list operation (a ``sync_detailed`` function) lazily.

    ``data_ref`` names the envelope's list field (``"orders"``, ``"exports"``,
    ``"async_actions"``); ``params`` are sent with every page (``order``, filters);
    ``key`` gives an item's identity for
    de-duplication (default: its ``id``); ``envelope`` is the success model (default: read from
    ``list_fn``'s return annotation). ``prefetch`` is the number of pages in flight at once.
    ``on_drift`` says what happens when the list changes under the iteration so that items may
    be skipped (:mod:`voucherify_ext.pagination.drift`): ``"warn"`` (a :class:`PaginationDriftWarning`),
    ``"raise"`` (:class:`PaginationDriftError`) or ``"ignore"``; ``iterator.drift`` lists them.
    """
    return Paginator(
        list_fn,
        client,
        data_ref=data_ref,
        strategy=strategy,
        page_size=page_size,
        params=params,
        max_items=max_items,
        prefetch=prefetch,
        key=key,
        envelope=envelope,
        on_drift=on_drift,
    )


def apaginate(
    list_fn: Callable[..., Any],
    client: Any,
    *,
    data_ref: str,
    strategy: PaginationStrategy = _DEFAULT_STRATEGY,
    page_size: int = MAX_PAGE_SIZE,
    params: Mapping[str, Any] | None = None,
    max_items: int | None = None,
    prefetch: int = 1,
    key: KeyFn | None = None,
    envelope: type[Any] | None = None,
    on_drift: OnDrift = "warn",
) -> AsyncPaginator[Any]:
    """The async twin of :func:`paginate`, for ``asyncio_detailed`` functions."""
    return AsyncPaginator(
        list_fn,
        client,
        data_ref=data_ref,
        strategy=strategy,
        page_size=page_size,
        params=params,
        max_items=max_items,
        prefetch=prefetch,
        key=key,
        envelope=envelope,
        on_drift=on_drift,
    )


# -- orders ------------------------------------------------------------------------------------------

ORDERS_DRIFT_REMEDY = (
    "To read every order, iterate by order='created_at' (an order's creation time never changes), "
    "read them all with vf.orders.export(...), or read only the orders changed since a point in "
    "time (changed-since reads, once available); see Drift in docs/pagination.md."
)
ORDERS_STRATEGY = PageNumbers(
    noun="orders",
    remedy="Use vf.orders.export(...) to read every order (an export has no such limit)",
    drift_remedy=ORDERS_DRIFT_REMEDY,
)
Order = OrdersListResponseBodyItem


def _order_param(order: str | ParameterOrderListOrders) -> ParameterOrderListOrders:
    if order not in ORDER_VALUES:
        raise ConfigurationError(f"order must be one of {', '.join(ORDER_VALUES)}, got {order!r}")
    return ParameterOrderListOrders(order)


def iter_orders(
    client: AuthenticatedClient,
    *,
    order: str | ParameterOrderListOrders = "created_at",
    page_size: int = MAX_PAGE_SIZE,
    max_items: int | None = None,
    prefetch: int = 1,
    on_drift: OnDrift = "warn",
) -> Paginator[Order]:
    """Every order, lazily (``vf.orders.iter``). ``order`` is always sent; the default, oldest
    first, puts orders created during the iteration at its end. At most
    ``100 × page_size`` orders are reachable: past that, :class:`PaginationLimitError`.
    Iterating by ``updated_at`` while orders are updated skips orders: that is detected and
    reported as ``on_drift`` says (:class:`PaginationDriftWarning` by default)."""
    return paginate(
        list_orders.sync_detailed,
        client,
        data_ref="orders",
        strategy=ORDERS_STRATEGY,
        page_size=page_size,
        params={"order": _order_param(order)},
        max_items=max_items,
        prefetch=prefetch,
        envelope=OrdersListResponseBody,
        on_drift=on_drift,
    )


def iter_order_pages(
    client: AuthenticatedClient,
    *,
    order: str | ParameterOrderListOrders = "created_at",
    page_size: int = MAX_PAGE_SIZE,
    max_items: int | None = None,
    prefetch: int = 1,
    on_drift: OnDrift = "warn",
) -> PageIterator[Order]:
    """Pages of orders (``vf.orders.iter_pages``): ``page.items``, ``page.number``, ``page.total``."""
    return iter_orders(
        client, order=order, page_size=page_size, max_items=max_items, prefetch=prefetch, on_drift=on_drift
    ).pages()


def aiter_orders(
    client: AuthenticatedClient,
    *,
    order: str | ParameterOrderListOrders = "created_at",
    page_size: int = MAX_PAGE_SIZE,
    max_items: int | None = None,
    prefetch: int = 1,
    on_drift: OnDrift = "warn",
) -> AsyncPaginator[Order]:
    """The async twin of :func:`iter_orders` (``AsyncVoucherify.orders.iter``)."""
    return apaginate(
        list_orders.asyncio_detailed,
        client,
        data_ref="orders",
        strategy=ORDERS_STRATEGY,
        page_size=page_size,
        params={"order": _order_param(order)},
        max_items=max_items,
        prefetch=prefetch,
        envelope=OrdersListResponseBody,
        on_drift=on_drift,
    )


def aiter_order_pages(
    client: AuthenticatedClient,
    *,
    order: str | ParameterOrderListOrders = "created_at",
    page_size: int = MAX_PAGE_SIZE,
    max_items: int | None = None,
    prefetch: int = 1,
    on_drift: OnDrift = "warn",
) -> AsyncPageIterator[Order]:
    """The async twin of :func:`iter_order_pages`."""
    return aiter_orders(
        client, order=order, page_size=page_size, max_items=max_items, prefetch=prefetch, on_drift=on_drift
    ).pages()
