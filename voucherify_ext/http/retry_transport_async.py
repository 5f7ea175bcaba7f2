"""The retrying transport's loop: one request, attempt after attempt, until an answer to hand back.

Written once, async, in ``retry_transport_async.py``; ``scripts/unasync.py`` generates the sync
twin ``retry_transport_sync.py``. :mod:`voucherify_ext.http.retry_transport` describes what the
transports do; the decisions live in :mod:`voucherify_ext.http.retry_core`, the limits of an
attempt in :mod:`voucherify_ext.http.limit_scopes`.
"""

from __future__ import annotations

import asyncio  # unasync: import time
import functools
import logging
import random
import typing
from collections.abc import Awaitable, Callable  # unasync: from collections.abc import Callable

import httpx

from voucherify_ext.auth import OAuthTokenProvider, RawHeaders
from voucherify_ext.config import ClientConfig
from voucherify_ext.errors import VoucherifyError
from voucherify_ext.hooks import NO_HOOKS, Hooks, RateLimitWaitEvent
from voucherify_ext.http.attempt import Call, outcome, watched_headers
from voucherify_ext.http.failures import body_error, connection_error, limit_error, unreadable_error
from voucherify_ext.http.json_body import BodyPlan, body_plan, body_problem
from voucherify_ext.http.lifecycle import AsyncSharedPool
from voucherify_ext.http.limit_scopes import awithin_limit
from voucherify_ext.http.limited_stream_async import AsyncLimitedStream
from voucherify_ext.http.oauth import credentials_without_fetch, store_token, token_request
from voucherify_ext.http.retry_core import RetryCore, request_id
from voucherify_ext.logs import logger
from voucherify_ext.ratelimit import MIN_WAIT, Held, RateLimiter, Slot
from voucherify_ext.retry import FailureKind, RetryPolicy, classify_exception

__all__ = ["AsyncRetryTransport"]  # unasync: __all__ = ["RetryTransport"]

