"""The transport's shared state under forced interleavings: the OAuth token refresh (threads and
tasks) and the connection pool's rebuild after a fork.

Under the GIL a naive race passes almost always, so each test forces the interleaving: a hook
inside the critical section (the token endpoint, the pool factory) starts a second caller and
waits until that caller has either reached the guarding lock and found it held, or got into
the critical section itself. With the lock in place the second caller waits and then finds the
first one's work done; with the lock removed it does the work a second time, every run. Each
``_race_*`` helper takes the guard to use, so the figure "how often it fails without the lock"
can be measured by passing ``contextlib.nullcontext()`` (see the issue 13 report).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from typing import Any

import httpx

from voucherify_ext import AsyncVoucherify, Voucherify
from voucherify_ext.auth import OAuthTokenProvider
from voucherify_ext.http import lifecycle
from voucherify_ext.http.lifecycle import SharedPool

API = "https://api.voucherify.io"
WAIT = 5.0  # a safety net only: the events below are set as soon as the second caller arrives


class Probe:
    """Wraps a guard (a lock, or ``nullcontext`` for the measurement); ``contended`` is set
    when a caller finds the lock held, just before it blocks on it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.contended = threading.Event()

    def __enter__(self) -> None:
        acquire = getattr(self.inner, "acquire", None)
        if acquire is None:
            self.inner.__enter__()
        elif not acquire(blocking=False):
            self.contended.set()
            acquire()

    def __exit__(self, *exc: object) -> None:
        release = getattr(self.inner, "release", None)
        if release is None:
            self.inner.__exit__(*exc)
        else:
            release()


def _token(request: httpx.Request, fetches: list[int]) -> httpx.Response:
    fetches.append(1)
    return httpx.Response(200, json={"access_token": f"tok{len(fetches)}", "expires_in": 900})


def _race_sync_token_refresh(guard: Any = None) -> tuple[int, bool]:
    """Two threads need a token at once: the number of token requests made, and whether the
    second thread found the lock held (the interleaving was forced)."""
    fetches: list[int] = []
    arrived = threading.Event()  # the second thread got into the critical section
    second: list[threading.Thread] = []
    errors: list[BaseException] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/oauth/token":
            if not second:  # the first fetch, inside the critical section: let the second run
                second.append(threading.Thread(target=get))
                second[0].start()
                for _ in range(int(WAIT / 0.001)):
                    if probe.contended.is_set() or arrived.is_set():
                        break
                    arrived.wait(0.001)
            else:
                arrived.set()
            return _token(request, fetches)
        return httpx.Response(200, json={"id": "ord_1", "object": "order"})

    vf = Voucherify(
        app_id="a",
        app_token="b",
        oauth_scopes=["api"],
        base_url=API,
        http_transport=httpx.MockTransport(handler),
    )
    creds = vf._shared.config.credentials
    assert isinstance(creds, OAuthTokenProvider)
    probe = Probe(creds.lock if guard is None else guard)
    creds.lock = probe  # type: ignore[assignment]

    def get() -> None:
        try:
            vf.orders.get("ord_1")
        except BaseException as exc:  # reported below, not lost in a thread
            errors.append(exc)

    with vf:
        get()
        second[0].join(WAIT)
    assert errors == []
    return len(fetches), probe.contended.is_set()


def test_threads_needing_a_token_at_once_fetch_it_once() -> None:
    assert _race_sync_token_refresh() == (1, True)


class AsyncProbe:
    """:class:`Probe` for an ``asyncio.Lock`` (or ``nullcontext``) of tasks."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.contended = asyncio.Event()

    async def __aenter__(self) -> None:
        if isinstance(self.inner, asyncio.Lock):
            if self.inner.locked():
                self.contended.set()
            await self.inner.acquire()
        else:
            await self.inner.__aenter__()

    async def __aexit__(self, *exc: Any) -> None:
        if isinstance(self.inner, asyncio.Lock):
            self.inner.release()
        else:
            await self.inner.__aexit__(*exc)


async def _race_async_token_refresh(guard: Any = None) -> tuple[int, bool]:
    """Two tasks need a token at once: the number of token requests made, and whether the
    second task found the lock held."""
    fetches: list[int] = []
    arrived = asyncio.Event()
    second: list[asyncio.Task[Any]] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/oauth/token":
            if not second:
                second.append(asyncio.create_task(avf.orders.get("ord_1")))
                contended = asyncio.create_task(probe.contended.wait())
                got_in = asyncio.create_task(arrived.wait())
                await asyncio.wait({contended, got_in}, timeout=WAIT, return_when=asyncio.FIRST_COMPLETED)
                contended.cancel()
                got_in.cancel()
            else:
                arrived.set()
            return _token(request, fetches)
        return httpx.Response(200, json={"id": "ord_1", "object": "order"})

    avf = AsyncVoucherify(
        app_id="a",
        app_token="b",
        oauth_scopes=["api"],
        base_url=API,
        http_transport=httpx.MockTransport(handler),
    )
    creds = avf._shared.config.credentials
    assert isinstance(creds, OAuthTokenProvider)
    probe = AsyncProbe(creds.async_lock if guard is None else guard)
    creds._async_lock = probe  # type: ignore[assignment]
    async with avf:
        await avf.orders.get("ord_1")
        await second[0]
    return len(fetches), probe.contended.is_set()


async def test_tasks_needing_a_token_at_once_fetch_it_once() -> None:
    assert await _race_async_token_refresh() == (1, True)


def _race_pool_rebuild(guard: Any = None) -> tuple[int, bool]:
    """Two threads of a forked child send at once: the number of pools built for the child, and
    whether the second thread found the lock held."""
    built: list[httpx.BaseTransport] = []
    arrived = threading.Event()
    second: list[threading.Thread] = []
    probe = Probe(lifecycle._fork_lock if guard is None else guard)

    def factory() -> httpx.BaseTransport:
        if not second:  # inside the rebuild: let the second thread run
            second.append(threading.Thread(target=pool.get))
            second[0].start()
            for _ in range(int(WAIT / 0.001)):
                if probe.contended.is_set() or arrived.is_set():
                    break
                arrived.wait(0.001)
        else:
            arrived.set()
        built.append(httpx.MockTransport(lambda request: httpx.Response(204)))
        return built[-1]

    pool = SharedPool(httpx.MockTransport(lambda request: httpx.Response(204)), factory)
    pool._pid = os.getpid() + 1  # as if the pool had been built by the parent process
    saved = lifecycle._fork_lock
    lifecycle._fork_lock = probe  # type: ignore[assignment]
    try:
        transport = pool.get()
        second[0].join(WAIT)
    finally:
        lifecycle._fork_lock = saved
    assert transport is pool.transport
    return len(built), probe.contended.is_set()


def test_threads_of_a_forked_child_rebuild_the_pool_once() -> None:
    assert _race_pool_rebuild() == (1, True)


def test_without_their_locks_the_races_are_lost() -> None:
    """The forced interleavings do find the race: with the guard removed, each is lost."""
    assert _race_sync_token_refresh(contextlib.nullcontext()) == (2, False)
    assert asyncio.run(_race_async_token_refresh(contextlib.nullcontext())) == (2, False)
    assert _race_pool_rebuild(contextlib.nullcontext()) == (2, False)
