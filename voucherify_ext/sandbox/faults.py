"""A deterministic fault plan: which requests fail, and how.

Every decision is a pure function of the seed, the method, the path and how many requests to
that method and path came before (``n``). Concurrency can reorder requests to *different*
endpoints, but it cannot change which request to a given endpoint fails, so a failing run can be
replayed with the same seed. Scripted faults (:meth:`FaultPlan.inject`) take precedence and are
consumed in order; they are how tests say "fail the next 2 POST /v1/orders with 503".
"""

from __future__ import annotations

import fnmatch
import hashlib
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

STATUS = "status"
DROP_BEFORE = "drop_before"
DROP_AFTER = "drop_after"
LATENCY = "latency"
TRUNCATE = "truncate"
INVALID_JSON = "invalid_json"
HTML = "html"
SHORT_PAGE = "short_page"
LATE_COMMIT = "late_commit"
TRICKLE = "trickle"
HEADER_DRIP = "header_drip"
ENDLESS_BODY = "endless_body"

RANDOM_KINDS: tuple[str, ...] = (STATUS, DROP_BEFORE, DROP_AFTER, LATENCY, TRUNCATE, INVALID_JSON, HTML)
"""What random faults pick from by default: failures a client can detect and recover from."""
SLOW_KINDS: tuple[str, ...] = (TRICKLE, HEADER_DRIP, ENDLESS_BODY)
"""Responses that never finish in time: the body a byte at a time (``trickle``), the status line
and headers a byte at a time (``header_drip``), a body that never ends (``endless_body``: a 500,
or with ``status=200`` the real answer followed by whitespace forever). Scripted or named in
``kinds`` only, never picked by random faults by default."""
KINDS: tuple[str, ...] = (*RANDOM_KINDS, SHORT_PAGE, *SLOW_KINDS)
"""Fault kinds. ``status`` answers 500/502/503 (or the given status, 429 with rate-limit headers);
``short_page`` serves a list page with fewer items than ``limit`` although ``total`` says more."""
KINDS = (*KINDS, LATE_COMMIT)
"""``late_commit`` (scripted, or named in ``kinds``): an import is accepted, its response is lost,
and its async action appears only later (after ``after_requests`` more requests, ``delay_ms``
on the sandbox clock, or ``commit_pending()``); on any other request it acts as ``drop_after``."""

CONNECTION_KINDS = frozenset({DROP_BEFORE, DROP_AFTER, TRUNCATE, *SLOW_KINDS})
"""Kinds that need the loopback proxy: they act on the socket, not on the HTTP response."""

#: the pause of a slow fault: per byte for ``trickle``/``header_drip``, per chunk for ``endless_body``
SLOW_DELAY_MS = {TRICKLE: 500.0, HEADER_DRIP: 500.0, ENDLESS_BODY: 100.0}

FAULT_HEADER = "x-sandbox-fault"
"""Internal response header through which the app tells the loopback proxy to drop, truncate or
slow a response (``<kind>[ <delay_ms>]``); the proxy strips it, it is never forwarded."""

RANDOM_STATUSES = (500, 502, 503)
DEFAULT_DELAY_MS = 1000.0


@dataclass(frozen=True)
class Fault:
    """One decision: what to do to one request."""

    kind: str
    status: int | None = None
    delay_ms: float | None = None
    items: int | None = None
    """For ``short_page``: how many items the page keeps (None: half of them)."""
    after_requests: int | None = None
    """For ``late_commit``: commit once this many more requests have reached the sandbox."""


@dataclass
class _Rule:
    fault: Fault
    method: str | None
    path: str | None
    query: dict[str, str] | None
    remaining: int

    def matches(self, method: str, path: str, query: Mapping[str, str] | None) -> bool:
        if self.method is not None and self.method != method:
            return False
        if self.query and (query is None or any(query.get(k) != v for k, v in self.query.items())):
            return False
        return self.path is None or self.path == path or fnmatch.fnmatchcase(path, self.path)


def _split_query(
    path: str | None, query: Mapping[str, object] | str | None
) -> tuple[str | None, dict[str, str] | None]:
    """``"/v1/orders?page=3"`` and/or ``query={"page": 3}`` (or ``"page=3"``) → the path and the
    query parameters a request must carry (others may be present too)."""
    wanted: dict[str, str] = {}
    if path is not None and "?" in path:
        path, _, text = path.partition("?")
        wanted.update(parse_qsl(text, keep_blank_values=True))
    if isinstance(query, str):
        wanted.update(parse_qsl(query.lstrip("?"), keep_blank_values=True))
    elif query is not None:
        wanted.update({str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in query.items()})
    return path or None, wanted or None


def parse_kinds(kinds: Iterable[str] | str | None) -> tuple[str, ...]:
    """Normalise ``--faults``: names from :data:`KINDS`, or status codes such as ``503``/``429``."""
    if kinds is None:
        return RANDOM_KINDS
    items = kinds.split(",") if isinstance(kinds, str) else list(kinds)
    out: list[str] = []
    for raw in items:
        name = str(raw).strip().lower()
        if not name:
            continue
        if name.isdigit():
            code = int(name)
            if not 400 <= code <= 599:
                raise ValueError(f"fault status must be 4xx or 5xx, got {name}")
        elif name not in KINDS:
            raise ValueError(f"unknown fault kind {raw!r}; choose from {', '.join(KINDS)} or a status code")
        out.append(name)
    if not out:
        raise ValueError("no fault kinds given")
    return tuple(out)


