"""Changed-since reads: :class:`AsyncChangedSince` (``vf.orders.iter(updated_since=...)`` or
``created_since=...`` of :class:`~voucherify_ext.AsyncVoucherify`).

The one source; ``changed_since_sync.py`` is generated from it by ``scripts/unasync.py``.

How it reads (docs/pagination.md, "Changed-since reads"):

* ``created_since``: one pass sorted by ``-created_at``, stopping at the first older order.
* ``updated_since``: two passes. An order never updated has ``updated_at: null`` and counts by
  its ``created_at``; the API documents no place for nulls in a sort by ``updated_at``, so one
  ``-updated_at`` pass cannot be trusted to hold them in the right place. Pass one reads the
  orders created since (``-created_at``), pass two the ones updated since (``-updated_at``,
  skipping nulls, stopping at the first order *updated* before ``since``).
* Each id is yielded once (orders move to the front while it pages: repeats are dropped). An
  order updated *during* the read may be missed by it, but never by the next read from
  :attr:`AsyncChangedSince.watermark`: the server's time (its ``Date`` header) at the first
  response, minus ``skew``.
* Past the list's ceiling (page 100): ``beyond_list="export"`` reads the rest from an orders
  export filtered on the same times (rows: :class:`~voucherify_ext.orders.export_row.OrderExportRow`,
  no items); otherwise :class:`~voucherify_ext.ChangedSinceLimitError`.
"""

from __future__ import annotations

import datetime
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
)  # unasync: from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime
from typing import Any, Literal

from voucherify_client.api.orders import list_orders
from voucherify_client.client import AuthenticatedClient
from voucherify_client.models.orders_list_response_body import OrdersListResponseBody

from voucherify_ext.errors import ChangedSinceLimitError, ConfigurationError
from voucherify_ext.exports import acreate_export
from voucherify_ext.orders.export_row import (
    EXPORT_ROW_FIELDS,
    OrderExportRow,
    changed_filters,
    row_changed_since,
)
from voucherify_ext.orders.list_strategy import MAX_LIST_PAGE, Order, order_param
from voucherify_ext.pagination import MAX_PAGE_SIZE
from voucherify_ext.responses import acall, unwrap

__all__ = ["DEFAULT_SKEW", "AsyncChangedSince"]  # unasync: __all__ = ["DEFAULT_SKEW", "ChangedSince"]

#: how far the watermark is set back from the server's time (its Date header has whole seconds)
DEFAULT_SKEW = datetime.timedelta(seconds=5)
BeyondList = Literal["raise", "export"]
Sleep = Callable[[float], Awaitable[None]]  # unasync: Sleep = Callable[[float], None]


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _aware(value: datetime.datetime, name: str) -> datetime.datetime:
    if not isinstance(value, datetime.datetime):
        raise ConfigurationError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None:
        raise ConfigurationError(f"{name} must be timezone-aware (e.g. tzinfo=UTC), got {value!r}")
    return value


def _when(value: Any) -> datetime.datetime | None:
    return value if isinstance(value, datetime.datetime) else None


