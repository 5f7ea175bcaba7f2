"""How an order request becomes the order Voucherify returns: computed amounts and item fields.

Pure functions over plain dicts, so the HTTP handlers, the import job and instant seeding all
compute orders the same way. A stored order is never mutated: an update builds a new dict, which
keeps snapshots (export CSVs, lists being serialised) consistent without copying.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from voucherify_ext.sandbox.util import iso_ms

CustomerResolver = Callable[[dict[str, Any]], str]
"""Upserts a customer from a request's ``customer``/``referrer`` object and returns its id."""

_ITEM_COPY = ("sku_id", "product_id", "related_object", "source_id")


def compute_item(raw: dict[str, Any]) -> dict[str, Any]:
    """An order line as the server returns it: ``amount`` = price × quantity, ``object`` set."""
    item: dict[str, Any] = {"object": "order_item"}
    for key in _ITEM_COPY:
        if key in raw:
            item[key] = raw[key]
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
    if "discount_quantity" in raw:
        item["discount_quantity"] = raw["discount_quantity"]
    if amount is not None:
        discount = raw.get("discount_amount", 0)
        item["amount"] = amount
        item["discount_amount"] = discount
        item["applied_discount_amount"] = 0
        item["initial_amount"] = raw.get("initial_amount", amount)
        item["subtotal_amount"] = amount
    if price is not None:
        item["price"] = price
    for key in ("product", "sku"):
        if key in raw:
            item[key] = dict(raw[key])
    if "product_id" not in item and isinstance(raw.get("product"), dict) and "id" in raw["product"]:
        item["product_id"] = raw["product"]["id"]
    if "sku_id" not in item and isinstance(raw.get("sku"), dict) and "id" in raw["sku"]:
        item["sku_id"] = raw["sku"]["id"]
    if "metadata" in raw:
        item["metadata"] = raw["metadata"]
    return item


def build_order(
    body: dict[str, Any],
    *,
    order_id: str,
    created_ms: int,
    updated_ms: int | None,
    previous: dict[str, Any] | None,
    resolve_customer: CustomerResolver,
) -> dict[str, Any]:
    """Merge ``body`` over ``previous`` (None for a new order) and recompute derived fields."""
    prev = previous or {}
    items = [compute_item(raw) for raw in body["items"]] if "items" in body else prev.get("items", [])
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
        "status": body.get("status", prev.get("status", "CREATED")),
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
        "object": "order",
    }
    if customer_id is not None:
        order["customer"] = {"id": customer_id, "object": "customer"}
    if referrer_id is not None:
        order["referrer"] = {"id": referrer_id, "object": "customer"}
    if "redemptions" in prev:
        order["redemptions"] = prev["redemptions"]
    return order
