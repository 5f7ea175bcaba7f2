"""The page-fetching engines behind :mod:`voucherify_ext.pagination`.

A *planner* (one per iteration, made by a strategy) decides which page requests can be sent
now and what to do with each page once it arrives, in order. The engines here only move
pages: they keep at most ``prefetch`` requests in flight, hand pages to the planner strictly
in page order, and on close, early exit, error or garbage collection cancel what has not
started and wait for what has (sync: a ``ThreadPoolExecutor`` owned by the iteration; async:
tasks, cancelled and awaited). With ``prefetch=1`` no thread or task is created at all: each
page is fetched in the caller's thread or task when it is needed.
"""

from __future__ import annotations

import asyncio
import contextvars
import enum
import time
import typing
from collections import deque
from collections.abc import (
    AsyncGenerator,
    Awaitable,
    Callable,
    Generator,
    Hashable,
    Mapping,
)
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar

import attrs
from voucherify_client.models.error import Error
from voucherify_client.types import Response, Unset

from .errors import APIResponseError, ConfigurationError
from .responses import acall, call, unwrap

__all__ = [
    "AsyncPageIterator",
    "AsyncPaginator",
    "Page",
    "PageIterator",
    "PageRequest",
    "PaginationStrategy",
    "Paginator",
    "Planner",
    "RawPage",
    "Step",
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


def run_sync(
    planner: Planner, fetch: Callable[[PageRequest], RawPage], prefetch: int
) -> Generator[Page[Any]]:
    """Yield the planner's pages. With ``prefetch=1`` each page is fetched in the caller's
    thread when it is asked for; with ``prefetch=N`` up to N requests are in flight ahead of
    the page being consumed. The first page is always fetched in the caller's thread; a pool
    is started only when there is a next page to fetch ahead."""
    pool: ThreadPoolExecutor | None = None
    inflight: deque[tuple[PageRequest, Future[RawPage]]] = deque()
    ahead_limit = _ahead_limit(prefetch)
    try:
        while True:
            if inflight:
                request, future = inflight[0]
                try:
                    raw = future.result()
                except Exception as exc:
                    _annotate(exc, request)
                    raise
                inflight.popleft()
            else:
                next_request = planner.next_request()
                if next_request is None:
                    return
                request = next_request
                try:
                    raw = fetch(request)
                except Exception as exc:
                    _annotate(exc, request)
                    raise
            step = planner.accept(raw)
            if step.verdict is Verdict.MORE:
                while len(inflight) < ahead_limit and (ahead := planner.next_request()) is not None:
                    if pool is None:
                        pool = ThreadPoolExecutor(
                            max_workers=prefetch, thread_name_prefix="voucherify-prefetch"
                        )
                    inflight.append((ahead, pool.submit(fetch, ahead)))
                if inflight:
                    time.sleep(0)  # yield the GIL so the worker sends its request before the CPU-bound check
            else:
                _stop_sync(inflight, pool)  # nothing more is needed: stop before the caller reads
            try:
                raw.check()  # overlaps with the requests just sent
            except Exception as exc:
                _annotate(exc, request)
                raise
            if step.emit:
                yield step.page
            if step.verdict is Verdict.LIMIT:
                raise planner.limit_error()
            if step.verdict is Verdict.DONE:
                return
    finally:
        _stop_sync(inflight, pool)


def _stop_sync(inflight: deque[tuple[PageRequest, Future[RawPage]]], pool: ThreadPoolExecutor | None) -> None:
    for _, future in inflight:
        future.cancel()
    inflight.clear()
    if pool is not None:
        # requests already on the wire finish (a thread cannot be interrupted); none is left behind
        pool.shutdown(wait=True, cancel_futures=True)


async def run_async(
    planner: Planner, fetch: Callable[[PageRequest], Awaitable[RawPage]], prefetch: int
) -> AsyncGenerator[Page[Any]]:
    """The async twin of :func:`run_sync`: up to ``prefetch`` fetch tasks in flight."""
    inflight: deque[tuple[PageRequest, asyncio.Task[RawPage]]] = deque()
    ahead_limit = _ahead_limit(prefetch)
    try:
        while True:
            if inflight:
                request, task = inflight[0]
                try:
                    # shielded: if the caller is cancelled, the task is cancelled in cleanup below
                    raw = await asyncio.shield(task)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    _annotate(exc, request)
                    raise
                inflight.popleft()
            else:
                next_request = planner.next_request()
                if next_request is None:
                    return
                request = next_request
                try:
                    raw = await fetch(request)
                except Exception as exc:
                    _annotate(exc, request)
                    raise
            step = planner.accept(raw)
            if step.verdict is Verdict.MORE:
                while len(inflight) < ahead_limit and (ahead := planner.next_request()) is not None:
                    inflight.append((ahead, asyncio.ensure_future(fetch(ahead))))
                if inflight:
                    await asyncio.sleep(0)  # let the new tasks send their requests before checking
            else:
                await _stop_async(inflight)
            try:
                raw.check()
            except Exception as exc:
                _annotate(exc, request)
                raise
            if step.emit:
                yield step.page
            if step.verdict is Verdict.LIMIT:
                raise planner.limit_error()
            if step.verdict is Verdict.DONE:
                return
    finally:
        await _stop_async(inflight)


async def _stop_async(inflight: deque[tuple[PageRequest, asyncio.Task[RawPage]]]) -> None:
    tasks = [task for _, task in inflight]
    inflight.clear()
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)


