"""The rate budget a poll schedule is shown: :func:`client_budget` reads it from a client.

Polls are requests like any other: they count against the client's rate budget (its
:class:`~voucherify_ext.ratelimit.RateLimiter`), so the schedule is told how much of it is free
(:class:`~voucherify_ext.polling.schedule.Budget`) before each interval it picks.
"""

from __future__ import annotations

from collections.abc import Callable

from voucherify_ext.polling.schedule import Budget
from voucherify_ext.ratelimit import RateLimiter

__all__ = ["client_budget", "limiter_budget"]


def limiter_budget(limiter: RateLimiter) -> Callable[[], Budget | None]:
    """A reader of ``limiter``'s budget: None while it has no local limit."""

    def read() -> Budget | None:
        free = limiter.free()
        return None if free is None else Budget(*free)

    return read


def client_budget(client: object) -> Callable[[], Budget | None] | None:
    """The budget reader of a generated client sending through ext's transport (``vf.client``),
    or None for a client without a rate limiter (built some other way)."""
    for name in ("_async_client", "_client"):
        transport = getattr(getattr(client, name, None), "_transport", None)
        limiter = getattr(transport, "limiter", None)
        if isinstance(limiter, RateLimiter):
            return limiter_budget(limiter)
    return None
