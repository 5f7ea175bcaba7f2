"""The objects of the extension resources (:class:`~voucherify_ext.sandbox.resources.Resource`):
upsert by any of the resource's keys, get, newest-first pages, and the bulk call's items.

Objects live in a dict in insertion order, which is creation order (creation timestamps are
unique and increasing, as for orders), plus one index per key other than ``id``. Stored dicts
are replaced on update, never mutated.

Not thread-safe by itself: :class:`~voucherify_ext.sandbox.state.SandboxState` calls it under
its lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from typing import Any

from voucherify_ext.sandbox.errors import invalid_payload, not_found
from voucherify_ext.sandbox.ids import IdMaker
from voucherify_ext.sandbox.resources import Resource
from voucherify_ext.sandbox.store_imports import ActionTarget
from voucherify_ext.sandbox.util import iso_ms
from voucherify_ext.sandbox.validation import Invalid

__all__ = ["ResourceStore", "ResourceStores"]

_MANAGED = frozenset({"id", "object", "created_at", "updated_at"})
"""Fields the sandbox sets itself; a body's values for them are not stored (``id`` selects)."""


class _Record:
    __slots__ = ("created_ms", "item", "updated_ms")

    def __init__(self, item: dict[str, Any], created_ms: int, updated_ms: int | None) -> None:
        self.item = item
        self.created_ms = created_ms
        self.updated_ms = updated_ms


class ResourceStore:
    """One resource's objects by id, in creation order, indexed by its other keys."""

    def __init__(self, resource: Resource, ids: IdMaker) -> None:
        self.resource = resource
        self._ids = ids
        self._items: dict[str, _Record] = {}
        self._by_key: dict[str, dict[str, str]] = {key: {} for key in resource.keys if key != "id"}
        self._last_created_ms = 0

    def __len__(self) -> int:
        return len(self._items)

    def _lookup(self, key: str, value: str) -> _Record | None:
        if key == "id":
            return self._items.get(value)
        item_id = self._by_key[key].get(value)
        return self._items.get(item_id) if item_id is not None else None

    def _find(self, key_value: str) -> _Record | None:
        """The object whose id, or else whose value of another key, is ``key_value``."""
        for key in ("id", *self._by_key):
            record = self._lookup(key, key_value)
            if record is not None:
                return record
        return None

    def upsert(self, body: dict[str, Any], now_ms: float) -> dict[str, Any]:
        """Create, or update the object the first key of the body names; raises :class:`Invalid`
        for a key that is no string, a key value another object holds, or the resource's check."""
        resource = self.resource
        for key in resource.keys:
            if body.get(key) is not None and not isinstance(body[key], str):
                raise Invalid(f"Property .{key} must be a string")
        if resource.check is not None and (problem := resource.check(body)) is not None:
            raise Invalid(problem)
        record = None
        for key in resource.keys:
            value = body.get(key)
            if isinstance(value, str) and value and (record := self._lookup(key, value)) is not None:
                break
        for key, index in self._by_key.items():
            value = body.get(key)
            owner = index.get(value) if isinstance(value, str) else None
            if owner is not None and record is not None and owner != record.item["id"]:
                raise Invalid(f"Property .{key} {value} is already used by {resource.object} {owner}")
        fields = {name: value for name, value in body.items() if name not in _MANAGED}
        if record is not None:
            updated_ms = int(now_ms)
            kept = {name: value for name, value in record.item.items() if name not in _MANAGED}
            item = {"id": record.item["id"], **kept, **fields, "object": resource.object}
            item |= {"created_at": record.item["created_at"], "updated_at": iso_ms(updated_ms)}
            self._reindex(record.item, item)
            record.item, record.updated_ms = item, updated_ms
            return item
        given = body.get("id") if "id" in resource.keys else None
        item_id = given if isinstance(given, str) and given else None
        if item_id is None:
            item_id = self._ids.new(resource.id_prefix, 24, self._items.__contains__)
        created_ms = max(int(now_ms), self._last_created_ms + 1)
        self._last_created_ms = created_ms
        item = {"id": item_id, **fields, "object": resource.object}
        item |= {"created_at": iso_ms(created_ms), "updated_at": None}
        self._items[item_id] = _Record(item, created_ms, None)
        self._reindex(None, item)
        return item

    def _reindex(self, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
        for key, index in self._by_key.items():
            before = old.get(key) if old is not None else None
            after = new.get(key)
            if before != after and isinstance(before, str) and index.get(before) == new["id"]:
                del index[before]
            if isinstance(after, str) and after:
                index[after] = new["id"]

    def get(self, key_value: str) -> dict[str, Any]:
        record = self._find(key_value)
        if record is None:
            raise not_found(self.resource.object, key_value)
        return record.item

    def page(self, limit: int, page: int) -> list[dict[str, Any]]:
        """Newest first (creation order reversed)."""
        skip = (page - 1) * limit
        return [r.item for r in islice(reversed(self._items.values()), skip, skip + limit)]

    def items(self) -> list[dict[str, Any]]:
        """Every object, oldest first (the stored dicts: read them, never mutate them)."""
        return [r.item for r in self._items.values()]

    def apply_item(self, item: Any, now_ms: float) -> dict[str, Any] | None:
        """One item of a bulk call (an :class:`ActionTarget`): None when upserted, else its error."""
        source_id = item.get("source_id") if isinstance(item, dict) else None
        try:
            if not isinstance(item, dict):
                raise Invalid("Property . must be an object")
            self.upsert(item, now_ms)
        except Invalid as exc:
            error = invalid_payload(exc.details)
            return {
                "message": error.message,
                "details": error.details,
                "key": error.key,
                "source_id": source_id if isinstance(source_id, str) else None,
            }
        return None

    def dump(self) -> dict[str, Any]:
        return {"items": [[r.item, r.created_ms, r.updated_ms] for r in self._items.values()]}

    def restore(self, data: dict[str, Any]) -> None:
        for item, created_ms, updated_ms in data["items"]:
            self._items[item["id"]] = _Record(item, created_ms, updated_ms)
            self._last_created_ms = max(self._last_created_ms, created_ms)
            self._reindex(None, item)


class ResourceStores:
    """The stores of every registered resource, by name. A state file's data for a resource not
    registered now is kept as it was and saved again (it comes back with its extension)."""

    def __init__(self, resources: Sequence[Resource], ids: IdMaker) -> None:
        self._stores = {resource.name: ResourceStore(resource, ids) for resource in resources}
        self._dormant: dict[str, Any] = {}

    def __getitem__(self, name: str) -> ResourceStore:
        store = self._stores.get(name)
        if store is None:
            raise ValueError(f"no resource {name!r} in this sandbox (registered: {sorted(self._stores)})")
        return store

    def targets(self) -> dict[str, ActionTarget]:
        """What a bulk call's async action applies its items to, by resource name."""
        return dict(self._stores)

    def counts(self) -> dict[str, int]:
        return {name: len(store) for name, store in self._stores.items()}

    def dump(self) -> dict[str, Any]:
        return {"resources": {**self._dormant, **{n: s.dump() for n, s in self._stores.items()}}}

    def restore(self, data: dict[str, Any]) -> None:
        for name, raw in data.get("resources", {}).items():
            if name in self._stores:
                self._stores[name].restore(raw)
            else:
                self._dormant[name] = raw
