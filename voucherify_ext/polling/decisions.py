"""The polling engine's decisions, without I/O: the deadline, which failed polls to tolerate, how
long an unknown status may last, and how long to sleep next (asked of the :class:`PollStrategy`).

:class:`PollRun` holds one wait's bookkeeping; ``poll_async`` (and its generated twin
``poll_sync``) only fetch, call back and sleep as it says.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

from voucherify_client.types import Unset

from voucherify_ext.errors import (
    APIConnectionError,
    APIResponseError,
    AsyncActionStatusError,
    InputTypeError,
    JobTimeoutError,
    RateLimitError,
    ServerError,
    ValidationError,
    VoucherifyError,
)
from voucherify_ext.logs import logger
from voucherify_ext.polling.schedule import Budget, Observed, PollObservation, PollStrategy

__all__ = [
    "DEFAULT_WAIT_TIMEOUT",
    "MAX_POLL_ERRORS",
    "UNKNOWN_STATUS_GRACE",
    "PollRun",
    "PollState",
    "check_timeout",
]

#: What a poll found: still running, finished well, finished badly, or a status the client does
#: not know (polled again for at most :data:`UNKNOWN_STATUS_GRACE` seconds).
PollState = Literal["pending", "done", "failed", "unknown"]

#: Seconds ``wait`` waits by default before raising :class:`JobTimeoutError`.
DEFAULT_WAIT_TIMEOUT = 600.0

#: Seconds a job may report a status the client does not know (or none) before ``wait`` raises
#: :class:`AsyncActionStatusError`: long enough for a glitch of one poll or two, not a deadline.
UNKNOWN_STATUS_GRACE = 30.0

#: Consecutive failed polls (connection, 5xx, 429, unreadable body) tolerated before giving up.
MAX_POLL_ERRORS = 5

_KNOWN_STATUSES = {"export": "SCHEDULED, IN_PROGRESS, DONE, ERROR"}
_LOOKUP = {"export": "handle.refresh() (GET /v1/exports/{id})"}


def check_timeout(timeout: object, name: str = "timeout") -> float | None:
    """A polling deadline in seconds, checked: None or ``inf`` (no deadline, returned as None),
    or a number that is 0 or more. ``nan`` and negative numbers raise :class:`ValidationError`,
    anything that is not a number (``"5"``, ``True``) :class:`InputTypeError`."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise InputTypeError(
            f"{name} must be a number of seconds or None, got {type(timeout).__name__} {timeout!r}",
            path=name,
        )
    if math.isnan(timeout) or timeout < 0:
        raise ValidationError(
            f"{name} must be 0 or more seconds (or None for no deadline), got {timeout!r}", path=name
        )
    return None if math.isinf(timeout) else float(timeout)


def status_text(value: object) -> str:
    """A job's status for messages: ``"?"`` when it has none."""
    if value is None or isinstance(value, Unset):
        return "?"
    return str(value)


def _progress(current: object) -> int | None:
    progress = getattr(current, "progress", None)
    return progress if isinstance(progress, int) and not isinstance(progress, bool) else None


def _processing_time(current: object) -> float | None:
    """Seconds the job has run by the server's count (``processing_time``, in ms), if above 0."""
    value = getattr(current, "processing_time", None)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        return None
    return float(value) / 1000.0


