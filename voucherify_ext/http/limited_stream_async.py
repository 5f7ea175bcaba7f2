"""A streamed body read under its attempt's limit; a cut-off becomes the typed timeout error.

Written once, async; ``scripts/unasync.py`` generates the sync twin
(``limited_stream_sync.LimitedStream``). Each chunk is read within
:func:`~voucherify_ext.http.limit_scopes.awithin_limit`. The event loop's side also counts
the chunk's bytes against the limit's stall rule; the sync side leaves that to the sockets (the
deadline-aware network backend counts every read), so the twin drops that line.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx

from voucherify_ext.errors import VoucherifyError
from voucherify_ext.http.deadlines import ExchangeLimit
from voucherify_ext.http.limit_scopes import awithin_limit

__all__ = ["AsyncLimitedStream"]  # unasync: __all__ = ["LimitedStream"]


class AsyncLimitedStream(httpx.AsyncByteStream):
    """A response body whose chunks are read under ``limit``; ``error`` builds the typed error
    raised when the limit breaks."""

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
                raise failure  # outside the except block: no httpx error (request headers) chained
            # unasync: remove-start
            limit.received(len(chunk), limit.clock())
            # unasync: remove-end
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()
