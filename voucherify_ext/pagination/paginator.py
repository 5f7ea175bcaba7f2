"""The page-fetching engines behind :mod:`voucherify_ext.pagination.strategies`.

A *planner* (one per iteration, made by a strategy) decides which page requests can be sent
now and what to do with each page once it arrives, in order. The engines here only move
pages: they keep at most ``prefetch`` requests in flight, hand pages to the planner strictly
in page order, and on close, early exit or error cancel what has not started and wait for what
has (sync: a ``ThreadPoolExecutor`` owned by the iteration; async: tasks, cancelled and
awaited). With ``prefetch=1`` no thread or task is created at all: each page is fetched in the
caller's thread or task when it is needed.

The engines and the iterators are plain objects, not generators, and nothing they hold refers
back to them: an iterator dropped without closing (``break``, exception, ``del``) is closed by
reference counting the moment its last reference goes, in that thread, quietly (async: its
tasks are cancelled synchronously; sync: from one of its own prefetch threads it does not
join itself).
"""

from __future__ import annotations

import asyncio
import contextvars
import enum
import inspect
import itertools
import threading
import time
import typing
from collections import deque
from collections.abc import (
    Awaitable,
    Callable,
    Hashable,
    Iterator,
    Mapping,
    Sequence,
)
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from functools import partial
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar

import attrs
from voucherify_client.models.error import Error
from voucherify_client.types import Response, Unset

from voucherify_ext.errors import APIResponseError, ConfigurationError
from voucherify_ext.responses import acall, call, unwrap

__all__ = [
    "AsyncPageIterator",
    "AsyncPaginator",
    "AsyncRun",
    "Page",
    "PageIterator",
    "PageRequest",
    "PaginationStrategy",
    "Paginator",
    "Planner",
    "RawPage",
    "Step",
    "SyncRun",
    "Verdict",
    "run_async",
    "run_sync",
]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
KeyFn = Callable[[Any], Hashable | None]


@attrs.frozen
class Page(Generic[T_co]):
    """One page as the iteration yields it.

    ``items`` are the page's new items (repeats of items already yielded in this iteration
    are dropped, and the last page is cut at ``max_items``); ``number`` is the page number
    (None for cursor lists); ``total`` is the server's count of all items when the list
    reports one; ``cursor`` is what the next request will be sent with, for cursor lists;
    ``has_more`` is the server's flag when the list reports one.
    """

    items: list[T_co]
    number: int | None
    total: int | None
    cursor: str | None = None
    has_more: bool | None = None


@attrs.frozen
class PageRequest:
    """The page-specific query parameters of one request (merged over the caller's)."""

    params: Mapping[str, Any]
    number: int | None = None


@attrs.frozen
class RawPage:
    """A page as fetched and parsed, before deduplication and before its deep type check.

    ``check`` runs :func:`~voucherify_ext.responses.unwrap`'s field-by-field check (costly: tens
    of milliseconds for 100 orders); the engines run it in the consumer after the next request
    has been sent, so checking one page overlaps with fetching the next.
    """

    request: PageRequest
    items: list[Any]
    total: int | None
    has_more: bool | None
    check: Callable[[], object] = lambda: None
    arrival: int = 0  # when its response came, relative to the iteration's other pages


class Verdict(enum.Enum):
    MORE = "more"  # fetch the next page
    DONE = "done"  # the list is exhausted (or max_items reached)
    LIMIT = "limit"  # more items exist but the list cannot reach them: raise after this page


@attrs.frozen
class Step:
    page: Page[Any]
    verdict: Verdict
    emit: bool = True  # False for a page that brought nothing new (not the first page)


class Planner(Protocol):
    """Per-iteration state of a pagination strategy."""

    def next_request(self) -> PageRequest | None:
        """A request that may be sent now, without waiting for pages in flight, or None."""

    def accept(self, raw: RawPage) -> Step:
        """Take the next page in order; decide what to yield and whether to go on."""

    def limit_error(self) -> BaseException:
        """The error to raise after a :attr:`Verdict.LIMIT` page has been yielded."""

    @property
    def drift(self) -> Sequence[Warning]:
        """What the planner found that makes the iteration untrustworthy (items may have been
        skipped), in the order found; empty when nothing was."""


