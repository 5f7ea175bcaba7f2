"""Async actions: get one, wait for one, iterate over the list (``vf.async_actions``).

Voucherify runs bulk work (order imports among others) as *async actions*: the request
returns an ``aa_...`` id, and ``GET /v1/async-actions/{id}`` reports ``status``
(``ENQUEUED`` → ``IN_PROGRESS`` → ``DONE`` or ``FAILED``), ``progress`` (0-100) and, once
finished, a ``result`` whose shape depends on ``type``.

Waiting polls with an increasing interval (1 s, ×1.5 per poll, capped at 10 s), within an
overall deadline. It raises :class:`AsyncActionFailedError` (carrying the action and its
``result``) on ``FAILED`` and :class:`JobTimeoutError` (carrying the id, so the caller can wait
again later) when the deadline passes. ``sleep`` and ``clock`` are injectable so tests run in
no real time.

The polling loop itself (:func:`poll` / :func:`apoll`) is generic over what is polled; exports
(:mod:`voucherify_ext.exports.handles`) use it too.
"""

from __future__ import annotations

import asyncio
import datetime
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Literal, TypeVar

import attrs
from voucherify_client.api.async_actions import get_async_action, list_async_actions
from voucherify_client.client import AuthenticatedClient
from voucherify_client.models import (
    AsyncActionBase,
    AsyncActionGetResponseBody,
    AsyncActionsListResponseBody,
    OrdersImportResult,
)
from voucherify_client.types import Unset

from voucherify_ext.errors import (
    APIConnectionError,
    APIResponseError,
    AsyncActionFailedError,
    AsyncActionStatusError,
    InputTypeError,
    JobError,
    JobTimeoutError,
    RateLimitError,
    ServerError,
    ValidationError,
    VoucherifyError,
)
from voucherify_ext.logs import logger
from voucherify_ext.pagination.strategies import (
    AsyncPaginator,
    EndDateCursor,
    Instant,
    Paginator,
    apaginate,
    paginate,
    to_instant,
)
from voucherify_ext.responses import acall, call, check_model, unwrap

__all__ = [
    "DEFAULT_SCHEDULE",
    "DEFAULT_WAIT_TIMEOUT",
    "UNKNOWN_STATUS_GRACE",
    "AsyncActionFailedError",
    "AsyncActionStatusError",
    "AsyncActions",
    "AsyncAsyncActions",
    "JobError",
    "JobTimeoutError",
    "PollSchedule",
    "apoll",
    "check_timeout",
    "format_instant",
    "import_result",
    "poll",
]

T = TypeVar("T")
#: What a poll found: still running, finished well, finished badly, or a status the client does
#: not know (polled again for at most :data:`UNKNOWN_STATUS_GRACE` seconds).
PollState = Literal["pending", "done", "failed", "unknown"]

#: Seconds ``wait`` waits by default before raising :class:`JobTimeoutError`.
DEFAULT_WAIT_TIMEOUT = 600.0

#: Seconds a job may report a status the client does not know (or none) before ``wait`` raises
#: :class:`AsyncActionStatusError`: long enough for a glitch of one poll or two, not a deadline.
UNKNOWN_STATUS_GRACE = 30.0


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


@attrs.frozen
class PollSchedule:
    """Poll intervals: ``initial`` seconds, multiplied by ``factor`` after each poll, at most
    ``maximum``."""

    initial: float = 1.0
    factor: float = 1.5
    maximum: float = 10.0

    def intervals(self) -> Iterator[float]:
        interval = self.initial
        while True:
            yield interval
            interval = min(self.maximum, interval * self.factor)


#: 1 s, ×1.5 per poll, at most 10 s.
DEFAULT_SCHEDULE = PollSchedule()


def _text(value: object) -> str:
    if value is None or isinstance(value, Unset):
        return "?"
    return str(value)


def format_instant(value: datetime.datetime) -> str:
    """A timezone-aware (or UTC-naive) datetime as Voucherify writes it: ``...T12:00:00.000Z``."""
    return Instant.of(value).isoformat()


#: Consecutive failed polls (connection, 5xx, 429, unreadable body) tolerated before giving up.
MAX_POLL_ERRORS = 5


def _poll_error(exc: VoucherifyError, errors: int, what: str, job_id: str) -> int:
    """Count a failed poll, or re-raise it if it is not transient or there were too many."""
    transient = isinstance(exc, APIConnectionError | APIResponseError | ServerError | RateLimitError)
    if not transient or errors + 1 >= MAX_POLL_ERRORS:
        raise exc
    logger.info("polling %s %s failed (%s); trying again", what, job_id, exc)
    return errors + 1


