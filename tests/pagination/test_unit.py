"""The pagination logic against fake list operations: page arithmetic, stopping rules, the
page-100 ceiling, de-duplication, max_items, argument checks, prefetch ordering and cleanup,
the end_date cursor strategy. No network."""

from __future__ import annotations

import asyncio
import datetime
import gc
import threading
import time
from typing import Any

import pytest
from voucherify_client.api.orders import list_orders
from voucherify_client.models.async_actions_list_response_body import AsyncActionsListResponseBody

from voucherify_ext.errors import ConfigurationError, ServerError, VoucherifyError
from voucherify_ext.instants import Instant
from voucherify_ext.orders.pages import iter_orders
from voucherify_ext.pagination import EndDateCursor, PageNumbers, PaginationLimitError, apaginate, paginate
from voucherify_ext.pagination.drift import PaginationDriftWarning

from .conftest import FakeOrders, error_response, make_order, ok_response

ORDERS = PageNumbers(noun="orders", remedy="Use vf.orders.export(...) to read every order")


def run(fake: FakeOrders, **kwargs: Any) -> Any:
    kwargs.setdefault("strategy", ORDERS)
    kwargs.setdefault("params", {"order": "created_at"})
    return paginate(fake.sync_detailed, None, data_ref="orders", envelope=list_orders_envelope(), **kwargs)


def list_orders_envelope() -> type[Any]:
    from voucherify_client.models.orders_list_response_body import OrdersListResponseBody

    return OrdersListResponseBody


def ids(items: Any) -> list[str]:
    return [item.id for item in items]


@pytest.mark.parametrize(
    ("count", "page_size", "requests"),
    [(0, 100, [1]), (7, 100, [1]), (300, 100, [1, 2, 3]), (250, 100, [1, 2, 3]), (25, 10, [1, 2, 3])],
)
def test_page_arithmetic_stops_on_short_page_or_total(
    count: int, page_size: int, requests: list[int]
) -> None:
    fake = FakeOrders(count)
    assert ids(run(fake, page_size=page_size)) == [o["id"] for o in fake.orders]
    assert fake.pages_requested == requests
    assert all(call["limit"] == page_size and call["order"] == "created_at" for call in fake.calls)


def test_exact_multiple_does_not_request_an_empty_page() -> None:
    fake = FakeOrders(200)
    assert len(list(run(fake))) == 200
    assert fake.pages_requested == [1, 2]  # total=200 is covered by page 2


def test_pages_carry_number_total_and_items() -> None:
    fake = FakeOrders(250)
    pages = list(run(fake).pages())
    assert [(p.number, p.total, len(p.items)) for p in pages] == [(1, 250, 100), (2, 250, 100), (3, 250, 50)]


def test_zero_orders_yields_one_empty_first_page() -> None:
    pages = list(run(FakeOrders(0)).pages())
    assert [(p.number, p.total, p.items) for p in pages] == [(1, 0, [])]


def test_empty_page_before_total_stops_and_warns() -> None:
    fake = FakeOrders(250, total_offset=50)  # total says 300, the data ends at 250
    fake.override[3] = lambda: _page([], total=300)
    with pytest.warns(PaginationDriftWarning, match="page 3 held 0 of 100 items although total=300") as w:
        assert len(list(run(fake))) == 200
    assert fake.pages_requested == [1, 2, 3]
    assert [(x.message.kind, x.message.count) for x in w] == [("total_contradicted", 100)]


def _page(rows: list[dict[str, Any]], total: int) -> Any:
    from voucherify_client.models.orders_list_response_body import OrdersListResponseBody

    body = {"object": "list", "data_ref": "orders", "orders": rows, "total": total}
    return ok_response(OrdersListResponseBody.from_dict(body), body)


