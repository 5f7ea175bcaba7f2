"""Time limits that bound a whole HTTP exchange, not one socket read.

httpx's timeouts are per operation: its read timeout restarts with every socket read, so a
response that trickles one byte every half second, a head dripped byte by byte, or a body that
never ends is never cut off. The retrying transport therefore gives every attempt an
:class:`ExchangeLimit` and enforces it where the bytes are read:

* **sync**: :class:`DeadlineBackend`, an httpcore network backend installed in the connection
  pool ext builds (:func:`install_deadline_backend`). Its streams read the current attempt's
  limit from a context variable (:func:`limit_scope`, set by the transport around the attempt
  and around every chunk of a streamed body) and cap each socket read's timeout at the time
  the limit would be broken; once it is, the read raises a read timeout.
* **async**: the event loop. The transport runs each attempt (send, head, and the body it
  reads) under ``asyncio.timeout``, and a streamed body chunk by chunk under the limit.

The limit of an API call is its per-attempt total
(:data:`~voucherify_ext.retry.DEFAULT_ATTEMPT_TIMEOUT`) and what is
left of the call's ``deadline``. A download (a request carrying :data:`STALL_EXTENSION`) has no
total: it is bounded by its :class:`StallRule` (fewer than ``min_bytes`` in a ``window`` aborts)
and by the caller's ``deadline``, so a large export that keeps flowing always finishes.

Time. A limit reads the time only through its ``clock`` (real monotonic seconds by default: it
bounds real sockets and the event loop's timers); the backend and the streams read it through
the limit in scope, never ``time.monotonic()`` directly, so a test can move a limit's time.
"""

from __future__ import annotations

import contextlib
import contextvars
import ssl
import time
import typing
from collections.abc import Callable, Iterator

import attrs
import httpcore
import httpx

__all__ = [
    "CALL_START_EXTENSION",
    "DEFAULT_STALL",
    "STALL_EXTENSION",
    "DeadlineBackend",
    "ExchangeLimit",
    "StallRule",
    "install_deadline_backend",
    "limit_scope",
]

#: request extension: a :class:`StallRule`; the request is a download (no per-attempt total)
STALL_EXTENSION = "voucherify_stall"
#: request extension: the time (on the client's clock) the call started, so that the attempts of
#: one download, each a request of its own, share the caller's deadline
CALL_START_EXTENSION = "voucherify_call_start"


@attrs.frozen
class StallRule:
    """A download stalls when fewer than ``min_bytes`` arrive in ``window`` seconds."""

    min_bytes: int = attrs.field(default=16 * 1024, validator=attrs.validators.gt(0))
    window: float = attrs.field(default=30.0, validator=attrs.validators.gt(0))


DEFAULT_STALL = StallRule()


