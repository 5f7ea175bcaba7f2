"""Live-order sync: ``vf.orders.upsert_many(orders, ...)`` (:class:`UpsertRun`, threads) and its
async twin (:class:`AsyncUpsertRun`, tasks), the two thin drivers of
:mod:`voucherify_ext.orders.upsert_plan`; and ``vf.orders.estimate_upserts`` (:func:`estimate_upserts`).

Each order is sent with ``createOrder``, which Voucherify treats as an upsert when the order
carries an ``id`` or a ``source_id`` (:data:`~voucherify_ext.upserts.ORDER_UPSERT`), so the
transport retries it after an ambiguous failure like a GET. Concurrency: up to ``max_in_flight``
requests at once (threads for the sync client, tasks for the async one), paced by the client's
rate limiter (:mod:`voucherify_ext.ratelimit`, in the transport), which keeps within the
configured budget and adapts to ``X-Rate-Limit-*`` and 429s: the run goes as fast as the budget
allows at the latency, never beyond it.

``retry_ambiguous=False`` sends each order's request marked not idempotent: after an ambiguous
failure (a dropped response, a timeout, a 5xx) it is not sent again and the order is ``failed``
with ``outcome_unknown``. Voucherify fires its order events (webhooks, distributions, earning
rules) for every createOrder it processes, so a retried upsert after an ambiguous failure may
fire them twice; this is the switch for teams for whom that matters more than finishing.

The drivers are written by hand, not generated: threads and tasks wait differently.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import math
import os
import time
import weakref
from collections.abc import AsyncGenerator, Callable, Generator, Iterable, Sized
from typing import Any

from voucherify_client.api.orders import create_order
from voucherify_client.client import AuthenticatedClient
from voucherify_client.models import OrdersCreateResponseBody

from voucherify_ext.errors import ConfigurationError, VoucherifyError
from voucherify_ext.http.exchange import exchange_of
from voucherify_ext.orders.upsert_checkpoint import UpsertCheckpoint
from voucherify_ext.orders.upsert_plan import UpsertCore, outcome
from voucherify_ext.orders.upsert_results import (
    UpsertEstimate,
    UpsertProgress,
    UpsertResult,
    UpsertSummary,
)
from voucherify_ext.orders.upsert_source import Prepared, open_source
from voucherify_ext.ratelimit import RateLimiter
from voucherify_ext.responses import acall, call, unwrap
from voucherify_ext.retry import IDEMPOTENT_EXTENSION

__all__ = [
    "DEFAULT_IN_FLIGHT",
    "AsyncUpsertRun",
    "UpsertRun",
    "UpsertSource",
    "aupsert_many",
    "default_in_flight",
    "estimate_upserts",
    "upsert_many",
]

#: ``max_in_flight`` without a configured budget; with one, at most this many or the budget
DEFAULT_IN_FLIGHT = 16
#: what ``upsert_many`` reads: an iterable of order dicts or generated models, or a file's path
UpsertSource = Iterable[Any] | str | os.PathLike[str]


def default_in_flight(limiter: RateLimiter | None) -> int:
    """The default bound on concurrent requests: the budget's count (the limiter paces them),
    at most :data:`DEFAULT_IN_FLIGHT` (the connection pool holds 20)."""
    limit = limiter.limit if limiter is not None else None
    return DEFAULT_IN_FLIGHT if limit is None else max(1, min(DEFAULT_IN_FLIGHT, limit))


def _check_in_flight(value: int | None, limiter: RateLimiter | None) -> int:
    if value is None:
        return default_in_flight(limiter)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigurationError(f"max_in_flight must be an integer >= 1, got {value!r}")
    return value


class _SendOnce:
    """The generated client, with every request marked not idempotent (``retry_ambiguous=False``):
    the transport then never resends it after an ambiguous failure."""

    def __init__(self, client: AuthenticatedClient) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def get_httpx_client(self) -> _MarkedHTTP:
        return _MarkedHTTP(self._client.get_httpx_client())

    def get_async_httpx_client(self) -> _MarkedHTTP:
        return _MarkedHTTP(self._client.get_async_httpx_client())


class _MarkedHTTP:
    def __init__(self, http: Any) -> None:
        self._http = http

    def request(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["extensions"] = {**(kwargs.get("extensions") or {}), IDEMPOTENT_EXTENSION: False}
        return self._http.request(*args, **kwargs)


def _failed(job: Prepared, exc: VoucherifyError) -> tuple[UpsertResult, int]:
    attempts = getattr(exc, "attempts", None)
    sent = attempts if isinstance(attempts, int) else 1
    return UpsertResult(job.index, job.line, job.key, "failed", error=exc, attempts=sent), sent


def _answered(job: Prepared, response: Any) -> tuple[UpsertResult, int]:
    order = unwrap(response, OrdersCreateResponseBody)
    exchange = exchange_of(response)
    attempts = exchange.attempts if exchange is not None else 1
    return outcome(job, order, attempts), attempts


class _RunBase:
    def __init__(
        self,
        client: AuthenticatedClient,
        orders: UpsertSource,
        *,
        checkpoint: str | os.PathLike[str] | None = None,
        stop_on_error: bool = False,
        retry_ambiguous: bool = True,
        max_in_flight: int | None = None,
        on_progress: Callable[[UpsertProgress], None] | None = None,
        allow_unknown_fields: bool = False,
        limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client: Any = client if retry_ambiguous else _SendOnce(client)
        self._orders = orders
        self._checkpoint_path = checkpoint
        self._stop_on_error = stop_on_error
        self._on_progress = on_progress
        self._allow_unknown_fields = allow_unknown_fields
        self._clock = clock
        self.max_in_flight = _check_in_flight(max_in_flight, limiter)
        self._summary: UpsertSummary | None = None
        self._started = False
        self._iteration: weakref.ref[Any] | None = None

    @property
    def summary(self) -> UpsertSummary:
        """The run's counts, once the iteration has ended (at its end, or stopped early: then
        the counts of the orders that finished)."""
        if self._summary is None:
            raise RuntimeError("the summary is there once the run's iteration has ended")
        return self._summary

    def _start(self) -> None:
        if self._started:
            raise RuntimeError("an upsert run can be iterated once; call upsert_many again for another")
        self._started = True

    def _core(self) -> tuple[UpsertCore, UpsertCheckpoint | None]:
        source = open_source(self._orders, allow_unknown_fields=self._allow_unknown_fields)
        checkpoint = None
        if self._checkpoint_path is not None:
            checkpoint = UpsertCheckpoint.open(self._checkpoint_path, input_hash=source.input_hash)
        try:
            core = UpsertCore(
                source,
                window=max(64, 4 * self.max_in_flight),
                stop_on_error=self._stop_on_error,
                checkpoint=checkpoint,
                on_progress=self._on_progress,
                clock=self._clock,
            )
        except BaseException:
            if checkpoint is not None:
                checkpoint.close()
            raise
        return core, checkpoint


class UpsertRun(_RunBase):
    """A live-order sync, lazily: nothing is read or sent before the iteration starts. Iterate
    it for one :class:`UpsertResult` per order, in completion order; then read :attr:`summary`.
    Breaking out of the loop stops the run: the requests in flight finish (and are recorded)."""

    def __iter__(self) -> Generator[UpsertResult]:
        self._start()
        iteration = self._run()
        self._iteration = weakref.ref(iteration)  # a break that drops the loop still closes it
        return iteration

    def close(self) -> None:
        """Stop the run now (what a ``with`` block does at its end): the requests in flight
        finish and are recorded, the checkpoint is closed."""
        iteration = self._iteration() if self._iteration is not None else None
        if iteration is not None:
            iteration.close()

    def __enter__(self) -> UpsertRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, job: Prepared) -> tuple[UpsertResult, int]:
        try:
            response = call(create_order.sync_detailed, client=self._client, body=job.body)
            return _answered(job, response)
        except VoucherifyError as exc:
            return _failed(job, exc)

    def _run(self) -> Generator[UpsertResult]:
        core, checkpoint = self._core()
        futures: dict[concurrent.futures.Future[tuple[UpsertResult, int]], Prepared] = {}
        pool = concurrent.futures.ThreadPoolExecutor(
            self.max_in_flight, thread_name_prefix="voucherify-upsert"
        )
        try:
            while True:
                while len(futures) < self.max_in_flight and (job := core.take()) is not None:
                    futures[pool.submit(self._send, job)] = job
                while core.outbox:
                    yield core.outbox.popleft()
                if not futures:
                    assert core.done, "nothing in flight, so the first pending order is ready"
                    break
                finished, _ = concurrent.futures.wait(futures, return_when=concurrent.futures.FIRST_COMPLETED)
                for future in finished:
                    core.finish(futures.pop(future), *future.result())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            for future, job in futures.items():  # stopped early: record what the server confirmed
                if future.done() and not future.cancelled() and future.exception() is None:
                    with contextlib.suppress(VoucherifyError):
                        core.finish(job, *future.result())
            self._summary = core.summary()
            if checkpoint is not None:
                checkpoint.close()


class AsyncUpsertRun(_RunBase):
    """The async twin of :class:`UpsertRun`: ``async for result in run``. To stop early, leave
    an ``async with run:`` block (or ``await run.aclose()``): the requests in flight are
    cancelled and the checkpoint is closed; a rerun with the checkpoint sends them again."""

    def __aiter__(self) -> AsyncGenerator[UpsertResult]:
        self._start()
        iteration = self._run()
        # held: after a ``break`` the event loop would close it only later, in a task of its own
        self._strong = iteration
        self._iteration = weakref.ref(iteration)
        return iteration

    async def aclose(self) -> None:
        """Stop the run now (what ``async with`` does at its end; breaking out of ``async for``
        alone leaves it to the event loop's clean-up): the requests in flight are cancelled,
        the checkpoint is closed."""
        iteration = self._iteration() if self._iteration is not None else None
        if iteration is not None:
            await iteration.aclose()

    async def __aenter__(self) -> AsyncUpsertRun:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _send(self, job: Prepared) -> tuple[UpsertResult, int]:
        try:
            response = await acall(create_order.asyncio_detailed, client=self._client, body=job.body)
            return _answered(job, response)
        except VoucherifyError as exc:
            return _failed(job, exc)

    async def _run(self) -> AsyncGenerator[UpsertResult]:
        if isinstance(self._orders, str | os.PathLike):  # the validating scan reads the whole file
            core, checkpoint = await asyncio.to_thread(self._core)
        else:
            core, checkpoint = self._core()
        tasks: dict[asyncio.Task[tuple[UpsertResult, int]], Prepared] = {}
        try:
            while True:
                while len(tasks) < self.max_in_flight and (job := core.take()) is not None:
                    tasks[asyncio.ensure_future(self._send(job))] = job
                while core.outbox:
                    yield core.outbox.popleft()
                if not tasks:
                    assert core.done, "nothing in flight, so the first pending order is ready"
                    break
                finished, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for task in finished:
                    core.finish(tasks.pop(task), *task.result())
        finally:
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
            self._summary = core.summary()
            if checkpoint is not None:
                checkpoint.close()


def upsert_many(client: AuthenticatedClient, orders: UpsertSource, **options: Any) -> UpsertRun:
    """The function form of ``vf.orders.upsert_many`` (see :class:`UpsertRun`); ``options`` are
    its keywords, plus ``limiter`` (the client's :class:`~voucherify_ext.ratelimit.RateLimiter`,
    for the default ``max_in_flight``) and ``clock`` (for ``elapsed_seconds``)."""
    return UpsertRun(client, orders, **options)


def aupsert_many(client: AuthenticatedClient, orders: UpsertSource, **options: Any) -> AsyncUpsertRun:
    """The function form of ``AsyncVoucherify().orders.upsert_many``."""
    return AsyncUpsertRun(client, orders, **options)


def _count(orders: int | UpsertSource) -> int:
    if isinstance(orders, bool):
        raise ConfigurationError("orders must be a count, a file or an iterable of orders, not a bool")
    if isinstance(orders, int):
        if orders < 0:
            raise ConfigurationError(f"the number of orders must be >= 0, got {orders}")
        return orders
    if isinstance(orders, str | os.PathLike):
        total = open_source(orders, allow_unknown_fields=True).total
        assert total is not None
        return total
    if isinstance(orders, Sized):
        return len(orders)
    return sum(1 for _ in open_source(orders, allow_unknown_fields=True))


def estimate_upserts(
    orders: int | UpsertSource, *, limiter: RateLimiter | None, latency: float = 0.0
) -> UpsertEstimate:
    """Requests and seconds to upsert ``orders`` (a count, a file, or an iterable, which is
    consumed unless it has a ``len``) at ``limiter``'s budget: the limiter lets ``N`` requests
    through per window and frees each slot one window after its response, so ``n`` orders take
    ``ceil(n / N) - 1`` windows plus a ``latency`` (seconds per request) each. Without a budget
    ``seconds`` is None. Retries are not counted."""
    count = _count(orders)
    seconds: float | None = None
    if limiter is not None and limiter.limit is not None:
        windows = max(0, math.ceil(count / limiter.limit) - 1)
        seconds = windows * (limiter.period + limiter.margin + latency) + (latency if count else 0.0)
    return UpsertEstimate(orders=count, requests=count, seconds=seconds)
