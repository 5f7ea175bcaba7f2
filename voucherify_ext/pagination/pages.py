"""The vocabulary shared by pagination strategies and the page-fetching drivers.

A *strategy* (:class:`PaginationStrategy`, immutable settings) makes one *planner* per iteration.
The planner is the sans-I/O core of pagination: it says which page requests may be sent now
(:meth:`Planner.next_request`) and, given each page in order (:class:`RawPage`), what to yield and
whether to go on (:class:`Step`, :class:`Verdict`). The drivers
(:mod:`~voucherify_ext.pagination.prefetch_threads`, :mod:`~voucherify_ext.pagination.prefetch_tasks`)
only move pages between the planner and the network.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

import attrs

__all__ = [
    "MAX_PAGE_SIZE",
    "KeyFn",
    "Page",
    "PageRequest",
    "PaginationStrategy",
    "Planner",
    "RawPage",
    "Step",
    "Verdict",
    "ahead_limit",
    "annotate",
]

T_co = TypeVar("T_co", covariant=True)
#: The largest ``limit`` Voucherify's list endpoints accept.
MAX_PAGE_SIZE = 100
#: An item's identity for de-duplication (None: the item has none and is never dropped).
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
    of milliseconds for 100 orders); the drivers run it in the consumer after the next request
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


class PaginationStrategy(Protocol):
    """How to walk a list: makes one :class:`Planner` per iteration.

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


def annotate(exc: BaseException, request: PageRequest) -> None:
    """Say in a note which page's fetch or check raised ``exc``."""
    where = f"page {request.number}" if request.number is not None else "the next page"
    exc.add_note(f"(while fetching {where} of the list)")


def ahead_limit(prefetch: int) -> int:
    """How many requests may be in flight while the caller reads a page.

    ``prefetch=1`` is a plain lazy loop: the next page is requested only when the caller asks
    for it, so a write the caller makes between two pages is seen by the next one. With
    ``prefetch=N`` (N > 1) up to N requests are in flight at once.
    """
    return prefetch if prefetch > 1 else 0