def _annotate(exc: BaseException, request: PageRequest) -> None:
    where = f"page {request.number}" if request.number is not None else "the next page"
    exc.add_note(f"(while fetching {where} of the list)")


def _ahead_limit(prefetch: int) -> int:
    """How many requests may be in flight while the caller reads a page.

    ``prefetch=1`` is a plain lazy loop: the next page is requested only when the caller asks
    for it, so a write the caller makes between two pages is seen by the next one. With
    ``prefetch=N`` (N > 1) up to N requests are in flight at once.
    """
    return prefetch if prefetch > 1 else 0


def run_sync(planner: Planner, fetch: Callable[[PageRequest], RawPage], prefetch: int) -> SyncRun:
    """The planner's pages, as a :class:`SyncRun`."""
    return SyncRun(planner, fetch, prefetch)


def _register(workers: set[int]) -> None:
    workers.add(threading.get_ident())


class SyncRun:
    """Yields the planner's pages. With ``prefetch=1`` each page is fetched in the caller's
    thread when it is asked for; with ``prefetch=N`` up to N requests are in flight ahead of
    the page being consumed. The first page is always fetched in the caller's thread; a pool
    is started only when there is a next page to fetch ahead.

    An object rather than a generator, so that closing works from anywhere: ``close()`` from
    another thread (also while the owner waits for a page: the owner then sees the end), from
    a finaliser, or from one of its own prefetch threads (when the garbage collector happens to
    run there), which must not join itself ("cannot join current thread"). Nothing it holds
    refers back to it, so it is closed as soon as its last reference goes.
    """

    def __init__(self, planner: Planner, fetch: Callable[[PageRequest], RawPage], prefetch: int) -> None:
        self._planner = planner
        self._fetch = fetch
        self._prefetch = prefetch
        self._ahead_limit = _ahead_limit(prefetch)
        self._inflight: deque[tuple[PageRequest, Future[RawPage]]] = deque()
        self._pool: ThreadPoolExecutor | None = None
        self._workers: set[int] = set()  # thread idents of the pool (the initializer adds them)
        self._lock = threading.Lock()
        self._after = Verdict.MORE
        self._closed = False

    def __iter__(self) -> SyncRun:
        return self

    def __next__(self) -> Page[Any]:
        if self._closed:
            raise StopIteration
        try:
            return self._step()
        except BaseException:
            self.close()
            raise

    def _step(self) -> Page[Any]:
        planner = self._planner
        while True:
            if self._after is Verdict.LIMIT:
                self._closed = True
                raise planner.limit_error()
            with self._lock:  # one look: a close between two would leave no head and no stop
                if self._after is Verdict.DONE or self._closed:
                    raise StopIteration
                head = self._inflight[0] if self._inflight else None
                next_request = planner.next_request() if head is None else None
            if head is not None:
                request, future = head
                try:
                    raw = future.result()
                except CancelledError:  # closed from another thread
                    raise StopIteration from None
                except Exception as exc:
                    _annotate(exc, request)
                    raise
                with self._lock:
                    if self._closed:
                        raise StopIteration
                    self._inflight.popleft()
            else:
                if next_request is None:
                    raise StopIteration
                request = next_request
                try:
                    raw = self._fetch(request)
                except Exception as exc:
                    _annotate(exc, request)
                    raise
            step = planner.accept(raw)
            if step.verdict is Verdict.MORE:
                with self._lock:
                    if self._closed:
                        raise StopIteration
                    while len(self._inflight) < self._ahead_limit:
                        if (ahead := planner.next_request()) is None:
                            break
                        if self._pool is None:
                            self._pool = ThreadPoolExecutor(
                                max_workers=self._prefetch,
                                thread_name_prefix="voucherify-prefetch",
                                initializer=partial(_register, self._workers),
                            )
                        self._inflight.append((ahead, self._pool.submit(self._fetch, ahead)))
                    sent = bool(self._inflight)
                if sent:
                    time.sleep(0)  # yield the GIL so the worker sends its request before the CPU-bound check
            else:
                self._release()  # nothing more is needed: stop before the caller reads
            try:
                raw.check()  # overlaps with the requests just sent
            except Exception as exc:
                _annotate(exc, request)
                raise
            self._after = step.verdict
            if step.emit:
                return step.page

    def _release(self, *, close: bool = False) -> None:
        with self._lock:
            self._closed = self._closed or close
            inflight = list(self._inflight)
            self._inflight.clear()
            pool, self._pool = self._pool, None
        for _, future in inflight:
            future.cancel()
        if pool is not None:
            # requests already on the wire finish (a thread cannot be interrupted), and are waited
            # for, except from one of the pool's own threads, which cannot join itself
            pool.shutdown(wait=threading.get_ident() not in self._workers, cancel_futures=True)

    def close(self) -> None:
        """Cancel what has not started, wait for what has; then the iteration is over. Idempotent,
        from any thread."""
        self._release(close=True)

    def __del__(self) -> None:
        if self._pool is not None or self._inflight:
            self._release(close=True)


