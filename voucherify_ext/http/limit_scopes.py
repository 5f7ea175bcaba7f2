"""A block of code run under an attempt's :class:`~voucherify_ext.http.deadlines.ExchangeLimit`:
:func:`within_limit` (threads) and :func:`awithin_limit` (the event loop).

Sans-I/O driver pair: the two sides enforce a limit by different means, so they are written
side by side, not generated. Sync, the sockets do it (the deadline-aware network backend reads
the limit put in scope by :func:`~voucherify_ext.http.deadlines.limit_scope`); async, the
event loop does (``asyncio.timeout``). ``scripts/unasync.py`` renames ``awithin_limit`` to
``within_limit``, so the code that uses them (the retrying transport, the limited stream) is
written once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx

from voucherify_ext.http.deadlines import ExchangeLimit, limit_scope

__all__ = ["awithin_limit", "within_limit"]

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
