"""Client-side rate limiting, so bulk work waits instead of collecting 429s.

:class:`RateLimiter` admits at most ``N`` requests in any window of ``period`` seconds
(``rate_limit="100/min"``). It is a rolling-window bucket rather than a classic refilling token
bucket on purpose: a token bucket of capacity ``N`` refilling at ``N/period`` lets ``2N``
requests through in one window (a full bucket plus the refill), which a server counting per
window answers with 429s. Each request reserves a slot; a slot frees ``period`` (plus a small
safety margin for network jitter) after the reservation it replaces.

It also learns from the server: ``X-Rate-Limit-Remaining`` caps how many more requests go out
before ``X-Rate-Limit-Retry`` (epoch seconds, read against the server's ``Date`` so clock skew
does not matter), and a 429's ``Retry-After`` pauses everyone. ``X-Rate-Limit-Limit`` is not
used: it does not say its window.

One limiter belongs to one client and is shared by its threads (``acquire``) or tasks
(``acquire_async``). Voucherify counts per project, across processes and machines: several
processes sharing a project must split the budget between them.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Awaitable, Callable, Mapping

from .errors import ConfigurationError
from .retry import parse_http_date, parse_rate_limit_retry, parse_retry_after

__all__ = ["RateLimiter", "parse_rate"]

_UNITS = {
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "m": 60.0,
    "min": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)?\s*([a-z]+)\s*$")


def parse_rate(text: str) -> tuple[int, float]:
    """``"100/min"`` → ``(100, 60.0)``. Units: s, min, h (and their long forms); ``"5/5s"`` works."""
    match = _RATE.match(text.lower())
    if not match or match.group(3) not in _UNITS:
        raise ConfigurationError(f"rate_limit must look like '100/min', '20/s' or '1000/h', got {text!r}")
    count = int(match.group(1))
    period = float(match.group(2) or 1.0) * _UNITS[match.group(3)]
    if count <= 0 or period <= 0:
        raise ConfigurationError(f"rate_limit must be positive, got {text!r}")
    return count, period


class Slot:
    """One admitted request; its time moves to the end of the request on release."""

    __slots__ = ("time",)

    def __init__(self, time: float) -> None:
        self.time = time


class RateLimiter:
    """At most ``limit`` acquisitions per ``period`` seconds, adjusted from response headers.

    ``limit=None`` disables the local budget but keeps learning from the server's headers.
    A server-requested pause longer than ``max_pause`` (the retry policy's ``max_retry_after``)
    is not waited out: requests then fail fast with a 429 instead of blocking for an hour.
    ``clock`` is monotonic seconds; ``wall_clock`` epoch seconds; both injectable for tests.
    """

    def __init__(
        self,
        limit: int | None,
        period: float = 1.0,
        *,
        margin: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        probe_interval: float = 1.0,
        max_pause: float = 60.0,
    ) -> None:
        self.limit = limit
        self.period = period
        self.margin = margin if margin is not None else min(1.0, 0.05 * period)
        self._clock = clock
        self._wall_clock = wall_clock
        self._probe_interval = probe_interval
        self.max_pause = max_pause
        self._lock = threading.Lock()
        self._slots: list[Slot] = []
        self._blocked_until = 0.0
        self._server_remaining: int | None = None
        self._server_reset: float | None = None

    @classmethod
    def from_string(cls, text: str | None, **kwargs: object) -> RateLimiter:
        if text is None:
            return cls(None, **kwargs)  # type: ignore[arg-type]
        limit, period = parse_rate(text)
        return cls(limit, period, **kwargs)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        budget = f"{self.limit}/{self.period:g}s" if self.limit else "unlimited"
        return f"RateLimiter({budget})"

    # -- core -----------------------------------------------------------------------------

    def try_acquire(self) -> tuple[float, Slot | None]:
        """Take a slot now if one is free: ``(0.0, slot)``; else ``(seconds to wait, None)``.

        Waiters re-check after sleeping, so what the server said in the meantime counts.
        """
        with self._lock:
            now = self._clock()
            if self._blocked_until > now:
                return self._blocked_until - now, None
            if self._server_remaining is not None:
                reset = self._server_reset
                if reset is not None and now >= reset:
                    self._server_remaining, self._server_reset = None, None
                elif self._server_remaining <= 0:
                    until = reset if reset is not None else now + self._probe_interval
                    # after the pause the server's budget is unknown again
                    self._server_remaining, self._server_reset = None, None
                    if until - now <= self.max_pause:
                        self._blocked_until = until
                        return until - now, None
                    # a longer pause is not waited out silently: the request goes, draws a
                    # 429 and fails fast with RateLimitError, as the retry policy says
            slot = Slot(now)
            if self.limit is not None:
                horizon = self.period + self.margin
                active = [s for s in self._slots if s.time + horizon > now]
                self._slots = active
                if len(active) >= self.limit:
                    return min(s.time for s in active) + horizon - now, None
                active.append(slot)
            if self._server_remaining is not None:
                self._server_remaining -= 1
            return 0.0, slot

    def release(self, slot: Slot | None) -> None:
        """The request of ``slot`` is over: its window counts from now.

        The server counts a request when it arrives, somewhere between sending and the response;
        counting from the response is the safe side, whatever the network delay."""
        if slot is not None:
            slot.time = max(slot.time, self._clock())

    def acquire(self, sleep: Callable[[float], None] = time.sleep) -> Slot:
        """Block until a request may be sent (threads); release the slot when it is done."""
        while True:
            wait, slot = self.try_acquire()
            if slot is not None:
                return slot
            sleep(max(wait, 0.001))

    async def acquire_async(self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> Slot:
        """Wait until a request may be sent (tasks of one event loop)."""
        while True:
            wait, slot = self.try_acquire()
            if slot is not None:
                return slot
            await sleep(max(wait, 0.001))

    def observe(self, headers: Mapping[str, str], status: int | None = None) -> None:
        """Learn from a response's ``X-Rate-Limit-*``, ``Retry-After`` and ``Date`` headers."""
        remaining_text = headers.get("x-rate-limit-remaining")
        retry_text = headers.get("x-rate-limit-retry")
        retry_after_text = headers.get("retry-after") if status == 429 else None
        if remaining_text is None and retry_text is None and retry_after_text is None:
            return
        wall = self._wall_clock()
        reset_in: float | None = None
        if retry_text is not None:
            reset_in = parse_rate_limit_retry(retry_text, parse_http_date(headers.get("date")), wall)
        pause: float | None = None
        if retry_after_text is not None:
            pause = parse_retry_after(retry_after_text, wall)
        elif status == 429:
            pause = reset_in
        remaining: int | None = None
        if remaining_text is not None:
            try:
                remaining = max(0, int(remaining_text.strip()))
            except ValueError:
                remaining = None
        with self._lock:
            now = self._clock()
            if pause is not None and pause <= self.max_pause:
                self._blocked_until = max(self._blocked_until, now + pause)
            if remaining is not None:
                # the server is authoritative; the latest answer wins
                self._server_remaining = remaining
                self._server_reset = now + reset_in if reset_in is not None else None
