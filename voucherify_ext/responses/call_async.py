"""Calling a generated ``asyncio_detailed`` function so that nothing but typed errors escapes it:
:func:`acall`. Written once, async; ``call_sync.py`` (:func:`call`, for ``sync_detailed``) is
generated from it by ``scripts/unasync.py``.

The generated function is handed a stand-in for its client (:class:`AsyncWatched`) whose httpx
client keeps the response it returned, so a body the generated parse refuses is still described
from its status and its exchange record. Nothing is kept beyond the call.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable  # unasync: from collections.abc import Callable
from typing import Any, ParamSpec, TypeAlias, TypeVar

import httpx

from voucherify_ext.errors import VoucherifyError
from voucherify_ext.responses.reading import CONVERTIBLE, typed_failure
from voucherify_ext.responses.shapes import GeneratedResponse
from voucherify_ext.tracing import span

__all__ = ["AsyncWatched", "acall"]  # unasync: __all__ = ["Watched", "call"]

P = ParamSpec("P")
R = TypeVar("R", bound=GeneratedResponse[object])
Detailed: TypeAlias = Callable[P, Awaitable[R]]  # unasync: Detailed: TypeAlias = Callable[P, R]
"""A generated ``asyncio_detailed`` function: its parameters ``P``, its ``Response`` ``R``."""


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


@functools.lru_cache(maxsize=512)  # generated functions: a bounded set; other callables: bounded
def _span_name(fn: object) -> str:
    """``voucherify.get_order`` for the generated ``voucherify_client.api.orders.get_order``'s
    functions (once per function: this is on every call's path)."""
    module = getattr(fn, "__module__", None) or "operation"
    return "voucherify." + module.rsplit(".", 1)[-1]


async def acall(fn: Detailed[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Invoke a generated ``asyncio_detailed`` function; no raw httpx/JSON/attrs error escapes.

    Typed by the function: ``acall(list_customers.asyncio_detailed, client=bound, page=2)``
    checks its arguments and returns its ``Response``, whichever package generated it.
    """
    client = kwargs.get("client")
    watch = AsyncWatched(client) if client is not None else None
    given = kwargs if watch is None else {**kwargs, "client": watch}
    detailed: Callable[..., Awaitable[R]] = fn  # unasync: detailed: Callable[..., R] = fn
    page = kwargs.get("page")
    with span(_span_name(fn), **{"voucherify.page": page if type(page) is int else None}) as current:
        try:
            result = await detailed(*args, **given)
        except VoucherifyError:  # the span records it (type, redacted message)
            raise
        except (RecursionError, RuntimeError, *CONVERTIBLE) as exc:
            error = typed_failure(exc, kwargs, watch.response if watch is not None else None)
            if error is None:
                raise
        else:
            current.status(int(result.status_code))
            return result
        # raised outside the except block: no __context__ keeping the httpx error (its request)
        # or the JSON error (its ``.doc`` is the body, which for an export holds the download token)
        raise error
