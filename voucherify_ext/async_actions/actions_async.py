"""The async-actions resource (``vf.async_actions`` of :class:`AsyncVoucherify`): get one, wait
for one, list them.

Voucherify runs bulk work (order imports among others) as *async actions*: the request returns
an ``aa_...`` id, and ``GET /v1/async-actions/{id}`` reports ``status`` (``ENQUEUED`` →
``IN_PROGRESS`` → ``DONE`` or ``FAILED``), ``progress`` (0-100) and, once finished, a ``result``
whose shape depends on ``type``. Waiting is :mod:`voucherify_ext.polling`'s loop; it raises
:class:`AsyncActionFailedError` (carrying the action and its ``result``) on ``FAILED``.

Written once, async: ``actions_sync.py`` (:class:`AsyncActions`, ``vf.async_actions`` of
:class:`Voucherify`) is generated from it by ``scripts/unasync.py``.
"""

from __future__ import annotations

import asyncio  # unasync: import time
import functools
import time
from collections.abc import Awaitable, Callable  # unasync: from collections.abc import Callable

from voucherify_client.api.async_actions import get_async_action, list_async_actions
from voucherify_client.client import AuthenticatedClient
from voucherify_client.models import AsyncActionBase, AsyncActionGetResponseBody, AsyncActionsListResponseBody

from voucherify_ext.async_actions.inputs import (
    EndDate,
    action_id,
    end_date_strategy,
    list_kwargs,
    progress_reporter,
)
from voucherify_ext.async_actions.raw_async import AsyncAsyncActionsWithRawResponse
from voucherify_ext.async_actions.states import action_report, action_state
from voucherify_ext.errors import AsyncActionFailedError
from voucherify_ext.pagination import AsyncPaginator, apaginate
from voucherify_ext.polling import DEFAULT_STRATEGY, DEFAULT_WAIT_TIMEOUT, PollStrategy, apoll, client_budget
from voucherify_ext.polling.progress import client_hooks, job_progress
from voucherify_ext.responses import acall, unwrap

__all__ = ["AsyncAsyncActions"]  # unasync: __all__ = ["AsyncActions"]

Sleep = Callable[[float], Awaitable[None]]  # unasync: Sleep = Callable[[float], None]


class AsyncAsyncActions:
    """``vf.async_actions`` of :class:`AsyncVoucherify`: get, wait for and list async actions,
    through the generated client."""

    def __init__(
        self,
        client: AuthenticatedClient,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        schedule: PollStrategy = DEFAULT_STRATEGY,
    ) -> None:
        self.client = client
        self._sleep = sleep
        self._clock = clock
        self._schedule = schedule
        self._budget = client_budget(client)

    @functools.cached_property
    def with_raw_response(self) -> AsyncAsyncActionsWithRawResponse:
        """``get`` and ``list_page`` returning a :class:`~voucherify_ext.RawResponse`:
        ``status_code``, ``headers``, ``attempts``, ``rate_limit`` and ``parse()`` (the model
        these methods return). See docs/responses.md."""
        return AsyncAsyncActionsWithRawResponse(self.client)

    async def get(self, async_action_id: str) -> AsyncActionGetResponseBody:
        """The async action, with its ``result`` once it has finished."""
        response = await acall(
            get_async_action.asyncio_detailed, action_id(async_action_id), client=self.client
        )
        return unwrap(response, AsyncActionGetResponseBody)

    async def wait(
        self,
        async_action_id: str,
        *,
        timeout: float | None = DEFAULT_WAIT_TIMEOUT,  # noqa: ASYNC109 - a polling deadline, as in the sync twin
        on_progress: Callable[[int], None] | None = None,
        first_poll_in: float = 0.0,
        schedule: PollStrategy | None = None,
    ) -> AsyncActionGetResponseBody:
        """Poll until the action is ``DONE`` and return it (``result`` included).

        ``on_progress(progress)`` is called whenever ``progress`` (0-100) changes.
        ``first_poll_in``: seconds to wait before the first poll, when the caller knows when the
        action should end (the import does, from the chunk before); later polls follow the
        schedule (by default :class:`~voucherify_ext.polling.EstimatingSchedule`: at the end the
        action's progress predicts, within the client's rate budget); ``schedule`` replaces this
        resource's for this wait. Raises
        :class:`AsyncActionFailedError` on ``FAILED``, :class:`JobTimeoutError` after
        ``timeout`` seconds (None or ``inf``: no deadline; ``nan`` or a negative number:
        :class:`ValidationError`, a string: :class:`InputTypeError`), and
        :class:`AsyncActionStatusError` when the action reports a status the client does not
        know for :data:`~voucherify_ext.polling.UNKNOWN_STATUS_GRACE` seconds in a row.
        """
        action = await apoll(
            lambda: self.get(async_action_id),
            action_state,
            job_id=async_action_id,
            what="async action",
            timeout=timeout,
            sleep=self._sleep,
            clock=self._clock,
            schedule=self._schedule if schedule is None else schedule,
            on_poll=job_progress(
                client_hooks(self.client),
                "async_action",
                async_action_id,
                action_report,
                progress_reporter(on_progress),
            ),
            first_wait=first_poll_in,
            budget=self._budget,
        )
        if action_state(action) == "failed":
            raise AsyncActionFailedError(action)
        return action

    async def list_page(
        self, *, limit: int = 100, end_date: EndDate | None = None
    ) -> AsyncActionsListResponseBody:
        """One page of the list, newest first (only actions created before ``end_date``)."""
        response = await acall(
            list_async_actions.asyncio_detailed, client=self.client, **list_kwargs(limit, end_date)
        )
        return unwrap(response, AsyncActionsListResponseBody)

    def iter(self, *, limit: int = 100, end_date: EndDate | None = None) -> AsyncPaginator[AsyncActionBase]:
        """Every async action, newest first, lazily (one page in memory); a context manager.

        The list has no page numbers: each next page is requested with the ``created_at`` of
        the last action seen as ``end_date`` (:class:`~voucherify_ext.pagination.EndDateCursor`).
        ``limit`` is the page size (1-100). List items never carry ``result``; use
        :meth:`get` for it.
        """
        return apaginate(
            list_async_actions.asyncio_detailed,
            self.client,
            data_ref="async_actions",
            strategy=end_date_strategy(end_date),
            page_size=limit,
            envelope=AsyncActionsListResponseBody,
        )
