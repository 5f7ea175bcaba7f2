"""Prefetching iterators that are abandoned close at once, quietly, and send nothing more.

Found: ``break`` out of ``async for`` over ``vf.orders.iter(prefetch=4)`` without ``async with``
logged "Task exception was never retrieved" (and "aclose(): asynchronous generator is already
running") and sent one extra page request; an abandoned sync prefetching iterator sometimes
printed "cannot join current thread" (it was finalised by the garbage collector in one of its
own prefetch threads, which then tried to join itself).

Each test abandons an iterator in one way and then checks for noise everywhere it can show
(logging, stderr, ``sys.unraisablehook``, ``threading.excepthook``, the event loop's exception
handler) and counts the page requests that reached the sandbox. Async tests hold every request
after page 1 in a client-side gate (before the wire), so "in flight" is exact: an abandoned
iteration must cancel them, and the sandbox must see page 1 only, as with ``async with``.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from voucherify_client.api.orders import list_orders
from voucherify_client.models.orders_list_response_body import OrdersListResponseBody
from voucherify_client.models.parameter_order_list_orders import ParameterOrderListOrders

from voucherify_ext import AsyncVoucherify, Voucherify
from voucherify_ext.pagination import paginate
from voucherify_ext.sandbox import Sandbox

from .conftest import FakeOrders

PAGE = 10
PREFETCH = 4
LIST = "/v1/orders"


class Noise:
    """Everything an abandoned iterator could print or report, captured."""

    def __init__(self, capfd: pytest.CaptureFixture[str]) -> None:
        self.capfd = capfd
        self.records: list[logging.LogRecord] = []
        self.unraisable: list[Any] = []
        self.thread_errors: list[Any] = []
        self.loop_errors: list[dict[str, Any]] = []
        self.handler = logging.Handler(logging.WARNING)
        self.handler.emit = self.records.append  # type: ignore[method-assign]

    def watch_loop(self) -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _loop, context: self.loop_errors.append(context))

    def assert_quiet(self) -> None:
        gc.collect()
        err = self.capfd.readouterr().err
        assert [r.getMessage() for r in self.records] == []
        assert [str(u.exc_value) for u in self.unraisable] == []
        assert [str(t.exc_value) for t in self.thread_errors] == []
        assert [c.get("message") for c in self.loop_errors] == []
        assert err == ""


@pytest.fixture
def noise(capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Noise]:
    found = Noise(capfd)
    monkeypatch.setattr(sys, "unraisablehook", found.unraisable.append)
    monkeypatch.setattr(threading, "excepthook", found.thread_errors.append)
    logging.getLogger().addHandler(found.handler)
    try:
        yield found
    finally:
        logging.getLogger().removeHandler(found.handler)


def prefetch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("voucherify-prefetch")]


@pytest.fixture
def seeded(sandbox: Sandbox) -> Sandbox:
    sandbox.seed_orders(20 * PAGE)
    return sandbox


# ---------------------------------------------------------------------- sync


def sync_abandon_break(vf: Voucherify) -> None:
    for n, _ in enumerate(vf.orders.iter(prefetch=PREFETCH, page_size=PAGE)):
        if n == 3:
            break


def sync_abandon_pages_break(vf: Voucherify) -> None:
    for _ in vf.orders.iter_pages(prefetch=PREFETCH, page_size=PAGE):
        break


def sync_abandon_del(vf: Voucherify) -> None:
    it = vf.orders.iter(prefetch=PREFETCH, page_size=PAGE)
    next(it)
    del it
    gc.collect()


def sync_abandon_exception(vf: Voucherify) -> None:
    with pytest.raises(LookupError):
        for _ in vf.orders.iter(prefetch=PREFETCH, page_size=PAGE):
            raise LookupError("stop")


def sync_abandon_in_generator_finaliser(vf: Voucherify) -> None:
    def wanted() -> Iterator[Any]:
        # not `yield from`, which would call the iterator's close(): here nobody closes it
        for order in vf.orders.iter(prefetch=PREFETCH, page_size=PAGE):  # noqa: UP028
            yield order

    outer = wanted()
    next(outer)
    del outer  # the outer generator's finaliser drops the iterator


def sync_close_from_another_thread(vf: Voucherify) -> None:
    it = vf.orders.iter(prefetch=PREFETCH, page_size=PAGE)
    next(it)
    closer = threading.Thread(target=it.close)
    closer.start()
    closer.join(10)
    assert list(it) == []  # closed: nothing more, and nothing raised


@pytest.mark.parametrize(
    "abandon",
    [
        sync_abandon_break,
        sync_abandon_pages_break,
        sync_abandon_del,
        sync_abandon_exception,
        sync_abandon_in_generator_finaliser,
        sync_close_from_another_thread,
    ],
)
def test_sync_abandoned_iterator_closes_at_once_quietly(
    vf: Voucherify, seeded: Sandbox, noise: Noise, abandon: Callable[[Voucherify], None]
) -> None:
    before = set(threading.enumerate())
    abandon(vf)
    # closed when the last reference went, not "some time later": no prefetch thread is left
    assert prefetch_threads() == [] and set(threading.enumerate()) <= before
    # page 1, and of the PREFETCH pages submitted those a thread had started (a thread cannot
    # be interrupted; queued ones are cancelled); final, since no prefetch thread is left
    sent = seeded.request_count("GET", LIST)
    assert 1 <= sent <= 1 + PREFETCH
    noise.assert_quiet()
    assert seeded.request_count("GET", LIST) == sent


def test_sync_iterator_collected_in_its_own_prefetch_thread_is_quiet(
    vf: Voucherify, seeded: Sandbox, noise: Noise
) -> None:
    """The "cannot join current thread" case, made deterministic: the abandoned iterator is
    unreachable (in a reference cycle) and the garbage collector runs in one of its own
    prefetch threads, which then runs its cleanup."""
    abandoned = threading.Event()

    def list_fn(**kwargs: Any) -> Any:
        if kwargs.get("page", 1) > 1:
            assert abandoned.wait(10)
            gc.collect()
        return list_orders.sync_detailed(**kwargs)

    it = paginate(
        list_fn,
        vf.client,
        data_ref="orders",
        params={"order": ParameterOrderListOrders.CREATED_AT},
        envelope=OrdersListResponseBody,
        page_size=PAGE,
        prefetch=PREFETCH,
    )
    next(it)
    cycle: list[Any] = [it]
    cycle.append(cycle)
    del it, cycle
    abandoned.set()
    for thread in prefetch_threads():
        thread.join(10)
    assert prefetch_threads() == []
    assert 1 <= seeded.request_count("GET", LIST) <= 1 + PREFETCH
    noise.assert_quiet()


# ---------------------------------------------------------------------- async


class Gate(httpx.AsyncBaseTransport):
    """Holds every list request after page 1 before it reaches the wire, until ``release()``;
    ``settled()`` waits until every request that entered has left (sent or cancelled)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.open = asyncio.Event()
        self.active = 0
        self.entered = 0
        self.idle = asyncio.Event()
        self.idle.set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.active += 1
        self.entered += 1
        self.idle.clear()
        try:
            if request.url.path == LIST and request.url.params.get("page", "1") != "1":
                await self.open.wait()
            response = await self.inner.handle_async_request(request)
            await response.aread()
            return response
        finally:
            self.active -= 1
            if self.active == 0:
                self.idle.set()

    async def settled(self) -> None:
        self.open.set()
        await asyncio.wait_for(self.idle.wait(), 10)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
