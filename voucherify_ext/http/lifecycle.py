"""The connection pool a client and its ``with_options`` variants share, and its lifecycle:
closed, forked, bound to an event loop.

:class:`SharedPool` (sync) and :class:`AsyncSharedPool` hold the real httpx transport that
the retrying transports of a client and of all its variants send through, so that

* closing the client closes the pool for every variant: a variant used afterwards raises
  :class:`ClientClosedError` instead of quietly opening new connections;
* after ``os.fork()`` the child never sends on a connection it inherited from its parent. Two
  processes writing requests on one keep-alive socket read each other's responses: a wrong
  order with no error. A pid check on every request notices the fork and builds a fresh pool
  from the client's settings (the inherited connections are dropped without any I/O, so the
  parent's stay intact). A pool built from a caller's own ``http_transport`` cannot be
  rebuilt: the child gets :class:`ForkedClientError`;
* an async pool belongs to the event loop it first sends on (its connections are that loop's
  sockets): a request from another loop raises :class:`EventLoopMismatchError`, not the
  misleading "the client has been closed" a dead loop's socket used to give.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import httpx

from voucherify_ext.errors import APIConnectionError

__all__ = [
    "AsyncSharedPool",
    "ClientClosedError",
    "EventLoopMismatchError",
    "ForkedClientError",
    "SharedPool",
]


class ClientClosedError(APIConnectionError):
    """The client (or the client a ``with_options`` variant came from) has been closed."""


class ForkedClientError(APIConnectionError):
    """A client built with a caller's own ``http_transport`` was used in a forked child: its
    connections belong to the parent and cannot be rebuilt. Create the client after the fork."""


class EventLoopMismatchError(APIConnectionError):
    """An ``AsyncVoucherify`` was used on an event loop other than the one it first ran on."""


T = TypeVar("T", httpx.BaseTransport, httpx.AsyncBaseTransport)

#: guards a rebuild after fork; replaced in the child, where a copy may be held by a thread
#: that does not exist there
_fork_lock = threading.Lock()


def _new_fork_lock() -> None:
    global _fork_lock
    _fork_lock = threading.Lock()


if hasattr(os, "register_at_fork"):  # not on Windows (which cannot fork)
    os.register_at_fork(after_in_child=_new_fork_lock)


class _Pool(Generic[T]):
    def __init__(self, transport: T, factory: Callable[[], T] | None = None) -> None:
        self._transport: T = transport
        self._factory: Callable[[], T] | None = factory
        self._pid = os.getpid()
        self._closed = False

    @property
    def transport(self) -> T:
        """The current real transport (no checks; for inspection)."""
        return self._transport

    @property
    def closed(self) -> bool:
        return self._closed

    def _check(self) -> T:
        if self._closed:
            raise ClientClosedError("the client has been closed; create a new one")
        if self._pid != os.getpid():
            self._after_fork()
        return self._transport

    def _after_fork(self) -> None:
        with _fork_lock:
            pid = os.getpid()
            if self._pid == pid:  # another thread of this child rebuilt it
                return
            if self._factory is None:
                raise ForkedClientError(
                    f"this client was created in process {self._pid} with its own http_transport, "
                    f"whose connections cannot be rebuilt in the forked process {pid}: create the "
                    "client after the fork (in the child)"
                )
            # the inherited pool is dropped, never closed: closing could send bytes (TLS, HTTP/2)
            # on sockets the parent still uses; its file descriptors close when it is collected
            self._transport = self._factory()
            self._pid = pid
            self._forked()

    def _forked(self) -> None:
        """What else a subclass resets in a forked child."""

    def _mark_closed(self) -> bool:
        """Mark the pool closed; whether this process may close the transport itself."""
        self._closed = True
        return self._pid == os.getpid()


class SharedPool(_Pool[httpx.BaseTransport]):
    """The sync pool of a client and its variants (see the module docstring)."""

    def get(self) -> httpx.BaseTransport:
        """The transport to send on: raises if the pool is closed, rebuilds it after a fork."""
        return self._check()

    def close(self) -> None:
        if self._mark_closed():
            self._transport.close()


class AsyncSharedPool(_Pool[httpx.AsyncBaseTransport]):
    """The async pool of a client and its variants, bound to the event loop it first sends on."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport,
        factory: Callable[[], httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        super().__init__(transport, factory)
        self._loop: Callable[[], Any] | None = None

    def _forked(self) -> None:
        self._loop = None  # a fresh pool: the child's loop may have it

    def get(self) -> httpx.AsyncBaseTransport:
        """As :meth:`SharedPool.get`, and refuses a loop other than the one first used."""
        transport = self._check()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not asyncio (trio): httpx's own checks apply
            return transport
        if self._loop is None:
            try:
                self._loop = weakref.ref(loop)
            except TypeError:  # a loop that takes no weak reference
                self._loop = lambda: loop
        elif self._loop() is not loop:
            raise EventLoopMismatchError(
                "this AsyncVoucherify was first used on another event loop, and its connections "
                "belong to that loop: create one client per event loop (for example inside the "
                "coroutine asyncio.run() runs), or use the sync Voucherify across loops and threads"
            )
        return transport

    async def aclose(self) -> None:
        if not self._mark_closed():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        bound = self._loop() if self._loop is not None else None
        if bound is not None and loop is not None and bound is not loop:
            return  # another loop's sockets: dropped, they close when collected
        await self._transport.aclose()