def test_ceiling_raises_after_yielding_everything_reachable() -> None:
    fake = FakeOrders(10_050)
    it = run(fake)
    seen = 0
    with pytest.raises(PaginationLimitError) as info:
        for _ in it:
            seen += 1
    assert seen == 10_000 and it.yielded == 10_000
    assert max(fake.pages_requested) == 100  # page 101 (a 400) is never requested
    err = info.value
    assert (err.yielded, err.page_size, err.total, err.max_page) == (10_000, 100, 10_050, 100)
    text = str(err)
    assert "stops at page 100 (100 × page_size=100 = 10,000 orders)" in text
    assert "10,000 of 10,050 yielded" in text
    assert "vf.orders.export(...)" in text and "max_items" in text
    assert isinstance(err, VoucherifyError)


def test_ceiling_with_small_pages_suggests_a_larger_page_size() -> None:
    fake = FakeOrders(1_001)
    with pytest.raises(PaginationLimitError, match=r"page_size=10 = 1,000 orders\); 1,000 of 1,001") as info:
        list(run(fake, page_size=10))
    assert "A larger page_size (up to 100) reaches 10,000" in str(info.value)


def test_exactly_at_the_ceiling_is_not_an_error() -> None:
    fake = FakeOrders(10_000)
    assert len(list(run(fake))) == 10_000
    assert fake.pages_requested == list(range(1, 101))


def test_max_items_stops_before_the_ceiling_without_error() -> None:
    fake = FakeOrders(10_050)
    assert len(list(run(fake, max_items=10_000))) == 10_000
    fake = FakeOrders(500)
    assert ids(run(fake, max_items=150)) == [o["id"] for o in fake.orders[:150]]
    assert fake.pages_requested == [1, 2]
    pages = list(run(FakeOrders(500), max_items=150).pages())
    assert [len(p.items) for p in pages] == [100, 50]


def test_max_items_zero_sends_nothing() -> None:
    fake = FakeOrders(5)
    assert list(run(fake, max_items=0)) == []
    assert fake.calls == []


def test_orders_created_during_iteration_are_not_yielded_twice_descending() -> None:
    # newest first: 10 orders created before page 2 shift every later page by 10
    fake = FakeOrders(250)
    fake.before[2] = lambda: fake.add(10)
    got = ids(run(fake, params={"order": "-created_at"}))
    assert len(got) == len(set(got)) == 250  # the 10 repeats on page 2 were dropped
    assert set(got) == {o["id"] for o in fake.orders[:250]}


def test_orders_created_during_iteration_land_at_the_end_ascending() -> None:
    fake = FakeOrders(250)
    fake.before[2] = lambda: fake.add(60)
    got = ids(run(fake))
    assert got == [o["id"] for o in fake.orders]  # 310, in order, none twice
    assert fake.pages_requested == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"page_size": 0}, "page_size must be an integer from 1 to 100, got 0"),
        ({"page_size": 101}, "page_size must be an integer from 1 to 100, got 101"),
        ({"page_size": True}, "page_size"),
        ({"prefetch": 0}, "prefetch must be an integer of at least 1, got 0"),
        ({"max_items": -1}, "max_items must be None or an integer of at least 0, got -1"),
        ({"params": {"page": 3}}, "params must not set page"),
        ({"params": {"limit": 3}}, "params must not set limit"),
    ],
)
def test_bad_arguments_fail_at_once_naming_the_argument(kwargs: dict[str, Any], message: str) -> None:
    fake = FakeOrders(5)
    with pytest.raises(ConfigurationError, match=message) as info:
        run(fake, **kwargs)
    assert isinstance(info.value, ValueError)
    assert fake.calls == []


def test_bad_order_is_refused_before_sending() -> None:
    with pytest.raises(ConfigurationError, match="order must be one of created_at, updated_at"):
        iter_orders(None, order="newest")  # type: ignore[arg-type]


def test_envelope_is_read_from_the_generated_function() -> None:
    it = paginate(list_orders.sync_detailed, None, data_ref="orders")
    assert it._source.envelope.__name__ == "OrdersListResponseBody"


def test_api_error_on_a_page_is_typed_and_says_which_page() -> None:
    fake = FakeOrders(500)
    fake.override[3] = lambda: error_response(503, "service_unavailable", "down")
    got = []
    with pytest.raises(ServerError) as info:
        got.extend(run(fake))
    assert len(got) == 0 or len(got) == 200
    assert info.value.status_code == 503 and info.value.request_id == "v-test"
    assert "(while fetching page 3 of the list)" in info.value.__notes__


