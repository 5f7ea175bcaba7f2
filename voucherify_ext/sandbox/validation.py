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


def _scalar(value: Any, where: str, kind: str, nullable: bool) -> Any:
    """``value`` checked against ``kind`` (and normalised: ``1.0`` → ``1``)."""
    or_null = " or null" if nullable else ""
    if kind == "string":
        if not isinstance(value, str):
            raise Invalid(f"{where} must be a string{or_null}")
    elif kind == "integer":
        if not _is_int(value):
            raise Invalid(f"{where} must be an integer{or_null}")
        return int(value)
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Invalid(f"{where} must be a number{or_null}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise Invalid(f"{where} must be a boolean{or_null}")
    elif kind == "object":
        if not isinstance(value, dict):
            raise Invalid(f"{where} must be an object")
    elif kind == "date":
        if not isinstance(value, str) or len(value) != 10 or parse_iso(value) is None:
            raise Invalid(f"{where} must be a date (YYYY-MM-DD)")
    elif kind == "date-time" and (not isinstance(value, str) or parse_iso(value) is None):
        raise Invalid(f"{where} cannot be recognized as a ISO-8601 compliant date")
    return value  # "any": a union of types the spec leaves open


def _value(value: Any, path: str, field: Field) -> Any:
    """``value`` (at ``path``) checked against ``field``; returns it normalised."""
    if value is None and field.nullable:
        return value
    where = f"Property {path}"
    if field.enum is not None:
        if value not in field.enum:
            raise Invalid(f"{where} must be one of [{', '.join(str(v) for v in field.enum)}]")
        return value
    if field.kind == "array":
        if not isinstance(value, list):
            raise Invalid(f"{where} must be an array")
        if field.items is not None:
            for index, element in enumerate(value):
                value[index] = _value(element, f"{path}[{index}]", field.items)
        return value
    if field.shape is not None:
        check_shape(value, path, field.shape)
        return value
    return _scalar(value, where, field.kind, field.nullable)


def _check_object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(f"Property {path or '.'} must be an object")
    return value


def check_shape(value: Any, path: str, shape: Shape) -> dict[str, Any]:
    """Check an object against a request schema's :class:`Shape` (the fields it carries)."""
    obj = _check_object(value, path)
    for field in shape.fields:
        if field.name in obj:
            obj[field.name] = _value(obj[field.name], f"{path}.{field.name}", field)
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
