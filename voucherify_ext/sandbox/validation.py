"""Request body checks that mirror the spec's request schemas, with Voucherify-style details.

A hand-written checker rather than a JSON Schema engine: it runs on every order of a 2000-order
import, must be fast, and must name the offending property the way Voucherify does
(``Property .items[0].quantity must be an integer``). Unknown properties are ignored, as the
spec does not forbid them. Integers that arrive as ``1.0`` are normalised to ``1``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from voucherify_ext.sandbox.errors import invalid_payload
from voucherify_ext.sandbox.util import parse_iso

ORDER_STATUSES = ("CREATED", "PAID", "CANCELED", "FULFILLED")
RELATED_OBJECTS = ("product", "sku")
MAX_ITEMS = 500


class Invalid(Exception):
    """One invalid property; ``details`` is the message Voucherify would put in the error."""

    def __init__(self, details: str) -> None:
        super().__init__(details)
        self.details = details


Checker = Callable[[dict[str, Any], str, str], None]


def _is_int(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, float) and value.is_integer() and abs(value) < 2**53
    )


def _check_type(obj: dict[str, Any], key: str, path: str, kind: str) -> None:
    value = obj[key]
    where = f"Property {path}.{key}"
    if kind == "string":
        if not isinstance(value, str):
            raise Invalid(f"{where} must be a string")
    elif kind == "string?":
        if value is not None and not isinstance(value, str):
            raise Invalid(f"{where} must be a string or null")
    elif kind == "integer":
        if not _is_int(value):
            raise Invalid(f"{where} must be an integer")
        obj[key] = int(value)
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Invalid(f"{where} must be a number")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise Invalid(f"{where} must be a boolean")
    elif kind == "object":
        if not isinstance(value, dict):
            raise Invalid(f"{where} must be an object")
    elif kind == "date":
        if not isinstance(value, str) or len(value) != 10 or parse_iso(value) is None:
            raise Invalid(f"{where} must be a date (YYYY-MM-DD)")
    elif kind == "date-time":
        if not isinstance(value, str) or parse_iso(value) is None:
            raise Invalid(f"{where} cannot be recognized as a ISO-8601 compliant date")
    else:  # pragma: no cover - programming error
        raise AssertionError(kind)


_PRODUCT = {
    "id": "string",
    "source_id": "string",
    "override": "boolean",
    "name": "string",
    "metadata": "object",
    "price": "number",
}
_SKU = {
    "id": "string",
    "source_id": "string",
    "override": "boolean",
    "sku": "string",
    "price": "number",
    "metadata": "object",
}
_ITEM = {
    "sku_id": "string",
    "product_id": "string",
    "source_id": "string",
    "quantity": "integer",
    "discount_quantity": "integer",
    "initial_quantity": "integer",
    "amount": "integer",
    "discount_amount": "integer",
    "initial_amount": "integer",
    "price": "integer",
    "metadata": "object",
}
_ADDRESS = {k: "string" for k in ("city", "state", "line_1", "line_2", "country", "postal_code")}
_CUSTOMER = {
    "id": "string",
    "source_id": "string",
    "name": "string",
    "description": "string",
    "email": "string",
    "phone": "string",
    "birthday": "date",
    "birthdate": "date",
    "metadata": "object",
}
_ORDER_BASE = {
    "source_id": "string?",
    "amount": "integer",
    "initial_amount": "integer",
    "discount_amount": "integer",
    "metadata": "object",
    "referrer_id": "string?",
}


def _check_fields(obj: dict[str, Any], path: str, fields: dict[str, str]) -> None:
    for key, kind in fields.items():
        if key in obj:
            _check_type(obj, key, path, kind)


def _check_object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(f"Property {path or '.'} must be an object")
    return value


def _check_customer(value: Any, path: str) -> None:
    customer = _check_object(value, path)
    _check_fields(customer, path, _CUSTOMER)
    address = customer.get("address")
    if address is not None:
        _check_fields(_check_object(address, f"{path}.address"), f"{path}.address", _ADDRESS)


def _check_item(value: Any, path: str) -> None:
    item = _check_object(value, path)
    _check_fields(item, path, _ITEM)
    if "related_object" in item and item["related_object"] not in RELATED_OBJECTS:
        raise Invalid(f"Property {path}.related_object must be one of [product, sku]")
    if "product" in item:
        _check_fields(_check_object(item["product"], f"{path}.product"), f"{path}.product", _PRODUCT)
    if "sku" in item:
        _check_fields(_check_object(item["sku"], f"{path}.sku"), f"{path}.sku", _SKU)


def check_order_shape(body: Any, path: str = "", *, allow_id: bool, allow_created_at: bool) -> dict[str, Any]:
    """Check the types of an order request (create, update or one import item)."""
    order = _check_object(body, path)
    _check_fields(order, path, _ORDER_BASE)
    if allow_id and "id" in order:
        _check_type(order, "id", path, "string")
    if allow_created_at and "created_at" in order:
        _check_type(order, "created_at", path, "date-time")
    if "status" in order and order["status"] not in ORDER_STATUSES:
        raise Invalid(f"Property {path}.status must be one of [{', '.join(ORDER_STATUSES)}]")
    for key in ("customer", "referrer"):
        if key in order:
            _check_customer(order[key], f"{path}.{key}")
    if "items" in order:
        items = order["items"]
        if not isinstance(items, list):
            raise Invalid(f"Property {path}.items must be an array")
        for index, item in enumerate(items):
            _check_item(item, f"{path}.items[{index}]")
    return order


def check_items_limit(order: dict[str, Any], path: str = "") -> None:
    """At most 500 items per order (Voucherify's prose; the spec's ``maxItems``)."""
    items = order.get("items") or []
    if len(items) > MAX_ITEMS:
        raise Invalid(f"Property {path}.items cannot contain more than {MAX_ITEMS} elements")


def check_order_rules(order: dict[str, Any], path: str = "") -> None:
    """The import's per-order checks: at most 500 items and no negative quantities or prices.

    Create and update only enforce the item limit: the spec puts no minimum on quantities, and
    the sandbox accepts whatever the spec allows.
    """
    check_items_limit(order, path)
    items = order.get("items") or []
    for index, item in enumerate(items):
        for key in ("quantity", "initial_quantity", "discount_quantity"):
            if key in item and item[key] < 0:
                raise Invalid(f"Property {path}.items[{index}].{key} cannot be lower than 0")
        for key in ("price", "amount"):
            if key in item and item[key] < 0:
                raise Invalid(f"Property {path}.items[{index}].{key} cannot be lower than 0")


def check_order(body: Any, *, allow_id: bool, allow_created_at: bool) -> dict[str, Any]:
    """Check a create or update body; raise a 400 ``invalid_payload`` naming the property."""
    try:
        order = check_order_shape(body, allow_id=allow_id, allow_created_at=allow_created_at)
        check_items_limit(order)
    except Invalid as exc:
        raise invalid_payload(exc.details) from None
    return order
