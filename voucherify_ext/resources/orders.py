"""The orders resource: ``vf.orders.create/get/update``, and the bindings of ``iter`` and
``iter_pages`` (:mod:`.pagination`), ``import_orders`` (:mod:`.importing`) and ``export``
(:mod:`.exports`), whose logic lives in those modules.

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
import functools
import os
import typing
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, Literal, TypeVar

import attrs
from voucherify_client.api.orders import create_order, get_order, update_order
from voucherify_client.client import AuthenticatedClient
from voucherify_client.models import (
    Error,
    OrdersCreateRequestBody,
    OrdersCreateResponseBody,
    OrdersGetResponseBody,
    OrdersListResponseBodyItem,
    OrdersUpdateRequestBody,
    OrdersUpdateResponseBody,
)
from voucherify_client.types import Response

import voucherify_ext.exports as exports
from voucherify_ext.errors import InputTooDeepError, InputTypeError, ValidationError
from voucherify_ext.exports import AsyncExportHandle, ExportHandle
from voucherify_ext.imports import drivers as importing
from voucherify_ext.imports.drivers import ImportProgress, ImportResult
from voucherify_ext.pagination import strategies as pagination
from voucherify_ext.pagination.drift import OnDrift
from voucherify_ext.pagination.strategies import AsyncPageIterator, AsyncPaginator, PageIterator, Paginator
from voucherify_ext.responses import _check_fields, _hints, _Mismatch, acall, call, unwrap
from voucherify_ext.validation import (
    SchemaBackend,
    deepest,
    find_unencodable,
    format_path,
    schema_backend,
    schema_for,
    short_path,
)

__all__ = ["AsyncOrders", "Orders", "find_unknown_keys", "to_model"]

M = TypeVar("M")
T = TypeVar("T")
S = TypeVar("S")  # the sleep a resource waits with: plain (sync) or async


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


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
    """``data`` (a ``model`` instance or a mapping) as a checked ``model`` instance.

    The checks walk the parsed model; input nested deeper than the interpreter's recursion
    limit is caught where it overflows (no walk ahead of time) and raises
    :class:`InputTooDeepError` naming the deep path."""
    if isinstance(data, model):
        # a model carries unknown keys in additional_properties: refused as a dict's are
        if not allow_unknown_fields:
            _refuse_unknown_keys(data, what)
        return data
    if not isinstance(data, Mapping):
        raise InputTypeError(f"{what} must be a dict or a {model.__name__}, got {type(data).__name__}")
    try:
        return _checked_model(data, model, what=what, allow_unknown_fields=allow_unknown_fields)
    except RecursionError:
        path, depth = deepest(data)
        where = short_path(path)
        raise InputTooDeepError(
            f"invalid {what}: {where}: nested too deeply to check ({depth} levels); nothing was sent",
            path=where,
            depth=depth,
        ) from None


def _refuse_unknown_keys(model: Any, what: str) -> None:
    """Raise :class:`ValidationError` naming the first key of ``model`` its schema does not know."""
    unknown = find_unknown_keys(model)
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


def _checked_model(data: Mapping[str, Any], model: type[M], *, what: str, allow_unknown_fields: bool) -> M:
    try:
        result: M = model.from_dict(data)  # type: ignore[attr-defined]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        located = _first_schema_error(model.__name__, data)
        if located is None:
            raise ValidationError(f"invalid {what}: {type(exc).__name__}: {exc}") from None
        path, message = located
        raise ValidationError(f"invalid {what}: {path or '(top level)'}: {message}", path=path) from None
    if not allow_unknown_fields:
        _refuse_unknown_keys(result, what)
    try:
        _check_fields(result, "")
    except _Mismatch as exc:
        raise ValidationError(
            f"invalid {what}: {exc.path!r} should be {exc.expected}, got {type(exc.value).__name__}",
            path=exc.path,
        ) from None
    return result


@functools.cache
def _schema_backend(component: str) -> SchemaBackend | None:
    try:
        return schema_backend(schema_for(component))
    except KeyError:  # a model without a spec component of its name
        return None


def _first_schema_error(component: str, data: Any) -> tuple[str, str] | None:
    """Where the spec's schema first refuses ``data``, when the generated parser failed
    without saying which field (it raises plain ``TypeError``/``ValueError``)."""
    backend = _schema_backend(component)
    if backend is None:
        return None
    try:
        for parts, message in backend.errors(data):
            return format_path(parts), message
    except (ValueError, RecursionError):  # jsonschema_rs cannot convert it (bytes, a set, a cycle)
        found = find_unencodable(data)
        return (format_path(found[0]), found[1]) if found else None
    return None


def _order_id(order_id: str) -> str:
    if not isinstance(order_id, str) or not order_id:
        raise ValidationError("order_id must be a non-empty string (an order id or source_id)")
    return order_id


class _Resource(Generic[S]):
    """``sleep`` and ``clock`` are what imports and exports wait with: the client passes its
    own, so a client built with an injected sleep polls in no real time."""

    def __init__(self, client: AuthenticatedClient, *, sleep: S, clock: Callable[[], float]) -> None:
        self._client = client
        self._sleep = sleep
        self._clock = clock

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class Orders(_Resource[Callable[[float], None]]):
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

    def iter(
        self,
        *,
        order: str = "created_at",
        page_size: int = 100,
        max_items: int | None = None,
        prefetch: int = 1,
        on_drift: OnDrift = "warn",
    ) -> Paginator[OrdersListResponseBodyItem]:
        """Every order, lazily, page after page; also a context manager.

        ``order`` is always sent (oldest first by default, so orders created meanwhile come
        last). The API stops at page 100: past ``100 × page_size`` orders this raises
        :class:`~voucherify_ext.PaginationLimitError` (use :meth:`export` for more).
        ``prefetch=N`` keeps up to N further pages in flight. When the list changes under the
        iteration so that orders may be skipped (iterating by ``updated_at`` while updating
        orders), ``on_drift`` says what happens: ``"warn"`` (a
        :class:`~voucherify_ext.PaginationDriftWarning`), ``"raise"``
        (:class:`~voucherify_ext.PaginationDriftError`) or ``"ignore"``; see ``.drift``."""
        return pagination.iter_orders(
            self._client,
            order=order,
            page_size=page_size,
            max_items=max_items,
            prefetch=prefetch,
            on_drift=on_drift,
        )

    def iter_pages(
        self,
        *,
        order: str = "created_at",
        page_size: int = 100,
        max_items: int | None = None,
        prefetch: int = 1,
        on_drift: OnDrift = "warn",
    ) -> PageIterator[OrdersListResponseBodyItem]:
        """Like :meth:`iter`, but yields pages (``items``, ``number``, ``total``)."""
        return pagination.iter_order_pages(
            self._client,
            order=order,
            page_size=page_size,
            max_items=max_items,
            prefetch=prefetch,
            on_drift=on_drift,
        )

    def import_orders(
        self,
        source: Iterable[Any] | str | os.PathLike[str],
        *,
        chunk_size: int = 2000,
        wait: bool = True,
        timeout: float | None = None,
        on_progress: Callable[[ImportProgress], None] | None = None,
        on_invalid: Literal["raise", "skip"] = "raise",
        checkpoint: str | os.PathLike[str] | None = None,
        require_source_id: bool = True,
        commit_horizon: float = importing.DEFAULT_COMMIT_HORIZON,
    ) -> ImportResult:
        """Import historical orders from an iterable or a ``.jsonl``/``.csv`` file, in chunks
        of at most 2000, validated first, safe to resume with ``checkpoint``. See
        :func:`voucherify_ext.imports.drivers.import_orders` and docs/jobs.md."""
        return importing.import_orders(
            self._client,
            source,
            chunk_size=chunk_size,
            wait=wait,
            timeout=timeout,
            on_progress=on_progress,
            on_invalid=on_invalid,
            checkpoint=checkpoint,
            require_source_id=require_source_id,
            commit_horizon=commit_horizon,
            sleep=self._sleep,
            clock=self._clock,
        )

    def export(
        self,
        *,
        fields: Sequence[str] | None = None,
        filters: Mapping[str, Any] | None = None,
        order: str | None = None,
        wait: bool = True,
        timeout: float | None = 600.0,
    ) -> ExportHandle:
        """Schedule a CSV export of orders; with ``wait`` poll until it is ready. The handle
        downloads it (``download(path)``) or streams its rows (``iter_rows()``)."""
        return exports.create_export(
            self._client,
            fields=fields,
            filters=filters,
            order=order,
            wait=wait,
            timeout=timeout,
            sleep=self._sleep,
            clock=self._clock,
        )


class AsyncOrders(_Resource[Callable[[float], Awaitable[None]]]):
    """Orders of an :class:`~voucherify_ext.AsyncVoucherify` client (``sleep`` is async)."""

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

    def iter(
        self,
        *,
        order: str = "created_at",
        page_size: int = 100,
        max_items: int | None = None,
        prefetch: int = 1,
        on_drift: OnDrift = "warn",
    ) -> AsyncPaginator[OrdersListResponseBodyItem]:
        """Async :meth:`Orders.iter`: use ``async for`` (and ``async with`` to close early)."""
        return pagination.aiter_orders(
            self._client,
            order=order,
            page_size=page_size,
            max_items=max_items,
            prefetch=prefetch,
            on_drift=on_drift,
        )

    def iter_pages(
        self,
        *,
        order: str = "created_at",
        page_size: int = 100,
        max_items: int | None = None,
        prefetch: int = 1,
        on_drift: OnDrift = "warn",
    ) -> AsyncPageIterator[OrdersListResponseBodyItem]:
        """Async :meth:`Orders.iter_pages`."""
        return pagination.aiter_order_pages(
            self._client,
            order=order,
            page_size=page_size,
            max_items=max_items,
            prefetch=prefetch,
            on_drift=on_drift,
        )

    async def import_orders(
        self,
        source: Iterable[Any] | AsyncIterable[Any] | str | os.PathLike[str],
        *,
        chunk_size: int = 2000,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109 - an overall deadline, as in the sync twin
        on_progress: Callable[[ImportProgress], None] | None = None,
        on_invalid: Literal["raise", "skip"] = "raise",
        checkpoint: str | os.PathLike[str] | None = None,
        require_source_id: bool = True,
        commit_horizon: float = importing.DEFAULT_COMMIT_HORIZON,
    ) -> ImportResult:
        """Async :meth:`Orders.import_orders` (also takes an async iterable)."""
        return await importing.aimport_orders(
            self._client,
            source,
            chunk_size=chunk_size,
            wait=wait,
            timeout=timeout,
            on_progress=on_progress,
            on_invalid=on_invalid,
            checkpoint=checkpoint,
            require_source_id=require_source_id,
            commit_horizon=commit_horizon,
            sleep=self._sleep,
            clock=self._clock,
        )

    async def export(
        self,
        *,
        fields: Sequence[str] | None = None,
        filters: Mapping[str, Any] | None = None,
        order: str | None = None,
        wait: bool = True,
        timeout: float | None = 600.0,  # noqa: ASYNC109 - an overall deadline, as in the sync twin
    ) -> AsyncExportHandle:
        """Async :meth:`Orders.export`."""
        return await exports.acreate_export(
            self._client,
            fields=fields,
            filters=filters,
            order=order,
            wait=wait,
            timeout=timeout,
            sleep=self._sleep,
            clock=self._clock,
        )
