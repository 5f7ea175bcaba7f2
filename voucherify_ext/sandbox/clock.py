"""A clock that tests move: logical time for the sandbox.

Everything in the sandbox that depends on time reads one clock (epoch seconds): imports
advancing at the import speed, export delays, late commits (``delay_ms``), rate-limit windows,
OAuth token expiry and the ``Date`` header. Give it a :class:`ManualClock` and a test decides
when time passes, so a schedule of faults that would take seconds runs in microseconds and
replays exactly. Latency (``latency`` faults, ``set_latency``) stays real time: it exists to
make a client's own timeout fire.

A client can run on the same clock: ``Voucherify(..., sleep=clock.sleep, clock=clock,
wall_clock=clock)`` (``sleep=clock.asleep`` for ``AsyncVoucherify``). Sleeping on a manual
clock is time passing on it, so the client's waits (polling an import, backoff, rate-limit
pauses, ``Retry-After``) move the sandbox's time at once instead of passing in real time.
"""

from __future__ import annotations

import asyncio
import math
import threading

__all__ = ["DEFAULT_START", "ManualClock"]

DEFAULT_START = 1_764_000_000.0
"""2025-11-24T16:00:00Z: a fixed, recent moment, so timestamps look real and repeat exactly."""


class ManualClock:
    """Epoch seconds that only move when told to; thread-safe.

    ``clock()`` reads it, ``clock.advance(seconds)`` moves it forward (never back, so
    timestamps the sandbox handed out stay in the past).
    """

    def __init__(self, start: float = DEFAULT_START) -> None:
        if not math.isfinite(start):
            raise ValueError("start must be a finite number of epoch seconds")
        self._lock = threading.Lock()
        self._now = float(start)

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds`` (0 or more) and return the new time."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"a clock only moves forward: advance({seconds!r})")
        with self._lock:
            self._now += float(seconds)
            return self._now

    def sleep(self, seconds: float) -> None:
        """Sleep on this clock: advance it by ``seconds`` at once (a negative wait counts as 0)."""
        if not math.isfinite(seconds):
            raise ValueError(f"a clock sleeps a finite time: sleep({seconds!r})")
        self.advance(max(0.0, seconds))

    async def asleep(self, seconds: float) -> None:
        """:meth:`sleep` for async code; other tasks get to run, as in a real sleep."""
        self.sleep(seconds)
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        return f"ManualClock({self():.3f})"
