"""Sync/async parity of pagination: the paginators, their page iterators, ``paginate`` /
``apaginate``, the orders iterators and the two hand-written prefetch drivers have the same
public names and signatures (annotations differing only as scripts/unasync.py's rename table
says), and read the same pages from the sandbox, inputs drawn by hypothesis."""

from __future__ import annotations

import asyncio
import inspect
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voucherify_ext import AsyncVoucherify, Voucherify, VoucherifyError
from voucherify_ext.orders.pages import (
    aiter_order_pages,
    aiter_orders,
    iter_order_pages,
    iter_orders,
)
from voucherify_ext.pagination import (
    AsyncPageIterator,
    AsyncPaginator,
    PageIterator,
    PaginationLimitError,
    Paginator,
    apaginate,
    paginate,
)
from voucherify_ext.pagination.prefetch_tasks import AsyncRun
from voucherify_ext.pagination.prefetch_threads import SyncRun
from voucherify_ext.sandbox import Sandbox

from .conftest import Sleeps

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import unasync

CLASSES = [(Paginator, AsyncPaginator), (PageIterator, AsyncPageIterator), (SyncRun, AsyncRun)]
FUNCTIONS = [(paginate, apaginate), (iter_orders, aiter_orders), (iter_order_pages, aiter_order_pages)]
DUNDERS = {"__init__", "__enter__", "__exit__", "__aenter__", "__aexit__", "__iter__", "__aiter__"}
DUNDERS |= {"__next__", "__anext__"}


def sync_name(name: str) -> str:
    return unasync.RENAMES.get(name, name)


def sync_annotation(annotation: object) -> object:
    """The async ``annotation`` as the rename table turns it (the script's own transformation);
    an awaitable of a named type is that type (the hand-written drivers' fetch functions)."""
    if not isinstance(annotation, str):
        return annotation
    annotation = re.sub(r"\bAwaitable\[(\w+)\]", r"\1", annotation)
    return unasync.transform(f"x: {annotation}\n").removeprefix("x: ").rstrip("\n")


def members(cls: type) -> dict[str, Any]:
    return {
        name: inspect.getattr_static(cls, name)
        for name in dir(cls)
        if (not name.startswith("_") or name in DUNDERS) and name not in ("__weakref__", "__dict__")
    }


def rows(fn: Any) -> list[tuple[str, Any, Any, Any]]:
    signature = inspect.signature(fn)
    found = [(p.name, p.kind, p.default, p.annotation) for p in signature.parameters.values()]
    return [*found, ("return", None, None, signature.return_annotation)]


def same_signature(sync_fn: Any, async_fn: Any) -> None:
    expected = [(n, k, d, sync_annotation(a)) for n, k, d, a in rows(async_fn)]
    assert rows(sync_fn) == expected, (sync_fn, async_fn)


@pytest.mark.parametrize(("sync_cls", "async_cls"), CLASSES, ids=lambda c: c.__name__)
def test_the_same_public_names_and_signatures(sync_cls: type, async_cls: type) -> None:
    async_members = members(async_cls)
    assert set(members(sync_cls)) == {sync_name(name) for name in async_members}
    compared = 0
    for name, async_member in async_members.items():
        sync_member = members(sync_cls)[sync_name(name)]
        if isinstance(async_member, property):
            async_member, sync_member = async_member.fget, sync_member.fget
        if callable(async_member):
            same_signature(sync_member, async_member)
            compared += 1
    assert compared >= 4  # __init__, the iteration protocol, closing


@pytest.mark.parametrize(("sync_fn", "async_fn"), FUNCTIONS, ids=lambda f: f.__name__)
def test_the_same_function_signatures(sync_fn: Callable[..., Any], async_fn: Callable[..., Any]) -> None:
    same_signature(sync_fn, async_fn)
    assert sync_fn.__name__ == sync_name(async_fn.__name__)


def _page_rows(pages: list[Any]) -> list[tuple[Any, ...]]:
    return [(p.number, p.total, p.cursor, p.has_more, [o.id for o in p.items]) for p in pages]


def read_both(sandbox: Sandbox, sleeps: Sleeps, **kwargs: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The pages (and counters, and the error) the sync and the async orders iterators read."""

    def outcome(pages: list[Any], error: BaseException | None, it: Any) -> tuple[Any, ...]:
        paginator = it.paginator
        # the sandbox gives every response a request id of its own; the rest of the message is compared
        message = re.sub(r"request_id=[\w-]+", "request_id=?", str(error))
        failure = None if error is None else (type(error), message, getattr(error, "__notes__", None))
        counters = (paginator.total, paginator.yielded, paginator.pages_yielded, len(paginator.drift))
        return (_page_rows(pages), counters, failure)

    with Voucherify(
        app_id=sandbox.app_id, app_token=sandbox.app_token, base_url=sandbox.url, sleep=sleeps
    ) as vf:
        pages: list[Any] = []
        error: BaseException | None = None
        it = iter_order_pages(vf.client, **kwargs)
        try:
            with it:
                for page in it:
                    pages.append(page)
        except VoucherifyError as exc:
            error = exc
        sync = outcome(pages, error, it)
    sync_requests = sandbox.request_count("GET", "/v1/orders")

    async def main() -> tuple[Any, ...]:
        pages: list[Any] = []
        error: BaseException | None = None
        async with AsyncVoucherify(
            app_id=sandbox.app_id, app_token=sandbox.app_token, base_url=sandbox.url, sleep=sleeps.asleep
        ) as avf:
            it = aiter_order_pages(avf.client, **kwargs)
            try:
                async with it:
                    async for page in it:
                        pages.append(page)
            except VoucherifyError as exc:
                error = exc
            return outcome(pages, error, it)

    async_ = asyncio.run(main())
    async_requests = sandbox.request_count("GET", "/v1/orders") - sync_requests
    return (sync, sync_requests), (async_, async_requests)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    count=st.integers(0, 45),
    page_size=st.integers(1, 12),
    max_items=st.none() | st.integers(0, 50),
    prefetch=st.integers(1, 4),
    order=st.sampled_from(["created_at", "-created_at"]),
)
def test_the_same_pages_from_the_sandbox(
    sandbox: Sandbox,
    sleeps: Sleeps,
    count: int,
    page_size: int,
    max_items: int | None,
    prefetch: int,
    order: str,
) -> None:
    sandbox.reset()
    sandbox.seed_orders(count)
    kwargs = {"page_size": page_size, "max_items": max_items, "prefetch": prefetch, "order": order}
    sync, async_ = read_both(sandbox, sleeps, **kwargs)
    assert sync == async_
    (pages, _, failure), _ = sync
    assert failure is None
    assert sum(len(ids) for *_, ids in pages) == min(count, count if max_items is None else max_items)


def test_the_same_error_for_a_page_that_fails(sandbox: Sandbox, sleeps: Sleeps) -> None:
    sandbox.seed_orders(30)
    sandbox.inject("status", method="GET", path="/v1/orders?page=2", times=2, status=400)
    sync, async_ = read_both(sandbox, sleeps, page_size=10)
    assert sync == async_
    (pages, _, failure), _ = sync
    assert [number for number, *_ in pages] == [1]
    assert failure is not None and failure[2] == ["(while fetching page 2 of the list)"]


def test_the_same_ceiling(sandbox: Sandbox, sleeps: Sleeps) -> None:
    sandbox.seed_orders(101)
    sync, async_ = read_both(sandbox, sleeps, page_size=1)
    assert sync == async_
    (pages, _, failure), requests = sync
    assert len(pages) == 100 and requests == 100
    assert failure is not None and failure[0] is PaginationLimitError