class AsyncChangedSince:
    """The orders created (``field="created_at"``) or created or updated (``"updated_at"``)
    at or after ``since``, each id once; then :attr:`watermark`, the ``since`` of the next read.

    Yields :class:`~voucherify_ext.orders.list_strategy.Order` models, and past the list's
    ceiling (with ``beyond_list="export"``) :class:`OrderExportRow` dicts (no items)."""

    def __init__(
        self,
        client: AuthenticatedClient,
        *,
        since: datetime.datetime,
        field: Literal["created_at", "updated_at"],
        page_size: int = MAX_PAGE_SIZE,
        skew: datetime.timedelta = DEFAULT_SKEW,
        beyond_list: BeyondList = "raise",
        sleep: Sleep,
        clock: Callable[[], float],
        now: Callable[[], datetime.datetime] = _utc_now,
    ) -> None:
        name = "updated_since" if field == "updated_at" else "created_since"
        self.since = _aware(since, name)
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ConfigurationError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size!r}")
        if beyond_list not in ("raise", "export"):
            raise ConfigurationError(f"beyond_list must be 'raise' or 'export', got {beyond_list!r}")
        self.field = field
        self.page_size = page_size
        self.skew = skew
        self.beyond_list = beyond_list
        self._client = client
        self._sleep = sleep
        self._clock = clock
        self._now = now
        self._seen: set[str] = set()
        #: the ``since`` of the next read (server time at the first response, minus ``skew``);
        #: None until the first page has been read
        self.watermark: datetime.datetime | None = None
        #: ``"list"`` or, once the ceiling was passed, ``"export"``
        self.source: Literal["list", "export"] = "list"
        #: requests sent to the list endpoint
        self.pages_read = 0
        #: orders (and export rows) yielded so far
        self.yielded = 0

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.field} since {self.since.isoformat()}>"

    def __aiter__(self) -> AsyncIterator[Order | OrderExportRow]:
        return self._run()

    async def _run(self) -> AsyncIterator[Order | OrderExportRow]:
        passes: list[Literal["created_at", "updated_at"]] = ["created_at"]
        if self.field == "updated_at":
            passes.append("updated_at")
        for sort in passes:
            async for order in self._walk(sort):
                self.yielded += 1
                yield order
            if self.source == "export":
                async for row in self._export():
                    self.yielded += 1
                    yield row
                return

    async def _page(self, sort: str, page: int) -> OrdersListResponseBody:
        response = await acall(
            list_orders.asyncio_detailed,
            client=self._client,
            limit=self.page_size,
            page=page,
            order=order_param(f"-{sort}"),
        )
        self.pages_read += 1
        if self.watermark is None:
            self.watermark = self._server_time(response.headers.get("date")) - self.skew
        return unwrap(response, OrdersListResponseBody)

    def _server_time(self, date: str | None) -> datetime.datetime:
        if date:
            try:
                return parsedate_to_datetime(date).astimezone(datetime.UTC)
            except (TypeError, ValueError):
                pass
        return self._now()

    async def _walk(self, sort: Literal["created_at", "updated_at"]) -> AsyncIterator[Order]:
        for page in range(1, MAX_LIST_PAGE + 1):
            body = await self._page(sort, page)
            for order in body.orders:
                when = _when(getattr(order, sort, None))
                if sort == "updated_at" and when is None:
                    continue  # never updated: counted by created_at, in the first pass
                if when is None or when < self.since:
                    return
                order_id = order.id if isinstance(order.id, str) else repr(order)
                if order_id in self._seen:
                    continue
                self._seen.add(order_id)
                yield order
            if len(body.orders) < self.page_size:
                return
        self._at_ceiling(sort)

    def _at_ceiling(self, sort: str) -> None:
        if self.beyond_list == "export":
            self.source = "export"
            return
        reach = MAX_LIST_PAGE * self.page_size
        raise ChangedSinceLimitError(
            f"More orders changed since {self.since.isoformat()} than the list endpoint reaches: it "
            f"stops at page {MAX_LIST_PAGE} ({reach} orders sorted by -{sort} at limit {self.page_size}).",
            remedy=(
                "Pass beyond_list='export' to read the rest from a filtered orders export (rows with "
                f"these fields only, no items: {', '.join(EXPORT_ROW_FIELDS)}), or read from a later "
                "point in time."
            ),
            yielded=len(self._seen),
            page_size=self.page_size,
            total=None,
            max_page=MAX_LIST_PAGE,
        )

    async def _export(self) -> AsyncIterator[OrderExportRow]:
        updated = self.field == "updated_at"
        handle = await acreate_export(
            self._client,
            fields=list(EXPORT_ROW_FIELDS),
            filters=changed_filters(self.since, updated=updated),
            order=f"-{self.field}",
            wait=True,
            timeout=None,
            sleep=self._sleep,
            clock=self._clock,
        )
        async for row in handle.iter_rows():
            typed: OrderExportRow = row  # type: ignore[assignment]  # parse_row types the columns
            order_id = typed.get("id")
            if not isinstance(order_id, str) or order_id in self._seen:
                continue
            if not row_changed_since(typed, self.since, updated=updated):
                continue
            self._seen.add(order_id)
            yield typed