Sleep = Callable[[float], Awaitable[None]]  # unasync: Sleep = Callable[[float], None]
_NO_AUTH: RawHeaders = ()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """Auth, retries, rate limiting and logging around a real transport (module docstring of
    :mod:`voucherify_ext.http.retry_transport`). ``clock`` (monotonic seconds) and
    ``wall_clock`` (epoch seconds) are the client's; ``limit_clock`` is the real time each
    attempt's limit runs on; all default to the standard library's."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport | AsyncSharedPool,
        config: ClientConfig,
        *,
        policy: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] | None = None,
        wall_clock: Callable[[], float] | None = None,
        rand: Callable[[], float] = random.random,
        limit_clock: Callable[[], float] | None = None,
        owns_inner: bool = True,
        hooks: Hooks = NO_HOOKS,
    ) -> None:
        # the pool is shared with the client's variants; it knows when it is closed or forked
        self._pool = inner if isinstance(inner, AsyncSharedPool) else AsyncSharedPool(inner)
        self._core = RetryCore.build(config, policy, limiter, clock, wall_clock, rand, limit_clock, hooks)
        self._sleep = sleep
        self._owns_inner = owns_inner

    @property
    def inner(self) -> httpx.AsyncBaseTransport:
        return self._pool.transport

    @property
    def policy(self) -> RetryPolicy:
        return self._core.policy

    @property
    def hooks(self) -> Hooks:
        """The client's hooks (:class:`~voucherify_ext.hooks.Hooks`); waits read them here."""
        return self._core.hooks

    @property
    def limiter(self) -> RateLimiter | None:
        """The client's rate limiter (shared with its variants), None without one."""
        return self._core.limiter

    def __repr__(self) -> str:
        core = self._core
        return f"{type(self).__name__}(policy={core.policy!r}, limiter={core.limiter!r})"

    async def _auth(self, request: httpx.Request) -> RawHeaders:
        creds = self._core.credentials
        raw = credentials_without_fetch(creds, request)
        if raw is None:
            assert isinstance(creds, OAuthTokenProvider)
            async with creds.async_lock:  # one fetch at a time; the others find its token
                raw = creds.valid_raw_headers()
                if raw is None:
                    token = token_request(self._core.config.base_url, creds)
                    response = await self.handle_async_request(token)
                    raw = creds.raw_headers_of(store_token(creds, response))
        return raw

    async def _sleep_for(self, call: Call, seconds: float) -> None:
        call.slept(seconds)
        await self._sleep(seconds)

    async def _wait_for_slot(self, call: Call, limiter: RateLimiter, request: httpx.Request) -> Slot:
        while True:
            wait, slot = limiter.try_acquire(call.slept_until)
            if slot is not None:
                return slot
            call.check_wait(wait, request)
            if isinstance(wait, Held):
                # a wait for the answers of requests in flight, which an injected sleep that
                # does not yield (or a clock that does not move) would never let arrive
                await asyncio.sleep(wait)
                continue
            pause = max(wait, MIN_WAIT)
            self._core.hooks.rate_limit_wait(
                RateLimitWaitEvent(method=request.method, path=call.path, seconds=pause)
            )
            await self._sleep_for(call, pause)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        inner = self._pool.get()  # refuses a closed pool (or another event loop); fresh after fork
        core = self._core
        call = core.begin(request)
        path, limiter = call.path, call.limiter
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            auth = await self._auth(request) if call.trusted else _NO_AUTH
            send = core.requests.prepare(request, auth, call)
            slot = await self._wait_for_slot(call, limiter, request) if limiter is not None else None
            sent_at = limiter.now(call.slept_until) if limiter is not None else None
            t0 = core.clock()
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("%s %s attempt=%d sending", request.method, path, attempt)
            limit = call.limit(core.limit_clock)
            failure: VoucherifyError | None = None
            try:
                try:
                    async with awithin_limit(limit):
                        response = await inner.handle_async_request(send)
                    status = response.status_code
                    headers = watched_headers(response.headers)
                    if limiter is not None:
                        # before the release: the server's count (X-Rate-Limit-Remaining)
                        # includes this request, so it leaves the in-flight count only as the
                        # count takes it in (voucherify_ext.server_count)
                        limiter.observe(headers, status, sent_at=sent_at)
                finally:
                    # every outcome (a response, a transport error, a cancellation) ends the
                    # slot's flight before anything else happens, a retry's backoff included
                    if limiter is not None:
                        limiter.release(slot)
            except httpx.TransportError as exc:
                kind = classify_exception(exc)
                decision = core.decide_failure(kind, attempt, call)
                if decision.retry:
                    core.log_retry(request, call, attempt, outcome(exc, limit), decision.delay, None)
                    await self._sleep_for(call, decision.delay)
                    continue
                failure = connection_error(exc, kind, request, call, attempt, decision, limit)
            if failure is not None:
                # raised outside the except block: no __context__ pointing at the httpx error,
                # whose request holds the credential headers
                raise failure
            plan = body_plan(status, headers, method=call.method, streamed=call.stall is not None)
            if plan != BodyPlan.LEAVE:
                try:
                    async with awithin_limit(limit):
                        await response.aread()
                except httpx.TransportError as exc:
                    await response.aclose()
                    known = status < 300
                    decision = core.decide_failure(FailureKind.AMBIGUOUS, attempt, call, status_known=known)
                    if decision.retry:
                        core.log_retry(request, call, attempt, "body cut off", decision.delay, None)
                        await self._sleep_for(call, decision.delay)
                        continue
                    failure = body_error(exc, response, request, call, attempt, decision)
                if failure is not None:
                    raise failure
            elif limit is not None:
                response.stream = AsyncLimitedStream(
                    typing.cast(httpx.AsyncByteStream, response.stream),
                    limit,
                    functools.partial(limit_error, limit, request, call, attempt, status),
                )
            problem = body_problem(response, plan, headers)
            if problem is not None:
                decision = core.decide_unreadable(attempt, call)
                if decision.retry:
                    core.log_retry(request, call, attempt, f"{status}, {problem}", decision.delay, None)
                    await response.aclose()
                    await self._sleep_for(call, decision.delay)
                    continue
                raise unreadable_error(problem, response, request, call, attempt, decision)
            if status == 401 and call.refreshable and not refreshed:
                creds = core.credentials
                assert isinstance(creds, OAuthTokenProvider)
                refreshed = True
                await response.aclose()
                creds.invalidate(send.headers.get("authorization", "").removeprefix("Bearer "))
                logger.info("%s %s -> 401, refreshing the OAuth token and resending", request.method, path)
                continue
            decision = core.decide_status(response, headers, attempt, call)
            if decision.retry:
                core.log_retry(request, call, attempt, str(status), decision.delay, request_id(response))
                await response.aclose()
                await self._sleep_for(call, decision.delay)
                continue
            return core.finish(request, response, headers, attempt, decision, call, t0)

    async def aclose(self) -> None:
        if self._owns_inner:
            await self._pool.aclose()