def run_async(
    planner: Planner, fetch: Callable[[PageRequest], Awaitable[RawPage]], prefetch: int
) -> AsyncRun:
    """The planner's pages, as an :class:`AsyncRun`."""
    return AsyncRun(planner, fetch, prefetch)


def _retrieved(task: asyncio.Task[Any]) -> None:
    """Mark a finished prefetch task's exception as retrieved: when the iteration was left
    before reading that page, nobody ever will, and asyncio would log "Task exception was never
    retrieved". A consumer awaiting the task still gets the exception."""
    if not task.cancelled():
        task.exception()


def _cancel_soon(task: asyncio.Task[Any]) -> None:
    """Cancel ``task`` from wherever a finaliser runs: directly in its loop, else through it."""
    loop = task.get_loop()
    if loop.is_closed():
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        task.cancel()
    else:
        loop.call_soon_threadsafe(task.cancel)


class AsyncRun:
    """The async twin of :class:`SyncRun`: up to ``prefetch`` fetch tasks in flight.

    Not an async generator: leaving an ``async for`` early does not close one, and asyncio
    finalises an abandoned one later, in a task of its own per generator (nested ones then
    collide: "aclose(): asynchronous generator is already running", logged as "Task exception
    was never retrieved"), while its prefetch tasks go on sending. This object refers to nothing
    that refers back to it, so the moment the last reference goes (a ``break``), ``__del__``
    cancels the prefetch tasks, synchronously; ``aclose()`` cancels and awaits them.
    """

    def __init__(
        self, planner: Planner, fetch: Callable[[PageRequest], Awaitable[RawPage]], prefetch: int
    ) -> None:
        self._planner = planner
        self._fetch = fetch
        self._ahead_limit = _ahead_limit(prefetch)
        self._inflight: deque[tuple[PageRequest, asyncio.Task[RawPage]]] = deque()
        self._after = Verdict.MORE
        self._closed = False
        self._running = False

    def __aiter__(self) -> AsyncRun:
        return self

    async def __anext__(self) -> Page[Any]:
        if self._closed:
            raise StopAsyncIteration
        if self._running:
            raise RuntimeError("this paginator is already being iterated by another task")
        self._running = True
        try:
            return await self._step()
        except BaseException:
            self._closed = True
            await self._stop()
            raise
        finally:
            self._running = False

    async def _step(self) -> Page[Any]:
        planner = self._planner
        while True:
            if self._after is Verdict.LIMIT:
                raise planner.limit_error()
            if self._after is Verdict.DONE or self._closed:
                raise StopAsyncIteration
            if self._inflight:
                request, task = self._inflight[0]
                try:
                    # shielded: if the caller is cancelled, the task is cancelled in cleanup
                    raw = await asyncio.shield(task)
                except asyncio.CancelledError:
                    current = asyncio.current_task()
                    if self._closed and current is not None and not current.cancelling():
                        raise StopAsyncIteration from None  # closed by another task meanwhile
                    raise
                except Exception as exc:
                    _annotate(exc, request)
                    raise
                if self._closed:
                    raise StopAsyncIteration
                self._inflight.popleft()
            else:
                next_request = planner.next_request()
                if next_request is None:
                    raise StopAsyncIteration
                request = next_request
                try:
                    raw = await self._fetch(request)
                except Exception as exc:
                    _annotate(exc, request)
                    raise
            step = planner.accept(raw)
            if step.verdict is Verdict.MORE:
                while len(self._inflight) < self._ahead_limit:
                    if (ahead := planner.next_request()) is None:
                        break
                    task = asyncio.ensure_future(self._fetch(ahead))
                    task.add_done_callback(_retrieved)
                    self._inflight.append((ahead, task))
                if self._inflight:
                    await asyncio.sleep(0)  # let the new tasks send their requests before checking
            else:
                await self._stop()
            try:
                raw.check()
            except Exception as exc:
                _annotate(exc, request)
                raise
            self._after = step.verdict
            if step.emit:
                return step.page

    async def _stop(self) -> None:
        tasks = [task for _, task in self._inflight]
        self._inflight.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel the prefetch tasks and await them; then the iteration is over. Idempotent."""
        self._closed = True
        await self._stop()

    def __del__(self) -> None:
        for _, task in self._inflight:
            _cancel_soon(task)
        self._inflight.clear()


# -- iterator objects -------------------------------------------------------------------------


def _default_key(item: Any) -> Hashable | None:
    value = item.get("id") if isinstance(item, Mapping) else getattr(item, "id", None)
    return value if isinstance(value, str | int) else None


class PaginationStrategy(Protocol):
    """How to walk a list: makes one :class:`~voucherify_ext.pagination.paginator.Planner` per iteration.

    Strategies are immutable settings and may be shared; all per-iteration state lives in the
    planner.
    """

    @property
    def max_page_size(self) -> int: ...

    def planner(
        self,
        *,
        page_size: int,
        max_items: int | None,
        key: KeyFn,
        params: Mapping[str, Any] | None = None,
        on_drift: Any = "warn",
    ) -> Planner: ...


def _check_args(page_size: int, max_items: int | None, prefetch: int, strategy: PaginationStrategy) -> None:
    def is_int(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    top = strategy.max_page_size
    if not is_int(page_size) or not 1 <= page_size <= top:
        raise ConfigurationError(f"page_size must be an integer from 1 to {top}, got {page_size!r}")
    if not is_int(prefetch) or prefetch < 1:
        raise ConfigurationError(f"prefetch must be an integer of at least 1, got {prefetch!r}")
    if max_items is not None and (not is_int(max_items) or max_items < 0):
        raise ConfigurationError(f"max_items must be None or an integer of at least 0, got {max_items!r}")


def _takes(fn: Callable[..., Any], kwargs: Mapping[str, Any]) -> bool:
    """Whether ``fn`` accepts every keyword of ``kwargs``."""
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return True
    names = {p.name for p in parameters}
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters) or set(kwargs) <= names


def _envelope_type(list_fn: Callable[..., Any]) -> type[Any]:
    """The success model of a generated list function, read from ``Response[Error | X]``."""
    try:
        hint = typing.get_type_hints(list_fn)["return"]
    except Exception as exc:
        raise ConfigurationError(f"cannot read the return type of {list_fn!r}; pass envelope=") from exc
    (inner,) = typing.get_args(hint) or (None,)
    options = [t for t in typing.get_args(inner) or (inner,) if isinstance(t, type) and t is not Error]
    if len(options) != 1:
        raise ConfigurationError(f"cannot tell the envelope model of {list_fn!r}; pass envelope=")
    return options[0]


def _optional(value: Any, kind: type) -> Any:
    return value if isinstance(value, kind) and not isinstance(value, Unset) else None


@attrs.frozen
class _Fetch:
    """Fetch and parse one page. Holds no reference to the iterator, so an abandoned iterator
    is collected (and its pool shut down) even while a worker runs."""

    list_fn: Callable[..., Any]
    client: Any
    params: Mapping[str, Any]
    data_ref: str
    envelope: type[Any]
    arrivals: Iterator[int] = attrs.field(factory=itertools.count, eq=False)

    def _raw(self, request: PageRequest, response: Response[Any]) -> RawPage:
        parsed = response.parsed
        if not 200 <= int(response.status_code) < 300 or not isinstance(parsed, self.envelope):
            unwrap(response, self.envelope)  # raises the typed error, here, where its context is
        items = getattr(parsed, self.data_ref)
        if not isinstance(items, list):
            raise APIResponseError(f"the list field {self.data_ref!r} is not a list", field=self.data_ref)
        total = _optional(getattr(parsed, "total", None), int)
        has_more = _optional(getattr(parsed, "has_more", None), bool)
        # the deep check runs later, in the consumer, in this request's context (for error details)
        context = contextvars.copy_context()
        check = partial(context.run, unwrap, response, self.envelope)
        return RawPage(request, items, total, has_more, check, next(self.arrivals))

    def sync(self, request: PageRequest) -> RawPage:
        response = call(self.list_fn, client=self.client, **{**self.params, **request.params})
        return self._raw(request, response)

    async def async_(self, request: PageRequest) -> RawPage:
        response = await acall(self.list_fn, client=self.client, **{**self.params, **request.params})
        return self._raw(request, response)


class _Base(Generic[T]):
    def __init__(
        self,
        list_fn: Callable[..., Any],
        client: Any,
        *,
        data_ref: str,
        strategy: PaginationStrategy,
        page_size: int,
        params: Mapping[str, Any] | None,
        max_items: int | None,
        prefetch: int,
        key: KeyFn | None,
        envelope: type[Any] | None,
        on_drift: str = "warn",
    ) -> None:
        _check_args(page_size, max_items, prefetch, strategy)
        if on_drift not in ("warn", "raise", "ignore"):
            raise ConfigurationError(f"on_drift must be 'warn', 'raise' or 'ignore', got {on_drift!r}")
        params = dict(params or {})
        sent = {"client"} | {
            value
            for name in ("page_param", "limit_param", "cursor_param")
            if isinstance(value := getattr(strategy, name, None), str)
        }
        clash = sorted(sent & set(params))
        if clash:
            hint = "page_size, max_items" + (
                ", or the strategy's starting cursor (EndDateCursor(end_date=...))"
                if getattr(strategy, "cursor_param", None) in clash
                else ""
            )
            raise ConfigurationError(
                f"params must not set {', '.join(clash)}: the paginator sends it (use {hint})"
            )
        self._fetch = _Fetch(list_fn, client, params, data_ref, envelope or _envelope_type(list_fn))
        context: dict[str, Any] = {"params": params, "on_drift": on_drift}
        if not _takes(strategy.planner, context):  # a strategy written before drift detection
            context = {}
        self._planner = strategy.planner(
            page_size=page_size, max_items=max_items, key=key or _default_key, **context
        )
        self._prefetch = prefetch
        self._mode: str | None = None
        self.total: int | None = None
        """The server's latest ``total`` (None until a page arrived, or for cursor lists)."""
        self.yielded = 0
        """Items handed out so far (counted per item when iterating items, per page with pages())."""
        self.pages_yielded = 0

    @property
    def drift(self) -> Sequence[Warning]:
        """What this iteration found that means items may have been skipped (the list changed
        under it, or its ``total`` contradicts the pages); empty when nothing was. Filled with
        every ``on_drift`` setting, also ``"ignore"``."""
        return getattr(self._planner, "drift", ())

    def _claim(self, mode: str) -> None:
        if self._mode is not None and self._mode != mode:
            raise RuntimeError("this paginator is already being iterated by " + self._mode)
        self._mode = mode

    def _seen(self, page: Page[Any], *, count_items: bool) -> None:
        self.pages_yielded += 1
        self.total = page.total if page.total is not None else self.total
        if count_items:
            self.yielded += len(page.items)


