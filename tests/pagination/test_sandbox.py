"""Pagination against the loopback sandbox through the real client core (auth, retrying and
rate-limited transport, typed errors), sync and async side by side."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from voucherify_client.api.async_actions import list_async_actions

from voucherify_ext import AsyncVoucherify, PaginationDriftWarning, Voucherify
from voucherify_ext.errors import ServerError
from voucherify_ext.orders.pages import (
    aiter_order_pages,
    aiter_orders,
    iter_order_pages,
    iter_orders,
)
from voucherify_ext.pagination import EndDateCursor, Page, PaginationLimitError, apaginate, paginate
from voucherify_ext.sandbox import Sandbox

from .conftest import Sleeps

LIST = ("GET", "/v1/orders")
MODES = ["sync", "async"]


def collect(
    sb: Sandbox,
    sleeps: Sleeps,
    mode: str,
    *,
    on_page: Callable[[Page[Any]], None] | None = None,
    **kwargs: Any,
) -> tuple[list[Page[Any]], PaginationLimitError | None]:
    """Iterate pages of orders (sync or async client); return the pages and the ceiling error."""
    pages: list[Page[Any]] = []
    error: PaginationLimitError | None = None
    if mode == "sync":
        with Voucherify(app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, sleep=sleeps) as vf:
            try:
                with iter_order_pages(vf.client, **kwargs) as it:
                    for page in it:
                        pages.append(page)
                        if on_page:
                            on_page(page)
            except PaginationLimitError as exc:
                error = exc
        return pages, error

    async def main() -> None:
        nonlocal error
        avf = AsyncVoucherify(app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, sleep=sleeps.asleep)
        try:
            async with aiter_order_pages(avf.client, **kwargs) as it:
                async for page in it:
                    pages.append(page)
                    if on_page:
                        on_page(page)
        except PaginationLimitError as exc:
            error = exc
        finally:
            await avf.close()

    asyncio.run(main())
    return pages, error


def ids(pages: list[Page[Any]]) -> list[str]:
    return [order.id for page in pages for order in page.items]


def stored_ids(sb: Sandbox) -> list[str]:
    return [order["id"] for order in sb.orders()]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("prefetch", [1, 4])
@pytest.mark.parametrize(
    ("count", "page_size", "requests"),
    [(0, 100, 1), (7, 100, 1), (300, 100, 3), (250, 100, 3), (95, 10, 10)],
    ids=["empty", "under-a-page", "exact-multiple", "not-a-multiple", "small-pages"],
)
def test_every_order_once_in_creation_order(
    sandbox: Sandbox, sleeps: Sleeps, mode: str, prefetch: int, count: int, page_size: int, requests: int
) -> None:
    sandbox.seed_orders(count)
    pages, error = collect(sandbox, sleeps, mode, page_size=page_size, prefetch=prefetch)
    assert error is None
    assert ids(pages) == stored_ids(sandbox)
    assert sandbox.request_count(*LIST) == requests  # no trailing empty page after an exact multiple
    assert [p.number for p in pages] == list(range(1, max(requests, 1) + 1))
    assert all(p.total == count for p in pages)


@pytest.mark.parametrize(("mode", "prefetch"), [("sync", 1), ("async", 4)])
def test_ceiling_at_page_100_with_10050_orders(
    sandbox: Sandbox, sleeps: Sleeps, mode: str, prefetch: int
) -> None:
    sandbox.seed_orders(10_050)
    pages, error = collect(sandbox, sleeps, mode, prefetch=prefetch)
    assert error is not None
    assert len(ids(pages)) == len(set(ids(pages))) == 10_000
    assert ids(pages) == stored_ids(sandbox)[:10_000]
    assert sandbox.request_count(*LIST) == 100  # never a page=101 (an opaque 400)
    assert (error.yielded, error.total, error.page_size) == (10_000, 10_050, 100)
    assert "10,000 of 10,050 yielded" in str(error) and "export" in str(error)


def test_max_items_stops_short_of_the_ceiling(vf: Voucherify, sandbox: Sandbox) -> None:
    sandbox.seed_orders(10_050)
    with iter_orders(vf.client, max_items=250, prefetch=4) as it:
        got = [order.id for order in it]
    assert got == stored_ids(sandbox)[:250]
    assert sandbox.request_count(*LIST) == 3


def fail_page_3(sb: Sandbox, status: int, times: int) -> None:
    """The next ``times`` requests for page 3 fail."""
    sb.inject("status", method="GET", path="/v1/orders?page=3", times=times, status=status)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("status", [503, 429])
def test_a_failing_page_is_retried_by_the_transport(
    sandbox: Sandbox, sleeps: Sleeps, mode: str, status: int
) -> None:
    sandbox.seed_orders(450)
    fail_page_3(sandbox, status, times=1)
    pages, error = collect(sandbox, sleeps, mode)
    assert error is None
    assert ids(pages) == stored_ids(sandbox)  # all of them, once, in order
    assert [p.number for p in pages] == [1, 2, 3, 4, 5]
    assert sandbox.request_count(*LIST) == 5 + 1  # page 3 twice
    if status == 503:
        assert len(sleeps.calls) == 1  # one backoff before the retry
    else:
        assert sleeps.calls[0] == pytest.approx(1.0, abs=0.01)  # the server's Retry-After


@pytest.mark.parametrize("mode", MODES)
def test_a_page_failing_after_retries_is_a_typed_error(sandbox: Sandbox, sleeps: Sleeps, mode: str) -> None:
    sandbox.seed_orders(450)
    fail_page_3(sandbox, 503, times=3)
    with pytest.raises(ServerError) as info:
        collect(sandbox, sleeps, mode)
    assert info.value.status_code == 503 and info.value.attempts == 3
    assert "(while fetching page 3 of the list)" in info.value.__notes__
    assert sandbox.request_count(*LIST) == 2 + 3


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("order", ["created_at", "-created_at"])
def test_orders_created_while_iterating_are_never_yielded_twice(
    sandbox: Sandbox, sleeps: Sleeps, mode: str, order: str
) -> None:
    sandbox.seed_orders(250)
    before = set(stored_ids(sandbox))

    def create(page: Page[Any]) -> None:
        if page.number in (1, 2):
            sandbox.seed_orders(30)  # newer than everything stored

    pages, _ = collect(sandbox, sleeps, mode, order=order, page_size=100)
    got = ids(pages)
    assert len(got) == len(set(got))
    pages, _ = collect(sandbox, sleeps, mode, order=order, page_size=100, on_page=create)
    got = ids(pages)
    assert len(got) == len(set(got)), "an order was yielded twice"
    assert before <= set(got)  # nothing that existed before was missed
    if order == "created_at":
        assert got == stored_ids(sandbox)  # the new ones land at the end, all of them


def test_prefetch_respects_the_client_rate_limit(
    make_vf: Callable[..., Voucherify], sandbox: Sandbox
) -> None:
    sandbox.seed_orders(600)
    sandbox.set_rate_limit("12/s")  # the server refuses anything faster
    vf = make_vf(rate_limit="10/s", sleep=time.sleep)
    started = time.monotonic()
    with iter_orders(vf.client, page_size=20, prefetch=4) as it:
        assert sum(1 for _ in it) == 600
    elapsed = time.monotonic() - started
    assert sandbox.request_count(*LIST) == 30  # not a single 429 (it would have been retried)
    assert elapsed >= 1.9  # 30 requests at 10/s: the prefetch threads waited for the limiter


def test_breaking_out_early_with_prefetch_leaves_nothing_in_flight(vf: Voucherify, sandbox: Sandbox) -> None:
    sandbox.seed_orders(5_000)
    sandbox.set_latency(50)
    threads_before = set(threading.enumerate())
    with iter_orders(vf.client, prefetch=4) as it:
        for n, _ in enumerate(it, 1):
            if n == 150:
                break
        assert len(set(threading.enumerate()) - threads_before) > 0  # the pool is busy
    at_close = sandbox.request_count(*LIST)
    assert set(threading.enumerate()) == threads_before  # prefetch threads joined on close
    assert 2 <= at_close <= 2 + 4  # page 1, page 2 being read, at most 4 ahead
    # requests are counted when they arrive, and close() waited for the ones sent: no more come
    time.sleep(0.06)
    assert sandbox.request_count(*LIST) == at_close


async def test_async_breaking_out_early_leaves_no_task(avf: AsyncVoucherify, sandbox: Sandbox) -> None:
    sandbox.seed_orders(5_000)
    sandbox.set_latency(50)
    async with aiter_orders(avf.client, prefetch=4) as it:
        n = 0
        async for _ in it:
            n += 1
            if n == 150:
                break
    assert {t for t in asyncio.all_tasks() if t is not asyncio.current_task()} == set()
    await asyncio.sleep(0.02)  # a cancelled request may still be on the loopback wire
    settled = sandbox.request_count(*LIST)  # counted on arrival, not after the 50 ms latency
    assert settled <= 2 + 4  # cancelled requests may still reach the server; no new ones
    await asyncio.sleep(0.06)
    assert sandbox.request_count(*LIST) == settled


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("prefetch", [1, 4])
def test_an_empty_page_before_total_ends_the_iteration(
    sandbox: Sandbox, sleeps: Sleeps, mode: str, prefetch: int
) -> None:
    sandbox.seed_orders(500)
    sandbox.inject("short_page", method="GET", path="/v1/orders?page=3", items=0)  # total still 500
    with pytest.warns(PaginationDriftWarning, match="page 3 held 0 of 100 items although total=500"):
        pages, error = collect(sandbox, sleeps, mode, prefetch=prefetch)
    assert error is None
    assert ids(pages) == stored_ids(sandbox)[:200]  # pages 1 and 2; page 3 ended it


def test_a_short_page_before_total_ends_the_iteration(vf: Voucherify, sandbox: Sandbox) -> None:
    sandbox.seed_orders(500)
    sandbox.inject("short_page", method="GET", path="/v1/orders", query={"page": 2})  # half of it
    expected = pytest.warns(PaginationDriftWarning, match="page 2 held 50 of 100 items although total=500")
    with expected, iter_orders(vf.client, prefetch=4) as it:
        got = [order.id for order in it]
    assert got == stored_ids(sandbox)[:150]
    assert [event.kind for event in it.drift] == ["total_contradicted"]


def _import(vf: Voucherify, count: int) -> None:
    for n in range(count):
        order = {"source_id": f"imp-{n}", "amount": 100, "items": [{"quantity": 1, "amount": 100}]}
        assert vf.http.post("/v1/orders/import", json=[order]).status_code == 200


def test_end_date_cursor_walks_async_actions(vf: Voucherify, sandbox: Sandbox) -> None:
    _import(vf, 7)
    with paginate(
        list_async_actions.sync_detailed,
        vf.client,
        data_ref="async_actions",
        strategy=EndDateCursor(),
        page_size=3,
    ) as actions:
        got = [action.id for action in actions]
    assert len(got) == len(set(got)) == 7
    assert sandbox.request_count("GET", "/v1/async-actions") == 3  # 3 + 3 + 1 (short page ends it)


async def test_end_date_cursor_walks_async_actions_async(
    vf: Voucherify, avf: AsyncVoucherify, sandbox: Sandbox
) -> None:
    _import(vf, 6)
    async with apaginate(
        list_async_actions.asyncio_detailed,
        avf.client,
        data_ref="async_actions",
        strategy=EndDateCursor(),
        page_size=3,
    ) as actions:
        got = [action.id async for action in actions]
    assert len(got) == len(set(got)) == 6
    # 3 + 3 with has_more=false: the second page ends the iteration, no empty third request
    assert sandbox.request_count("GET", "/v1/async-actions") == 2
