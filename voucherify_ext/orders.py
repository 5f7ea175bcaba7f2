"""The orders resource: ``vf.orders.create/get/update`` (and, from other modules, ``iter``,
``iter_pages``, ``import_orders``, ``export``).

Inputs are a generated model or a plain dict. A dict is converted with the model's
``from_dict`` and then checked: a key the spec does not know, at any depth, is refused with its
path named, because a typo is not harmless here (``sourceid`` instead of ``source_id`` would
silently turn a safely retried upsert into a write that cannot be retried). Pass
``allow_unknown_fields=True`` to send fields newer than this package's spec.

Extending: add methods to :class:`Orders` / :class:`AsyncOrders` that call generated
operations through ``self._call`` / ``self._acall`` (error mapping and type checks included).
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import attrs
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

from .errors import ValidationError
from .responses import _check_fields, _hints, _Mismatch, acall, call, unwrap

__all__ = ["AsyncOrders", "Orders", "find_unknown_keys", "to_model"]

M = TypeVar("M")
T = TypeVar("T")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def find_unknown_keys(obj: Any, path: str = "") -> list[tuple[str, list[str]]]:
    """Keys of a parsed input model that its schema does not declare, as (path, known keys).

    Free-form maps (``metadata``) are not checked; their values are, when they are models.
    """
    found: list[tuple[str, list[str]]] = []
    if isinstance(obj, list):
        for index, item in enumerate(obj):
            found.extend(find_unknown_keys(item, f"{path}[{index}]"))
        return found
    if not attrs.has(type(obj)):
        return found
    hints = _hints(type(obj))
    declared = [(name, key) for name, key, _ in hints if name != "additional_properties"]
    extra: dict[str, Any] = getattr(obj, "additional_properties", {}) or {}
    extra_hint = next((hint for name, _, hint in hints if name == "additional_properties"), None)
    extra_args = typing.get_args(extra_hint) if extra_hint is not None else ()
    free_form = len(extra_args) == 2 and extra_args[1] is not Any
    if declared and not free_form:
        known = [key for _, key in declared]
        found.extend((_join(path, key), known) for key in extra)
    else:
        for key, value in extra.items():
            found.extend(find_unknown_keys(value, _join(path, key)))
    for name, key in declared:
        found.extend(find_unknown_keys(getattr(obj, name), _join(path, key)))
    return found


def to_model(data: Any, model: type[M], *, what: str, allow_unknown_fields: bool = False) -> M:
    """``data`` (a ``model`` instance or a mapping) as a checked ``model`` instance."""
    if isinstance(data, model):
        return data
    if not isinstance(data, Mapping):
        raise ValidationError(f"{what} must be a dict or a {model.__name__}, got {type(data).__name__}")
    try:
        result: M = model.from_dict(data)  # type: ignore[attr-defined]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValidationError(f"invalid {what}: {type(exc).__name__}: {exc}") from None
    if not allow_unknown_fields:
        unknown = find_unknown_keys(result)
        if unknown:
            key_path, known = unknown[0]
            leaf = key_path.rsplit(".", 1)[-1]
            hint = difflib.get_close_matches(leaf, known, n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            others = f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""
            raise ValidationError(
                f"unknown field {key_path!r} in {what}{suggestion}{others}. Pass "
                "allow_unknown_fields=True to send fields newer than this package's spec.",
                path=key_path,
            )
    try:
        _check_fields(result, "")
    except _Mismatch as exc:
        raise ValidationError(
            f"invalid {what}: {exc.path!r} should be {exc.expected}, got {type(exc.value).__name__}",
            path=exc.path,
        ) from None
    return result


def _order_id(order_id: str) -> str:
    if not isinstance(order_id, str) or not order_id:
        raise ValidationError("order_id must be a non-empty string (an order id or source_id)")
    return order_id


class _Resource:
    def __init__(self, client: AuthenticatedClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class Orders(_Resource):
    """Orders of a :class:`~voucherify_ext.Voucherify` client."""

    def _call(self, fn: Callable[..., Response[Error | T]], expected: type[T], /, **kwargs: Any) -> T:
        return unwrap(call(fn, client=self._client, **kwargs), expected)

    def create(
        self, order: OrdersCreateRequestBody | Mapping[str, Any], *, allow_unknown_fields: bool = False
    ) -> OrdersCreateResponseBody:
        """Create an order, or update the one its ``id``/``source_id`` names (upsert).

        With ``id`` or ``source_id`` the call is retried safely after a lost response;
        without, it is not, and a lost response raises an error whose ``outcome_unknown`` is
        true."""
        body = to_model(
            order, OrdersCreateRequestBody, what="order", allow_unknown_fields=allow_unknown_fields
        )
        return self._call(create_order.sync_detailed, OrdersCreateResponseBody, body=body)

    def get(self, order_id: str) -> OrdersGetResponseBody:
        """The order with this Voucherify ``id`` or merchant ``source_id``."""
        return self._call(get_order.sync_detailed, OrdersGetResponseBody, order_id=_order_id(order_id))

    def update(
        self,
        order_id: str,
        changes: OrdersUpdateRequestBody | Mapping[str, Any],
        *,
        allow_unknown_fields: bool = False,
    ) -> OrdersUpdateResponseBody:
        """Change some fields of an order; the others stay as they are."""
        body = to_model(
            changes, OrdersUpdateRequestBody, what="order changes", allow_unknown_fields=allow_unknown_fields
        )
        return self._call(
            update_order.sync_detailed, OrdersUpdateResponseBody, order_id=_order_id(order_id), body=body
        )


class AsyncOrders(_Resource):
    """Orders of an :class:`~voucherify_ext.AsyncVoucherify` client."""

    async def _acall(
        self, fn: Callable[..., Awaitable[Response[Error | T]]], expected: type[T], /, **kwargs: Any
    ) -> T:
        return unwrap(await acall(fn, client=self._client, **kwargs), expected)

    async def create(
        self, order: OrdersCreateRequestBody | Mapping[str, Any], *, allow_unknown_fields: bool = False
    ) -> OrdersCreateResponseBody:
        """Async :meth:`Orders.create`."""
        body = to_model(
            order, OrdersCreateRequestBody, what="order", allow_unknown_fields=allow_unknown_fields
        )
        return await self._acall(create_order.asyncio_detailed, OrdersCreateResponseBody, body=body)

    async def get(self, order_id: str) -> OrdersGetResponseBody:
        """Async :meth:`Orders.get`."""
        return await self._acall(
            get_order.asyncio_detailed, OrdersGetResponseBody, order_id=_order_id(order_id)
        )

    async def update(
        self,
        order_id: str,
        changes: OrdersUpdateRequestBody | Mapping[str, Any],
        *,
        allow_unknown_fields: bool = False,
    ) -> OrdersUpdateResponseBody:
        """Async :meth:`Orders.update`."""
        body = to_model(
            changes, OrdersUpdateRequestBody, what="order changes", allow_unknown_fields=allow_unknown_fields
        )
        return await self._acall(
            update_order.asyncio_detailed, OrdersUpdateResponseBody, order_id=_order_id(order_id), body=body
        )
