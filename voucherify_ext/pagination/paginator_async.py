"""Lazy paginators over a generated list function: :func:`apaginate`, :class:`AsyncPaginator`,
:class:`AsyncPageIterator`.

Written once, async, in ``paginator_async.py``; ``paginator_sync.py`` is generated from it by
``scripts/unasync.py``. The sync and async paginators differ only in their prefetch driver, a
sans-I/O driver written by hand for each side: threads
(:mod:`~voucherify_ext.pagination.prefetch_threads`) for the sync paginator, tasks
(:mod:`~voucherify_ext.pagination.prefetch_tasks`) for the async one. What needs no I/O is in
:mod:`~voucherify_ext.pagination.paginator_base`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Generic, TypeVar, overload

import attrs

from voucherify_ext.pagination.drift import OnDrift
from voucherify_ext.pagination.page_numbers import PageNumbers
from voucherify_ext.pagination.pages import (
    MAX_PAGE_SIZE,
    KeyFn,
    Page,
    PageRequest,
    PaginationStrategy,
    RawPage,
)
from voucherify_ext.pagination.paginator_base import PageSource, PaginatorBase
from voucherify_ext.pagination.prefetch_tasks import (
    AsyncRun,
)  # unasync: from voucherify_ext.pagination.prefetch_threads import SyncRun
from voucherify_ext.responses import acall

__all__ = [
    "AsyncPageIterator",
    "AsyncPaginator",
    "apaginate",
]  # unasync: __all__ = ["PageIterator", "Paginator", "paginate"]

T = TypeVar("T")


@attrs.frozen
class _Fetch:
    """Fetch and parse one page. Holds no reference to the paginator (see :class:`PageSource`)."""

    source: PageSource

    async def __call__(self, request: PageRequest) -> RawPage:
        response = await acall(self.source.list_fn, client=self.source.client, **self.source.query(request))
        return self.source.parse(request, response)


class AsyncPaginator(PaginatorBase[T]):
    """Iterates items, lazily, one page (or ``prefetch`` pages) in memory. One-shot.

    Iterating it yields items; ``p.pages()`` yields :class:`Page` objects instead (use one or
    the other). A context manager: ``aclose()`` cancels prefetching and waits for the requests
    already sent, so none is left in flight. Dropped without closing (a ``break``, an
    exception, ``del``), it is closed as soon as its last reference goes, since nothing it holds
    refers back to it: the sync paginator's prefetch threads are shut down (and waited for,
    except from one of them); the async paginator's prefetch tasks are cancelled, without
    waiting and without noise (an async loop left early closes nothing itself, so prefer the
    async context manager there).
    """

    _run: AsyncRun | None = None
    _buffer: deque[T] | None = None

    async def _next_page(self, *, count_items: bool = True) -> Page[T]:
        if self._run is None:
            self._run = AsyncRun(self._planner, _Fetch(self._source), self._prefetch)
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
            page = await self._next_page(count_items=False)
            self._buffer.extend(page.items)
        self.yielded += 1
        return self._buffer.popleft()

    def pages(self) -> AsyncPageIterator[T]:
        """Iterate pages instead of items (a context manager too)."""
        self._claim("pages")
        return AsyncPageIterator(self)

    async def aclose(self) -> None:
        """Stop: cancel pages not yet requested, wait for requests in flight. Idempotent; the
        sync paginator's ``close()`` is also safe from another thread."""
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


_DEFAULT_STRATEGY = PageNumbers()


@overload
def apaginate(
    list_fn: Callable[..., Any],
    client: Any,
    *,
    data_ref: str,
    item: type[T],
    strategy: PaginationStrategy = ...,
    page_size: int = ...,
    params: Mapping[str, Any] | None = ...,
    max_items: int | None = ...,
    prefetch: int = ...,
    key: KeyFn | None = ...,
    envelope: type[Any] | None = ...,
    on_drift: OnDrift = ...,
) -> AsyncPaginator[T]: ...


@overload
def apaginate(
    list_fn: Callable[..., Any],
    client: Any,
    *,
    data_ref: str,
    item: None = ...,
    strategy: PaginationStrategy = ...,
    page_size: int = ...,
    params: Mapping[str, Any] | None = ...,
    max_items: int | None = ...,
    prefetch: int = ...,
    key: KeyFn | None = ...,
    envelope: type[Any] | None = ...,
    on_drift: OnDrift = ...,
) -> AsyncPaginator[Any]: ...


def apaginate(
    list_fn: Callable[..., Any],
    client: Any,
    *,
    data_ref: str,
    item: type[Any] | None = None,
    strategy: PaginationStrategy = _DEFAULT_STRATEGY,
    page_size: int = MAX_PAGE_SIZE,
    params: Mapping[str, Any] | None = None,
    max_items: int | None = None,
    prefetch: int = 1,
    key: KeyFn | None = None,
    envelope: type[Any] | None = None,
    on_drift: OnDrift = "warn",
) -> AsyncPaginator[Any]:
    """Iterate a generated list operation lazily; ``list_fn`` is its ``asyncio_detailed`` function.

    ``data_ref`` names the envelope's list field (``"orders"``, ``"exports"``,
    ``"async_actions"``); ``item`` is the model its items are (optional; given, the paginator is
    typed ``AsyncPaginator[item]`` and ``item`` is checked against the envelope's annotation);
    ``params`` are sent with every page (``order``, filters);
    ``key`` gives an item's identity for
    de-duplication (default: its ``id``); ``envelope`` is the success model (default: read from
    ``list_fn``'s return annotation, of any generated package: the model with a ``data_ref``
    field). ``prefetch`` is the number of pages in flight at once.
    ``on_drift`` says what happens when the list changes under the iteration so that items may
    be skipped (:mod:`voucherify_ext.pagination.drift`): ``"warn"`` (a :class:`PaginationDriftWarning`),
    ``"raise"`` (:class:`PaginationDriftError`) or ``"ignore"``; ``iterator.drift`` lists them.
    """
    return AsyncPaginator(
        list_fn,
        client,
        data_ref=data_ref,
        strategy=strategy,
        page_size=page_size,
        params=params,
        max_items=max_items,
        prefetch=prefetch,
        key=key,
        envelope=envelope,
        on_drift=on_drift,
        item=item,
    )
