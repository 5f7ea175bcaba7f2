"""``vf.orders.with_raw_response`` of :class:`~voucherify_ext.AsyncVoucherify`: ``create``,
``get``, ``update`` and ``list`` as ``vf.orders`` (:class:`AsyncOrders`) has them, each
returning a :class:`~voucherify_ext.responses.raw.RawResponse` (status, headers, attempts,
rate-limit state, and ``.parse()`` for the model). Inputs are checked, and error
statuses raised, exactly as by the plain calls.

The one source; ``raw_sync.py`` (:class:`OrdersWithRawResponse`) is generated from it by
``scripts/unasync.py``.
"""

from __future__ import annotations

from collections.abc import (
    Awaitable,
    Callable,
    Mapping,
)  # unasync: from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from voucherify_client.api.orders import create_order, get_order, update_order
from voucherify_client.client import AuthenticatedClient
from voucherify_client.models import (
    Error,
    OrdersCreateRequestBody,
    OrdersCreateResponseBody,
    OrdersGetResponseBody,
    OrdersUpdateRequestBody,
    OrdersUpdateResponseBody,
)
from voucherify_client.types import Response

from voucherify_ext.orders.inputs import check_order_id, create_body, update_body
from voucherify_ext.orders.single_page_async import AsyncOrdersPage, alist_page_raw
from voucherify_ext.responses import acall, unwrap
from voucherify_ext.responses.raw import RawResponse, raw_response

__all__ = ["AsyncOrdersWithRawResponse"]  # unasync: __all__ = ["OrdersWithRawResponse"]

T = TypeVar("T")
Call = Callable[..., Awaitable[Response[Error | T]]]  # unasync: Call = Callable[..., Response[Error | T]]


class AsyncOrdersWithRawResponse:
    """The orders calls of :class:`~voucherify_ext.AsyncVoucherify`, each with its response's
    HTTP details: ``raw = await avf.orders.with_raw_response.get("ord_...")``, then
    ``raw.status_code``, ``raw.headers``, ``raw.attempts``, ``raw.rate_limit``, ``raw.parse()``."""

    def __init__(self, client: AuthenticatedClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    async def _araw(self, fn: Call[T], expected: type[T], /, **kwargs: Any) -> RawResponse[T]:
        response = await acall(fn, client=self._client, **kwargs)
        return raw_response(response, unwrap(response, expected))

    async def create(
        self,
        order: OrdersCreateRequestBody | Mapping[str, Any],
        *,
        allow_unknown_fields: bool = False,
        strict: bool = False,
    ) -> RawResponse[OrdersCreateResponseBody]:
        """``orders.create`` (an upsert by ``id``/``source_id``), with its HTTP details; the
        same order-item lint (``strict``)."""
        body = create_body(order, allow_unknown_fields=allow_unknown_fields, strict=strict)
        return await self._araw(create_order.asyncio_detailed, OrdersCreateResponseBody, body=body)

    async def get(self, order_id: str) -> RawResponse[OrdersGetResponseBody]:
        """``orders.get`` (by ``id`` or ``source_id``), with its HTTP details."""
        return await self._araw(
            get_order.asyncio_detailed, OrdersGetResponseBody, order_id=check_order_id(order_id)
        )

    async def update(
        self,
        order_id: str,
        changes: OrdersUpdateRequestBody | Mapping[str, Any],
        *,
        allow_unknown_fields: bool = False,
        strict: bool = False,
    ) -> RawResponse[OrdersUpdateResponseBody]:
        """``orders.update``, with its HTTP details; the same order-item lint (``strict``)."""
        body = update_body(changes, allow_unknown_fields=allow_unknown_fields, strict=strict)
        return await self._araw(
            update_order.asyncio_detailed,
            OrdersUpdateResponseBody,
            order_id=check_order_id(order_id),
            body=body,
        )

    async def list(
        self, *, page: int = 1, limit: int = 10, order: str = "-created_at"
    ) -> RawResponse[AsyncOrdersPage]:
        """``orders.list`` (one page), with its HTTP details; ``.parse()`` is the page, whose
        ``next_page()`` works as on the plain call's. Defined last: in this class body, the name
        ``list`` is this method."""
        return await alist_page_raw(self._client, page=page, limit=limit, order=order)
