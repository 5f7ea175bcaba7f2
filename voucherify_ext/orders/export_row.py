"""What a changed-since read yields past the list's ceiling: :class:`OrderExportRow`, one row
of a filtered orders export, and the fields and filters it is read with. No I/O.

An export row is **not** an order: the export's fields (the API's ``ExportOrderFields``) hold
no ``items``, no ``customer`` object and no ``redemptions``; only the columns below, typed by
:func:`voucherify_ext.exports.rows.parse_row` (dates as aware datetimes, amounts as integers,
``metadata`` as a dict). Read an order in full with ``vf.orders.get(row["id"])``.
"""

from __future__ import annotations

import datetime
from typing import Any, TypedDict

__all__ = ["EXPORT_ROW_FIELDS", "OrderExportRow", "changed_filters"]

#: every column an orders export can hold (the API's ``ExportOrderFields``): no items
EXPORT_ROW_FIELDS = (
    "id",
    "source_id",
    "created_at",
    "updated_at",
    "status",
    "amount",
    "discount_amount",
    "items_discount_amount",
    "total_discount_amount",
    "total_amount",
    "customer_id",
    "referrer_id",
    "metadata",
)


class OrderExportRow(TypedDict, total=False):
    """One row of an orders export: these columns only (an export row holds no items)."""

    id: str
    source_id: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime | None
    status: str | None
    amount: int | None
    discount_amount: int | None
    items_discount_amount: int | None
    total_discount_amount: int | None
    total_amount: int | None
    customer_id: str | None
    referrer_id: str | None
    metadata: dict[str, Any] | None


def changed_filters(since: datetime.datetime, *, updated: bool) -> dict[str, Any]:
    """The export filter for orders created (or, ``updated``, also updated) since ``since``.

    The API's ``$after`` is strict and exports are to the millisecond, so the bound is one
    millisecond earlier; rows are checked against ``since`` again when read."""
    bound = (since - datetime.timedelta(milliseconds=1)).astimezone(datetime.UTC)
    text = bound.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    after = {"conditions": {"$after": [text]}}
    if not updated:
        return {"junction": "and", "created_at": after}
    return {"junction": "or", "created_at": after, "updated_at": after}


def row_changed_since(row: OrderExportRow, since: datetime.datetime, *, updated: bool) -> bool:
    """Whether an export row was created (or, ``updated``, updated) at or after ``since``."""
    created = row.get("created_at")
    if isinstance(created, datetime.datetime) and created >= since:
        return True
    changed = row.get("updated_at")
    return updated and isinstance(changed, datetime.datetime) and changed >= since