def test_counters_follow_what_was_handed_out() -> None:
    it = run(FakeOrders(250))
    for _ in range(150):
        next(it)
    assert (it.yielded, it.pages_yielded, it.total) == (150, 2, 250)
    it.close()
    pages = run(FakeOrders(250)).pages()
    next(pages)
    assert (pages.paginator.yielded, pages.paginator.pages_yielded) == (100, 1)
    pages.close()


def test_iterating_items_then_pages_is_refused() -> None:
    it = run(FakeOrders(5))
    next(it)
    with pytest.raises(RuntimeError, match="already being iterated"):
        it.pages()


# -- prefetch -------------------------------------------------------------------------------------


def test_prefetch_is_sequential_until_total_then_bounded_and_in_order() -> None:
    fake = FakeOrders(2_050)
    fake.gate, fake.hold_after = threading.Event(), 1
    pages = run(fake, prefetch=4).pages()
    assert next(pages).number == 1
    assert fake.wait_active(4)  # pages 2-5 are known from total and sent before page 1 is read
    assert sorted(fake.pages_requested) == [1, 2, 3, 4, 5]
    fake.gate.set()
    assert [p.number for p in pages] == list(range(2, 22))
    assert sorted(fake.pages_requested) == list(range(1, 22))
    assert fake.max_active <= 4
    fake = FakeOrders(2_050)
    assert ids(run(fake, prefetch=3)) == [o["id"] for o in fake.orders]


def test_a_single_page_starts_no_thread_and_prefetch_one_keeps_one_request_at_a_time() -> None:
    before = set(threading.enumerate())
    fake = FakeOrders(70)
    it = run(fake, prefetch=4)
    next(it)
    assert set(threading.enumerate()) == before  # page 1 was fetched in the caller's thread
    it.close()
    fake = FakeOrders(1_000)
    assert len(list(run(fake))) == 1_000
    assert fake.max_active == 1 and fake.pages_requested == list(range(1, 11))


def test_prefetch_one_requests_a_page_only_when_the_caller_reaches_it() -> None:
    before = set(threading.enumerate())
    fake = FakeOrders(300)
    it = run(fake).pages()
    assert next(it).number == 1
    assert fake.pages_requested == [1]  # nothing ahead: a write made now is seen by page 2
    assert next(it).number == 2
    assert fake.pages_requested == [1, 2]
    assert set(threading.enumerate()) == before  # fetched in the caller's thread
    it.close()
    assert fake.active == 0 and fake.pages_requested == [1, 2]


def test_with_prefetch_the_next_pages_are_requested_before_the_current_one_is_yielded() -> None:
    fake = FakeOrders(500)
    it = run(fake, prefetch=2).pages()
    first = next(it)
    assert first.number == 1
    deadline = time.monotonic() + 5  # the workers record their request on their own thread
    while len(fake.pages_requested) < 3 and time.monotonic() < deadline:
        time.sleep(0.001)
    assert sorted(fake.pages_requested) == [1, 2, 3]  # two on their way while page 1 is read
    it.close()
    assert fake.active == 0


def test_prefetch_does_not_request_past_max_items_or_total() -> None:
    fake = FakeOrders(10_000)
    assert len(list(run(fake, prefetch=8, max_items=250))) == 250
    assert sorted(fake.pages_requested) == [1, 2, 3]
    fake = FakeOrders(450)
    list(run(fake, prefetch=8))
    assert sorted(fake.pages_requested) == [1, 2, 3, 4, 5]


def test_prefetch_ceiling_never_requests_page_101() -> None:
    fake = FakeOrders(10_050)
    with pytest.raises(PaginationLimitError):
        list(run(fake, prefetch=6))
    assert max(fake.pages_requested) == 100 and len(fake.pages_requested) == 100


