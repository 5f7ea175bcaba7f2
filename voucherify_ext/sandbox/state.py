"""The sandbox's state: one lock, one clock, and the stores behind the API and control plane.

:class:`SandboxState` holds everything one sandbox keeps: orders and customers
(:mod:`.store_orders`), async actions and late commits (:mod:`.store_imports`), exports
(:mod:`.store_exports`, methods in :mod:`.state_exports`), extension resources
(:mod:`.store_resources`, methods in :mod:`.state_resources`), OAuth tokens
(:mod:`.store_tokens`), plus request counts, the fault plan and the rate limiter;
:mod:`.snapshot` saves and loads it. It is thread-safe behind one
re-entrant lock, because the server thread and a test thread (through the Python control API)
touch it concurrently; every public method takes the lock and brings jobs up to the clock's
"now" first.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from voucherify_ext.sandbox import snapshot
from voucherify_ext.sandbox.config import SandboxConfig
from voucherify_ext.sandbox.errors import invalid_payload
from voucherify_ext.sandbox.faults import FaultPlan
from voucherify_ext.sandbox.ids import IdMaker
from voucherify_ext.sandbox.journal import RequestJournal
from voucherify_ext.sandbox.ratelimit import RateLimiter
from voucherify_ext.sandbox.resources import Resource
from voucherify_ext.sandbox.spec_model import SpecModel, load_model
from voucherify_ext.sandbox.state_exports import ExportMethods
from voucherify_ext.sandbox.state_resources import ResourceMethods
from voucherify_ext.sandbox.store_exports import ExportStore
from voucherify_ext.sandbox.store_imports import ImportQueue
from voucherify_ext.sandbox.store_orders import OrderStore
from voucherify_ext.sandbox.store_resources import ResourceStores
from voucherify_ext.sandbox.store_tokens import TokenStore
from voucherify_ext.sandbox.validation import Invalid
from voucherify_ext.sandbox.values import IMPORT_TYPE, SEED_STATUS, check_emitted

__all__ = ["SandboxState"]


class SandboxState(ExportMethods, ResourceMethods):
    """Everything one sandbox holds. Public methods take the lock and advance jobs first.
    ``resources``: the extension resources it keeps (:class:`~.resources.Resource`)."""

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        clock: Callable[[], float] = time.time,
        resources: Sequence[Resource] = (),
    ) -> None:
        self.config = config or SandboxConfig()
        self.resources = tuple(resources)
        if len({r.name for r in self.resources}) != len(self.resources):
            raise ValueError("two resources share a name")
        self.spec: SpecModel = load_model(self.config.spec)
        """What the spec says the sandbox enforces (:mod:`.spec_model`), read once per spec file."""
        check_emitted(self.spec)
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
        self._ids = IdMaker(self.config.seed)
        self._requests: Counter[tuple[str, str]] = Counter()
        self._request_seq = 0
        """API requests counted since the start (or reset); late commits wait on it."""
        self.journal = RequestJournal(self.config.journal)
        """The request journal (off unless configured): what arrived, with key, body and time."""
        self._tokens = TokenStore(self.config.token_ttl)
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
        resources: Sequence[Resource] = (),
    ) -> SandboxState:
        """A sandbox restarted from the state file ``path`` (which must exist): its data as
        saved, a new :attr:`start_tag`, and nothing of a previous run's faults, tokens, request
        counts or rate windows. ``config`` (its ``state_file`` included) is kept as given."""
        config = config or SandboxConfig()
        state = cls(dataclasses.replace(config, state_file=None), clock=clock, resources=resources)
        state.config = config
        state.load(path)
        return state

    # ------------------------------------------------------------------ basics

    @property
    def start_tag(self) -> str:
        """The per-start part of every generated id: new for each SandboxState and each load, so
        a sandbox restarted from an older state file never hands out an id twice."""
        return self._ids.start_tag

    def _clear_data(self) -> None:
        self._orders = OrderStore(self._ids, self.spec)
        self._resources = ResourceStores(self.resources, self._ids)
        self._imports = ImportQueue(self._ids, self._orders, self.spec, self._resources.targets())
        self._exports = ExportStore(self._ids, self._orders, self.spec)

    def now_ms(self) -> float:
        return self.clock() * 1000.0

    def _advance(self, now_ms: float) -> None:
        """Bring imports and late commits up to ``now_ms`` (under the lock)."""
        self._imports.advance(now_ms, self._request_seq, self.import_speed)

    def _now_advanced(self) -> float:
        """The clock's time in ms, jobs brought up to it (under the lock)."""
        now = self.now_ms()
        self._advance(now)
        return now

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
            self.journal.clear()
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
            self._now_advanced()
            limit = self.ratelimiter.limit
            return {
                "orders": len(self._orders),
                "customers": self._orders.customer_count(),
                "async_actions": len(self._imports),
                "imports_pending": self._imports.queued(),
                "imports_uncommitted": len(self._imports.pending_ids()),
                "exports": len(self._exports),
                "resources": self._resources.counts(),
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
            self._now_advanced()

    def request_count(self, method: str | None = None, path: str | None = None) -> int:
        with self.lock:
            return sum(
                n
                for (m, p), n in self._requests.items()
                if (method is None or m == method.upper()) and (path is None or p == path)
            )

    # ------------------------------------------------------------------ OAuth tokens

    def issue_token(self, scope: str, now: float) -> dict[str, Any]:
        with self.lock:
            return self._tokens.issue(self.app_id, scope, now)

    def expire_tokens(self) -> int:
        """Expire (revoke) every OAuth token issued so far; returns how many there were. A
        client holding one gets 401 on its next request and must fetch a new token."""
        with self.lock:
            return self._tokens.clear()

    def token_info(self, token: str, now: float) -> tuple[str, frozenset[str]] | None:
        with self.lock:
            return self._tokens.info(token, now)

    def oauth_tokens(self) -> list[str]:
        """The OAuth bearer tokens issued and not yet expired, oldest first: secrets a test can
        look for in a client's logs and errors."""
        with self.lock:
            return self._tokens.tokens()

    # ------------------------------------------------------------------ orders

    def create_order(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            now = self._now_advanced()
            try:
                return self._orders.upsert(body, now, allow_created_at=True)
            except Invalid as exc:
                raise invalid_payload(exc.details) from None

    def get_order(self, key: str) -> dict[str, Any]:
        with self.lock:
            self._now_advanced()
            return self._orders.get(key)

    def update_order(self, key: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            return self._orders.update(key, body, self._now_advanced())

    def list_orders(self, limit: int, page: int, order: str) -> tuple[list[dict[str, Any]], int]:
        with self.lock:
            self._now_advanced()
            return self._orders.page(limit, page, order), len(self._orders)

    def count_orders(self, source_id: str | None = None) -> int:
        """How many stored orders carry ``source_id`` (all orders when None)."""
        with self.lock:
            self._now_advanced()
            return self._orders.count(source_id)

    def orders(self) -> list[dict[str, Any]]:
        """Every stored order as the API returns it, oldest first.

        The dicts are the stored ones (copying 200,000 orders would cost seconds): read them,
        never mutate them.
        """
        with self.lock:
            self._now_advanced()
            return list(self._orders.iter_sorted("created_at"))

    def seed_orders(
        self,
        count: int,
        *,
        source_id_prefix: str = "seed-",
        status: str = SEED_STATUS,
        amount: int = 1000,
        metadata: dict[str, Any] | None = None,
    ) -> list[str]:
        """Store ``count`` orders at once, without HTTP; returns their ids.

        Source ids are ``<prefix><n>`` with ``n`` counting on across calls, so seeding twice
        adds orders rather than upserting the same ones.
        """
        if count < 0:
            raise ValueError("count must not be negative")
        with self.lock:
            now = self._now_advanced()
            return self._orders.seed(
                count,
                now,
                source_id_prefix=source_id_prefix,
                status=status,
                amount=amount,
                metadata=metadata,
            )

    # ------------------------------------------------------------------ imports (async actions)

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
        return self.enqueue_action(
            IMPORT_TYPE, payload, commit_after_requests=commit_after_requests, commit_at_ms=commit_at_ms
        )

    def commit_pending(self) -> list[str]:
        """Commit every late commit still pending, now; returns their ids in commit order."""
        with self.lock:
            now = self._now_advanced()
            committed = self._imports.commit_pending(now)
            self._advance(now)
            return committed

    def pending_imports(self) -> list[str]:
        """Ids of the late commits accepted but not committed yet, in arrival order."""
        with self.lock:
            self._now_advanced()
            return self._imports.pending_ids()

    def import_carriers(self) -> dict[str, list[str]]:
        """For every ``source_id`` sent in an import: the ids of the actions that carried it,
        oldest first (commit order), once per payload entry, failed entries included. Orders
        without a ``source_id`` are not recorded. Survives save/load; cleared by reset()."""
        with self.lock:
            self._now_advanced()
            return self._imports.carriers()

    def set_import_speed(self, orders_per_second: float) -> None:
        """Applies to imports that have not started yet."""
        if orders_per_second <= 0:
            raise ValueError("import speed must be positive")
        with self.lock:
            self._now_advanced()
            self.import_speed = float(orders_per_second)

    def get_async_action(self, action_id: str) -> dict[str, Any]:
        with self.lock:
            return self._imports.get(action_id, self._now_advanced())

    def list_async_actions(self, limit: int, end_ms: int | None) -> tuple[list[dict[str, Any]], bool]:
        """Newest first; only actions created before ``end_ms``; no ``result`` in list items."""
        with self.lock:
            return self._imports.page(limit, end_ms, self._now_advanced())

    def async_action_count(self) -> int:
        """How many async actions (imports) exist since the last reset (late commits count
        once committed)."""
        with self.lock:
            self._now_advanced()
            return len(self._imports)

    # ------------------------------------------------------------------ persistence

    def save(self, path: Path | str | None = None) -> None:
        """Write the data (not tokens or faults) as JSON, atomically."""
        target = Path(path) if path is not None else self.config.state_file
        if target is None:
            raise ValueError("no state file configured")
        with self.lock:
            text = snapshot.dump(
                self._orders, self._imports, self._exports, self._request_seq, self._resources
            )
        snapshot.write(target, text)

    def load(self, path: Path | str) -> None:
        """Replace the data by the state file's; ids get a new per-start part (:attr:`start_tag`)."""
        data = snapshot.read(path)
        with self.lock:
            self._clear_data()
            self._ids.restart()  # a new start: ids handed out after that save stay unique
            try:
                snapshot.restore(
                    data,
                    self._orders,
                    self._imports,
                    self._exports,
                    now_ms=self.now_ms(),
                    request_seq=self._request_seq,
                    resources=self._resources,
                )
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                self._clear_data()  # nothing half-loaded stays behind
                problem = f"a sandbox state file with content it cannot load ({type(exc).__name__}: {exc})"
                raise snapshot.StateFileError(path, problem) from None
