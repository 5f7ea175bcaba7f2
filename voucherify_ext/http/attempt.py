"""One call's bookkeeping across its attempts: what the call is (trusted host, idempotent,
replayable, its policy), where its time stands, and the limit of its next attempt.

Time. A call keeps the time it has slept until (``slept_until``) and reads the time as at
least that (:meth:`Call.now`), so waits add up the same whether the injected ``sleep`` moves
the injected clock or not (tests), and a server's pause is waited once: the retry's sleep
already covers the rate limiter's copy of it. The limit of an attempt
(:class:`~voucherify_ext.http.deadlines.ExchangeLimit`) runs on a second clock, the real time
the sockets and the event loop bound (``limit_clock``, ``time.monotonic`` unless injected).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from voucherify_ext.errors import DeadlineExceededError
from voucherify_ext.http.deadlines import ExchangeLimit, StallRule
from voucherify_ext.ratelimit import RateLimiter
from voucherify_ext.retry import RetryPolicy
from voucherify_ext.server_waits import RATE_LIMIT_HEADERS

__all__ = ["Call", "outcome", "watched_headers"]


class Call:
    """What one call through the transport knows about itself, across its attempts."""

    __slots__ = (
        "clock",
        "idempotent",
        "limiter",
        "method",
        "path",
        "policy",
        "refreshable",
        "replayable",
        "slept_until",
        "stall",
        "start",
        "trusted",
        "unsafe_reason",
        "write",
    )

    def __init__(
        self,
        clock: Callable[[], float],
        start: float,
        trusted: bool,
        limiter: RateLimiter | None,
        path: str,
        idempotent: bool,
        unsafe_reason: str,
        replayable: bool,
        refreshable: bool,
        policy: RetryPolicy,
        method: str,
        stall: StallRule | None,
    ) -> None:
        self.clock = clock  # the client's injected monotonic clock
        self.start = start
        self.trusted = trusted
        self.limiter = limiter  # None for a host that is not ours: its traffic is not budgeted
        self.path = path  # as logged: secret-free
        self.idempotent = idempotent
        self.unsafe_reason = unsafe_reason  # why it is not retried if it fails ambiguously
        self.replayable = replayable
        self.refreshable = refreshable
        self.slept_until = 0.0  # the time this call's sleeps have reached (module docstring)
        self.policy = policy  # the client's, or the OAuth token request's own (one retry)
        self.method = method
        self.write = method not in ("GET", "HEAD", "OPTIONS")
        self.stall = stall  # a download's stall rule (no per-attempt total), else None

    def now(self) -> float:
        """The call's time: the clock, or the time it has slept until if the clock lags."""
        now = self.clock()
        slept_until = self.slept_until
        return slept_until if slept_until > now else now

    def elapsed(self) -> float:
        return self.now() - self.start

    def slept(self, seconds: float) -> None:
        """Record a sleep of ``seconds`` that is about to happen (see the module docstring)."""
        self.slept_until = self.now() + seconds

    def time_left(self) -> float | None:
        """Seconds left of the call's deadline (may be <= 0), or None without a deadline."""
        deadline = self.policy.deadline
        return None if deadline is None else deadline - self.elapsed()

    def check_wait(self, wait: float, request: httpx.Request) -> None:
        """Refuse a rate-limit wait that would pass the call's deadline."""
        deadline = self.policy.deadline
        if deadline is not None and self.elapsed() + wait >= deadline:
            raise DeadlineExceededError(
                f"waiting {wait:.1f}s for the rate limit would pass the {deadline:g}s deadline",
                method=request.method,
                path=self.path,
                not_retried_reason="the request was not sent",
            )

    def limit(self, limit_clock: Callable[[], float]) -> ExchangeLimit | None:
        """The limit of the attempt about to start (module docstring of :mod:`.deadlines`), on
        ``limit_clock``; None when nothing bounds it."""
        policy = self.policy
        stall = self.stall
        total = None if stall is not None else policy.attempt_timeout
        left = self.time_left()
        if left is not None:
            left = max(left, 0.0)
        if total is None and left is None and stall is None:
            return None
        real_now = limit_clock()
        if left is not None and (total is None or left <= total):
            return ExchangeLimit(
                real_now + left,
                f"the response did not complete within the {policy.deadline:g}s deadline",
                end_is_deadline=True,
                stall=stall,
                now=real_now,
                clock=limit_clock,
            )
        return ExchangeLimit(
            None if total is None else real_now + total,
            "" if total is None else f"the response did not complete within {total:g}s (attempt_timeout)",
            stall=stall,
            now=real_now,
            clock=limit_clock,
        )


#: The response headers the transport reads, by their lower-case raw name.
_WATCHED = {name.encode("ascii"): name for name in ("content-type", "retry-after", *RATE_LIMIT_HEADERS)}


def watched_headers(headers: httpx.Headers) -> dict[str, str]:
    """The headers the transport reads, in one pass (``Headers.get`` costs a pass per name)."""
    found: dict[str, str] = {}
    for key, value in headers.raw:
        name = _WATCHED.get(key.lower())
        if name is not None:
            found[name] = value.decode("latin-1")
    return found


def outcome(exc: httpx.TransportError, limit: ExchangeLimit | None) -> str:
    """What a failed attempt ran into, for the retry log line."""
    if limit is not None and limit.why is not None:
        return f"{type(exc).__name__} ({limit.why})"
    return type(exc).__name__
