"""The sandbox's stored state: orders, customers, async actions, exports, OAuth tokens.

Thread-safe behind one re-entrant lock, because the server thread and a test thread (through
the Python control API) touch it concurrently. Built for 200,000 orders:

* orders live in a dict in insertion order, which is ``created_at`` order (timestamps are
  handed out monotonically), so a page sorted by creation is an ``islice`` from either end;
* a second ordered dict records the order of last writes, which is ``updated_at`` order;
* stored order dicts are never mutated (an update replaces them), so a page can be serialised
  outside the lock and an export snapshot needs no copy.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import math
import os
import random
import secrets
import threading
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from voucherify_ext.sandbox import exports as export_params
from voucherify_ext.sandbox.config import SandboxConfig
from voucherify_ext.sandbox.errors import SandboxError, invalid_payload, not_found
from voucherify_ext.sandbox.faults import FaultPlan
from voucherify_ext.sandbox.jobs import ExportJob, ImportJob
from voucherify_ext.sandbox.orders import build_order
from voucherify_ext.sandbox.ratelimit import RateLimiter
from voucherify_ext.sandbox.util import iso_ms, parse_iso, random_suffix, request_id
from voucherify_ext.sandbox.validation import Invalid, check_order_rules, check_order_shape

MAX_TOKENS = 1000


class _Record:
    """One stored order and the millisecond timestamps used for sorting and filtering."""

    __slots__ = ("created_ms", "order", "updated_ms")

    def __init__(self, order: dict[str, Any], created_ms: int, updated_ms: int | None) -> None:
        self.order = order
        self.created_ms = created_ms
        self.updated_ms = updated_ms


START_TAG_LENGTH = 6
"""62**6 (5.7e10) per-start values: two starts sharing one is a one-in-billions event."""


def _start_tag() -> str:
    return random_suffix(int.from_bytes(os.urandom(8), "big"), START_TAG_LENGTH)


class _Pending:
    """An import accepted but not committed yet (a late commit): no async action exists for it
    until it is due, by request count (``due_request``) or by clock (``due_ms``)."""

    __slots__ = ("accepted_ms", "due_ms", "due_request", "job")

    def __init__(self, job: ImportJob, accepted_ms: float, due_ms: float | None, due_request: int | None):
        self.job = job
        self.accepted_ms = accepted_ms
        self.due_ms = due_ms
        self.due_request = due_request

    def due(self, now_ms: float, request_seq: int) -> bool:
        return (self.due_ms is not None and now_ms >= self.due_ms) or (
            self.due_request is not None and request_seq >= self.due_request
        )


class SandboxState:
    """Everything one sandbox holds. Public methods take the lock and advance jobs first."""

    def __init__(
        self, config: SandboxConfig | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.config = config or SandboxConfig()
        self.clock: Callable[[], float] = clock
        """Epoch seconds; everything time-based reads it (a ManualClock in logical-time tests)."""
        self.lock = threading.RLock()
        self.app_id = self.config.app_id
        self.app_token = self.config.app_token
        self.latency_ms = float(self.config.latency_ms)
        self.import_speed = float(self.config.import_speed)
        self.export_delay = float(self.config.export_delay)
        self.faults = FaultPlan(seed=self.config.seed, rate=self.config.fault_rate, kinds=self.config.faults)
        self.ratelimiter = RateLimiter(self.config.rate_limit, lambda: self.clock())
        self._rng = random.Random(self.config.seed)
        self.start_tag = _start_tag()
        """The per-start part of every generated id: new for each SandboxState and each load, so
        a sandbox restarted from an older state file never hands out an id twice."""
        self._requests: Counter[tuple[str, str]] = Counter()
        self._request_seq = 0
        """API requests counted since the start (or reset); late commits wait on it."""
        self._tokens: OrderedDict[str, tuple[str, frozenset[str], int]] = OrderedDict()
        self._clear_data()
        if self.config.state_file is not None and self.config.state_file.exists():
            self.load(self.config.state_file)

    @classmethod
    def from_file(
        cls,
        path: Path | str,
        config: SandboxConfig | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> SandboxState:
        """A sandbox restarted from the state file ``path`` (which must exist): its data as
        saved, a new :attr:`start_tag`, and nothing of a previous run's faults, tokens, request
        counts or rate windows. ``config`` (its ``state_file`` included) is kept as given."""
        config = config or SandboxConfig()
        state = cls(dataclasses.replace(config, state_file=None), clock=clock)
        state.config = config
        state.load(path)
        return state

    # ------------------------------------------------------------------ basics

    def _clear_data(self) -> None:
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
        self._actions: dict[str, ImportJob] = {}
        self._queue: deque[ImportJob] = deque()
        self._last_import_end_ms = 0.0
        self._last_action_ms = 0
        self._exports: dict[str, ExportJob] = {}
        self._seed_counter = 0
        self._carriers: dict[str, list[str]] = {}
        """source_id -> ids of the import actions that carried it, in commit order."""
        self._pending: list[_Pending] = []
        """Late commits: accepted imports whose action does not exist yet, in arrival order."""

    def now_ms(self) -> float:
        return self.clock() * 1000.0

    def _new_id(self, prefix: str, length: int, taken: Callable[[str], bool]) -> str:
        """``prefix`` + :attr:`start_tag` + seeded characters, ``length`` characters after the
        prefix in Voucherify's alphabet (``aa_`` + 18 for actions, as the API's look)."""
        rest = length - len(self.start_tag)
        while True:
            candidate = prefix + self.start_tag + random_suffix(self._rng.getrandbits(6 * rest), rest)
            if not taken(candidate):
                return candidate

    def _next_created_ms(self, now_ms: float) -> int:
        """Creation timestamps are unique and increasing, so insertion order is created_at order
        and a client paging by ``created_at`` never sees two orders share a millisecond."""
        value = max(int(now_ms), self._last_created_ms + 1)
        self._last_created_ms = value
        return value

    def reset(self) -> None:
        """Forget all data, tokens, request counts, scripted faults and rate-limit windows, and
        restore the configured import speed and export delay."""
        with self.lock:
            self._clear_data()
            self.import_speed = float(self.config.import_speed)
            self.export_delay = float(self.config.export_delay)
            self._tokens.clear()
            self._requests.clear()
            self._request_seq = 0
            self.faults.reset()
            self.ratelimiter.reset()

    def set_clock(self, clock: Callable[[], float]) -> None:
        """Read time from ``clock`` from now on, and :meth:`reset`: timestamps already handed
        out came from the old clock and would not be in order with the new one."""
        with self.lock:
            self.clock = clock
            self.reset()

    def summary(self) -> dict[str, Any]:
        """Counts and settings for the control plane's ``GET /_sandbox/state``."""
        with self.lock:
            self._advance(self.now_ms())
            limit = self.ratelimiter.limit
            return {
                "orders": len(self._orders),
                "customers": len(self._customer_ids),
                "async_actions": len(self._actions),
                "imports_pending": len(self._queue),
                "imports_uncommitted": len(self._pending),
                "exports": len(self._exports),
                "requests": sum(self._requests.values()),
                "faults_pending": self.faults.pending(),
                "fault_rate": self.faults.rate,
                "fault_kinds": list(self.faults.kinds),
                "seed": self.faults.seed,
                "rate_limit": str(limit) if limit else None,
                "latency_ms": self.latency_ms,
                "import_speed": self.import_speed,
            }

    # ------------------------------------------------------------------ request accounting

    def count_request(self, method: str, path: str) -> None:
        """Count one API request that reached the sandbox (the app calls it on arrival; a model
        driving the state directly calls it itself): late commits waiting on requests may
        become due, and are committed before the request is handled."""
        with self.lock:
            self._requests[(method, path)] += 1
            self._request_seq += 1
            self._advance(self.now_ms())

    def request_count(self, method: str | None = None, path: str | None = None) -> int:
        with self.lock:
            return sum(
                n
                for (m, p), n in self._requests.items()
                if (method is None or m == method.upper()) and (path is None or p == path)
            )

    # ------------------------------------------------------------------ OAuth tokens

    def issue_token(self, scope: str, now: float) -> dict[str, Any]:
        scopes = frozenset(scope.split()) or frozenset({"api"})
        token = secrets.token_urlsafe(32)
        expires_at = int(now) + self.config.token_ttl
        with self.lock:
            self._tokens[token] = (self.app_id, scopes, expires_at)
            while len(self._tokens) > MAX_TOKENS:
                self._tokens.popitem(last=False)
        return {
            "access_token": token,
            "client_id": self.app_id,
            "expires_at": expires_at,
            "expires_in": self.config.token_ttl,
            "scope": " ".join(sorted(scopes)),
            "token_type": "Bearer",
        }

    def expire_tokens(self) -> int:
        """Expire (revoke) every OAuth token issued so far; returns how many there were. A
        client holding one gets 401 on its next request and must fetch a new token."""
        with self.lock:
            count = len(self._tokens)
            self._tokens.clear()
            return count

    def token_info(self, token: str, now: float) -> tuple[str, frozenset[str]] | None:
        with self.lock:
            entry = self._tokens.get(token)
            if entry is None:
                return None
            if entry[2] <= now:
                del self._tokens[token]
                return None
            return entry[0], entry[1]

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
            new_id = self._new_id("cust_", 24, self._customer_ids.__contains__)
            self._customers_by_source[source_id] = new_id
            self._customer_ids.add(new_id)
            return new_id
        new_id = self._new_id("cust_", 24, self._customer_ids.__contains__)
        self._customer_ids.add(new_id)
        return new_id

    # ------------------------------------------------------------------ orders

    def _find(self, key: str) -> _Record | None:
        record = self._orders.get(key)
        if record is None:
            order_id = self._by_source.get(key)
            if order_id is not None:
                record = self._orders.get(order_id)
        return record

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

    def _upsert(self, body: dict[str, Any], now_ms: float, *, allow_created_at: bool) -> dict[str, Any]:
        """Create, or update the order that ``id`` or ``source_id`` names (Voucherify's upsert)."""
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
            updated_ms = self._next_updated_ms(now_ms)
            order = build_order(
                body,
                order_id=record.order["id"],
                created_ms=record.created_ms,
                updated_ms=updated_ms,
                previous=record.order,
                resolve_customer=self._resolve_customer,
            )
            self._replace(record, order, updated_ms)
            return order
        order_id = body.get("id") if isinstance(body.get("id"), str) and body["id"] else None
        if order_id is None:
            order_id = self._new_id("ord_", 24, self._orders.__contains__)
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
        )
        self._store_new(order, created_ms)
        return order

    def _find_by_source(self, source_id: str) -> _Record | None:
        order_id = self._by_source.get(source_id)
        return self._orders.get(order_id) if order_id is not None else None

    def _next_updated_ms(self, now_ms: float) -> int:
        return int(now_ms)

    def create_order(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            now = self.now_ms()
            self._advance(now)
            try:
                return self._upsert(body, now, allow_created_at=True)
            except Invalid as exc:
                raise invalid_payload(exc.details) from None

    def get_order(self, key: str) -> dict[str, Any]:
        with self.lock:
            self._advance(self.now_ms())
            record = self._find(key)
            if record is None:
                raise not_found("order", key)
            return record.order

    def update_order(self, key: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            now = self.now_ms()
            self._advance(now)
            record = self._find(key)
            if record is None:
                raise not_found("order", key)
            source_id = body.get("source_id")
            owner = self._by_source.get(source_id) if isinstance(source_id, str) else None
            if owner is not None and owner != record.order["id"]:
                raise invalid_payload(f"Property .source_id {source_id} is already used by order {owner}")
            updated_ms = self._next_updated_ms(now)
            order = build_order(
                body,
                order_id=record.order["id"],
                created_ms=record.created_ms,
                updated_ms=updated_ms,
                previous=record.order,
                resolve_customer=self._resolve_customer,
            )
            self._replace(record, order, updated_ms)
            return order

    def _created_view(self) -> list[_Record] | None:
        """None while insertion order is creation order (the usual case); else a sorted copy."""
        if self._created_in_order:
            return None
        if self._created_sorted is None:
            self._created_sorted = sorted(self._orders.values(), key=lambda r: r.created_ms)
        return self._created_sorted

    def _iter_sorted(self, order: str) -> Iterator[dict[str, Any]]:
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

    def list_orders(self, limit: int, page: int, order: str) -> tuple[list[dict[str, Any]], int]:
        with self.lock:
            self._advance(self.now_ms())
            skip = (page - 1) * limit
            return list(islice(self._iter_sorted(order), skip, skip + limit)), len(self._orders)

    def count_orders(self, source_id: str | None = None) -> int:
        """How many stored orders carry ``source_id`` (all orders when None)."""
        with self.lock:
            self._advance(self.now_ms())
            if source_id is None:
                return len(self._orders)
            return sum(1 for r in self._orders.values() if r.order.get("source_id") == source_id)

    def orders(self) -> list[dict[str, Any]]:
        """Every stored order as the API returns it, oldest first.

        The dicts are the stored ones (copying 200,000 orders would cost seconds): read them,
        never mutate them.
        """
        with self.lock:
            self._advance(self.now_ms())
            return list(self._iter_sorted("created_at"))

    def seed_orders(
        self,
        count: int,
        *,
        source_id_prefix: str = "seed-",
        status: str = "PAID",
        amount: int = 1000,
        metadata: dict[str, Any] | None = None,
    ) -> list[str]:
        """Store ``count`` orders at once, without HTTP; returns their ids.

        Source ids are ``<prefix><n>`` with ``n`` counting on across calls, so seeding twice
        adds orders rather than upserting the same ones.
        """
        if count < 0:
            raise ValueError("count must not be negative")
        ids: list[str] = []
        with self.lock:
            now = self.now_ms()
            self._advance(now)
            start = min(int(now) - count, int(now))
            for _ in range(count):
                self._seed_counter += 1
                source_id = f"{source_id_prefix}{self._seed_counter}"
                while source_id in self._by_source:
                    self._seed_counter += 1
                    source_id = f"{source_id_prefix}{self._seed_counter}"
                created_ms = self._next_created_ms(start)
                start += 1
                order_id = self._new_id("ord_", 24, self._orders.__contains__)
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
                    "object": "order",
                }
                self._store_new(order, created_ms)
                ids.append(order_id)
        return ids

    # ------------------------------------------------------------------ imports (async actions)

    def _new_action_ms(self, now_ms: float) -> int:
        value = max(int(now_ms), self._last_action_ms + 1)
        self._last_action_ms = value
        return value

    def enqueue_import(
        self,
        payload: list[dict[str, Any]],
        *,
        commit_after_requests: int | None = None,
        commit_at_ms: float | None = None,
    ) -> str:
        """Accept an import and return the id its async action has (or will have).

        Without keywords the action exists at once. With ``commit_after_requests=k`` and/or
        ``commit_at_ms`` (epoch ms on the sandbox clock) it is a late commit: the action does
        not exist (404, not listed, its orders not applied) until ``k`` more requests were
        counted (the k-th already sees it), or the clock reaches ``commit_at_ms``, whichever
        comes first, or :meth:`commit_pending` is called. Its ``created_at`` is the commit
        time: ``commit_at_ms`` when the clock made it due, else the moment it was committed.
        """
        if commit_after_requests is not None and commit_after_requests < 1:
            raise ValueError("commit_after_requests must be at least 1")
        if commit_at_ms is not None and not math.isfinite(commit_at_ms):
            raise ValueError("commit_at_ms must be a finite epoch time in milliseconds")
        with self.lock:
            now = self.now_ms()
            self._advance(now)
            pending_ids = {p.job.id for p in self._pending}
            job = ImportJob(
                id=self._new_id("aa_", 18, lambda i: i in self._actions or i in pending_ids),
                created_ms=int(now),
                request_id=request_id(),
                payload=payload,
            )
            if commit_after_requests is None and commit_at_ms is None:
                job.created_ms = self._new_action_ms(now)
                self._commit(job)
            else:
                due_request = None
                if commit_after_requests is not None:
                    due_request = self._request_seq + commit_after_requests
                self._pending.append(_Pending(job, now, commit_at_ms, due_request))
            self._advance(now)
            return job.id

    def _commit_due(self, now_ms: float) -> None:
        """Commit the late commits that are due, in the order of their commit times."""
        due = [p for p in self._pending if p.due(now_ms, self._request_seq)]
        if not due:
            return
        self._pending = [p for p in self._pending if p not in due]

        def moment(p: _Pending) -> float:
            by_clock = p.due_ms is not None and now_ms >= p.due_ms
            return max(p.accepted_ms, p.due_ms) if by_clock and p.due_ms is not None else now_ms

        for pending in sorted(due, key=moment):  # stable: arrival order among equal times
            pending.job.created_ms = self._new_action_ms(moment(pending))
            self._commit(pending.job)

    def commit_pending(self) -> list[str]:
        """Commit every late commit still pending, now; returns their ids in commit order."""
        with self.lock:
            now = self.now_ms()
            self._advance(now)
            committed: list[str] = []
            for pending in self._pending:
                pending.job.created_ms = self._new_action_ms(now)
                self._commit(pending.job)
                committed.append(pending.job.id)
            self._pending = []
            self._advance(now)
            return committed

    def pending_imports(self) -> list[str]:
        """Ids of the late commits accepted but not committed yet, in arrival order."""
        with self.lock:
            self._advance(self.now_ms())
            return [p.job.id for p in self._pending]

    def _commit(self, job: ImportJob) -> None:
        """The action exists from now on: listed, queued, and recorded as carrying its orders."""
        self._actions[job.id] = job
        self._queue.append(job)
        for raw in job.payload:
            source_id = raw.get("source_id") if isinstance(raw, dict) else None
            if isinstance(source_id, str):
                self._carriers.setdefault(source_id, []).append(job.id)

    def import_carriers(self) -> dict[str, list[str]]:
        """For every ``source_id`` sent in an import: the ids of the actions that carried it,
        oldest first (commit order), once per payload entry, failed entries included. Orders
        without a ``source_id`` are not recorded. Survives save/load; cleared by reset()."""
        with self.lock:
            self._advance(self.now_ms())
            return {source_id: list(ids) for source_id, ids in self._carriers.items()}

    def set_import_speed(self, orders_per_second: float) -> None:
        """Applies to imports that have not started yet."""
        if orders_per_second <= 0:
            raise ValueError("import speed must be positive")
        with self.lock:
            self._advance(self.now_ms())
            self.import_speed = float(orders_per_second)

    def _apply_import_order(self, job: ImportJob, index: int, now_ms: float) -> None:
        raw = job.payload[index]
        source_id = raw.get("source_id") if isinstance(raw, dict) else None
        try:
            body = check_order_shape(raw, allow_id=True, allow_created_at=False)
            check_order_rules(body)
            body = {k: v for k, v in body.items() if k != "created_at"}
            self._upsert(body, now_ms, allow_created_at=False)
        except Invalid as exc:
            job.failed.append(
                {"source_id": source_id if isinstance(source_id, str) else None, "reason": exc.details}
            )
            return
        job.done_count += 1

    def _advance(self, now_ms: float) -> None:
        """Bring queued imports up to ``now_ms``: one import at a time, in queue order, each
        starting when the previous one finished (in clock time, whoever polled when). Late
        commits that are due are committed first."""
        if self._pending:
            self._commit_due(now_ms)
        while self._queue:
            job = self._queue[0]
            if job.start_ms is None:
                job.start_ms = max(float(job.created_ms), self._last_import_end_ms)
                job.speed = self.import_speed
            if job.start_ms > now_ms:
                return
            total = len(job.payload)
            target = min(total, int((now_ms - job.start_ms) / 1000.0 * job.speed))
            while job.applied < target:
                self._apply_import_order(job, job.applied, now_ms)
                job.applied += 1
            if job.applied < total:
                return
            job.finished_ms = job.start_ms + total / job.speed * 1000.0
            self._last_import_end_ms = job.finished_ms
            job.payload = []
            self._queue.popleft()

    def get_async_action(self, action_id: str) -> dict[str, Any]:
        with self.lock:
            now = self.now_ms()
            self._advance(now)
            job = self._actions.get(action_id)
            if job is None:
                raise not_found("async_action", action_id)
            return job.view(now, with_result=True)

    def list_async_actions(self, limit: int, end_ms: int | None) -> tuple[list[dict[str, Any]], bool]:
        """Newest first; only actions created before ``end_ms``; no ``result`` in list items."""
        with self.lock:
            now = self.now_ms()
            self._advance(now)
            picked: list[dict[str, Any]] = []
            has_more = False
            for job in reversed(self._actions.values()):
                if end_ms is not None and job.created_ms >= end_ms:
                    continue
                if len(picked) == limit:
                    has_more = True
                    break
                picked.append(job.view(now, with_result=False))
            return picked, has_more

    # ------------------------------------------------------------------ exports

    def create_export(self, parameters: dict[str, Any], base_url: str) -> dict[str, Any]:
        with self.lock:
            now = self.now_ms()
            self._advance(now)
            job = ExportJob(
                id=self._new_id("exp_", 24, self._exports.__contains__),
                created_ms=int(now),
                parameters=parameters,
                token=secrets.token_urlsafe(24),
                delay_ms=self.export_delay * 1000.0,
            )
            self._exports[job.id] = job
            return job.view(now, base_url)

    def _finish_exports(self, now_ms: float) -> None:
        """Render the CSV of every export that is due, from the orders stored right now."""
        for job in self._exports.values():
            if not job.due(now_ms):
                continue
            params = job.parameters
            predicate = export_params.compile_filters(params.get("filters") or {})
            order = params.get("order") or "created_at"
            base = "updated_at" if order.lstrip("-") == "updated_at" else "created_at"
            rows = [o for o in self._iter_sorted(base) if predicate(o)]
            if order.lstrip("-") == "status":
                rows.sort(key=lambda o: str(o.get("status")))
            if order.startswith("-"):
                rows.reverse()
            job.csv = export_params.render_csv(rows, list(params["fields"]))

    def get_export(self, export_id: str, base_url: str) -> dict[str, Any]:
        with self.lock:
            now = self.now_ms()
            self._advance(now)
            job = self._exports.get(export_id)
            if job is None:
                raise not_found("export", export_id)
            if job.due(now):
                self._finish_exports(now)
            return job.view(now, base_url)

    def delete_export(self, export_id: str) -> None:
        with self.lock:
            if self._exports.pop(export_id, None) is None:
                raise not_found("export", export_id)

    def download_export(self, export_id: str, token: str) -> str:
        """The CSV, if ``token`` is this export's token and it is DONE (401 otherwise)."""
        with self.lock:
            now = self.now_ms()
            self._advance(now)
            job = self._exports.get(export_id)
            if job is None or not secrets.compare_digest(job.token.encode(), token.encode()):
                raise SandboxError(401, "unauthorized", "Unauthorized", with_request_id=False)
            if job.due(now):
                self._finish_exports(now)
            if job.csv is None:
                raise not_found("export", export_id)
            return job.csv

    def export_ids(self) -> list[str]:
        """Ids of the exports stored now, oldest first (the API has no list of exports)."""
        with self.lock:
            return list(self._exports)

    def rotate_export_token(self, export_id: str) -> None:
        """Give the export a new download token: its old download URL answers 401 from now on."""
        with self.lock:
            job = self._exports.get(export_id)
            if job is None:
                raise not_found("export", export_id)
            job.token = secrets.token_urlsafe(24)

    def oauth_tokens(self) -> list[str]:
        """The OAuth bearer tokens issued and not yet expired, oldest first: secrets a test can
        look for in a client's logs and errors."""
        with self.lock:
            return list(self._tokens)

    def export_tokens(self) -> list[str]:
        """The download token of every stored export (secrets too, like ``oauth_tokens``)."""
        with self.lock:
            return [job.token for job in self._exports.values()]

    def async_action_count(self) -> int:
        """How many async actions (imports) exist since the last reset (late commits count
        once committed)."""
        with self.lock:
            self._advance(self.now_ms())
            return len(self._actions)

    # ------------------------------------------------------------------ persistence

    def save(self, path: Path | str | None = None) -> None:
        """Write the data (not tokens or faults) as JSON, atomically."""
        target = Path(path) if path is not None else self.config.state_file
        if target is None:
            raise ValueError("no state file configured")
        with self.lock:
            data = {
                "version": 1,
                "orders": [[r.order, r.created_ms, r.updated_ms] for r in self._orders.values()],
                "touched": list(self._touched),
                "customers": self._customers_by_source,
                "customer_ids": sorted(self._customer_ids),
                "actions": [job.to_json() for job in self._actions.values()],
                "exports": [job.to_json() for job in self._exports.values()],
                "last_import_end_ms": self._last_import_end_ms,
                "seed_counter": self._seed_counter,
                "carriers": self._carriers,
                "pending": [
                    {
                        "job": p.job.to_json(),
                        "accepted_ms": p.accepted_ms,
                        "due_ms": p.due_ms,
                        "requests_left": None
                        if p.due_request is None
                        else max(1, p.due_request - self._request_seq),
                    }
                    for p in self._pending
                ],
            }
            text = json.dumps(data, separators=(",", ":"))
        # a temporary name of this process's own: two processes saving at once cannot write
        # into, or rename away, each other's temporary file
        tmp = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def load(self, path: Path | str) -> None:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("version") != 1:
            raise ValueError(f"{path}: unknown sandbox state version")
        with self.lock:
            self._clear_data()
            self.start_tag = _start_tag()  # a new start: ids handed out after that save stay unique
            now_ms = self.now_ms()
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
            for raw in data["actions"]:
                job = ImportJob.from_json(raw)
                self._actions[job.id] = job
                self._last_action_ms = max(self._last_action_ms, job.created_ms)
                if job.finished_ms is None:
                    self._queue.append(job)
            for raw in data["exports"]:
                export = ExportJob.from_json(raw)
                self._exports[export.id] = export
            self._last_import_end_ms = data["last_import_end_ms"]
            self._seed_counter = data["seed_counter"]
            self._carriers = {str(k): [str(i) for i in v] for k, v in data.get("carriers", {}).items()}
            for raw in data.get("pending", []):
                left = raw["requests_left"]
                self._pending.append(
                    _Pending(
                        ImportJob.from_json(raw["job"]),
                        raw["accepted_ms"],
                        raw["due_ms"],
                        None if left is None else self._request_seq + int(left),
                    )
                )