def _unit(seed: int, method: str, path: str, n: int, salt: str) -> float:
    digest = hashlib.blake2b(f"{seed}|{method}|{path}|{n}|{salt}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


class FaultPlan:
    """Scripted faults plus seeded random faults, shared by the app and the proxy's handle."""

    def __init__(self, *, seed: int = 0, rate: float = 0.0, kinds: Sequence[str] | str | None = None) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str], int] = {}
        self._rules: list[_Rule] = []
        self.seed = seed
        self.rate = rate
        self.kinds = parse_kinds(kinds)

    def set_rate(
        self, rate: float, kinds: Sequence[str] | str | None = None, seed: int | None = None
    ) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        with self._lock:
            self.rate = rate
            self.kinds = parse_kinds(kinds)
            if seed is not None:
                self.seed = seed

    def inject(
        self,
        kind: str,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        status: int | None = None,
        delay_ms: float | None = None,
        query: Mapping[str, object] | str | None = None,
        items: int | None = None,
        after_requests: int | None = None,
    ) -> None:
        """Make the next ``times`` requests matching ``method``, ``path`` (a glob, optionally
        with ``?name=value`` query parameters) and ``query`` (parameters the request must carry,
        e.g. ``{"page": 3}``) fail. ``late_commit`` matches ``POST /v1/orders/import`` unless
        told otherwise, and commits after ``after_requests`` more requests or ``delay_ms`` on
        the sandbox clock, whichever comes first (default: ``delay_ms=1000``)."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; choose from {', '.join(KINDS)}")
        if times < 1:
            raise ValueError("times must be at least 1")
        if kind == STATUS:
            status = status or 503
            if not 400 <= status <= 599:
                raise ValueError("status must be 4xx or 5xx")
        if kind == LATENCY:
            delay_ms = DEFAULT_DELAY_MS if delay_ms is None else delay_ms
        if kind in SLOW_DELAY_MS:
            delay_ms = SLOW_DELAY_MS[kind] if delay_ms is None else delay_ms
            if delay_ms <= 0:
                raise ValueError(f"delay_ms of a {kind} fault must be positive")
        if kind == ENDLESS_BODY:
            status = status or 500
            if status not in (200, 500):
                raise ValueError("an endless_body fault answers 500 (default) or 200")
        if items is not None and (kind != SHORT_PAGE or items < 0):
            raise ValueError("items is for short_page faults and must not be negative")
        if after_requests is not None and (kind != LATE_COMMIT or after_requests < 1):
            raise ValueError("after_requests is for late_commit faults and must be at least 1")
        if kind == LATE_COMMIT:
            method, path = method or "POST", path or "/v1/orders/import"
            if delay_ms is None and after_requests is None:
                delay_ms = DEFAULT_DELAY_MS
            if delay_ms is not None and not delay_ms >= 0:
                raise ValueError("delay_ms must not be negative")
        path, wanted = _split_query(path, query)
        with self._lock:
            self._rules.append(
                _Rule(
                    Fault(kind, status, delay_ms, items, after_requests),
                    method.upper() if method else None,
                    path,
                    wanted,
                    times,
                )
            )

    def clear(self) -> None:
        """Drop scripted faults and switch random faults off; request numbering is kept."""
        with self._lock:
            self._rules.clear()
            self.rate = 0.0

    def reset(self) -> None:
        """As :meth:`clear`, and restart request numbering (a fresh run with the same seed)."""
        with self._lock:
            self._rules.clear()
            self._counts.clear()
            self.rate = 0.0

    def pending(self) -> int:
        with self._lock:
            return sum(rule.remaining for rule in self._rules)

    def decide(self, method: str, path: str, query: Mapping[str, str] | None = None) -> Fault | None:
        """The fault for this request (and count it), or None to handle it normally. Random
        faults depend on the method and path only (not the query)."""
        with self._lock:
            key = (method, path)
            n = self._counts.get(key, 0)
            self._counts[key] = n + 1
            for rule in self._rules:
                if rule.remaining > 0 and rule.matches(method, path, query):
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._rules.remove(rule)
                    return rule.fault
            if self.rate <= 0.0 or _unit(self.seed, method, path, n, "hit") >= self.rate:
                return None
            kinds = self.kinds
            name = kinds[int(_unit(self.seed, method, path, n, "kind") * len(kinds))]
        if name.isdigit():
            return Fault(STATUS, int(name))
        if name == STATUS:
            choice = int(_unit(self.seed, method, path, n, "status") * len(RANDOM_STATUSES))
            return Fault(STATUS, RANDOM_STATUSES[choice])
        if name == LATENCY:
            return Fault(LATENCY, delay_ms=DEFAULT_DELAY_MS)
        if name == LATE_COMMIT:
            return Fault(LATE_COMMIT, delay_ms=DEFAULT_DELAY_MS)
        if name in SLOW_DELAY_MS:
            return Fault(name, 500 if name == ENDLESS_BODY else None, SLOW_DELAY_MS[name])
        return Fault(name)