def _next_sleep(
    intervals: Iterator[float],
    deadline: float | None,
    clock: Callable[[], float],
    exc: VoucherifyError,
    job_id: str,
    what: str,
    timeout: float | None,
) -> float:
    interval = next(intervals)
    if deadline is None:
        return interval
    remaining = deadline - clock()
    if remaining <= 0:
        raise JobTimeoutError(
            f"{what} {job_id}: no answer before the {timeout:g}s deadline (last poll: {exc})",
            job_id=job_id,
            timeout=timeout,
        ) from exc
    return min(interval, remaining)


def _pending_interval(
    intervals: Iterator[float],
    deadline: float | None,
    clock: Callable[[], float],
    current: object,
    job_id: str,
    what: str,
    timeout: float | None,
) -> float:
    """How long to sleep before the next poll of a pending job: the schedule's next interval,
    cut to the deadline; past the deadline, :class:`JobTimeoutError` with the last state."""
    interval = next(intervals)
    if deadline is not None:
        remaining = deadline - clock()
        if remaining <= 0:
            raise JobTimeoutError(
                f"{what} {job_id} still running after {timeout:g}s; wait for it again later",
                job_id=job_id,
                timeout=timeout,
                last=current,
            )
        interval = min(interval, remaining)
    logger.debug("%s %s pending; next poll in %.2fs", what, job_id, interval)
    return interval


_KNOWN_STATUSES = {"export": "SCHEDULED, IN_PROGRESS, DONE, ERROR"}
_LOOKUP = {"export": "handle.refresh() (GET /v1/exports/{id})"}


def _unknown(
    found: PollState,
    since: float | None,
    clock: Callable[[], float],
    current: object,
    job_id: str,
    what: str,
) -> float | None:
    """When the current run of unknown statuses began (None: the status is known); raises
    :class:`AsyncActionStatusError` once it has lasted :data:`UNKNOWN_STATUS_GRACE` seconds."""
    if found != "unknown":
        return None
    now = clock()
    status = _text(getattr(current, "status", None))
    if since is None:
        logger.warning("%s %s reports an unknown status %r; polling it again", what, job_id, status)
        return now
    if now - since >= UNKNOWN_STATUS_GRACE:
        raise AsyncActionStatusError(
            f"{what} {job_id} has reported status {status!r} for {now - since:.1f}s, which is not one the "
            f"client knows ({_KNOWN_STATUSES.get(what, 'ENQUEUED, IN_PROGRESS, DONE, FAILED')}); not "
            f"waiting for it any longer. Check it with "
            + _LOOKUP.get(what, "vf.async_actions.get({id!r})").format(id=job_id),
            job_id=job_id,
            status=status,
            last=current,
        )
    return since


def poll(
    fetch: Callable[[], T],
    state: Callable[[T], PollState],
    *,
    job_id: str,
    what: str,
    timeout: float | None,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    schedule: PollSchedule,
    on_poll: Callable[[T], None] | None = None,
) -> T:
    """Fetch until ``state`` says done or failed (returns that last fetch), or raise
    :class:`JobTimeoutError` once ``timeout`` seconds have passed (checked by
    :func:`check_timeout`). A last fetch happens at the deadline, so a job that finishes just in
    time is not reported as late. A status ``state`` calls ``"unknown"`` is polled again like a
    pending one, but for at most :data:`UNKNOWN_STATUS_GRACE` seconds in a row:
    :class:`AsyncActionStatusError` then."""
    timeout = check_timeout(timeout)
    deadline = None if timeout is None else clock() + timeout
    intervals = schedule.intervals()
    errors = 0
    unknown_since: float | None = None
    while True:
        try:
            current = fetch()
        except VoucherifyError as exc:
            errors = _poll_error(exc, errors, what, job_id)
            sleep(_next_sleep(intervals, deadline, clock, exc, job_id, what, timeout))
            continue
        errors = 0
        if on_poll is not None:
            on_poll(current)
        found = state(current)
        if found in ("done", "failed"):
            return current
        unknown_since = _unknown(found, unknown_since, clock, current, job_id, what)
        sleep(_pending_interval(intervals, deadline, clock, current, job_id, what, timeout))


