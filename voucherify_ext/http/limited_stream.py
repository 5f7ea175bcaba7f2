"""Reading under an attempt's :class:`~voucherify_ext.http.deadlines.ExchangeLimit`: a block of
code (:func:`within_limit` / :func:`awithin_limit`) and a streamed body (:class:`LimitedStream`
/ :class:`AsyncLimitedStream`).

Sans-I/O driver pair: the two sides enforce the limit differently, so they are written side by
side instead of generated. Sync, the sockets do it (the deadline-aware network backend reads
the limit put in scope by :func:`~voucherify_ext.http.deadlines.limit_scope`); async, the event
loop does (``asyncio.timeout``), and the stream counts the bytes itself. ``scripts/unasync.py``
renames ``awithin_limit`` and ``AsyncLimitedStream`` to their sync names, so the retrying
transport is written once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator

import httpx

from voucherify_ext.errors import VoucherifyError
from voucherify_ext.http.deadlines import ExchangeLimit, limit_scope

__all__ = ["AsyncLimitedStream", "LimitedStream", "awithin_limit", "within_limit"]

#: the sync bound of a block: the sockets of this thread read under ``limit``
within_limit = limit_scope


@contextlib.asynccontextmanager
async def awithin_limit(limit: ExchangeLimit | None) -> AsyncIterator[None]:
    """Run the block under ``limit`` with the event loop; its expiry raises ``httpx.ReadTimeout``."""
    left = None if limit is None else limit.seconds_left(limit.clock())
    if limit is None or left is None:
        yield
        return
    scope = asyncio.timeout(left)
    try:
        async with scope:
            yield
    except TimeoutError:
        if not scope.expired():
            raise
        raise httpx.ReadTimeout(limit.expire()) from None


class LimitedStream(httpx.SyncByteStream):
    """A streamed body read under its attempt's limit (the sockets enforce it, see
    :mod:`voucherify_ext.http.deadlines`); a cut-off becomes the typed timeout error."""

    def __init__(
        self, stream: httpx.SyncByteStream, limit: ExchangeLimit, error: Callable[[], VoucherifyError]
    ) -> None:
        self._stream = stream
        self._limit = limit
        self._error = error

    def __iter__(self) -> Iterator[bytes]:
        chunks = iter(self._stream)
        limit = self._limit
        while True:
            failure: VoucherifyError | None = None
            if limit.broken(limit.clock()) is not None:
                raise self._error()
            try:
                with limit_scope(limit):
                    chunk = next(chunks)
            except StopIteration:
                return
            except httpx.TimeoutException:
                if limit.why is None:
                    raise
                failure = self._error()
            if failure is not None:
                raise failure  # outside the except block: no httpx error (request headers) chained
            yield chunk

    def close(self) -> None:
        self._stream.close()


class AsyncLimitedStream(httpx.AsyncByteStream):
    """The event loop's :class:`LimitedStream`: each chunk is awaited under the limit, and its
    bytes count against the limit's stall rule."""

    def __init__(
        self, stream: httpx.AsyncByteStream, limit: ExchangeLimit, error: Callable[[], VoucherifyError]
    ) -> None:
        self._stream = stream
        self._limit = limit
        self._error = error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._stream.__aiter__()
        limit = self._limit
        while True:
            failure: VoucherifyError | None = None
            if limit.broken(limit.clock()) is not None:
                raise self._error()
            try:
                async with awithin_limit(limit):
                    chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            except httpx.TimeoutException:
                if limit.why is None:
                    raise
                failure = self._error()
            if failure is not None:
                raise failure
            limit.received(len(chunk), limit.clock())
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()
