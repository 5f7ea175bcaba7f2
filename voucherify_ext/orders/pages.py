"""The orders iterators in one place, sync and async: ``iter_orders`` / ``iter_order_pages``
(generated ``pages_sync``), ``aiter_orders`` / ``aiter_order_pages`` (their source,
``pages_async``), and the orders strategy they use."""

from voucherify_ext.orders.list_strategy import (
    ORDER_VALUES,
    ORDERS_DRIFT_REMEDY,
    ORDERS_STRATEGY,
    Order,
    order_param,
)
from voucherify_ext.orders.pages_async import aiter_order_pages, aiter_orders
from voucherify_ext.orders.pages_sync import iter_order_pages, iter_orders

__all__ = [
    "ORDERS_DRIFT_REMEDY",
    "ORDERS_STRATEGY",
    "ORDER_VALUES",
    "Order",
    "aiter_order_pages",
    "aiter_orders",
    "iter_order_pages",
    "iter_orders",
    "order_param",
]