async def apoll(
    fetch: Callable[[], Awaitable[T]],
    state: Callable[[T], PollState],
    *,
    job_id: str,
    what: str,
    timeout: float | None,  # noqa: ASYNC109 - a polling deadline, not a request timeout
    sleep: Callable[[float], Awaitable[None]],
    clock: Callable[[], float],
    schedule: PollSchedule,
    on_poll: Callable[[T], None] | None = None,
) -> T:
    """Async twin of :func:`poll`."""
    timeout = check_timeout(timeout)
    deadline = None if timeout is None else clock() + timeout
    intervals = schedule.intervals()
    errors = 0
    unknown_since: float | None = None
    while True:
        try:
            current = await fetch()
        except VoucherifyError as exc:
            errors = _poll_error(exc, errors, what, job_id)
            await sleep(_next_sleep(intervals, deadline, clock, exc, job_id, what, timeout))
            continue
        errors = 0
        if on_poll is not None:
            on_poll(current)
        found = state(current)
        if found in ("done", "failed"):
            return current
        unknown_since = _unknown(found, unknown_since, clock, current, job_id, what)
        await sleep(_pending_interval(intervals, deadline, clock, current, job_id, what, timeout))


def action_state(action: AsyncActionGetResponseBody) -> PollState:
    status = _text(action.status)
    if status == "DONE":
        return "done"
    if status == "FAILED":
        return "failed"
    if status in ("ENQUEUED", "IN_PROGRESS"):
        return "pending"
    return "unknown"


def import_result(action: AsyncActionGetResponseBody) -> OrdersImportResult | None:
    """The typed result of an ``ORDERS.IMPORT`` action (``done_count``, ``failed_count``,
    ``failed`` entries with ``source_id`` and ``reason``), or None when the action has no result
    yet, is of another type, or carries a result that does not match the spec's
    ``OrdersImportResult`` (logged as a warning: the caller then knows no counts)."""
    result = action.result
    if isinstance(result, Unset) or _text(action.type_) not in ("ORDERS.IMPORT", "?"):
        return None
    try:
        parsed = OrdersImportResult.from_dict(result.to_dict())
        check_model(parsed)
    except (APIResponseError, KeyError, TypeError, ValueError, AttributeError) as exc:
        logger.warning(
            "async action %s: its ORDERS.IMPORT result does not match the spec: %s", action.id, exc
        )
        return None
    return parsed


def _progress_reporter(
    on_progress: Callable[[int], None] | None,
) -> Callable[[AsyncActionGetResponseBody], None] | None:
    if on_progress is None:
        return None
    last: list[int] = []

    def report(action: AsyncActionGetResponseBody) -> None:
        progress = action.progress if isinstance(action.progress, int) else 0
        if action_state(action) != "pending":
            progress = 100 if action_state(action) == "done" else progress
        if not last or last[0] != progress:
            last[:] = [progress]
            on_progress(progress)

    return report


EndDate = datetime.datetime | datetime.date | str
"""A starting ``end_date``: a datetime (naive = UTC), a date, or an ISO 8601 string."""


def _end_date(value: EndDate | None) -> Instant | None:
    """``end_date`` as an instant; anything else is a :class:`ValidationError` (not the raw
    ``ValueError``/``OverflowError``/``TypeError`` of the parsers)."""
    if value is None:
        return None
    if not isinstance(value, datetime.date | str):
        raise InputTypeError(
            "end_date must be a datetime, a date or an ISO 8601 string, "
            f"got {type(value).__name__} {value!r}",
            path="end_date",
        )
    try:
        return to_instant(value)
    except (ValueError, OverflowError, TypeError) as exc:
        raise ValidationError(
            f"end_date {value!r} is not an ISO 8601 date or time (e.g. '2026-11-28T12:00:00Z'): {exc}",
            path="end_date",
        ) from None


def _list_kwargs(limit: int, end_date: EndDate | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"limit": limit}
    instant = _end_date(end_date)
    if instant is not None:
        kwargs["end_date"] = instant
    return kwargs


def _strategy(end_date: EndDate | None) -> EndDateCursor:
    return EndDateCursor(end_date=_end_date(end_date))


def _action_id(value: object) -> str:
    """Refuse an id that would turn ``GET /v1/async-actions/{id}`` into the list endpoint."""
    if not isinstance(value, str) or not value.strip() or "/" in value:
        raise ValidationError(f"async action id must be a non-empty string like 'aa_...', got {value!r}")
    return value


