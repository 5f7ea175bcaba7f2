"""The sandbox's orders and customers: upsert by id or source_id, sorted pages, seeding.

Built for 200,000 orders:

* orders live in a dict in insertion order, which is ``created_at`` order (timestamps are
  handed out monotonically), so a page sorted by creation is an ``islice`` from either end;
* a second ordered dict records the order of last writes, which is ``updated_at`` order;
* stored order dicts are never mutated (an update replaces them), so a page can be serialised
  outside the lock and an export snapshot needs no copy.

Not thread-safe by itself: :class:`~voucherify_ext.sandbox.state.SandboxState` calls it under
its lock.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Iterator
from itertools import islice
from typing import Any

from voucherify_ext.sandbox.errors import invalid_payload, not_found
from voucherify_ext.sandbox.ids import IdMaker
from voucherify_ext.sandbox.orders import Echo, build_order
from voucherify_ext.sandbox.spec_model import SpecModel
from voucherify_ext.sandbox.util import iso_ms, parse_iso
from voucherify_ext.sandbox.validation import Invalid
from voucherify_ext.sandbox.values import ORDER_OBJECT

__all__ = ["OrderStore"]


class _Record:
    """One stored order and the millisecond timestamps used for sorting and filtering."""

    __slots__ = ("created_ms", "order", "updated_ms")

    def __init__(self, order: dict[str, Any], created_ms: int, updated_ms: int | None) -> None:
        self.order = order
        self.created_ms = created_ms
        self.updated_ms = updated_ms


class OrderStore:
    """Orders by id (and by source_id), in creation and in last-write order, and customers."""

    def __init__(self, ids: IdMaker, spec: SpecModel) -> None:
        self._ids = ids
        self._echo = Echo.from_spec(spec)
        self._orders: dict[str, _Record] = {}
        self._by_source: dict[str, str] = {}
        self._touched: OrderedDict[str, None] = OrderedDict()
        self._created_sorted: list[_Record] | None = None
        self._created_in_order = True
        self._last_created_ms = 0
        """Last creation time handed out by the clock (explicit ``created_at`` values excluded)."""
        self._max_created_ms = 0
        self._customers_by_source: dict[str, str] = {}
        self._customer_ids: set[str] = set()
        self._seed_counter = 0

    def __len__(self) -> int:
        return len(self._orders)

    def customer_count(self) -> int:
        return len(self._customer_ids)

    def _next_created_ms(self, now_ms: float) -> int:
        """Creation timestamps are unique and increasing, so insertion order is created_at order
        and a client paging by ``created_at`` never sees two orders share a millisecond."""
        value = max(int(now_ms), self._last_created_ms + 1)
        self._last_created_ms = value
        return value

    def _next_updated_ms(self, now_ms: float) -> int:
        return int(now_ms)

    # ------------------------------------------------------------------ customers

    def _resolve_customer(self, customer: dict[str, Any]) -> str:
        """Upsert a customer: ``id`` wins over ``source_id``; a new source_id gets a ``cust_`` id."""
        if isinstance(customer.get("id"), str) and customer["id"]:
            self._customer_ids.add(customer["id"])
            return str(customer["id"])
        source_id = customer.get("source_id")
        if isinstance(source_id, str) and source_id:
            existing = self._customers_by_source.get(source_id)
            if existing is not None:
                return existing
            new_id = self._ids.new("cust_", 24, self._customer_ids.__contains__)
            self._customers_by_source[source_id] = new_id
            self._customer_ids.add(new_id)
            return new_id
        new_id = self._ids.new("cust_", 24, self._customer_ids.__contains__)
        self._customer_ids.add(new_id)
        return new_id

    # ------------------------------------------------------------------ writes

    def _find(self, key: str) -> _Record | None:
        record = self._orders.get(key)
        if record is None:
            order_id = self._by_source.get(key)
            if order_id is not None:
                record = self._orders.get(order_id)
        return record

    def _find_by_source(self, source_id: str) -> _Record | None:
        order_id = self._by_source.get(source_id)
        return self._orders.get(order_id) if order_id is not None else None

    def _store_new(self, order: dict[str, Any], created_ms: int) -> None:
        record = _Record(order, created_ms, None)
        if created_ms < self._max_created_ms:
            self._created_in_order = False
        self._max_created_ms = max(self._max_created_ms, created_ms)
        self._orders[order["id"]] = record
        self._touched[order["id"]] = None
        if self._created_sorted is not None:
            # Keep the sorted view instead of re-sorting 200k orders on the next list.
            bisect.insort(self._created_sorted, record, key=lambda r: r.created_ms)
        if order.get("source_id") is not None:
            self._by_source[order["source_id"]] = order["id"]

    def _replace(self, record: _Record, order: dict[str, Any], updated_ms: int) -> None:
        old_source = record.order.get("source_id")
        new_source = order.get("source_id")
        if old_source != new_source:
            if old_source is not None and self._by_source.get(old_source) == order["id"]:
                del self._by_source[old_source]
            if new_source is not None:
                self._by_source[new_source] = order["id"]
        record.order = order
        record.updated_ms = updated_ms
        self._touched.move_to_end(order["id"])

    def _rebuild(self, record: _Record, body: dict[str, Any], now_ms: float) -> dict[str, Any]:
        """Replace ``record``'s order with ``body`` applied to it (an update)."""
        updated_ms = self._next_updated_ms(now_ms)
        order = build_order(
            body,
            order_id=record.order["id"],
            created_ms=record.created_ms,
            updated_ms=updated_ms,
            previous=record.order,
            resolve_customer=self._resolve_customer,
            echo=self._echo,
        )
        self._replace(record, order, updated_ms)
        return order

    def upsert(self, body: dict[str, Any], now_ms: float, *, allow_created_at: bool) -> dict[str, Any]:
        """Create, or update the order that ``id`` or ``source_id`` names (Voucherify's upsert);
        raises :class:`Invalid` for a source_id another order holds."""
        record = None
        if isinstance(body.get("id"), str):
            record = self._orders.get(body["id"])
        if record is None and isinstance(body.get("source_id"), str):
            record = self._find_by_source(body["source_id"])
        source_id = body.get("source_id")
        if isinstance(source_id, str):
            owner = self._by_source.get(source_id)
            if owner is not None and record is not None and owner != record.order["id"]:
                raise Invalid(f"Property .source_id {source_id} is already used by order {owner}")
        if record is not None:
            return self._rebuild(record, body, now_ms)
        order_id = body.get("id") if isinstance(body.get("id"), str) and body["id"] else None
        if order_id is None:
            order_id = self._ids.new("ord_", 24, self._orders.__contains__)
        created_ms = None
        if allow_created_at and isinstance(body.get("created_at"), str):
            created_ms = parse_iso(body["created_at"])
        if created_ms is None:
            created_ms = self._next_created_ms(now_ms)
        order = build_order(
            body,
            order_id=order_id,
            created_ms=created_ms,
            updated_ms=None,
            previous=None,
            resolve_customer=self._resolve_customer,
            echo=self._echo,
        )
        self._store_new(order, created_ms)
        return order

    def get(self, key: str) -> dict[str, Any]:
        """The order with id or source_id ``key`` (404 otherwise)."""
        record = self._find(key)
        if record is None:
            raise not_found("order", key)
        return record.order

    def update(self, key: str, body: dict[str, Any], now_ms: float) -> dict[str, Any]:
        """Update the order with id or source_id ``key`` (404 otherwise; 400 for a source_id
        another order holds)."""
        record = self._find(key)
        if record is None:
            raise not_found("order", key)
        source_id = body.get("source_id")
        owner = self._by_source.get(source_id) if isinstance(source_id, str) else None
        if owner is not None and owner != record.order["id"]:
            raise invalid_payload(f"Property .source_id {source_id} is already used by order {owner}")
        return self._rebuild(record, body, now_ms)

    # ------------------------------------------------------------------ reads

    def _created_view(self) -> list[_Record] | None:
        """None while insertion order is creation order (the usual case); else a sorted copy."""
        if self._created_in_order:
            return None
        if self._created_sorted is None:
            self._created_sorted = sorted(self._orders.values(), key=lambda r: r.created_ms)
        return self._created_sorted

    def iter_sorted(self, order: str) -> Iterator[dict[str, Any]]:
        """Orders in the requested sort; cheap to start, so paging only walks what it skips."""
        descending = order.startswith("-")
        if order.lstrip("-") == "updated_at":
            ids: Iterator[str] = reversed(self._touched) if descending else iter(self._touched)
            orders = self._orders
            return (orders[i].order for i in ids)
        view = self._created_view()
        if view is None:
            records: Iterator[_Record] = (
                reversed(self._orders.values()) if descending else iter(self._orders.values())
            )
        else:
            records = reversed(view) if descending else iter(view)
        return (r.order for r in records)

    def page(self, limit: int, page: int, order: str) -> list[dict[str, Any]]:
        skip = (page - 1) * limit
        return list(islice(self.iter_sorted(order), skip, skip + limit))

    def count(self, source_id: str | None = None) -> int:
        """How many stored orders carry ``source_id`` (all orders when None)."""
        if source_id is None:
            return len(self._orders)
        return sum(1 for r in self._orders.values() if r.order.get("source_id") == source_id)

    # ------------------------------------------------------------------ seeding

    def seed(
        self,
        count: int,
        now_ms: float,
        *,
        source_id_prefix: str,
        status: str,
        amount: int,
        metadata: dict[str, Any] | None,
    ) -> list[str]:
        """Store ``count`` orders created just before ``now_ms``; returns their ids."""
        ids: list[str] = []
        start = min(int(now_ms) - count, int(now_ms))
        for _ in range(count):
            self._seed_counter += 1
            source_id = f"{source_id_prefix}{self._seed_counter}"
            while source_id in self._by_source:
                self._seed_counter += 1
                source_id = f"{source_id_prefix}{self._seed_counter}"
            created_ms = self._next_created_ms(start)
            start += 1
            order_id = self._ids.new("ord_", 24, self._orders.__contains__)
            order: dict[str, Any] = {
                "id": order_id,
                "source_id": source_id,
                "created_at": iso_ms(created_ms),
                "updated_at": None,
                "status": status,
                "amount": amount,
                "initial_amount": amount,
                "discount_amount": 0,
                "items_discount_amount": 0,
                "total_discount_amount": 0,
                "total_amount": amount,
                "applied_discount_amount": 0,
                "items_applied_discount_amount": 0,
                "total_applied_discount_amount": 0,
                "items": [],
                "metadata": dict(metadata) if metadata else {},
                "customer_id": None,
                "referrer_id": None,
                "object": ORDER_OBJECT,
            }
            self._store_new(order, created_ms)
            ids.append(order_id)
        return ids

    # ------------------------------------------------------------------ snapshot

    def dump(self) -> dict[str, Any]:
        """This store's part of a state file (see :mod:`~voucherify_ext.sandbox.snapshot`)."""
        return {
            "orders": [[r.order, r.created_ms, r.updated_ms] for r in self._orders.values()],
            "touched": list(self._touched),
            "customers": self._customers_by_source,
            "customer_ids": sorted(self._customer_ids),
            "seed_counter": self._seed_counter,
        }

    def restore(self, data: dict[str, Any], now_ms: float) -> None:
        """Load :meth:`dump`'s keys into this (empty) store; creation times handed out from now
        on stay after those saved, unless those are in the future of ``now_ms``."""
        for order, created_ms, updated_ms in data["orders"]:
            record = _Record(order, created_ms, updated_ms)
            if created_ms < self._max_created_ms:
                self._created_in_order = False
            self._max_created_ms = max(self._max_created_ms, created_ms)
            if created_ms <= now_ms:
                self._last_created_ms = max(self._last_created_ms, created_ms)
            self._orders[order["id"]] = record
            if order.get("source_id") is not None:
                self._by_source[order["source_id"]] = order["id"]
        self._touched = OrderedDict((order_id, None) for order_id in data["touched"])
        self._customers_by_source = dict(data["customers"])
        self._customer_ids = set(data["customer_ids"])
        self._seed_counter = data["seed_counter"]
