"""``RateLimiter.state()`` (what ``vf.rate_limit_state()`` returns), on an injected clock: the
local budget's use as slots are taken, answered and age out of the window; a server's pause; the
server's last rate-limit headers, kept until a response brings new ones."""

from __future__ import annotations

from voucherify_ext.ratelimit import RateLimiter
from voucherify_ext.server_waits import RateLimitState


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_local_budget_as_slots_come_and_go() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 10.0, clock=clock, wall_clock=lambda: 1.7e9)
    first, second = limiter.acquire(lambda s: None), limiter.acquire(lambda s: None)
    state = limiter.state()
    assert (state.limit, state.period, state.used, state.in_flight, state.available) == (3, 10.0, 2, 2, 1)
    clock.now += 1.0
    limiter.release(first)
    assert (limiter.state().used, limiter.state().in_flight) == (2, 1)
    clock.now += 1.0
    limiter.release(second)  # answered a second after the first: its window ends a second later
    clock.now += 9.0 + limiter.margin - 0.001  # the first slot's window is about to end
    assert limiter.state().used == 2
    clock.now += 0.002
    assert (limiter.state().used, limiter.state().available) == (1, 2)  # the first aged out
    clock.now += 1.0
    assert (limiter.state().used, limiter.state().available, limiter.state().in_flight) == (0, 3, 0)


def test_without_a_budget_nothing_is_counted() -> None:
    limiter = RateLimiter(None, clock=Clock())
    limiter.acquire(lambda s: None)
    state = limiter.state()
    assert (state.limit, state.used, state.available, state.server) == (None, 0, None, None)


def test_a_server_pause_and_the_server_state() -> None:
    clock = Clock()
    limiter = RateLimiter(None, clock=clock, wall_clock=lambda: 1.7e9)
    limiter.observe({"x-rate-limit-limit": "100", "x-rate-limit-remaining": "7"}, 200)
    state = limiter.state()
    assert state.server == RateLimitState(limit=100, remaining=7)
    assert (state.server_remaining, state.paused_for) == (7, 0.0)
    limiter.acquire(lambda s: None)
    assert limiter.state().server_remaining == 6  # counted down by the request sent since
    limiter.observe({"retry-after": "4", "x-rate-limit-remaining": "0", "x-rate-limit-limit": "100"}, 429)
    state = limiter.state()
    assert state.paused_for == 4.0 and state.server == RateLimitState(limit=100, remaining=0)
    clock.now += 3.0
    assert limiter.state().paused_for == 1.0
    # a response without rate-limit headers (only a Date) leaves the last server state alone
    limiter.observe({"date": "Thu, 03 Dec 2026 07:39:29 GMT", "content-type": "text/csv"}, 200)
    assert limiter.state().server == RateLimitState(limit=100, remaining=0)
