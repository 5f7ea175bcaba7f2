"""The task driver of the async paginator: fetches a planner's pages, up to ``prefetch`` tasks at once.

A sans-I/O driver: one of the two thin drivers of the sans-I/O planner, written by hand beside
the thread driver (:mod:`~voucherify_ext.pagination.prefetch_threads`):
tasks can be cancelled, must be awaited, and are finalised from wherever the garbage collector
runs, so the two are not generated one from the other. The planner
(:mod:`~voucherify_ext.pagination.pages`) decides everything; this driver only keeps at most
``prefetch`` fetch tasks in flight, hands pages to the planner strictly in page order, and on
close, early exit or error cancels its tasks (and, from ``aclose()``, awaits them). With
``prefetch=1`` no task is created at all: each page is fetched in the caller's task when it is
needed.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from voucherify_ext.pagination.pages import (
    Page,
    PageRequest,
    Planner,
    RawPage,
    Verdict,
    ahead_limit,
    annotate,
)

__all__ = ["AsyncRun"]


def _retrieved(task: asyncio.Task[Any]) -> None:
    """Mark a finished prefetch task's exception as retrieved: when the iteration was left
    before reading that page, nobody ever will, and asyncio would log "Task exception was never
    retrieved". A consumer awaiting the task still gets the exception."""
    if not task.cancelled():
        task.exception()


def _cancel_soon(task: asyncio.Task[Any]) -> None:
    """Cancel ``task`` from wherever a finaliser runs: directly in its loop, else through it."""
    loop = task.get_loop()
    if loop.is_closed():
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        task.cancel()
    else:
        loop.call_soon_threadsafe(task.cancel)


class AsyncRun:
    """The async twin of :class:`SyncRun`: up to ``prefetch`` fetch tasks in flight.

    Not an async generator: leaving an ``async for`` early does not close one, and asyncio
    finalises an abandoned one later, in a task of its own per generator (nested ones then
    collide: "aclose(): asynchronous generator is already running", logged as "Task exception
    was never retrieved"), while its prefetch tasks go on sending. This object refers to nothing
    that refers back to it, so the moment the last reference goes (a ``break``), ``__del__``
    cancels the prefetch tasks, synchronously; ``aclose()`` cancels and awaits them.
    """

    def __init__(
        self, planner: Planner, fetch: Callable[[PageRequest], Awaitable[RawPage]], prefetch: int
    ) -> None:
        self._planner = planner
        self._fetch = fetch
        self._ahead_limit = ahead_limit(prefetch)
        self._inflight: deque[tuple[PageRequest, asyncio.Task[RawPage]]] = deque()
        self._after = Verdict.MORE
        self._closed = False
        self._running = False

    def __aiter__(self) -> AsyncRun:
        return self

    async def __anext__(self) -> Page[Any]:
        if self._closed:
            raise StopAsyncIteration
        if self._running:
            raise RuntimeError("this paginator is already being iterated by another task")
        self._running = True
        try:
            return await self._step()
        except BaseException:
            self._closed = True
            await self._stop()
            raise
        finally:
            self._running = False

    async def _step(self) -> Page[Any]:
        planner = self._planner
        while True:
            if self._after is Verdict.LIMIT:
                raise planner.limit_error()
            if self._after is Verdict.DONE or self._closed:
                raise StopAsyncIteration
            if self._inflight:
                request, task = self._inflight[0]
                try:
                    # shielded: if the caller is cancelled, the task is cancelled in cleanup
                    raw = await asyncio.shield(task)
                except asyncio.CancelledError:
                    current = asyncio.current_task()
                    if self._closed and current is not None and not current.cancelling():
                        raise StopAsyncIteration from None  # closed by another task meanwhile
                    raise
                except Exception as exc:
                    annotate(exc, request)
                    raise
                if self._closed:
                    raise StopAsyncIteration
                self._inflight.popleft()
            else:
                next_request = planner.next_request()
                if next_request is None:
                    raise StopAsyncIteration
                request = next_request
                try:
                    raw = await self._fetch(request)
                except Exception as exc:
                    annotate(exc, request)
                    raise
            step = planner.accept(raw)
            if step.verdict is Verdict.MORE:
                while len(self._inflight) < self._ahead_limit:
                    if (ahead := planner.next_request()) is None:
                        break
                    task = asyncio.ensure_future(self._fetch(ahead))
                    task.add_done_callback(_retrieved)
                    self._inflight.append((ahead, task))
                if self._inflight:
                    await asyncio.sleep(0)  # let the new tasks send their requests before checking
            else:
                await self._stop()
            try:
                raw.check()
            except Exception as exc:
                annotate(exc, request)
                raise
            self._after = step.verdict
            if step.emit:
                return step.page

    async def _stop(self) -> None:
        tasks = [task for _, task in self._inflight]
        self._inflight.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel the prefetch tasks and await them; then the iteration is over. Idempotent."""
        self._closed = True
        await self._stop()

    def __del__(self) -> None:
        for _, task in self._inflight:
            _cancel_soon(task)
        self._inflight.clear()