class Paginator(_Base[T]):
    """Iterates items, lazily, one page (or ``prefetch`` pages) in memory. One-shot.

    ``for item in p`` yields items; ``p.pages()`` yields :class:`Page` objects instead (use one
    or the other). A context manager: ``close()`` cancels prefetching and waits for requests
    already sent, so none is left in flight. Dropped without closing (a ``break``, an exception,
    ``del``), it is closed as soon as its last reference goes: nothing it holds refers back to it.
    """

    _run: SyncRun | None = None
    _buffer: deque[T] | None = None

    def _next_page(self, *, count_items: bool = True) -> Page[T]:
        if self._run is None:
            self._run = run_sync(self._planner, self._fetch.sync, self._prefetch)
        page: Page[T] = next(self._run)
        self._seen(page, count_items=count_items)
        return page

    def __iter__(self) -> Paginator[T]:
        return self

    def __next__(self) -> T:
        if self._buffer is None:
            self._claim("items")
            self._buffer = deque()
        while not self._buffer:
            self._buffer.extend(self._next_page(count_items=False).items)
        self.yielded += 1
        return self._buffer.popleft()

    def pages(self) -> PageIterator[T]:
        """Iterate pages instead of items (a context manager too)."""
        self._claim("pages")
        return PageIterator(self)

    def close(self) -> None:
        """Stop: cancel pages not yet requested, wait for requests in flight. Idempotent, and
        safe from another thread."""
        if self._run is not None:
            self._run.close()
        if self._buffer is not None:
            self._buffer.clear()

    def __enter__(self) -> Paginator[T]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class PageIterator(Generic[T]):
    """Pages of a :class:`Paginator`; closing it closes the paginator."""

    def __init__(self, paginator: Paginator[T]) -> None:
        self.paginator = paginator

    def __iter__(self) -> PageIterator[T]:
        return self

    def __next__(self) -> Page[T]:
        return self.paginator._next_page()

    def close(self) -> None:
        self.paginator.close()

    def __enter__(self) -> PageIterator[T]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncPaginator(_Base[T]):
    """The async twin of :class:`Paginator`: ``async for``, ``pages()``, ``async with``,
    ``aclose()``. Prefer ``async with`` (or ``aclose()``), which also waits for the cancelled
    requests to end; an iterator left by ``break`` or an exception is not closed by ``async
    for``, but as soon as its last reference goes its prefetch tasks are cancelled (nothing it
    holds refers back to it), without waiting and without noise.
    """

    _run: AsyncRun | None = None
    _buffer: deque[T] | None = None

    async def _next_page(self, *, count_items: bool = True) -> Page[T]:
        if self._run is None:
            self._run = run_async(self._planner, self._fetch.async_, self._prefetch)
        page: Page[T] = await anext(self._run)
        self._seen(page, count_items=count_items)
        return page

    def __aiter__(self) -> AsyncPaginator[T]:
        return self

    async def __anext__(self) -> T:
        if self._buffer is None:
            self._claim("items")
            self._buffer = deque()
        while not self._buffer:
            self._buffer.extend((await self._next_page(count_items=False)).items)
        self.yielded += 1
        return self._buffer.popleft()

    def pages(self) -> AsyncPageIterator[T]:
        self._claim("pages")
        return AsyncPageIterator(self)

    async def aclose(self) -> None:
        """Stop: cancel prefetch tasks and await them. Idempotent."""
        if self._run is not None:
            await self._run.aclose()
        if self._buffer is not None:
            self._buffer.clear()

    async def __aenter__(self) -> AsyncPaginator[T]:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


class AsyncPageIterator(Generic[T]):
    """Pages of an :class:`AsyncPaginator`; closing it closes the paginator."""

    def __init__(self, paginator: AsyncPaginator[T]) -> None:
        self.paginator = paginator

    def __aiter__(self) -> AsyncPageIterator[T]:
        return self

    async def __anext__(self) -> Page[T]:
        return await self.paginator._next_page()

    async def aclose(self) -> None:
        await self.paginator.aclose()

    async def __aenter__(self) -> AsyncPageIterator[T]:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
