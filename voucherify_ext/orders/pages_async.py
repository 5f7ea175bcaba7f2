"""Every order, lazily: :func:`aiter_orders` and :func:`aiter_order_pages` (``AsyncVoucherify.orders.iter``).

The one source of the orders iterators: ``pages_sync.py`` (:func:`iter_orders`,
:func:`iter_order_pages`, behind ``Voucherify.orders.iter``) is generated from it by
``scripts/unasync.py``. They bind the generic paginator (:mod:`voucherify_ext.pagination`) to
``GET /v1/orders`` with :data:`~voucherify_ext.orders.list_strategy.ORDERS_STRATEGY`.
"""

from __future__ import annotations

from voucherify_client.api.orders import list_orders
from voucherify_client.client import AuthenticatedClient
from voucherify_client.models.orders_list_response_body import OrdersListResponseBody
from voucherify_client.models.parameter_order_list_orders import ParameterOrderListOrders

from voucherify_ext.orders.list_strategy import ORDERS_STRATEGY, Order, order_param
from voucherify_ext.pagination import MAX_PAGE_SIZE, AsyncPageIterator, AsyncPaginator, OnDrift, apaginate

__all__ = ["aiter_order_pages", "aiter_orders"]  # unasync: __all__ = ["iter_order_pages", "iter_orders"]


def aiter_orders(
    client: AuthenticatedClient,
    *,
    order: str | ParameterOrderListOrders = "created_at",
    page_size: int = MAX_PAGE_SIZE,
    max_items: int | None = None,
    prefetch: int = 1,
    on_drift: OnDrift = "warn",
) -> AsyncPaginator[Order]:
    """Every order, lazily (``vf.orders.iter`` of :class:`AsyncVoucherify`). ``order`` is always
    sent; the default, oldest first, puts orders created during the iteration at its end. At
    most ``100 × page_size`` orders are reachable: past that, :class:`PaginationLimitError`.
    Iterating by ``updated_at`` while orders are updated skips orders: that is detected and
    reported as ``on_drift`` says (:class:`PaginationDriftWarning` by default)."""
    return apaginate(
        list_orders.asyncio_detailed,
        client,
        data_ref="orders",
        strategy=ORDERS_STRATEGY,
        page_size=page_size,
        params={"order": order_param(order)},
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
    """Pages of orders (``vf.orders.iter_pages`` of :class:`AsyncVoucherify`): ``page.items``,
    ``page.number``, ``page.total``."""
    return aiter_orders(
        client, order=order, page_size=page_size, max_items=max_items, prefetch=prefetch, on_drift=on_drift
    ).pages()
