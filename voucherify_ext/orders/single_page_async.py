"""One page of orders, for UIs that page by hand: :func:`alist_page` and :class:`AsyncOrdersPage`
(``vf.orders.list(page=, limit=, order=)`` of :class:`~voucherify_ext.AsyncVoucherify`).

The one source; ``single_page_sync.py`` is generated from it by ``scripts/unasync.py``.
``page`` (1-100), ``limit`` (1-100) and ``order`` are checked before anything is sent
(:class:`~voucherify_ext.ConfigurationError` naming the parameter).
"""

from __future__ import annotations

from typing import Any

import attrs
from voucherify_client.api.orders import list_orders
from voucherify_client.client import AuthenticatedClient
from voucherify_client.models import Error
from voucherify_client.models.orders_list_response_body import OrdersListResponseBody
from voucherify_client.types import Response

from voucherify_ext.orders.list_strategy import MAX_LIST_PAGE, Order, check_page_params, order_param
from voucherify_ext.responses import acall, unwrap
from voucherify_ext.responses.raw import RawResponse, raw_response

__all__ = [
    "MAX_LIST_PAGE",
    "AsyncOrdersPage",
    "alist_page",
    "alist_page_raw",
]  # unasync: __all__ = ["MAX_LIST_PAGE", "OrdersPage", "list_page", "list_page_raw"]


@attrs.frozen
class AsyncOrdersPage:
    """One page of orders: ``items``, ``total`` (the server's count of all orders), the
    ``page``/``limit``/``order`` it was read with, ``has_more`` and :meth:`next_page`
    (``next_params``: the arguments of the next ``list`` call, None on the last page)."""

    items: list[Order]
    total: int
    page: int
    limit: int
    order: str
    _client: AuthenticatedClient = attrs.field(repr=False, eq=False)

    @property
    def has_more(self) -> bool:
        """Whether a next page exists and the API serves it (pages stop at 100)."""
        return self.page * self.limit < self.total and self.page < MAX_LIST_PAGE

    @property
    def next_params(self) -> dict[str, Any] | None:
        """``{"page": ..., "limit": ..., "order": ...}`` for the next page, or None."""
        if not self.has_more:
            return None
        return {"page": self.page + 1, "limit": self.limit, "order": self.order}

    async def next_page(self) -> AsyncOrdersPage | None:
        """The next page (same ``limit`` and ``order``), or None after the last one."""
        params = self.next_params
        if params is None:
            return None
        return await alist_page(self._client, **params)


async def alist_page(client: AuthenticatedClient, *, page: int, limit: int, order: str) -> AsyncOrdersPage:
    """Read one page of ``GET /v1/orders`` after checking its parameters."""
    return (await _aread_page(client, page=page, limit=limit, order=order))[1]


async def alist_page_raw(
    client: AuthenticatedClient, *, page: int, limit: int, order: str
) -> RawResponse[AsyncOrdersPage]:
    """:func:`alist_page` with its HTTP details (``vf.orders.with_raw_response.list``)."""
    response, orders_page = await _aread_page(client, page=page, limit=limit, order=order)
    return raw_response(response, orders_page)


async def _aread_page(
    client: AuthenticatedClient, *, page: int, limit: int, order: str
) -> tuple[Response[Error | OrdersListResponseBody], AsyncOrdersPage]:
    check_page_params(page, limit, order)
    response = await acall(
        list_orders.asyncio_detailed, client=client, limit=limit, page=page, order=order_param(order)
    )
    body = unwrap(response, OrdersListResponseBody)
    orders_page = AsyncOrdersPage(
        items=list(body.orders), total=body.total, page=page, limit=limit, order=order, client=client
    )
    return response, orders_page
