"""The polling loop: :func:`apoll` fetches until the job ends, sleeping between polls.

Written once, async; ``poll_sync.py`` (:func:`poll`) is generated from it by
``scripts/unasync.py``. Every decision (deadline, tolerated failures, unknown statuses, the next
interval from the :class:`~voucherify_ext.polling.schedule.PollStrategy`) is made by
:class:`~voucherify_ext.polling.decisions.PollRun`; this loop only fetches, calls back and sleeps.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable  # unasync: from collections.abc import Callable
from typing import TypeVar

from voucherify_ext.errors import VoucherifyError
from voucherify_ext.polling.decisions import PollRun, PollState
from voucherify_ext.polling.schedule import Budget, PollStrategy
from voucherify_ext.tracing import span

__all__ = ["apoll"]  # unasync: __all__ = ["poll"]

T = TypeVar("T")
Fetch = Callable[[], Awaitable[T]]  # unasync: Fetch = Callable[[], T]
Sleep = Callable[[float], Awaitable[None]]  # unasync: Sleep = Callable[[float], None]


async def apoll(
    fetch: Fetch[T],
    state: Callable[[T], PollState],
    *,
    job_id: str,
    what: str,
    timeout: float | None,  # noqa: ASYNC109 - a polling deadline, not a request timeout
    sleep: Sleep,
    clock: Callable[[], float],
    schedule: PollStrategy,
    on_poll: Callable[[T], None] | None = None,
    first_wait: float = 0.0,
    budget: Callable[[], Budget | None] | None = None,
) -> T:
    """Fetch until ``state`` says done or failed (returns that last fetch), or raise
    :class:`JobTimeoutError` once ``timeout`` seconds have passed (checked by
    :func:`~voucherify_ext.polling.decisions.check_timeout`). A last fetch happens at the
    deadline, so a job that finishes just in time is not reported as late. A status ``state``
    calls ``"unknown"`` is polled again like a pending one, but for at most
    :data:`~voucherify_ext.polling.decisions.UNKNOWN_STATUS_GRACE` seconds in a row:
    :class:`AsyncActionStatusError` then. A transient failed poll (connection, 5xx, 429, an
    unreadable body) is retried, up to
    :data:`~voucherify_ext.polling.decisions.MAX_POLL_ERRORS` in a row. ``schedule`` says how
    long to sleep before each next poll; ``budget`` (the client's rate budget, read before
    each) is shown to it. ``first_wait``: seconds to sleep before the first poll (when the
    caller predicts the job's end; cut to the deadline)."""
    run = PollRun(job_id=job_id, what=what, timeout=timeout, clock=clock, schedule=schedule, budget=budget)
    polls = 0
    wait = run.first_wait(first_wait)
    if wait > 0:
        await sleep(wait)
    with span("voucherify.wait", **{"voucherify.job": what, "voucherify.job_id": job_id}) as current_span:
        while True:
            polls += 1
            try:
                current = await fetch()
            except VoucherifyError as exc:
                await sleep(run.after_error(exc))
                continue
            run.answered()
            if on_poll is not None:
                on_poll(current)
            found = state(current)
            if found in ("done", "failed"):
                current_span.set(**{"voucherify.polls": polls, "voucherify.job_state": found})
                return current
            await sleep(run.after_pending(current, found))
