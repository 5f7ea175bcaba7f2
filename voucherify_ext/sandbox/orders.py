"""How an order request becomes the order Voucherify returns: computed amounts and item fields.

Pure functions over plain dicts, so the HTTP handlers, the import job and instant seeding all
compute orders the same way. A stored order is never mutated: an update builds a new dict, which
keeps snapshots (export CSVs, lists being serialised) consistent without copying.

The sandbox computes amounts, ids, timestamps, the status and the customer links; every other
field that the spec's request schemas and its order response both define is carried over as sent
(:class:`Echo`, derived from the spec), merged over the previous order's on an update or a
re-import. So an optional field added to the spec is stored and echoed with no change here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from voucherify_ext.sandbox.spec_model import SpecModel
from voucherify_ext.sandbox.util import iso_ms
from voucherify_ext.sandbox.values import CUSTOMER_OBJECT, ITEM_OBJECT, NEW_ORDER_STATUS, ORDER_OBJECT

CustomerResolver = Callable[[dict[str, Any]], str]
"""Upserts a customer from a request's ``customer``/``referrer`` object and returns its id."""

ITEM_COMPUTED = frozenset(
    {"quantity", "initial_quantity", "amount", "discount_amount", "initial_amount", "price"}
)
"""Item fields :func:`compute_item` works out itself (``amount`` = price × quantity, ...)."""
_LINKS = frozenset({"customer", "referrer", "redemptions"})
"""Order response fields set only by the sandbox's own rules (a resolved customer, redemptions)."""


@dataclass(frozen=True)
class Echo:
    """The request fields carried over into the response as sent: those the spec defines both in
    a request schema and in the response, less those the sandbox computes."""

    order: tuple[str, ...]
    item: tuple[str, ...]

    @classmethod
    def from_spec(cls, spec: SpecModel) -> Echo:
        order = (spec.order_request_fields & spec.order_response_fields) - _LINKS
        item = (spec.item_request_fields & spec.item_response_fields) - ITEM_COMPUTED
        return cls(tuple(sorted(order)), tuple(sorted(item)))


def compute_item(raw: dict[str, Any], echo: Echo) -> dict[str, Any]:
    """An order line as the server returns it: ``amount`` = price × quantity, ``object`` set."""
    item: dict[str, Any] = {"object": ITEM_OBJECT}
    for key in echo.item:
        if key in raw:
            value = raw[key]
            item[key] = dict(value) if isinstance(value, dict) else value
    quantity = raw.get("quantity")
    price = raw.get("price")
    amount = raw.get("amount")
    if price is not None and quantity is not None:
        amount = price * quantity
    elif amount is None and price is not None:
        amount = price
    if quantity is not None:
        item["quantity"] = quantity
        item["initial_quantity"] = raw.get("initial_quantity", quantity)
    if amount is not None:
        discount = raw.get("discount_amount", 0)
        item["amount"] = amount
        item["discount_amount"] = discount
        item["applied_discount_amount"] = 0
        item["initial_amount"] = raw.get("initial_amount", amount)
        item["subtotal_amount"] = amount
    if price is not None:
        item["price"] = price
    for key, link in (("product_id", "product"), ("sku_id", "sku")):
        if key not in item and isinstance(raw.get(link), dict) and "id" in raw[link]:
            item[key] = raw[link]["id"]
    return item


def build_order(
    body: dict[str, Any],
    *,
    order_id: str,
    created_ms: int,
    updated_ms: int | None,
    previous: dict[str, Any] | None,
    resolve_customer: CustomerResolver,
    echo: Echo,
) -> dict[str, Any]:
    """Merge ``body`` over ``previous`` (None for a new order) and recompute derived fields."""
    prev = previous or {}
    items = [compute_item(raw, echo) for raw in body["items"]] if "items" in body else prev.get("items", [])
    item_amounts = [item["amount"] for item in items if "amount" in item]
    if item_amounts:
        amount = sum(item_amounts)
    elif "amount" in body:
        amount = body["amount"]
    else:
        amount = prev.get("amount", 0)
    discount = body.get("discount_amount", prev.get("discount_amount", 0))
    items_discount = sum(item.get("discount_amount", 0) for item in items)
    total_discount = discount + items_discount
    initial = body.get(
        "initial_amount",
        amount if "amount" in body or "items" in body else prev.get("initial_amount", amount),
    )

    customer_id = prev.get("customer_id")
    if isinstance(body.get("customer"), dict) and body["customer"]:
        customer_id = resolve_customer(body["customer"])
    referrer_id = prev.get("referrer_id")
    if "referrer_id" in body:
        referrer_id = body["referrer_id"]
    if isinstance(body.get("referrer"), dict) and body["referrer"]:
        referrer_id = resolve_customer(body["referrer"])

    order: dict[str, Any] = {
        "id": order_id,
        "source_id": body["source_id"] if "source_id" in body else prev.get("source_id"),
        "created_at": iso_ms(created_ms),
        "updated_at": iso_ms(updated_ms) if updated_ms is not None else None,
        "status": body.get("status", prev.get("status", NEW_ORDER_STATUS)),
        "amount": amount,
        "initial_amount": initial,
        "discount_amount": discount,
        "items_discount_amount": items_discount,
        "total_discount_amount": total_discount,
        "total_amount": amount - total_discount,
        "applied_discount_amount": 0,
        "items_applied_discount_amount": 0,
        "total_applied_discount_amount": 0,
        "items": items,
        "metadata": body["metadata"] if "metadata" in body else prev.get("metadata", {}),
        "customer_id": customer_id,
        "referrer_id": referrer_id,
        "object": ORDER_OBJECT,
    }
    for key in echo.order:  # what the spec adds that the sandbox does not compute
        if key not in order:
            if key in body:
                order[key] = body[key]
            elif key in prev:
                order[key] = prev[key]
    if customer_id is not None:
        order["customer"] = {"id": customer_id, "object": CUSTOMER_OBJECT}
    if referrer_id is not None:
        order["referrer"] = {"id": referrer_id, "object": CUSTOMER_OBJECT}
    if "redemptions" in prev:
        order["redemptions"] = prev["redemptions"]
    return order