def test_closing_early_cancels_queued_pages_and_joins_threads() -> None:
    before = set(threading.enumerate())
    fake = FakeOrders(5_000)
    with run(fake, prefetch=4) as it:
        for i, _ in enumerate(it):
            if i == 150:
                break
    assert set(threading.enumerate()) == before  # the pool is shut down and joined
    requested = len(fake.calls)
    assert requested <= 2 + 4  # page 1, page 2 being read, at most a window more
    assert fake.active == 0 and len(fake.finished) == requested  # nothing in flight


def test_abandoned_iterator_is_cleaned_up_by_gc() -> None:
    before = set(threading.enumerate())
    fake = FakeOrders(5_000)
    it = run(fake, prefetch=4)
    next(it)
    next(it)
    del it
    gc.collect()
    assert set(threading.enumerate()) == before
    assert fake.active == 0


def test_error_with_prefetch_stops_the_other_pages() -> None:
    before = set(threading.enumerate())
    fake = FakeOrders(3_000)
    fake.override[3] = lambda: error_response(500, "internal", "boom")
    with pytest.raises(ServerError):
        list(run(fake, prefetch=4))
    assert set(threading.enumerate()) == before
    assert fake.active == 0


# -- async ----------------------------------------------------------------------------------------


def arun(fake: FakeOrders, **kwargs: Any) -> Any:
    kwargs.setdefault("strategy", ORDERS)
    kwargs.setdefault("params", {"order": "created_at"})
    return apaginate(
        fake.asyncio_detailed, None, data_ref="orders", envelope=list_orders_envelope(), **kwargs
    )


def _other_tasks() -> set[asyncio.Task[Any]]:
    return {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}


@pytest.mark.parametrize("prefetch", [1, 4])
async def test_async_matches_sync(prefetch: int) -> None:
    for count in (0, 7, 200, 250, 10_050):
        sync_fake, async_fake = FakeOrders(count), FakeOrders(count)
        sync_items: list[str] = []
        async_items: list[str] = []
        sync_error = async_error = None
        try:
            for order in run(sync_fake, prefetch=prefetch):
                sync_items.append(order.id)
        except PaginationLimitError as exc:
            sync_error = str(exc)
        try:
            async with arun(async_fake, prefetch=prefetch) as it:
                async for order in it:
                    async_items.append(order.id)
        except PaginationLimitError as exc:
            async_error = str(exc)
        assert async_items == sync_items and async_error == sync_error
        assert sorted(async_fake.pages_requested) == sorted(sync_fake.pages_requested)


async def test_async_pages_and_max_items() -> None:
    fake = FakeOrders(500)
    async with arun(fake, max_items=150).pages() as pages:
        got = [(p.number, len(p.items)) async for p in pages]
    assert got == [(1, 100), (2, 50)]


async def test_async_early_exit_cancels_tasks() -> None:
    fake = FakeOrders(5_000)
    async with arun(fake, prefetch=4) as it:
        async for order in it:
            if order.amount == 150:
                break
    assert _other_tasks() == set()
    assert fake.active == 0
    assert len(fake.calls) <= 2 + 4


async def test_async_aclose_while_pages_are_held() -> None:
    fake = FakeOrders(5_000)
    it = arun(fake, prefetch=4)
    await anext(it)  # page 1 read; now hold every further page
    fake.agate = asyncio.Event()
    for _ in range(99):
        await anext(it)
    task = asyncio.ensure_future(anext(it))  # blocked on page 2
    await asyncio.sleep(0.01)
    assert fake.active >= 2
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await it.aclose()
    assert _other_tasks() == set()
    assert fake.active == 0


# -- end_date cursor ------------------------------------------------------------------------------


AA = AsyncActionsListResponseBody


