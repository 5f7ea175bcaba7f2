"""Per-app fixed-window rate limiting with Voucherify's ``X-Rate-Limit-*`` headers."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from voucherify_ext.sandbox.config import RateLimit
from voucherify_ext.sandbox.values import RATE_LIMIT_TYPE

UNLIMITED_REPORTED = 1_000_000
"""What ``X-Rate-Limit-Limit`` says when no limit is set: a per-minute budget nobody reaches."""


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: float
    """Epoch seconds when the current window ends."""

    def headers(self, now: float) -> dict[str, str]:
        out = {"X-Rate-Limit-Limit": str(self.limit), "X-Rate-Limit-Remaining": str(self.remaining)}
        if not self.allowed or self.remaining == 0:
            # like Voucherify: once the budget is spent, even the last allowed call says when
            # calls are allowed again
            out["X-Rate-Limit-Retry"] = str(math.ceil(self.reset_at))
        if not self.allowed:
            out["Retry-After"] = str(max(1, math.ceil(self.reset_at - now)))
            out["X-Rate-Limit-Type"] = RATE_LIMIT_TYPE
        return out


class RateLimiter:
    """A fixed window per app id that opens with the first request after the previous one ends.

    Fixed windows are what Voucherify's headers describe (a budget per minute or hour and an
    epoch second when calls are allowed again), unlike a token bucket's smooth refill.
    """

    def __init__(self, limit: RateLimit | None, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._limit = limit
        self._windows: dict[str, tuple[float, int]] = {}

    @property
    def limit(self) -> RateLimit | None:
        return self._limit

    def set_limit(self, limit: RateLimit | None) -> None:
        with self._lock:
            self._limit = limit
            self._windows.clear()

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()

    def hit(self, key: str) -> RateDecision:
        """Count one request for ``key`` and say whether it is within the budget."""
        now = self._clock()
        with self._lock:
            limit = self._limit
            budget, period = (limit.limit, limit.period) if limit else (UNLIMITED_REPORTED, 60.0)
            start, used = self._windows.get(key, (now, 0))
            if now >= start + period:
                start, used = now, 0
            reset_at = start + period
            if limit is not None and used >= budget:
                self._windows[key] = (start, used)
                return RateDecision(False, budget, 0, reset_at)
            used += 1
            self._windows[key] = (start, used)
            return RateDecision(True, budget, max(0, budget - used), reset_at)