async def gated(seeded: Sandbox, noise: Noise) -> AsyncIterator[tuple[AsyncVoucherify, Gate]]:
    noise.watch_loop()
    gate = Gate()
    client = AsyncVoucherify(
        app_id=seeded.app_id, app_token=seeded.app_token, base_url=seeded.url, http_transport=gate
    )
    yield client, gate
    await client.close()


async def async_abandon_break(avf: AsyncVoucherify) -> None:
    n = 0
    async for _ in avf.orders.iter(prefetch=PREFETCH, page_size=PAGE):
        n += 1
        if n == 3:
            break


async def async_abandon_pages_break(avf: AsyncVoucherify) -> None:
    async for _ in avf.orders.iter_pages(prefetch=PREFETCH, page_size=PAGE):
        break


async def async_abandon_del(avf: AsyncVoucherify) -> None:
    it = avf.orders.iter(prefetch=PREFETCH, page_size=PAGE)
    await anext(it)
    del it
    gc.collect()


async def async_abandon_exception(avf: AsyncVoucherify) -> None:
    with pytest.raises(LookupError):
        async for _ in avf.orders.iter(prefetch=PREFETCH, page_size=PAGE):
            raise LookupError("stop")


async def async_abandon_in_generator_finaliser(avf: AsyncVoucherify) -> None:
    async def wanted() -> AsyncIterator[Any]:
        async for order in avf.orders.iter(prefetch=PREFETCH, page_size=PAGE):
            yield order

    outer = wanted()
    await anext(outer)
    del outer  # asyncio finalises the outer generator in a task of its own
    gc.collect()
    await asyncio.sleep(0)


async def async_abandon_cancelled_consumer(avf: AsyncVoucherify) -> None:
    reading = asyncio.Event()

    async def consume() -> None:
        async for _ in avf.orders.iter(prefetch=PREFETCH, page_size=PAGE):
            reading.set()  # then on to page 2, which the gate holds

    task = asyncio.ensure_future(consume())
    await reading.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.parametrize(
    "abandon",
    [
        async_abandon_break,
        async_abandon_pages_break,
        async_abandon_del,
        async_abandon_exception,
        async_abandon_in_generator_finaliser,
        async_abandon_cancelled_consumer,
    ],
)
async def test_async_abandoned_iterator_cancels_its_prefetch_quietly(
    gated: tuple[AsyncVoucherify, Gate],
    seeded: Sandbox,
    noise: Noise,
    abandon: Callable[[AsyncVoucherify], Any],
) -> None:
    avf, gate = gated
    await abandon(avf)
    await gate.settled()  # let anything that was not cancelled go through
    assert gate.entered == 1 + PREFETCH  # page 1 and the prefetch requests, held before the wire
    assert seeded.request_count("GET", LIST) == 1, "a prefetch request went out after abandoning"
    assert {t for t in asyncio.all_tasks() if t is not asyncio.current_task()} == set()
    noise.assert_quiet()


