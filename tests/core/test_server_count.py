"""Without a configured budget, the limiter keeps to the server's own count (server_count.py).

A simulated server counts arrivals in fixed windows (each opens with the first arrival after
the previous one ended, as Voucherify's and the sandbox's do) and answers every request with
``X-Rate-Limit-Remaining`` and ``-Limit``, adding ``X-Rate-Limit-Retry`` once a window is spent,
and a 429 with ``Retry-After`` to a request over it. Workers on an injected clock take a slot,
send, and at the response call ``observe`` and then ``release``, in the transport's order. Each
request's trip to the server and back is drawn, so arrivals reorder freely.
"""

from __future__ import annotations

import email.utils
import heapq
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from voucherify_ext.ratelimit import RateLimiter

EPOCH = 1_796_000_000.37  # the wall clock at logical 0: not on a whole second


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Server:
    """Fixed windows of ``size`` arrivals per ``period`` seconds."""

    def __init__(self, size: int, period: float, *, headers: bool, retry: bool) -> None:
        self.size, self.period, self.headers, self.retry = size, period, headers, retry
        self.end = -math.inf
        self.used = 0
        self.windows = 0
        self.refused = 0

    def arrive(self, at: float) -> tuple[int, dict[str, str]]:
        if at >= self.end:
            self.end, self.used, self.windows = at + self.period, 0, self.windows + 1
        date = email.utils.formatdate(math.floor(EPOCH + at), usegmt=True)
        if not self.headers:
            return 200, {"date": date}
        out = {"date": date, "x-rate-limit-limit": str(self.size)}
        if self.used >= self.size:
            self.refused += 1
            out |= {"x-rate-limit-remaining": "0", "retry-after": str(math.ceil(self.end - at))}
            if self.retry:
                out["x-rate-limit-retry"] = str(math.ceil(EPOCH + self.end))
            return 429, out
        self.used += 1
        out["x-rate-limit-remaining"] = str(self.size - self.used)
        if self.used == self.size and self.retry:
            out["x-rate-limit-retry"] = str(math.ceil(EPOCH + self.end))
        return 200, out


def simulate(server: Server, workers: int, trips: list[tuple[float, float]]) -> dict[str, Any]:
    """Send ``len(trips)`` requests from ``workers`` workers; what the server saw."""
    clock = Clock()
    # max_pause: every wait here is waited out (a longer one fails fast by design, see RateLimiter)
    limiter = RateLimiter(None, clock=clock, wall_clock=lambda: EPOCH + clock.now, max_pause=3600.0)
    # events: (time, order, kind, worker, payload)
    events: list[tuple[float, int, str, int, Any]] = []
    order = 0

    def push(at: float, kind: str, worker: int, payload: Any = None) -> None:
        nonlocal order
        order += 1
        heapq.heappush(events, (at, order, kind, worker, payload))

    for worker in range(workers):
        push(0.0, "wake", worker)
    pending = list(reversed(trips))
    in_flight = most_in_flight = 0
    answered = held_after = 0
    slept_until = [0.0] * workers
    while events:
        at, _, kind, worker, payload = heapq.heappop(events)
        clock.now = max(clock.now, at)
        if kind == "arrive":
            slot, sent_at, down = payload
            status, headers = server.arrive(clock.now)
            push(clock.now + down, "answer", worker, (slot, sent_at, status, headers))
            continue
        if kind == "answer":
            slot, sent_at, status, headers = payload
            limiter.observe(headers, status, sent_at=sent_at)
            limiter.release(slot)
            in_flight -= 1
            answered += 1
        if not pending:
            continue
        wait, slot = limiter.try_acquire(slept_until[worker])
        if slot is None:
            held_after += answered > 0
            slept_until[worker] = limiter.now(slept_until[worker]) + wait
            push(slept_until[worker], "wake", worker)
            continue
        up, down = pending.pop()
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        push(clock.now + up, "arrive", worker, (slot, limiter.now(slept_until[worker]), down))
    return {
        "refused": server.refused,
        "windows": server.windows,
        "most_in_flight": most_in_flight,
        "held_after_an_answer": held_after,
    }


trips = st.lists(st.tuples(st.floats(0.001, 0.4), st.floats(0.001, 0.4)), min_size=1, max_size=120)


@settings(max_examples=150, deadline=None)
@given(
    size=st.integers(1, 30),
    period=st.sampled_from([0.5, 1.0, 5.0, 60.0]),
    workers=st.integers(1, 24),
    trips=trips,
)
def test_no_request_goes_over_the_servers_count(
    size: int, period: float, workers: int, trips: list[tuple[float, float]]
) -> None:
    seen = simulate(Server(size, period, headers=True, retry=True), workers, trips)
    assert seen["refused"] == 0, seen


@settings(max_examples=100, deadline=None)
@given(
    size=st.integers(1, 30), period=st.sampled_from([0.5, 1.0, 5.0]), workers=st.integers(1, 24), trips=trips
)
def test_without_the_windows_end_at_most_one_429_per_window(
    size: int, period: float, workers: int, trips: list[tuple[float, float]]
) -> None:
    # no X-Rate-Limit-Retry: a spent window's end is guessed, and one probe finds it out
    seen = simulate(Server(size, period, headers=True, retry=False), workers, trips)
    assert seen["refused"] <= seen["windows"], seen


@settings(max_examples=30, deadline=None)
@given(workers=st.integers(2, 24), trips=trips.filter(lambda t: len(t) >= 30))
def test_a_server_that_does_not_count_holds_nothing_back(
    workers: int, trips: list[tuple[float, float]]
) -> None:
    # the first request goes alone (its answer says whether the server counts); after that
    # answer, nobody waits
    seen = simulate(Server(1, 1.0, headers=False, retry=False), workers, trips)
    assert seen["held_after_an_answer"] == 0, seen
    assert seen["most_in_flight"] > 1, seen