class FakeActions:
    """``list_async_actions``: newest first, ``end_date`` inclusive (so the boundary repeats)."""

    def __init__(self, count: int, same_ms_every: int = 1) -> None:
        # several actions may share a timestamp: ms = n // same_ms_every
        self.rows = [
            {
                **make_order(n // same_ms_every),
                "id": f"aa_{n:05d}",
                "object": "async_action",
                "type": "ORDERS.IMPORT",
            }
            for n in range(count)
        ][::-1]
        self.calls: list[dict[str, Any]] = []

    def sync_detailed(self, *, client: Any, limit: int = 10, end_date: Any = None) -> Any:
        # the generated function sends a date-time parameter as its ``isoformat()``
        end_date = None if end_date is None else end_date.isoformat()
        self.calls.append({"limit": limit, "end_date": end_date})
        rows = [r for r in self.rows if end_date is None or r["created_at"] <= end_date]
        body = {"object": "list", "data_ref": "async_actions", "async_actions": rows[:limit]}
        body["has_more"] = len(rows) > limit
        return ok_response(AsyncActionsListResponseBody.from_dict(body), body)


@pytest.mark.parametrize(("count", "same"), [(0, 1), (5, 1), (35, 1), (40, 1), (95, 3)])
def test_end_date_cursor_walks_everything_once(count: int, same: int) -> None:
    fake = FakeActions(count, same_ms_every=same)
    it = paginate(
        fake.sync_detailed,
        None,
        data_ref="async_actions",
        strategy=EndDateCursor(),
        page_size=10,
        envelope=AA,
    )
    got = [a.id for a in it]
    assert got == [r["id"] for r in fake.rows]
    assert fake.calls[0]["end_date"] is None
    assert all(call["limit"] == 10 for call in fake.calls)
    if count > 10:
        assert fake.calls[1]["end_date"] == fake.rows[9]["created_at"]


def test_end_date_cursor_stops_when_the_cursor_cannot_move(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeActions(30, same_ms_every=30)  # 30 actions in one millisecond, pages of 10
    it = paginate(
        fake.sync_detailed,
        None,
        data_ref="async_actions",
        strategy=EndDateCursor(),
        page_size=10,
        envelope=AA,
    )
    with caplog.at_level("WARNING", logger="voucherify"):
        got = [a.id for a in it]
    assert len(got) == 10 and "did not move" in caplog.text


def test_end_date_cursor_formats_datetimes_in_utc_with_milliseconds() -> None:
    fake = FakeActions(25)
    list(
        paginate(
            fake.sync_detailed,
            None,
            data_ref="async_actions",
            strategy=EndDateCursor(),
            page_size=10,
            envelope=AA,
        )
    )
    assert fake.calls[1]["end_date"].endswith("Z") and "." in fake.calls[1]["end_date"]
    assert make_order(0)["created_at"] == "2026-01-01T00:00:00.000Z"


def test_end_date_cursor_can_start_before_an_instant() -> None:
    fake = FakeActions(25)
    start = fake.rows[4]["created_at"]  # the 5th newest: the walk starts just before it
    naive = datetime.datetime.fromisoformat(start.replace("Z", ""))  # naive means UTC
    for end_date in (
        start,
        naive,
        naive.replace(tzinfo=datetime.UTC).astimezone(datetime.timezone(datetime.timedelta(hours=2))),
    ):
        fake.calls.clear()
        got = [
            a.id
            for a in paginate(
                fake.sync_detailed,
                None,
                data_ref="async_actions",
                strategy=EndDateCursor(end_date=end_date),
                page_size=10,
                envelope=AA,
            )
        ]
        assert fake.calls[0]["end_date"] == start  # UTC, milliseconds, "Z"
        assert got == [r["id"] for r in fake.rows[4:]]  # the fake's end_date is inclusive


def test_params_may_not_set_the_cursor() -> None:
    with pytest.raises(ConfigurationError, match=r"end_date.*EndDateCursor"):
        paginate(
            FakeActions(1).sync_detailed,
            None,
            data_ref="async_actions",
            strategy=EndDateCursor(),
            params={"end_date": "2026-01-01"},
            envelope=AA,
        )


def test_instant_isoformat_is_voucherify_style() -> None:
    when = datetime.datetime(
        2026, 1, 2, 4, 4, 5, 678_901, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
    )
    assert Instant.of(when).isoformat() == "2026-01-02T03:04:05.678Z"
    assert Instant.of(datetime.date(2026, 1, 2)).isoformat() == "2026-01-02T00:00:00.000Z"
