"""Calling a generated ``asyncio_detailed`` function so that nothing but typed errors escapes it:
:func:`acall`. Written once, async; ``call_sync.py`` (:func:`call`, for ``sync_detailed``) is
generated from it by ``scripts/unasync.py``.

The generated function is handed a stand-in for its client (:class:`AsyncWatched`) whose httpx
client keeps the response it returned, so a body the generated parse refuses is still described
from its status and its exchange record. Nothing is kept beyond the call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable  # unasync: from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from voucherify_client.types import Response

from voucherify_ext.errors import VoucherifyError
from voucherify_ext.responses.reading import CONVERTIBLE, typed_failure

__all__ = ["AsyncWatched", "acall"]  # unasync: __all__ = ["Watched", "call"]

R = TypeVar("R")
Detailed = Callable[..., Awaitable[Response[R]]]  # unasync: Detailed = Callable[..., Response[R]]
"""A generated ``asyncio_detailed`` function returning ``Response[R]``."""


class AsyncWatched:
    """The generated client, for one :func:`acall`: the generated function reaches the httpx
    client through it, and the response it gets back is kept here (``response``) before the
    generated code parses it. Everything else is the client's."""

    __slots__ = ("_client", "response")

    def __init__(self, client: Any) -> None:
        self._client = client
        self.response: httpx.Response | None = None

    def __getattr__(self, name: str) -> Any:  # raise_on_unexpected_status, ...
        return getattr(self._client, name)

    def get_async_httpx_client(self) -> AsyncWatched:
        return self

    async def request(self, *args: Any, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = await self._client.get_async_httpx_client().request(*args, **kwargs)
        self.response = response
        return response


async def acall(
    fn: Callable[..., Awaitable[Response[R]]], /, *args: Any, **kwargs: Any
) -> Response[
    R
]:  # unasync: def call(fn: Callable[..., Response[R]], /, *args: Any, **kwargs: Any) -> Response[R]:
    """Invoke a generated ``asyncio_detailed`` function; no raw httpx/JSON/attrs error escapes."""
    client = kwargs.get("client")
    watch = AsyncWatched(client) if client is not None else None
    given = kwargs if watch is None else {**kwargs, "client": watch}
    try:
        return await fn(*args, **given)
    except VoucherifyError:
        raise
    except (RecursionError, RuntimeError, *CONVERTIBLE) as exc:
        error = typed_failure(exc, kwargs, watch.response if watch is not None else None)
        if error is None:
            raise
    # raised outside the except block: no __context__ keeping the httpx error (its request) or
    # the JSON error (its ``.doc`` is the body, which for an export holds the download token)
    raise error