async def test_async_context_manager_sends_the_same_as_an_abandoned_loop(
    gated: tuple[AsyncVoucherify, Gate], seeded: Sandbox, noise: Noise
) -> None:
    avf, gate = gated
    async with avf.orders.iter(prefetch=PREFETCH, page_size=PAGE) as orders:
        async for _ in orders:
            break
    await gate.settled()
    assert seeded.request_count("GET", LIST) == 1
    noise.assert_quiet()


async def test_async_abandoned_after_a_prefetched_page_failed_is_quiet(
    gated: tuple[AsyncVoucherify, Gate], seeded: Sandbox, noise: Noise
) -> None:
    """A prefetch task that ends in an error nobody reads (the loop was left first) must not
    be reported as "Task exception was never retrieved"."""
    avf, gate = gated
    for page in range(2, 2 + PREFETCH):
        seeded.inject("status", status=400, method="GET", path=LIST, query={"page": page})
    it = avf.orders.iter(prefetch=PREFETCH, page_size=PAGE)
    await anext(it)
    gate.open.set()
    await gate.settled()  # the prefetched pages fail with 400 in their tasks
    del it
    gc.collect()
    await asyncio.sleep(0)
    noise.assert_quiet()


def test_sync_close_from_another_thread_while_the_owner_waits_for_a_page(noise: Noise) -> None:
    """The owner thread is blocked on page 2 (held by the fake list); another thread closes the
    iterator: the owner's ``next`` ends the iteration (no "generator already executing"), the
    close waits for the requests in flight, and nothing more is requested."""
    fake = FakeOrders(5_000)
    fake.gate, fake.hold_after = threading.Event(), 1
    it = paginate(
        fake.sync_detailed, None, data_ref="orders", envelope=OrdersListResponseBody, prefetch=PREFETCH
    )
    got: list[Any] = []
    owner = threading.Thread(target=lambda: got.extend(it))
    owner.start()
    assert fake.wait_active(PREFETCH), "the prefetch requests never started"
    closer = threading.Thread(target=it.close)
    closer.start()
    deadline = time.monotonic() + 10
    while not getattr(it._run, "_closed", False) and time.monotonic() < deadline:
        time.sleep(0.001)  # until the close has begun; then the held pages may go
    fake.gate.set()
    closer.join(10)
    owner.join(10)
    assert not owner.is_alive() and not closer.is_alive()
    assert len(got) == 100, "page 1 only"
    assert sorted(fake.pages_requested) == [1, *range(2, 2 + PREFETCH)]
    assert fake.active == 0 and prefetch_threads() == []
    noise.assert_quiet()


class CloseFirst:
    """Stands in for a run's lock. Once armed, the owner's next attempt to take it first has
    another thread close the run (and waits for that close to end), then takes the real lock:
    a close from elsewhere lands at the owner's worst moment, every time, not by luck."""

    def __init__(self, run: Any) -> None:
        self.run, self.real = run, run._lock
        self.owner = threading.get_ident()
        self.armed = False

    def __enter__(self) -> bool:
        if self.armed and threading.get_ident() == self.owner:
            self.armed = False
            closer = threading.Thread(target=self.run.close)
            closer.start()
            closer.join(10)
        return self.real.__enter__()

    def __exit__(self, *exc: object) -> None:
        self.real.__exit__(*exc)


def test_sync_close_just_before_the_owner_looks_for_the_next_page_sends_nothing_more(noise: Noise) -> None:
    """Found by CI: a close that landed after the owner saw "not closed" but before it looked at
    the pages in flight left it with none, so it fetched the next page itself, after the close."""
    fake = FakeOrders(5_000)
    it = paginate(
        fake.sync_detailed, None, data_ref="orders", envelope=OrdersListResponseBody, prefetch=PREFETCH
    )
    first_page = [next(it) for _ in range(100)]
    deadline = time.monotonic() + 10  # the whole window in flight first, also on a loaded machine
    while len(fake.pages_requested) < 1 + PREFETCH and time.monotonic() < deadline:
        time.sleep(0.001)
    lock = CloseFirst(it._run)
    it._run._lock = lock
    lock.armed = True
    assert list(it) == [] and len(first_page) == 100
    assert not lock.armed, "the close never ran"
    assert sorted(fake.pages_requested) == [1, *range(2, 2 + PREFETCH)]
    assert fake.active == 0 and prefetch_threads() == []
    noise.assert_quiet()
