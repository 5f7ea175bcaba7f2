"""The extension part of :class:`~voucherify_ext.sandbox.state.SandboxState` (a base class of it):
the objects of extension resources, and async actions of any type.

An async action of any ``type`` joins the project's queue that imports run in (one action at a
time, at the import speed in items per second); with a ``resource`` it upserts its items into
that resource as it goes, without one it only walks ENQUEUED, IN_PROGRESS, DONE.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from voucherify_ext.sandbox.errors import invalid_payload
from voucherify_ext.sandbox.resources import Resource
from voucherify_ext.sandbox.store_imports import ImportQueue
from voucherify_ext.sandbox.store_resources import ResourceStores
from voucherify_ext.sandbox.validation import Invalid

__all__ = ["ResourceMethods"]


class ResourceMethods:
    """Public methods take the state's lock and bring jobs up to the clock first."""

    lock: threading.RLock
    resources: tuple[Resource, ...]
    """The extension resources this state keeps (in registration order)."""
    _resources: ResourceStores
    _imports: ImportQueue
    _request_seq: int

    def _now_advanced(self) -> float:
        raise NotImplementedError  # SandboxState's

    def _advance(self, now_ms: float) -> None:
        raise NotImplementedError  # SandboxState's

    def resource(self, name: str) -> Resource:
        """The definition of the registered resource ``name`` (ValueError if there is none)."""
        return self._resources[name].resource

    def upsert_resource(self, name: str, body: Mapping[str, object]) -> dict[str, Any]:
        """Create or update an object of resource ``name``, as its ``POST`` does (400 if invalid)."""
        with self.lock:
            now = self._now_advanced()
            try:
                return self._resources[name].upsert(dict(body), now)
            except Invalid as exc:
                raise invalid_payload(exc.details) from None

    def get_resource(self, name: str, key: str) -> dict[str, Any]:
        """The object of resource ``name`` whose id (or other key) is ``key`` (404 otherwise)."""
        with self.lock:
            self._now_advanced()
            return self._resources[name].get(key)

    def list_resource(self, name: str, limit: int, page: int) -> tuple[list[dict[str, Any]], int]:
        """A page of resource ``name``, newest first, and how many objects it has."""
        with self.lock:
            self._now_advanced()
            store = self._resources[name]
            return store.page(limit, page), len(store)

    def resource_items(self, name: str) -> list[dict[str, Any]]:
        """Every object of resource ``name``, oldest first (read them, never mutate them)."""
        with self.lock:
            self._now_advanced()
            return self._resources[name].items()

    def seed_resource(self, name: str, items: Iterable[Mapping[str, object]]) -> list[str]:
        """Upsert ``items`` into resource ``name`` at once, without HTTP; returns their ids.
        An invalid item raises ValueError (the items before it are kept)."""
        with self.lock:
            now = self._now_advanced()
            store, ids = self._resources[name], []
            for item in items:
                try:
                    ids.append(str(store.upsert(dict(item), now)["id"]))
                except Invalid as exc:
                    raise ValueError(exc.details) from None
            return ids

    def resource_counts(self) -> dict[str, int]:
        """How many objects each registered resource holds."""
        with self.lock:
            self._now_advanced()
            return self._resources.counts()

    def enqueue_action(
        self,
        action_type: str,
        items: Sequence[object],
        *,
        resource: str | None = None,
        commit_after_requests: int | None = None,
        commit_at_ms: float | None = None,
    ) -> str:
        """Start an async action of ``action_type`` over ``items`` and return its id. It is
        queued like an import; with ``resource`` (a registered resource's name) each item is
        upserted into it as the action advances, a failing one reported in ``result.errors``.
        ``commit_after_requests``/``commit_at_ms`` make it a late commit, as for
        :meth:`~voucherify_ext.sandbox.state.SandboxState.enqueue_import`."""
        if commit_after_requests is not None and commit_after_requests < 1:
            raise ValueError("commit_after_requests must be at least 1")
        if commit_at_ms is not None and not math.isfinite(commit_at_ms):
            raise ValueError("commit_at_ms must be a finite epoch time in milliseconds")
        with self.lock:
            if resource is not None:
                self.resource(resource)  # a ValueError naming the registered resources
            now = self._now_advanced()
            payload: list[Any] = list(items)
            action_id = self._imports.enqueue(
                payload,
                now,
                self._request_seq,
                commit_after_requests=commit_after_requests,
                commit_at_ms=commit_at_ms,
                action_type=action_type,
                target=resource,
            )
            self._advance(now)
            return action_id
