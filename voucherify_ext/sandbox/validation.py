"""Request body checks against the spec's request schemas, with Voucherify-style details.

A hand-written checker rather than a JSON Schema engine: it runs on every order of a 2000-order
import, must be fast, and must name the offending property the way Voucherify does
(``Property .items[0].quantity must be an integer``). What it checks comes from the spec: the
:class:`~voucherify_ext.sandbox.spec_model.Shape` of each request schema (field types, nullability,
enums, nested objects and arrays) and the ``maxItems`` of ``items``, compiled once per sandbox by
:mod:`.spec_model`; a field or enum value added to the spec is checked with no change here.
Unknown properties are ignored, as the spec does not forbid them. Integers that arrive as ``1.0``
are normalised to ``1``.

Hand-written, as the spec cannot say them: the import's per-order rules (no negative quantities or
prices), and the wording of every message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from voucherify_ext.sandbox.errors import invalid_payload
from voucherify_ext.sandbox.spec_model import Field, Shape
from voucherify_ext.sandbox.util import parse_iso


class Invalid(Exception):
    """One invalid property; ``details`` is the message Voucherify would put in the error."""

    def __init__(self, details: str) -> None:
        super().__init__(details)
        self.details = details


def _is_int(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, float) and value.is_integer() and abs(value) < 2**53
    )


_MUSTS = {
    "string": "must be a string",
    "integer": "must be an integer",
    "number": "must be a number",
    "boolean": "must be a boolean",
    "object": "must be an object",
    "date": "must be a date (YYYY-MM-DD)",
    "date-time": "cannot be recognized as a ISO-8601 compliant date",
}
_OR_NULL = frozenset({"string", "integer", "number", "boolean"})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 10 and parse_iso(value) is not None


def _is_date_time(value: Any) -> bool:
    return isinstance(value, str) and parse_iso(value) is not None


_CHECKS: dict[str, Callable[[Any], bool]] = {
    "string": lambda value: isinstance(value, str),
    "integer": _is_int,
    "number": _is_number,
    "boolean": lambda value: isinstance(value, bool),
    "object": lambda value: isinstance(value, dict),
    "date": _is_date,
    "date-time": _is_date_time,
    "any": lambda value: True,  # a union of types the spec leaves open
}


def _path(parent: str, key: str | int) -> str:
    return f"{parent}[{key}]" if isinstance(key, int) else f"{parent}.{key}"


def _value(value: Any, field: Field, parent: str, key: str | int) -> Any:
    """``value`` (at ``parent`` + ``key``) checked against ``field``; returns it normalised
    (``1.0`` → ``1``). The path is spelt only for an error or a nested object."""
    if value is None and field.nullable:
        return value
    if field.enum is not None:
        if value not in field.enum:
            allowed = ", ".join(str(v) for v in field.enum)
            raise Invalid(f"Property {_path(parent, key)} must be one of [{allowed}]")
        return value
    kind = field.kind
    if kind == "array":
        if not isinstance(value, list):
            raise Invalid(f"Property {_path(parent, key)} must be an array")
        if field.items is not None:
            path = _path(parent, key)
            for index, element in enumerate(value):
                checked = _value(element, field.items, path, index)
                if checked is not element:
                    value[index] = checked
        return value
    if field.shape is not None:
        check_shape(value, _path(parent, key), field.shape)
        return value
    if not _CHECKS[kind](value):
        or_null = " or null" if field.nullable and kind in _OR_NULL else ""
        raise Invalid(f"Property {_path(parent, key)} {_MUSTS[kind]}{or_null}")
    return int(value) if kind == "integer" and type(value) is float else value


def _check_object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(f"Property {path or '.'} must be an object")
    return value


def check_shape(value: Any, path: str, shape: Shape) -> dict[str, Any]:
    """Check an object against a request schema's :class:`Shape` (the fields it carries)."""
    obj = _check_object(value, path)
    for field in shape.fields:
        name = field.name
        if name in obj:
            value = obj[name]
            checked = _value(value, field, path, name)
            if checked is not value:
                obj[name] = checked
    return obj


def check_order_shape(body: Any, shape: Shape, path: str = "") -> dict[str, Any]:
    """Check the types of an order request (create, update or one import item: the spec's
    ``OrdersCreateRequestBody``, ``OrdersUpdateRequestBody`` or ``OrdersImportCreateRequestBodyItem``
    as compiled into ``shape``)."""
    return check_shape(body, path, shape)


def check_items_limit(order: dict[str, Any], max_items: int, path: str = "") -> None:
    """At most ``max_items`` items per order (the spec's ``maxItems``: 500, Voucherify's prose)."""
    items = order.get("items") or []
    if len(items) > max_items:
        raise Invalid(f"Property {path}.items cannot contain more than {max_items} elements")


def check_order_rules(order: dict[str, Any], max_items: int, path: str = "") -> None:
    """The import's per-order checks: the item limit and no negative quantities or prices.

    Create and update only enforce the item limit: the spec puts no minimum on quantities, and
    the sandbox accepts whatever the spec allows.
    """
    check_items_limit(order, max_items, path)
    items = order.get("items") or []
    for index, item in enumerate(items):
        for key in ("quantity", "initial_quantity", "discount_quantity"):
            if _negative(item.get(key)):
                raise Invalid(f"Property {path}.items[{index}].{key} cannot be lower than 0")
        for key in ("price", "amount"):
            if _negative(item.get(key)):
                raise Invalid(f"Property {path}.items[{index}].{key} cannot be lower than 0")


def _negative(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value < 0


def check_order(body: Any, shape: Shape, max_items: int) -> dict[str, Any]:
    """Check a create or update body; raise a 400 ``invalid_payload`` naming the property."""
    try:
        order = check_order_shape(body, shape)
        check_items_limit(order, max_items)
    except Invalid as exc:
        raise invalid_payload(exc.details) from None
    return order
