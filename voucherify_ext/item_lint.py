"""The order-item lint: an item that names a product or SKU by ``source_id`` must say which
it is with ``related_object`` (``"product"`` or ``"sku"``).

An order item can reference its product or SKU by Voucherify id (``product_id``, ``sku_id``),
or by the merchant's ``source_id`` (on the item, or as ``product.source_id`` /
``sku.source_id``) together with ``related_object``. A ``source_id`` takes precedence over the
ids, so without ``related_object`` Voucherify cannot tell what it names and answers 400 with a
message that does not say so ("Property items should be an array", voucherify-nodejs-sdk #98).
The client finds such items before sending: by default each order with some is reported as an
:class:`OrderItemWarning` naming the items' paths (``items[2]``), and the order is still sent;
``strict=True`` refuses the order with a :class:`~voucherify_ext.ValidationError` naming the
first path, and nothing is sent.

Pure: :func:`unlinked_items` reads an order as sent (a dict); the orders resource
(:func:`check_items`), the import's validator (:class:`~voucherify_ext.validation.OrderValidator`,
``strict=True``) and its chunker (the warnings, with the record's line) use it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from voucherify_ext.caller_warnings import warn_at_caller
from voucherify_ext.errors import ValidationError

__all__ = [
    "REMEDY",
    "STRICT_HINT",
    "OrderItemWarning",
    "check_items",
    "item_problem",
    "items_text",
    "unlinked_items",
]

#: what to do about an unlinked item, and why
REMEDY = (
    'add related_object ("product" or "sku"): without it Voucherify cannot tell what the '
    "source_id names and answers 400 with a misleading message"
)
#: what a warning adds
STRICT_HINT = "strict=True refuses such an order before sending"
_SHOWN_PATHS = 5


class OrderItemWarning(UserWarning):
    """An order item names a product or SKU by ``source_id`` without ``related_object``.

    ``paths`` are the items concerned (``("items[0]", "items[2]")``). For an import,
    ``location`` says where the order is (``orders.jsonl:3``, or ``record 4 (chunk 1)`` for an
    iterable), ``line`` is its file line (None for an iterable) and ``index`` its record number
    (from 0); for ``create``/``update`` all three are None. An import warns about the first
    orders one by one; the last warning of a run with more counts them in ``more`` (its
    ``paths`` is empty).
    """

    def __init__(
        self,
        message: str,
        *,
        paths: Sequence[str] = (),
        location: str | None = None,
        line: int | None = None,
        index: int | None = None,
        more: int = 0,
    ) -> None:
        self.message = message
        self.paths = tuple(paths)
        self.location = location
        self.line = line
        self.index = index
        self.more = more
        super().__init__(message)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        fields = {
            "paths": self.paths,
            "location": self.location,
            "line": self.line,
            "index": self.index,
            "more": self.more,
        }
        return (_rebuild_warning, (self.message, fields))


def _rebuild_warning(message: str, fields: dict[str, Any]) -> OrderItemWarning:
    return OrderItemWarning(message, **fields)


def _names_by_source_id(item: Mapping[str, Any]) -> bool:
    if item.get("source_id") is not None:
        return True
    for key in ("product", "sku"):
        ref = item.get(key)
        if isinstance(ref, Mapping) and ref.get("source_id") is not None:
            return True
    return False


def unlinked_items(order: Any) -> list[str]:
    """The paths (``items[i]``) of the items of ``order`` (a dict, as sent) that name a product
    or SKU by ``source_id`` (the item's own, ``product.source_id`` or ``sku.source_id``)
    without ``related_object``. Anything that is not an order with a list of item objects has
    none (the schema check explains what is wrong with it)."""
    items = order.get("items") if isinstance(order, Mapping) else None
    if not isinstance(items, list):
        return []
    return [
        f"items[{index}]"
        for index, item in enumerate(items)
        if isinstance(item, Mapping) and item.get("related_object") is None and _names_by_source_id(item)
    ]


def items_text(paths: Sequence[str]) -> str:
    """``order item items[2] names`` / ``order items items[0], items[2] name``, the first few."""
    shown = ", ".join(paths[:_SHOWN_PATHS])
    if len(paths) > _SHOWN_PATHS:
        shown += f" and {len(paths) - _SHOWN_PATHS} more"
    noun, verb = ("order item", "names") if len(paths) == 1 else ("order items", "name")
    return f"{noun} {shown} {verb} a product or SKU by source_id without related_object"


def item_problem(path: str) -> str:
    """The validator's problem for one unlinked item (``items[2]: ...``)."""
    return f'{path}: names a product or SKU by source_id without related_object ("product" or "sku")'


def check_items(order: Any, *, strict: bool, what: str = "order") -> None:
    """Lint ``order`` (a generated request model or a dict) before it is sent: warn at the
    caller's line (:class:`OrderItemWarning`), or with ``strict`` raise
    :class:`~voucherify_ext.ValidationError` naming the first unlinked item."""
    to_dict = getattr(order, "to_dict", None)
    paths = unlinked_items(to_dict() if callable(to_dict) else order)
    if not paths:
        return
    if strict:
        raise ValidationError(
            f"invalid {what}: {items_text(paths)}; {REMEDY}; nothing was sent", path=paths[0]
        )
    warn_at_caller(OrderItemWarning(f"{items_text(paths)}; {REMEDY} ({STRICT_HINT})", paths=paths))
