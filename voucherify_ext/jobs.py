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
(:mod:`voucherify_ext.exports`) use it too.
"""

from __future__ import annotations

import asyncio
import datetime
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

from .errors import (
    APIConnectionError,
    APIResponseError,
    AsyncActionFailedError,
    JobError,
    JobTimeoutError,
    RateLimitError,
    ServerError,
    ValidationError,
    VoucherifyError,
)
from .logs import logger
from .pagination import AsyncPaginator, EndDateCursor, Instant, Paginator, apaginate, paginate, to_instant
from .responses import acall, call, check_model, unwrap

__all__ = [
    "DEFAULT_SCHEDULE",
    "DEFAULT_WAIT_TIMEOUT",
    "AsyncActionFailedError",
    "AsyncActions",
    "AsyncAsyncActions",
    "JobError",
    "JobTimeoutError",
    "PollSchedule",
    "apoll",
    "format_instant",
    "import_result",
    "poll",
]

T = TypeVar("T")
#: What a poll found: still running, finished well, or finished badly.
PollState = Literal["pending", "done", "failed"]

#: Seconds ``wait`` waits by default before raising :class:`JobTimeoutError`.
DEFAULT_WAIT_TIMEOUT = 600.0


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
    :class:`JobTimeoutError` once ``timeout`` seconds have passed. A last fetch happens at the
    deadline, so a job that finishes just in time is not reported as late."""
    deadline = None if timeout is None else clock() + timeout
    intervals = schedule.intervals()
    errors = 0
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
        if state(current) != "pending":
            return current
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
    deadline = None if timeout is None else clock() + timeout
    intervals = schedule.intervals()
    errors = 0
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
        if state(current) != "pending":
            return current
        await sleep(_pending_interval(intervals, deadline, clock, current, job_id, what, timeout))


def action_state(action: AsyncActionGetResponseBody) -> PollState:
    status = _text(action.status)
    if status == "DONE":
        return "done"
    if status == "FAILED":
        return "failed"
    return "pending"


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


def _list_kwargs(limit: int, end_date: EndDate | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"limit": limit}
    if end_date is not None:
        kwargs["end_date"] = to_instant(end_date)
    return kwargs


def _strategy(end_date: EndDate | None) -> EndDateCursor:
    return EndDateCursor(end_date=None if end_date is None else to_instant(end_date))


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
        :class:`AsyncActionFailedError` on ``FAILED`` and :class:`JobTimeoutError` after
        ``timeout`` seconds (None: no deadline).
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
        the last action seen as ``end_date`` (:class:`~voucherify_ext.pagination.EndDateCursor`).
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
