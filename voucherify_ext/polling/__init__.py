"""Polling a job until it ends: :func:`poll` / :func:`apoll`, the deadline, and the poll schedule.

Generic over what is polled (async actions in :mod:`voucherify_ext.async_actions`,
exports in :mod:`voucherify_ext.exports`): a ``fetch`` callable and a ``state`` function
that says ``"pending"``, ``"done"``, ``"failed"`` or ``"unknown"``. Waiting polls on a schedule
(the plain backoff :data:`DEFAULT_SCHEDULE`: 1 s, ×1.5 per poll, capped at 10 s; the jobs use
:data:`DEFAULT_STRATEGY`, below), within an overall deadline, and raises
:class:`JobTimeoutError` (carrying the id, so the caller can wait again later) when it passes.
``sleep`` and ``clock`` are injected so tests run in no real time.

The schedule is a strategy (:class:`PollStrategy`, :mod:`~voucherify_ext.polling.schedule`): it
gets what the last poll observed (:class:`PollObservation`) and returns the next interval. The
jobs' default, :data:`DEFAULT_STRATEGY` (:class:`EstimatingSchedule`, ``estimate``), polls at
the end the job's progress predicts, within the client's rate budget (``budget``), and uses
the backoff only when progress gives no signal.
The modules: ``schedule`` (the strategy), ``estimate`` (the default one), ``budget`` (the
client's rate budget as a schedule sees it), ``decisions`` (the loop's decisions, no I/O),
``poll_async`` (the loop, one source) and ``poll_sync`` (generated from it).
"""

from voucherify_ext.errors import AsyncActionFailedError, AsyncActionStatusError, JobError, JobTimeoutError
from voucherify_ext.polling.budget import client_budget, limiter_budget
from voucherify_ext.polling.decisions import (
    DEFAULT_WAIT_TIMEOUT,
    MAX_POLL_ERRORS,
    UNKNOWN_STATUS_GRACE,
    PollRun,
    PollState,
    check_timeout,
)
from voucherify_ext.polling.estimate import DEFAULT_STRATEGY, EstimatingSchedule, predicted_end
from voucherify_ext.polling.poll_async import apoll
from voucherify_ext.polling.poll_sync import poll
from voucherify_ext.polling.schedule import (
    DEFAULT_SCHEDULE,
    Budget,
    Observed,
    PollObservation,
    PollSchedule,
    PollStrategy,
)

__all__ = [
    "DEFAULT_SCHEDULE",
    "DEFAULT_STRATEGY",
    "DEFAULT_WAIT_TIMEOUT",
    "MAX_POLL_ERRORS",
    "UNKNOWN_STATUS_GRACE",
    "AsyncActionFailedError",
    "AsyncActionStatusError",
    "Budget",
    "EstimatingSchedule",
    "JobError",
    "JobTimeoutError",
    "Observed",
    "PollObservation",
    "PollRun",
    "PollSchedule",
    "PollState",
    "PollStrategy",
    "apoll",
    "check_timeout",
    "client_budget",
    "limiter_budget",
    "poll",
    "predicted_end",
]
