"""How the orders list is walked: :data:`ORDERS_STRATEGY` (page numbers, with the orders'
wording for the ceiling and drift messages) and the check of the ``order`` sort parameter.
No I/O; the iterators are in ``pages_async`` and its generated twin ``pages_sync``."""

from __future__ import annotations

from typing import Any

from voucherify_client.models.orders_list_response_body_item import OrdersListResponseBodyItem
from voucherify_client.models.parameter_order_list_orders import ParameterOrderListOrders

from voucherify_ext.errors import ConfigurationError
from voucherify_ext.pagination import MAX_PAGE_SIZE, PageNumbers

__all__ = [
    "MAX_LIST_PAGE",
    "ORDERS_DRIFT_REMEDY",
    "ORDERS_STRATEGY",
    "ORDER_VALUES",
    "Order",
    "check_page_params",
    "order_param",
]

ORDER_VALUES = tuple(member.value for member in ParameterOrderListOrders)
ORDERS_DRIFT_REMEDY = (
    "To read every order, iterate by order='created_at' (an order's creation time never changes), "
    "read them all with vf.orders.export(...), or read only the orders changed since a point in "
    "time (vf.orders.iter(updated_since=...)); see Drift in docs/pagination.md."
)
ORDERS_STRATEGY = PageNumbers(
    noun="orders",
    remedy="Use vf.orders.export(...) to read every order (an export has no such limit)",
    drift_remedy=ORDERS_DRIFT_REMEDY,
)
Order = OrdersListResponseBodyItem


def order_param(order: str | ParameterOrderListOrders) -> ParameterOrderListOrders:
    """``order`` as the generated enum; :class:`ConfigurationError` for a sort the API lacks."""
    if order not in ORDER_VALUES:
        raise ConfigurationError(f"order must be one of {', '.join(ORDER_VALUES)}, got {order!r}")
    return ParameterOrderListOrders(order)


#: the last page ``GET /v1/orders`` serves (``ParameterPage``: 1-100), the strategy's ceiling
MAX_LIST_PAGE = ORDERS_STRATEGY.max_page


def check_page_params(page: Any, limit: Any, order: Any) -> None:
    """Refuse a page, limit or sort the API would refuse, naming the parameter."""
    for name, value, top in (("page", page, MAX_LIST_PAGE), ("limit", limit, MAX_PAGE_SIZE)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigurationError(f"{name} must be an integer between 1 and {top}, got {value!r}")
        if not 1 <= value <= top:
            raise ConfigurationError(f"{name} must be between 1 and {top}, got {value}")
    order_param(order)