class PollRun:
    """One wait: its deadline, its count of failed polls in a row, when a run of unknown
    statuses began, and the strategy's previous interval."""

    def __init__(
        self,
        *,
        job_id: str,
        what: str,
        timeout: object,
        clock: Callable[[], float],
        schedule: PollStrategy,
        budget: Callable[[], Budget | None] | None = None,
    ) -> None:
        self.job_id = job_id
        self.what = what
        self.timeout = check_timeout(timeout)
        self.clock = clock
        self.schedule = schedule
        self.started = clock()
        self.deadline = None if self.timeout is None else self.started + self.timeout
        self.attempt = 0
        self.errors = 0
        self.unknown_since: float | None = None
        self.previous: float | None = None
        self.budget = budget
        #: (elapsed, progress) of the first poll that saw progress above 0: with a later one, how
        #: long the job has run when it reports no processing_time
        self.first_progress: tuple[float, int] | None = None

    def first_wait(self, seconds: float) -> float:
        """The wait before the first poll (a caller's prediction of the job's end), cut to the
        deadline; 0 for a number that is not above 0."""
        if not seconds > 0 or math.isinf(seconds):
            return 0.0
        if self.deadline is not None:
            seconds = min(seconds, max(0.0, self.deadline - self.clock()))
        return seconds

    def _running_for(self, elapsed: float, current: object, progress: int | None) -> float | None:
        """How long the job has run: its ``processing_time``, else extrapolated from the first
        poll that saw progress and this one (None when neither says)."""
        reported = _processing_time(current)
        if reported is not None:
            return reported
        if progress is None or progress <= 0:
            return None
        if self.first_progress is None:
            self.first_progress = (elapsed, progress)
            return None
        then, before = self.first_progress
        if progress <= before or elapsed <= then:
            return None
        return (elapsed - then) * progress / (progress - before)

    def _interval(self, found: Observed, current: object = None) -> float:
        elapsed = self.clock() - self.started
        progress = None if found == "error" else _progress(current)
        observed = PollObservation(
            attempt=self.attempt,
            elapsed=elapsed,
            found=found,
            status=None if found == "error" else status_text(getattr(current, "status", None)),
            progress=progress,
            previous=self.previous,
            running_for=None if found == "error" else self._running_for(elapsed, current, progress),
            budget=self.budget() if self.budget is not None else None,
        )
        self.previous = self.schedule.next_interval(observed)
        return self.previous

    def after_error(self, exc: VoucherifyError) -> float:
        """A poll raised ``exc``: re-raise it if it is not transient or there were too many in
        a row; else the seconds to sleep (:class:`JobTimeoutError` past the deadline)."""
        self.attempt += 1
        transient = isinstance(exc, APIConnectionError | APIResponseError | ServerError | RateLimitError)
        if not transient or self.errors + 1 >= MAX_POLL_ERRORS:
            raise exc
        logger.info("polling %s %s failed (%s); trying again", self.what, self.job_id, exc)
        self.errors += 1
        interval = self._interval("error")
        if self.deadline is None:
            return interval
        remaining = self.deadline - self.clock()
        if remaining <= 0:
            what, job_id, timeout = self.what, self.job_id, self.timeout
            raise JobTimeoutError(
                f"{what} {job_id}: no answer before the {timeout:g}s deadline (last poll: {exc})",
                job_id=job_id,
                timeout=timeout,
            ) from exc
        return min(interval, remaining)

    def answered(self) -> None:
        """A poll answered (whatever the state): failed polls are counted afresh."""
        self.attempt += 1
        self.errors = 0

    def after_pending(self, current: object, found: PollState) -> float:
        """The job is still running (or in an unknown status): the seconds to sleep before the
        next poll, cut to the deadline; past it, :class:`JobTimeoutError` with the last state;
        after :data:`UNKNOWN_STATUS_GRACE` seconds of unknown statuses,
        :class:`AsyncActionStatusError`."""
        self._unknown(found, current)
        interval = self._interval("unknown" if found == "unknown" else "pending", current)
        if self.deadline is not None:
            remaining = self.deadline - self.clock()
            if remaining <= 0:
                what, job_id, timeout = self.what, self.job_id, self.timeout
                raise JobTimeoutError(
                    f"{what} {job_id} still running after {timeout:g}s; wait for it again later",
                    job_id=job_id,
                    timeout=timeout,
                    last=current,
                )
            interval = min(interval, remaining)
        logger.debug("%s %s pending; next poll in %.2fs", self.what, self.job_id, interval)
        return interval

    def _unknown(self, found: PollState, current: object) -> None:
        if found != "unknown":
            self.unknown_since = None
            return
        now = self.clock()
        status = status_text(getattr(current, "status", None))
        if self.unknown_since is None:
            logger.warning(
                "%s %s reports an unknown status %r; polling it again", self.what, self.job_id, status
            )
            self.unknown_since = now
            return
        if now - self.unknown_since >= UNKNOWN_STATUS_GRACE:
            what, job_id, lasted = self.what, self.job_id, now - self.unknown_since
            known = _KNOWN_STATUSES.get(what, "ENQUEUED, IN_PROGRESS, DONE, FAILED")
            raise AsyncActionStatusError(
                f"{what} {job_id} has reported status {status!r} for {lasted:.1f}s, which is not one the "
                f"client knows ({known}); not waiting for it any longer. Check it with "
                + _LOOKUP.get(what, "vf.async_actions.get({id!r})").format(id=job_id),
                job_id=job_id,
                status=status,
                last=current,
            )
