"""Client-side rate limiting, so bulk work waits instead of collecting 429s.

:class:`RateLimiter` admits at most ``N`` requests in any window of ``period`` seconds
(``rate_limit="100/min"``). It is a rolling-window bucket rather than a classic refilling token
bucket on purpose: a token bucket of capacity ``N`` refilling at ``N/period`` lets ``2N``
requests through in one window (a full bucket plus the refill), which a server counting per
window answers with 429s. Each request reserves a slot; the slot counts while its request is in
flight, and for ``period`` (plus a clock-rate guard) after its response.

Why that is safe against a server counting arrivals in *any* rolling window of ``period`` (fixed
windows, like the sandbox's and Voucherify's per-minute and per-hour ones, are rolling windows
too). Request ``i`` arrives at the server at some ``a_i`` with ``s_i <= a_i <= r_i`` (``s_i``:
admitted here, before it is sent; ``r_i``: its response is back, which it cannot be before the
server saw it). The limiter admits request ``k`` at ``s_k`` only if fewer than ``N`` earlier
requests ``j`` are in flight or have ``r_j + period > s_k`` (a slot still unreleased ``period +
margin`` after its admission is no longer counted: the argument assumes no request is in flight
longer than its window, an assumption, not something the limiter enforces). Suppose ``N + 1``
requests arrived within one window ``[w, w + period)``, and let ``k`` be the last admitted of
them. For each other ``j``: ``s_k - r_j <= a_k - a_j < period``, so ``r_j + period > s_k``, and
``j`` was admitted before ``k``: ``N`` such slots, so ``k`` was not admitted. No network delay,
jitter or reordering enters the argument, so no margin for them is needed (the previous 5 % one
cost about 5 % of the budget). The rule is also the tightest the client can know: for any ``N``
earlier requests with ``r_j + period > s_k`` some arrival times in ``[s, r]`` put them and ``k``
in one window. What remains is the two clocks' rates: ``margin`` defaults to 0.1 % of the period
(twice the 500 ppm an NTP-disciplined clock may slew, capped at 1 s), so a server clock running
that much faster still sees each window's requests apart.

It also learns from the server: ``X-Rate-Limit-Remaining`` caps how many more requests go out
before ``X-Rate-Limit-Retry`` (epoch seconds, read against the server's ``Date`` so clock skew
does not matter), and a 429's ``Retry-After`` pauses everyone. A 429's own wait replaces what
the same response says about the budget, so one 429 is waited out once, not twice. With a
budget, ``X-Rate-Limit-Limit`` is not used; without one, :mod:`voucherify_ext.server_count` does.

When ``X-Rate-Limit-Remaining`` reaches 0 without an ``X-Rate-Limit-Retry`` (the sandbox sends
it only with a 429), the end of the window is unknown. The limiter then guesses: it holds
everyone for ``probe_interval`` (1 s), then lets one request through at a time as a probe. The
server either serves it (a new window; its headers restore the budget) or answers 429 with
``Retry-After``, which pauses everyone for exactly that long. The guess costs at most one 429
per exhausted window and never a burst of them. An answer to a request sent before the last
known window end (the transport passes each request's send time) says nothing about the
current window and is not counted.

Waits follow the injected clock. A caller that slept for a wait the limiter gave it passes the
time it slept until (``try_acquire(at)``), and the limiter reads the time as at least that: an
injected ``sleep`` that does not move the injected clock (tests) still makes progress, and no
caller ever re-checks in a busy loop. Server pauses longer than ``max_pause`` are not waited
out (see :class:`RateLimiter`).

One limiter belongs to one client and is shared by its threads (``acquire``) or tasks
(``acquire_async``). Voucherify counts per project, across processes and machines: several
processes sharing a project must split the budget between them.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Mapping

from voucherify_ext.rate_text import parse_rate
from voucherify_ext.server_count import ServerCount
from voucherify_ext.server_waits import (
    RATE_LIMIT_HEADERS,
    LimiterState,
    rate_limit_state,
    server_waits,
)

__all__ = ["HOLD", "Held", "LimiterState", "RateLimiter", "parse_rate"]


class Slot:
    """One admitted request: in flight until released, then counted from its response time."""

    __slots__ = ("in_flight", "time")

    def __init__(self, time: float) -> None:
        self.time = time
        self.in_flight = True


#: The shortest wait handed out: a wait always moves the caller's time forward.
MIN_WAIT = 0.001


class Held(float):
    """A wait for the answers of requests in flight, not for time: the transport waits it on
    the real clock. :data:`HOLD` is the one a request gets, without a budget, while those in
    flight hold what is left of the server's count."""


