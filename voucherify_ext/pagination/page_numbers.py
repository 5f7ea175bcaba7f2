"""Page-numbered lists (orders, exports): the :class:`PageNumbers` strategy and its planner.

``page``/``limit`` pages 1..``max_page`` (Voucherify: 1-100). Past ``max_page × page_size``
items the iteration raises :class:`~voucherify_ext.errors.PaginationLimitError` instead of the
API's opaque 400. Items already yielded in the iteration are not yielded again (items created
while iterating shift page boundaries): the planner keeps the ids it yielded, at most
``max_page × page_size``. What the planner sees of a list moving under it is reported through
:mod:`~voucherify_ext.pagination.drift`.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any

import attrs

from voucherify_ext.errors import PaginationLimitError
from voucherify_ext.pagination.drift import DriftWatch, OnDrift, PaginationDriftWarning
from voucherify_ext.pagination.pages import (
    MAX_PAGE_SIZE,
    KeyFn,
    Page,
    PageRequest,
    Planner,
    RawPage,
    Step,
    Verdict,
)

__all__ = ["PageNumbers"]

_DRIFT_REMEDY = (
    "To read every item, iterate by created_at (an item's creation time never changes) or read "
    "the list another way (an export)."
)


@attrs.frozen
class PageNumbers:
    """``page``/``limit`` lists (orders, exports): pages 1..``max_page``.

    Once the first page reports ``total``, the remaining page numbers are known, so up to
    ``prefetch`` of them can be fetched at once. Stops on a short page, an empty page, or when
    ``total`` is covered; raises :class:`PaginationLimitError` when items remain past
    ``max_page``. ``noun`` and ``remedy`` shape that error's message.

    Drift (:mod:`voucherify_ext.pagination.drift`): the sort is read from the caller's
    ``params[order_param]``; ``fixed_keys`` are the sort keys an item never changes (repeats
    under them are new items, not skips); ``drift_remedy`` ends every drift message. A
    ``total`` behind the pages (more items served than it counts) is reported and no longer used
    to stop: pages are then read until a short or empty one.
    """

    max_page: int = 100
    page_param: str = "page"
    limit_param: str = "limit"
    max_page_size: int = MAX_PAGE_SIZE
    noun: str = "items"
    remedy: str = "Use an export to read every item"
    order_param: str = "order"
    fixed_keys: frozenset[str] = frozenset({"created_at"})
    drift_remedy: str = _DRIFT_REMEDY

    def planner(
        self,
        *,
        page_size: int,
        max_items: int | None,
        key: KeyFn,
        params: Mapping[str, Any] | None = None,
        on_drift: OnDrift = "warn",
    ) -> Planner:
        watch = DriftWatch(
            order=(params or {}).get(self.order_param),
            fixed_keys=self.fixed_keys,
            on_drift=on_drift,
            noun=self.noun,
            remedy=self.drift_remedy,
            total_remedy=f"{self.remedy}.",
        )
        return _PageNumberPlanner(self, page_size, max_items, key, watch)


class _PageNumberPlanner:
    def __init__(
        self, strategy: PageNumbers, page_size: int, max_items: int | None, key: KeyFn, watch: DriftWatch
    ) -> None:
        self.s = strategy
        self.size = page_size
        self.max_items = max_items
        self.key = key
        self.watch = watch
        self.next_number = 1
        self.received = 0
        self.last_page: int | None = None  # by the latest total
        self.total: int | None = None
        self.total_trusted = True  # False once a page served more items than its total counts
        self.seen: set[Hashable] = set()
        self.skipped = 0
        self.yielded = 0

    @property
    def drift(self) -> list[PaginationDriftWarning]:
        return self.watch.events

    def next_request(self) -> PageRequest | None:
        n = self.next_number
        if n > self.s.max_page:
            return None
        if n > self.received + 1 and (self.last_page is None or n > self.last_page):
            return None  # not known to exist yet
        if self.max_items is not None and (n - 1) * self.size >= self.max_items + self.skipped:
            return None  # cannot be needed
        self.next_number += 1
        return PageRequest({self.s.page_param: n, self.s.limit_param: self.size}, n)

    def accept(self, raw: RawPage) -> Step:
        number = raw.request.number or self.received + 1
        self.received = number
        served = (number - 1) * self.size + len(raw.items)  # positions read so far (earlier pages were full)
        self.watch.total(number, raw.arrival, raw.total)
        if raw.total is not None:
            self.total = raw.total
            if self.total_trusted and served > raw.total:
                self.total_trusted = False
                self.last_page = None
                self.watch.contradicted(
                    number,
                    served - raw.total,
                    f"page {number} brought the {self.s.noun} served to {served} although total="
                    f"{raw.total}: the total is behind the pages, so it is no longer used to stop; "
                    f"pages are read until a short or empty one.",
                )
            if self.total_trusted:
                self.last_page = math.ceil(raw.total / self.size)
        items = _dedupe(raw.items, self.key, self.seen)
        repeated = len(raw.items) - len(items)
        self.skipped += repeated
        self.watch.repeats(number, repeated)
        if self.max_items is not None:
            items = items[: self.max_items - self.yielded]
        self.yielded += len(items)
        page = Page(items=items, number=number, total=raw.total)
        emit = bool(items) or number == 1
        if self.max_items is not None and self.yielded >= self.max_items:
            return Step(page, Verdict.DONE, emit)
        if len(raw.items) < self.size:
            if raw.total is not None and self.total_trusted and served < raw.total:
                message = (
                    f"page {number} held {len(raw.items)} of {self.size} items although total="
                    f"{raw.total} promised more; stopping there (the API serves an empty page past "
                    f"the end), so up to {raw.total - served} {self.s.noun} may not have been yielded."
                )
                self.watch.contradicted(number, raw.total - served, message)
            return Step(page, Verdict.DONE, emit)
        if raw.total is not None and self.total_trusted and number * self.size >= raw.total:
            return Step(page, Verdict.DONE, emit)
        if number >= self.s.max_page:
            return Step(page, Verdict.LIMIT, emit)
        return Step(page, Verdict.MORE, emit)

    def limit_error(self) -> PaginationLimitError:
        s, size = self.s, self.size
        ceiling = s.max_page * size
        of = f"{self.yielded:,} of {self.total:,}" if self.total is not None else f"{self.yielded:,}"
        larger = (
            f" A larger page_size (up to {s.max_page_size}) reaches {s.max_page * s.max_page_size:,}."
            if size < s.max_page_size
            else ""
        )
        message = (
            f"Voucherify's list endpoint stops at page {s.max_page} ({s.max_page} × page_size={size} "
            f"= {ceiling:,} {s.noun}); {of} yielded. The API accepts page numbers 1-{s.max_page} only, "
            f"so the rest cannot be listed.{larger}"
        )
        return PaginationLimitError(
            message,
            yielded=self.yielded,
            page_size=size,
            total=self.total,
            max_page=s.max_page,
            remedy=f"{s.remedy}, or pass max_items to stop earlier.",
        )


def _dedupe(items: list[Any], key: KeyFn, seen: set[Hashable]) -> list[Any]:
    out = []
    for item in items:
        k = key(item)
        if k is not None:
            if k in seen:
                continue
            seen.add(k)
        out.append(item)
    return out