# -- iterator objects -------------------------------------------------------------------------


def _default_key(item: Any) -> Hashable | None:
    value = item.get("id") if isinstance(item, Mapping) else getattr(item, "id", None)
    return value if isinstance(value, str | int) else None


class PaginationStrategy(Protocol):
    """How to walk a list: makes one :class:`~voucherify_ext._prefetch.Planner` per iteration.

    Strategies are immutable settings and may be shared; all per-iteration state lives in the
    planner.
    """

    @property
    def max_page_size(self) -> int: ...

    def planner(self, *, page_size: int, max_items: int | None, key: KeyFn) -> Planner: ...


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
        return RawPage(request, items, total, has_more, partial(context.run, unwrap, response, self.envelope))

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
    ) -> None:
        _check_args(page_size, max_items, prefetch, strategy)
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
        self._planner = strategy.planner(page_size=page_size, max_items=max_items, key=key or _default_key)
        self._prefetch = prefetch
        self._mode: str | None = None
        self.total: int | None = None
        """The server's latest ``total`` (None until a page arrived, or for cursor lists)."""
        self.yielded = 0
        """Items handed out so far (counted per item when iterating items, per page with pages())."""
        self.pages_yielded = 0

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
    already sent, so none is left in flight.
    """

    _pages: Generator[Page[T]] | None = None
    _items: Generator[T] | None = None

    def _page_gen(self, *, count_items: bool = True) -> Generator[Page[T]]:
        if self._pages is None:
            self._pages = run_sync(self._planner, self._fetch.sync, self._prefetch)
        pages = self._pages
        try:
            for page in pages:
                self._seen(page, count_items=count_items)
                yield page
        finally:
            pages.close()

    def _item_gen(self) -> Generator[T]:
        pages = self._page_gen(count_items=False)
        try:
            for page in pages:
                for item in page.items:
                    self.yielded += 1
                    yield item
        finally:
            pages.close()

    def __iter__(self) -> Paginator[T]:
        return self

    def __next__(self) -> T:
        if self._items is None:
            self._claim("items")
            self._items = self._item_gen()
        return next(self._items)

    def pages(self) -> PageIterator[T]:
        """Iterate pages instead of items (a context manager too)."""
        self._claim("pages")
        return PageIterator(self)

    def close(self) -> None:
        """Stop: cancel pages not yet requested, wait for requests in flight. Idempotent."""
        for gen in (self._items, self._pages):
            if gen is not None:
                gen.close()

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
        self._gen = paginator._page_gen()

    def __iter__(self) -> PageIterator[T]:
        return self

    def __next__(self) -> Page[T]:
        return next(self._gen)

    def close(self) -> None:
        self._gen.close()
        self.paginator.close()

    def __enter__(self) -> PageIterator[T]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncPaginator(_Base[T]):
    """The async twin of :class:`Paginator`: ``async for``, ``pages()``, ``async with``,
    ``aclose()``. Close it (or use ``async with``): leaving an ``async for`` early does not
    close an async generator, so prefetch tasks would otherwise linger until garbage collection.
    """

    _pages: AsyncGenerator[Page[T]] | None = None
    _items: AsyncGenerator[T] | None = None

    async def _page_gen(self, *, count_items: bool = True) -> AsyncGenerator[Page[T]]:
        if self._pages is None:
            self._pages = run_async(self._planner, self._fetch.async_, self._prefetch)
        pages = self._pages
        try:
            async for page in pages:
                self._seen(page, count_items=count_items)
                yield page
        finally:
            await pages.aclose()

    async def _item_gen(self) -> AsyncGenerator[T]:
        pages = self._page_gen(count_items=False)
        try:
            async for page in pages:
                for item in page.items:
                    self.yielded += 1
                    yield item
        finally:
            await pages.aclose()

    def __aiter__(self) -> AsyncPaginator[T]:
        return self

    async def __anext__(self) -> T:
        if self._items is None:
            self._claim("items")
            self._items = self._item_gen()
        return await anext(self._items)

    def pages(self) -> AsyncPageIterator[T]:
        self._claim("pages")
        return AsyncPageIterator(self)

    async def aclose(self) -> None:
        """Stop: cancel prefetch tasks and await them. Idempotent."""
        for gen in (self._items, self._pages):
            if gen is not None:
                await gen.aclose()

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
        self._gen = paginator._page_gen()

    def __aiter__(self) -> AsyncPageIterator[T]:
        return self

    async def __anext__(self) -> Page[T]:
        return await anext(self._gen)

    async def aclose(self) -> None:
        await self._gen.aclose()
        await self.paginator.aclose()

    async def __aenter__(self) -> AsyncPageIterator[T]:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