HOLD = Held(0.02)
#: The default clock-rate guard, as a share of the period (module docstring), and its cap.
CLOCK_RATE_GUARD = 0.001
MAX_MARGIN = 1.0


def _no_op() -> None:
    return None


class RateLimiter:
    """At most ``limit`` acquisitions per ``period`` seconds, adjusted from response headers.

    ``limit=None`` disables the local budget but keeps learning from the server's headers.
    A server-requested pause longer than ``max_pause`` (the retry policy's ``max_retry_after``)
    is not waited out: the request goes, draws the server's 429 and fails fast with
    :class:`~voucherify_ext.errors.RateLimitError` instead of blocking for an hour. Waits for
    the local budget are bounded by its window (and by a call's deadline).
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
        self.margin = margin if margin is not None else min(MAX_MARGIN, CLOCK_RATE_GUARD * period)
        self._clock = clock
        self._wall_clock = wall_clock
        self._probe_interval = probe_interval
        self.max_pause = max_pause
        self._lock = threading.Lock()
        #: called inside the critical section, between reading the slots and taking one: a seam
        #: for tests that hand the GIL to another thread right there (a no-op otherwise)
        self._between_read_and_write: Callable[[], None] = _no_op
        self._slots: list[Slot] = []
        self._blocked_until = 0.0
        #: what the server said is left, counted down per request; None when unknown
        self._server_remaining: int | None = None
        #: when the server's window ends (our clock); None when it did not say
        self._server_reset: float | None = None
        #: whether ``_blocked_until`` is the probe guess, which a known window end replaces
        self._guessed_block = False
        #: requests sent before this time belong to a server window known to be over: their
        #: answers' X-Rate-Limit-Remaining says nothing about the current one
        self._window_floor = float("-inf")
        #: the rate-limit headers of the last response that had any (parsed when asked for)
        self._last_headers: dict[str, str] | None = None
        #: requests admitted and not yet released
        self._in_flight = 0
        #: without a local budget: the server's own count (voucherify_ext.server_count)
        self._count = ServerCount()

    @classmethod
    def from_string(cls, text: str | None, **kwargs: object) -> RateLimiter:
        if text is None:
            return cls(None, **kwargs)  # type: ignore[arg-type]
        limit, period = parse_rate(text)
        return cls(limit, period, **kwargs)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        budget = f"{self.limit}/{self.period:g}s" if self.limit else "unlimited"
        return f"RateLimiter({budget})"

    def state(self) -> LimiterState:
        """The limiter's state now (:class:`LimiterState`), for dashboards and for pacing work."""
        with self._lock:
            now = self._clock()
            horizon = self.period + self.margin
            active = [slot for slot in self._slots if slot.time + horizon > now]
            used, in_flight = len(active), sum(1 for slot in active if slot.in_flight)
            paused_for = max(0.0, self._blocked_until - now)
            server_remaining, last = self._server_remaining, self._last_headers
            if self.limit is None:
                in_flight = self._in_flight
                server_remaining = self._count.left(in_flight)
        return LimiterState(
            limit=self.limit,
            period=self.period,
            used=used,
            in_flight=in_flight,
            available=None if self.limit is None else max(0, self.limit - used),
            paused_for=paused_for,
            server_remaining=server_remaining,
            server=rate_limit_state(last) if last is not None else None,
        )

    # -- core -----------------------------------------------------------------------------

    def now(self, at: float | None = None) -> float:
        """The limiter's time: its clock, or ``at`` (the time a caller slept until) if later."""
        now = self._clock()
        return at if at is not None and at > now else now

    def try_acquire(self, at: float | None = None) -> tuple[float, Slot | None]:
        """Take a slot now if one is free: ``(0.0, slot)``; else ``(seconds to wait, None)``.

        ``at``: the time the caller has slept until, if it slept for a wait this limiter gave
        (see the module docstring). Waiters re-check after sleeping, so what the server said
        in the meantime counts. A wait is never shorter than :data:`MIN_WAIT`.
        """
        with self._lock:
            now = self.now(at)
            if self._blocked_until > now:
                return max(self._blocked_until - now, MIN_WAIT), None
            if self.limit is None:
                return self._try_counted(now)
            remaining = self._server_remaining
            if remaining is not None:
                reset = self._server_reset
                if reset is not None and now >= reset:
                    # the server's window is over: its budget is back, and unknown again
                    self._server_remaining = self._server_reset = remaining = None
                    self._window_floor = max(self._window_floor, reset)
                elif remaining <= 0:
                    if reset is not None:
                        wait = reset - now
                        # after the window the budget is unknown again
                        self._server_remaining = self._server_reset = None
                        self._window_floor = max(self._window_floor, reset)
                    else:
                        # no end given: a guess, then one probe at a time (module docstring)
                        wait = self._probe_interval
                        self._server_remaining = 1
                    if wait <= self.max_pause:
                        self._blocked_until = now + wait
                        self._guessed_block = reset is None
                        return max(wait, MIN_WAIT), None
                    # a longer pause is not waited out silently: the request goes, draws a
                    # 429 and fails fast with RateLimitError, as the retry policy says
                    remaining = self._server_remaining
            slot = Slot(now)
            horizon = self.period + self.margin
            active = [s for s in self._slots if s.time + horizon > now]
            self._slots = active
            if len(active) >= self.limit:
                return max(min(s.time for s in active) + horizon - now, MIN_WAIT), None
            self._between_read_and_write()
            active.append(slot)
            self._in_flight += 1
            if remaining is not None:
                self._server_remaining = remaining - 1
            return 0.0, slot

    def _try_counted(self, now: float) -> tuple[float, Slot | None]:
        """:meth:`try_acquire` without a budget, under the lock (:mod:`~voucherify_ext.server_count`)."""
        count, reset = self._count, self._server_reset
        wait = 0.0
        if count.remaining is not None and count.remaining <= 0 and (reset is None or now < reset):
            wait = reset - now if reset is not None else self._probe_interval
        if reset is not None and (wait or now >= reset):
            self._server_reset = None
            self._window_floor = max(self._window_floor, reset)
            count.new_window(reset)
        elif wait:
            count.probe(now + wait)  # no end given: a guess, then one probe
        if wait and wait <= self.max_pause:  # a longer one is not waited out: it fails fast
            self._blocked_until = now + wait
            self._guessed_block = reset is None
            return max(wait, MIN_WAIT), None
        free = count.free(self._in_flight)
        if free is not None and free <= 0:
            return HOLD, None
        self._in_flight += 1
        return 0.0, Slot(now)

    def free(self, at: float | None = None) -> tuple[int, float, int] | None:
        """``(limit, period, free slots now)`` of the local budget, or None when it has none: what
        a poll schedule reads so that its polls never use up what the job's other requests need.
        The server's own count (``X-Rate-Limit-Remaining``) caps the free slots when it is lower."""
        if self.limit is None:
            return None
        with self._lock:
            now = self.now(at)
            horizon = self.period + self.margin
            used = sum(1 for s in self._slots if s.in_flight or s.time + horizon > now)
            free = max(0, self.limit - used)
            if self._server_remaining is not None:
                free = min(free, max(0, self._server_remaining))
            return self.limit, self.period, free

    def release(self, slot: Slot | None) -> None:
        """The request of ``slot`` is over: its window counts from now.

        The server counts a request when it arrives, somewhere between sending and the response;
        counting from the response is the safe side, whatever the network delay. The transport
        releases every slot it took, on every outcome (an exception or a cancellation too)."""
        if slot is not None and slot.in_flight:
            with self._lock:
                now = self._clock()
                if now > slot.time:
                    slot.time = now
                slot.in_flight = False
                self._in_flight -= 1

    def acquire(self, sleep: Callable[[float], None] = time.sleep) -> Slot:
        """Block until a request may be sent (threads); release the slot when it is done."""
        at: float | None = None
        while True:
            wait, slot = self.try_acquire(at)
            if slot is not None:
                return slot
            at = self.now(at) + wait
            sleep(wait)

    async def acquire_async(self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> Slot:
        """Wait until a request may be sent (tasks of one event loop)."""
        at: float | None = None
        while True:
            wait, slot = self.try_acquire(at)
            if slot is not None:
                return slot
            at = self.now(at) + wait
            await sleep(wait)

    def observe(
        self, headers: Mapping[str, str], status: int | None = None, *, sent_at: float | None = None
    ) -> None:
        """Learn from a response's ``X-Rate-Limit-*``, ``Retry-After`` and ``Date`` headers.

        ``sent_at`` (this limiter's :meth:`now` when the request was admitted) lets a late
        answer from a window already known to be over be told apart: under concurrency such an
        answer can arrive after the next window opened, and its small remaining count would
        otherwise stop the new window's requests for a probe interval.
        """
        remaining_text = headers.get("x-rate-limit-remaining")
        retry_text = headers.get("x-rate-limit-retry")
        seen = {name: value for name in RATE_LIMIT_HEADERS if (value := headers.get(name)) is not None}
        if len(seen) > ("date" in seen):  # a rate-limit header, not only the date
            self._last_headers = seen
        retry_after_text = headers.get("retry-after") if status == 429 else None
        if remaining_text is None and retry_text is None and retry_after_text is None:
            if self.limit is None and self._count.counted is None:
                with self._lock:  # the server does not count: nothing holds requests back
                    self._count.answer(None, None, sent_at=sent_at, now=self._clock())
            return
        waits = server_waits(headers, self._wall_clock())  # the transport reads them the same way
        reset_in = waits.rate_limit_retry
        if reset_in is not None and self.limit is not None:
            # X-Rate-Limit-Retry counts whole seconds, rounded up: it can overshoot the real end
            # of the window by up to a second, a whole window at a per-second budget. With a
            # configured budget the window's length is known, so a learned wait never exceeds it.
            reset_in = min(reset_in, self.period)
        pause = waits.retry_after if retry_after_text is not None else None
        if pause is None and status == 429:
            pause = reset_in
        remaining: int | None = None
        if remaining_text is not None:
            try:
                remaining = max(0, int(remaining_text))
            except ValueError:
                remaining = None
        with self._lock:
            now = self._clock()
            if pause is None and sent_at is not None and sent_at < self._window_floor:
                self._count.late()  # (kept only without a budget: a no-op with one)
                return  # an answer from a window that is over (see above)
            if pause is not None:
                # The server asked for this wait: it is the whole answer. Its exhausted budget
                # (X-Rate-Limit-Remaining: 0) and window end (X-Rate-Limit-Retry, whole seconds
                # read against a whole-second Date) describe the same pause; keeping them too
                # would wait a second time after it.
                if pause <= self.max_pause:
                    self._blocked_until = max(self._blocked_until, now + pause)
                    self._guessed_block = False
                    self._window_floor = max(self._window_floor, self._blocked_until)
                self._server_remaining = self._server_reset = None
                self._count.new_window(now + pause)
            elif self.limit is None:
                self._server_reset = self._count.learn(
                    headers, remaining, reset_in, self._server_reset, sent_at=sent_at, now=now
                )
                if self._guessed_block and remaining == 0 and reset_in is not None:
                    self._blocked_until = now + reset_in  # as below: the real end, not the guess
                    self._guessed_block = False
            elif remaining is not None:
                answered = [slot.time for slot in self._slots if not slot.in_flight]
                if reset_in is not None and answered:
                    # Sharper still: the server's window began no later than the arrival of
                    # the oldest answered request we count, so it ends no later than that
                    # request's response plus the period.
                    oldest = min(answered)
                    reset_in = min(reset_in, max(0.0, oldest + self.period - now))
                known_reset = self._server_reset
                if reset_in is None and known_reset is not None and known_reset > now:
                    # Same window as an answer that said when it ends. Under concurrency
                    # answers arrive out of order: a late one from earlier in the window
                    # (more remaining, no end given) must not undo what a newer one said.
                    current = self._server_remaining
                    self._server_remaining = remaining if current is None else min(current, remaining)
                else:
                    self._server_remaining = remaining
                    self._server_reset = now + reset_in if reset_in is not None else None
                if self._guessed_block and remaining <= 0 and reset_in is not None:
                    # Our local count ran out before the server's last answer of the window
                    # arrived, and we guessed a pause; that answer says when the window
                    # really ends, which is usually sooner (a per-second window: much sooner).
                    self._blocked_until = now + reset_in
                    self._guessed_block = False
