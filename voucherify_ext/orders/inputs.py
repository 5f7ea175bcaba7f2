"""What the orders resource checks before it sends anything: an input (a generated model or a
plain dict) made into a checked request model, and an order id.

A dict is converted with the model's ``from_dict`` and then checked: a key the spec does not
know, at any depth, is refused with its path named, because a typo is not harmless here
(``sourceid`` instead of ``source_id`` would silently turn a safely retried upsert into a write
that cannot be retried); a value of the wrong type is refused with its path named
(:mod:`voucherify_ext.model_check`). Pass ``allow_unknown_fields=True`` to send fields newer
than this package's spec. No I/O: both :mod:`.resource_async` and its sync twin use it.
"""

from __future__ import annotations

import difflib
import functools
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs
from voucherify_client.models import OrdersCreateRequestBody, OrdersUpdateRequestBody

from voucherify_ext.errors import InputTooDeepError, InputTypeError, ValidationError
from voucherify_ext.item_lint import check_items
from voucherify_ext.model_check import first_mismatch, model_fields
from voucherify_ext.validation import (
    SchemaBackend,
    deepest,
    find_unencodable,
    format_path,
    schema_backend,
    schema_for,
    short_path,
)

__all__ = ["check_order_id", "find_unknown_keys", "to_model"]

M = TypeVar("M")


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
    hints = model_fields(type(obj))
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


def check_order_id(order_id: str) -> str:
    """``order_id`` if it is a non-empty string; else :class:`ValidationError`."""
    if not isinstance(order_id, str) or not order_id:
        raise ValidationError("order_id must be a non-empty string (an order id or source_id)")
    return order_id


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
    mismatch = first_mismatch(result)
    if mismatch is not None:
        raise ValidationError(f"invalid {what}: {mismatch}", path=mismatch.path)
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


def create_body(
    order: OrdersCreateRequestBody | Mapping[str, Any], *, allow_unknown_fields: bool, strict: bool
) -> OrdersCreateRequestBody:
    """A create's body: checked against the spec, its items linted (``strict`` refuses)."""
    body = to_model(order, OrdersCreateRequestBody, what="order", allow_unknown_fields=allow_unknown_fields)
    check_items(body, strict=strict)
    return body


def update_body(
    changes: OrdersUpdateRequestBody | Mapping[str, Any], *, allow_unknown_fields: bool, strict: bool
) -> OrdersUpdateRequestBody:
    """An update's body: checked against the spec, its items linted (``strict`` refuses)."""
    what = "order changes"
    body = to_model(changes, OrdersUpdateRequestBody, what=what, allow_unknown_fields=allow_unknown_fields)
    check_items(body, strict=strict, what=what)
    return body