class AsyncActions:
    """``vf.async_actions``: get, wait for and list async actions, through the generated client."""

    def __init__(
        self,
        client: AuthenticatedClient,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        schedule: PollSchedule = DEFAULT_SCHEDULE,
    ) -> None:
        self.client = client
        self._sleep = sleep
        self._clock = clock
        self._schedule = schedule

    def get(self, async_action_id: str) -> AsyncActionGetResponseBody:
        """The async action, with its ``result`` once it has finished."""
        response = call(get_async_action.sync_detailed, _action_id(async_action_id), client=self.client)
        return unwrap(response, AsyncActionGetResponseBody)

    def wait(
        self,
        async_action_id: str,
        *,
        timeout: float | None = DEFAULT_WAIT_TIMEOUT,
        on_progress: Callable[[int], None] | None = None,
    ) -> AsyncActionGetResponseBody:
        """Poll until the action is ``DONE`` and return it (``result`` included).

        ``on_progress(progress)`` is called whenever ``progress`` (0-100) changes. Raises
        :class:`AsyncActionFailedError` on ``FAILED``, :class:`JobTimeoutError` after
        ``timeout`` seconds (None or ``inf``: no deadline; ``nan`` or a negative number:
        :class:`ValidationError`, a string: :class:`InputTypeError`), and
        :class:`AsyncActionStatusError` when the action reports a status the client does not
        know for :data:`UNKNOWN_STATUS_GRACE` seconds in a row.
        """
        action = poll(
            lambda: self.get(async_action_id),
            action_state,
            job_id=async_action_id,
            what="async action",
            timeout=timeout,
            sleep=self._sleep,
            clock=self._clock,
            schedule=self._schedule,
            on_poll=_progress_reporter(on_progress),
        )
        if action_state(action) == "failed":
            raise AsyncActionFailedError(action)
        return action

    def list_page(self, *, limit: int = 100, end_date: EndDate | None = None) -> AsyncActionsListResponseBody:
        """One page of the list, newest first (only actions created before ``end_date``)."""
        response = call(list_async_actions.sync_detailed, client=self.client, **_list_kwargs(limit, end_date))
        return unwrap(response, AsyncActionsListResponseBody)

    def iter(self, *, limit: int = 100, end_date: EndDate | None = None) -> Paginator[AsyncActionBase]:
        """Every async action, newest first, lazily (one page in memory); a context manager.

        The list has no page numbers: each next page is requested with the ``created_at`` of
        the last action seen as ``end_date`` (:class:`~voucherify_ext.pagination.strategies.EndDateCursor`).
        ``limit`` is the page size (1-100). List items never carry ``result``; use
        :meth:`get` for it.
        """
        return paginate(
            list_async_actions.sync_detailed,
            self.client,
            data_ref="async_actions",
            strategy=_strategy(end_date),
            page_size=limit,
            envelope=AsyncActionsListResponseBody,
        )


class AsyncAsyncActions:
    """Async twin of :class:`AsyncActions` (``AsyncVoucherify.async_actions``)."""

    def __init__(
        self,
        client: AuthenticatedClient,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        schedule: PollSchedule = DEFAULT_SCHEDULE,
    ) -> None:
        self.client = client
        self._sleep = sleep
        self._clock = clock
        self._schedule = schedule

    async def get(self, async_action_id: str) -> AsyncActionGetResponseBody:
        response = await acall(
            get_async_action.asyncio_detailed, _action_id(async_action_id), client=self.client
        )
        return unwrap(response, AsyncActionGetResponseBody)

    async def wait(
        self,
        async_action_id: str,
        *,
        timeout: float | None = DEFAULT_WAIT_TIMEOUT,  # noqa: ASYNC109 - mirrors the sync API
        on_progress: Callable[[int], None] | None = None,
    ) -> AsyncActionGetResponseBody:
        action = await apoll(
            lambda: self.get(async_action_id),
            action_state,
            job_id=async_action_id,
            what="async action",
            timeout=timeout,
            sleep=self._sleep,
            clock=self._clock,
            schedule=self._schedule,
            on_poll=_progress_reporter(on_progress),
        )
        if action_state(action) == "failed":
            raise AsyncActionFailedError(action)
        return action

    async def list_page(
        self, *, limit: int = 100, end_date: EndDate | None = None
    ) -> AsyncActionsListResponseBody:
        response = await acall(
            list_async_actions.asyncio_detailed, client=self.client, **_list_kwargs(limit, end_date)
        )
        return unwrap(response, AsyncActionsListResponseBody)

    def iter(self, *, limit: int = 100, end_date: EndDate | None = None) -> AsyncPaginator[AsyncActionBase]:
        """Async twin of :meth:`AsyncActions.iter` (``async for``, ``async with``)."""
        return apaginate(
            list_async_actions.asyncio_detailed,
            self.client,
            data_ref="async_actions",
            strategy=_strategy(end_date),
            page_size=limit,
            envelope=AsyncActionsListResponseBody,
        )