class ExchangeLimit:
    """The limit of one attempt: an end time (``end``, or None) and an optional stall rule.

    Times are seconds of ``clock`` (``time.monotonic`` unless one is injected); ``now``, the
    start of the first stall window, defaults to the clock's time. :meth:`wake_at` is when the
    limit breaks if no further byte arrives; :meth:`broken` says whether (and why) it has broken
    by ``now``; :meth:`received` counts bytes against the stall rule. ``why`` keeps the reason of the first
    break, for the error message; ``by_deadline`` says whether it was the call's deadline.
    """

    __slots__ = (
        "by_deadline",
        "clock",
        "end",
        "end_is_deadline",
        "reason",
        "stall",
        "why",
        "window_bytes",
        "window_end",
    )

    def __init__(
        self,
        end: float | None,
        reason: str,
        *,
        end_is_deadline: bool = False,
        stall: StallRule | None = None,
        now: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self.end = end
        self.reason = reason
        self.end_is_deadline = end_is_deadline
        self.stall = stall
        start = clock() if now is None else now
        self.window_end = start + stall.window if stall is not None else None
        self.window_bytes = 0
        self.why: str | None = None
        self.by_deadline = False

    def _roll(self, now: float) -> str | None:
        """Close the stall windows that ended by ``now``; the stall message if one was short."""
        stall, end = self.stall, self.window_end
        if stall is None or end is None:
            return None
        while now >= end:
            if self.window_bytes < stall.min_bytes:
                return (
                    f"the download stalled: {self.window_bytes} byte(s) in {stall.window:g}s "
                    f"(fewer than {stall.min_bytes})"
                )
            end += stall.window
            self.window_bytes = 0
        self.window_end = end
        return None

    def broken(self, now: float) -> str | None:
        """Why the limit is broken at ``now`` (and remember it), or None."""
        if self.why is not None:
            return self.why
        why: str | None = None
        if self.end is not None and now >= self.end:
            why = self.reason
            self.by_deadline = self.end_is_deadline
        else:
            why = self._roll(now)
        self.why = why
        return why

    def expire(self) -> str:
        """Mark the limit broken as of its wake time (the event loop's timer for it fired, maybe a
        hair early) and say why."""
        wake = self.wake_at()
        why = self.broken(max(self.clock(), wake if wake is not None else 0.0))
        return why or self.reason

    def received(self, count: int, now: float) -> None:
        if self.stall is not None and self.why is None:
            why = self._roll(now)  # bytes that come after a short window do not mend it
            if why is not None:
                self.why = why
                return
            self.window_bytes += count

    def wake_at(self) -> float | None:
        """When the limit breaks if nothing more arrives (None: never)."""
        when = self.end
        stall, window_end = self.stall, self.window_end
        if stall is not None and window_end is not None:
            # a window that has its bytes already passes: the next one is the first that can fail
            stall_at = window_end if self.window_bytes < stall.min_bytes else window_end + stall.window
            when = stall_at if when is None else min(when, stall_at)
        return when

    def seconds_left(self, now: float) -> float | None:
        wake = self.wake_at()
        return None if wake is None else max(wake - now, 0.0)


_current: contextvars.ContextVar[ExchangeLimit | None] = contextvars.ContextVar(
    "voucherify_exchange_limit", default=None
)


@contextlib.contextmanager
def limit_scope(limit: ExchangeLimit | None) -> Iterator[None]:
    """Make ``limit`` the one the sockets of this thread/task read under, for the block."""
    token = _current.set(limit)
    try:
        yield
    finally:
        _current.reset(token)


_MIN_WAIT = 0.001  # a socket timeout of 0 would mean "do not block" rather than "time is up"


def _cap(timeout: float | None, until: float | None, now: float) -> float | None:
    if until is None:
        return timeout
    left = max(until - now, _MIN_WAIT)
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose reads and writes end when the current :class:`ExchangeLimit` breaks."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        limit = _current.get()
        if limit is None:
            return self._stream.read(max_bytes, timeout)
        clock = limit.clock
        now = clock()
        read_end = None if timeout is None else now + timeout
        while True:
            why = limit.broken(now)
            if why is not None:
                raise httpcore.ReadTimeout(why)
            wake = limit.wake_at()
            capped_by_limit = wake is not None and (read_end is None or wake < read_end)
            try:
                data = self._stream.read(max_bytes, _cap(timeout, wake, now) if capped_by_limit else timeout)
            except httpcore.ReadTimeout:
                if not capped_by_limit:
                    raise
                now = clock()
                continue  # the limit's time came: broken() now says why (or a window passed)
            limit.received(len(data), clock())
            return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        limit = _current.get()
        if limit is None or limit.end is None:
            self._stream.write(buffer, timeout)
            return
        now = limit.clock()
        why = limit.broken(now)
        if why is not None:
            raise httpcore.WriteTimeout(why)
        self._stream.write(buffer, _cap(timeout, limit.end, now))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """An httpcore network backend whose streams honour the current :class:`ExchangeLimit`
    (see the module docstring). Without a limit in scope it behaves exactly as ``inner``."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self.inner = inner if inner is not None else httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self.inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self.inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def install_deadline_backend(transport: httpx.BaseTransport) -> bool:
    """Put a :class:`DeadlineBackend` into the connection pool of an ``httpx.HTTPTransport``
    (its ``_pool``, an httpcore pool or proxy, keeps the backend it creates connections with).
    Returns whether it is in place; another kind of transport is left as it is."""
    pool = getattr(transport, "_pool", None) if isinstance(transport, httpx.HTTPTransport) else None
    backend = getattr(pool, "_network_backend", None)
    if pool is None or backend is None:
        return False
    if not isinstance(backend, DeadlineBackend):
        pool._network_backend = DeadlineBackend(backend)
    return True
