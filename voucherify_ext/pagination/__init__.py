"""Generic lazy iteration over Voucherify's list endpoints, for any generated list operation.

::

    it = paginate(list_orders.sync_detailed, vf.client, data_ref="orders",
                  params={"order": ParameterOrderListOrders.CREATED_AT}, page_size=50)
    it = paginate(list_async_actions.sync_detailed, vf.client, data_ref="async_actions",
                  strategy=EndDateCursor())

:func:`paginate` / :func:`apaginate` take a generated ``sync_detailed`` / ``asyncio_detailed``
list function, the client, and the name of the envelope's list field (``data_ref``); a
*strategy* says how to reach the next page: :class:`PageNumbers` (``page``/``limit``, orders and
exports) or :class:`EndDateCursor` (``end_date`` = the ``created_at`` of the last item, async
actions). Each page is parsed through :func:`voucherify_ext.responses.unwrap`, so failures are
typed errors; retries and rate limiting come from the client's transport, per page.

The modules: :mod:`~voucherify_ext.pagination.pages` (the page vocabulary and the
:class:`Planner` protocol), :mod:`~voucherify_ext.pagination.page_numbers` and
:mod:`~voucherify_ext.pagination.cursor` (the strategies), :mod:`~voucherify_ext.pagination.drift`
(a list moving under the iteration), ``paginator_async`` (the one source of both paginators;
``paginator_sync`` is generated from it), ``paginator_base`` (what they share), and the two
hand-written prefetch drivers, ``prefetch_threads`` and ``prefetch_tasks``.
"""

from voucherify_ext.errors import PaginationLimitError
from voucherify_ext.instants import Instant
from voucherify_ext.pagination.cursor import EndDateCursor
from voucherify_ext.pagination.drift import OnDrift, PaginationDriftError, PaginationDriftWarning
from voucherify_ext.pagination.page_numbers import PageNumbers
from voucherify_ext.pagination.pages import (
    MAX_PAGE_SIZE,
    KeyFn,
    Page,
    PageRequest,
    PaginationStrategy,
    Planner,
    RawPage,
    Step,
    Verdict,
)
from voucherify_ext.pagination.paginator_async import AsyncPageIterator, AsyncPaginator, apaginate
from voucherify_ext.pagination.paginator_sync import PageIterator, Paginator, paginate

__all__ = [
    "MAX_PAGE_SIZE",
    "AsyncPageIterator",
    "AsyncPaginator",
    "EndDateCursor",
    "Instant",
    "KeyFn",
    "OnDrift",
    "Page",
    "PageIterator",
    "PageNumbers",
    "PageRequest",
    "PaginationDriftError",
    "PaginationDriftWarning",
    "PaginationLimitError",
    "PaginationStrategy",
    "Paginator",
    "Planner",
    "RawPage",
    "Step",
    "Verdict",
    "apaginate",
    "paginate",
]
