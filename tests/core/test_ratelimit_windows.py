"""The limiter against a server counting arrivals in any rolling window (ratelimit's docstring).

A simulated client: workers on an injected clock take a slot, send, and release at the
response. Each request arrives at a drawn time between its send and its response (latency and
jitter drawn, reordering allowed). No window of ``period`` may hold more than ``limit`` arrivals.
"""

from __future__ import annotations

import heapq

from hypothesis import given, settings
from hypothesis import strategies as st

from voucherify_ext.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def simulate(limit: int, period: float, workers: int, trips: list[tuple[float, float]]) -> list[float]:
    """Arrival times of ``len(trips)`` requests; each trip is (to the server, back)."""
    clock = Clock()
    limiter = RateLimiter(limit, period, clock=clock)
    events: list[tuple[float, int, int]] = [(0.0, w, -1) for w in range(workers)]
    pending = list(reversed(trips))
    arrivals: list[float] = []
    slots = {}
    seq = 0
    while events:
        time, worker, request = heapq.heappop(events)
        clock.now = max(clock.now, time)
        if request >= 0:
            limiter.release(slots.pop(request))
        if not pending:
            continue
        wait, slot = limiter.try_acquire(clock.now)
        if slot is None:
            heapq.heappush(events, (clock.now + wait, worker, -1))
            continue
        up, down = pending.pop()
        arrivals.append(clock.now + up)
        seq += 1
        slots[seq] = slot
        heapq.heappush(events, (clock.now + up + down, worker, seq))
    return sorted(arrivals)


def most_in_one_window(arrivals: list[float], period: float) -> int:
    best, start = 0, 0
    for end, at in enumerate(arrivals):
        while at - arrivals[start] >= period:
            start += 1
        best = max(best, end - start + 1)
    return best


trip = st.tuples(st.floats(0.0, 0.2), st.floats(0.0, 0.2))


@settings(max_examples=200)
@given(
    limit=st.integers(1, 8),
    workers=st.integers(1, 12),
    trips=st.lists(trip, min_size=1, max_size=60),
)
def test_no_rolling_window_holds_more_than_the_budget(
    limit: int, workers: int, trips: list[tuple[float, float]]
) -> None:
    arrivals = simulate(limit, 1.0, workers, trips)
    assert len(arrivals) == len(trips)
    assert most_in_one_window(arrivals, 1.0) <= limit


def test_fills_the_budget_at_50ms() -> None:
    # 20/s, 50 ms round trips: one slot per period + 50 ms, about 95 % of the budget
    arrivals = simulate(20, 1.0, 20, [(0.025, 0.025)] * 400)
    rate = len(arrivals) / (arrivals[-1] - arrivals[0])
    assert rate >= 0.94 * 20
