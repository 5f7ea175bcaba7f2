"""Iteration that says when it cannot be trusted (issue 12, finding 4).

Found: ``vf.orders.iter(order="updated_at")`` while updating each order as it is processed (a
"mark as synced" loop) yielded 200 of 300 orders and skipped 100 untouched ones, silently; a
``total`` lower than the items served stopped the iteration after page 1, silently.

Proven here: on the loopback sandbox, the mark-as-synced loop warns (sync and async, items and
pages, the warning at the caller's line) or raises with ``on_drift="raise"``; the orders where
nothing can be skipped do not warn; a total behind the pages warns and the iteration reads on.
Then, searching: whatever creates and updates are interleaved with the page reads (on the
sandbox, and on a model of the list where pages may also be served out of order, as with
prefetch), either every order present throughout is yielded or a drift was reported.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voucherify_ext import AsyncVoucherify, PaginationDriftError, PaginationDriftWarning, Voucherify
from voucherify_ext.errors import ConfigurationError
from voucherify_ext.orders.pages import ORDERS_STRATEGY
from voucherify_ext.pagination import PageNumbers, RawPage, Verdict, paginate
from voucherify_ext.sandbox import Sandbox

from .conftest import FakeOrders

SYNCED = {"metadata": {"synced": True}}


def stored(sandbox: Sandbox) -> set[str]:
    return {order["id"] for order in sandbox.orders()}


# ---------------------------------------------------------------------- the finding, on the sandbox


def test_mark_as_synced_by_updated_at_warns_at_the_callers_line(vf: Voucherify, sandbox: Sandbox) -> None:
    sandbox.seed_orders(300)
    seen: list[str] = []
    with pytest.warns(PaginationDriftWarning) as caught, vf.orders.iter(order="updated_at") as orders:
        for order in orders:  # the line the warning must point at
            seen.append(order.id)
            vf.orders.update(order.id, SYNCED)
    missed = stored(sandbox) - set(seen)
    assert len(missed) == 100  # the finding itself, still true: only now it is not silent
    [warning] = caught
    event = warning.message
    assert isinstance(event, PaginationDriftWarning)
    assert (event.kind, event.page, event.order, event.count) == ("repeat", 3, "updated_at", len(missed))
    text = str(event)
    assert "order='created_at'" in text and "export" in text and "changed since" in text
    assert warning.filename == __file__, "the warning points at the caller, not at voucherify_ext"
    assert orders.drift == [event]


def test_mark_as_synced_by_pages_warns_too(vf: Voucherify, sandbox: Sandbox) -> None:
    sandbox.seed_orders(250)
    seen: list[str] = []
    warns = pytest.warns(PaginationDriftWarning, match="page 2 repeated 50 orders")
    with warns as caught, vf.orders.iter_pages(order="updated_at", page_size=100) as pages:
        for page in pages:
            for order in page.items:
                seen.append(order.id)
                vf.orders.update(order.id, SYNCED)
    assert len(caught) == 1 and caught[0].filename == __file__  # one warning per iteration
    # every repeat is recorded: run to its end, the repeats count exactly the orders skipped
    missed = stored(sandbox) - set(seen)
    assert [(e.page, e.count) for e in pages.paginator.drift] == [(2, 50), (3, 50)]
    assert sum(e.count for e in pages.paginator.drift) == len(missed) == 100


async def test_mark_as_synced_async_warns_at_the_callers_line(avf: AsyncVoucherify, sandbox: Sandbox) -> None:
    sandbox.seed_orders(300)
    seen: list[str] = []
    with pytest.warns(PaginationDriftWarning) as caught:
        async with avf.orders.iter(order="updated_at") as orders:
            async for order in orders:
                seen.append(order.id)
                await avf.orders.update(order.id, SYNCED)
    assert len(stored(sandbox) - set(seen)) == 100
    assert [w.message.kind for w in caught] == ["repeat"]  # type: ignore[union-attr]
    assert caught[0].filename == __file__


def test_on_drift_raise_stops_with_a_typed_error(vf: Voucherify, sandbox: Sandbox) -> None:
    sandbox.seed_orders(300)
    seen: list[str] = []
    with pytest.raises(PaginationDriftError) as caught, warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning on top of the error
        for order in vf.orders.iter(order="updated_at", on_drift="raise"):
            seen.append(order.id)
            vf.orders.update(order.id, SYNCED)
    assert len(seen) == 200
    assert (caught.value.kind, caught.value.page, caught.value.count) == ("repeat", 3, 100)


def test_on_drift_ignore_only_records(vf: Voucherify, sandbox: Sandbox) -> None:
    sandbox.seed_orders(300)
    orders = vf.orders.iter(order="updated_at", on_drift="ignore")
    with warnings.catch_warnings(), orders:
        warnings.simplefilter("error")
        for order in orders:
            vf.orders.update(order.id, SYNCED)
    assert [(e.kind, e.count) for e in orders.drift] == [("repeat", 100)]


@pytest.mark.parametrize("order", ["created_at", "-created_at", "-updated_at"])
def test_orders_where_marking_skips_nothing_do_not_warn(vf: Voucherify, sandbox: Sandbox, order: str) -> None:
    """By creation time a position never moves; newest-updated first, an updated order goes to
    the front, among the ones already read: nothing is skipped, so nothing is reported."""
    sandbox.seed_orders(300)
    seen: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with vf.orders.iter(order=order) as orders:
            for order_ in orders:
                seen.append(order_.id)
                vf.orders.update(order_.id, SYNCED)
    assert sorted(seen) == sorted(stored(sandbox)) and orders.drift == []


def test_creating_while_iterating_newest_first_does_not_warn(vf: Voucherify, sandbox: Sandbox) -> None:
    sandbox.seed_orders(250)
    seen: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for page in vf.orders.iter_pages(order="-created_at"):
            seen += [o.id for o in page.items]
            vf.orders.create({"source_id": f"new-{page.number}", "amount": 1})
    assert len(seen) == len(set(seen)) == 250  # the 250 present throughout, each once


def test_on_drift_is_checked_before_anything_is_sent(vf: Voucherify, sandbox: Sandbox) -> None:
    with pytest.raises(ConfigurationError, match="on_drift"):
        vf.orders.iter(on_drift="loud")  # type: ignore[arg-type]
    assert sandbox.request_count("GET", "/v1/orders") == 0


# ---------------------------------------------------------------------- a total behind the pages


def test_a_total_lower_than_the_items_served_warns_and_reads_on() -> None:
    fake = FakeOrders(300, total_offset=-250)  # every page says total=50
    it = paginate(
        fake.sync_detailed, None, data_ref="orders", strategy=ORDERS_STRATEGY, params={"order": "created_at"}
    )
    with pytest.warns(PaginationDriftWarning, match="total=50: the total is behind the pages") as caught:
        got = [order.id for order in it]
    assert got == [order["id"] for order in fake.orders]  # was: the 100 of page 1, silently
    assert fake.pages_requested == [1, 2, 3, 4]  # read until the empty page
    assert [(w.message.kind, w.message.page) for w in caught] == [("total_contradicted", 1)]  # type: ignore[union-attr]


def test_a_total_behind_the_pages_with_prefetch_reads_on_in_order() -> None:
    fake = FakeOrders(250, total_offset=-200)
    it = paginate(
        fake.sync_detailed,
        None,
        data_ref="orders",
        strategy=ORDERS_STRATEGY,
        params={"order": "created_at"},
        prefetch=4,
    )
    with pytest.warns(PaginationDriftWarning):
        got = [order.id for order in it]
    assert got == [order["id"] for order in fake.orders]


# ---------------------------------------------------------------------- searching: the sandbox

SANDBOX_RUNS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ACTIONS = st.lists(
    st.tuples(st.sampled_from(["update_seen", "update_any", "create"]), st.integers(0, 10**6)), max_size=6
)


@SANDBOX_RUNS
@given(
    count=st.integers(0, 30),
    page_size=st.integers(1, 8),
    order=st.sampled_from(["created_at", "-created_at", "updated_at", "-updated_at"]),
    between=st.lists(ACTIONS, min_size=1, max_size=12),
)
def test_interleaved_writes_on_the_sandbox_never_miss_silently(
    vf: Voucherify,
    sandbox: Sandbox,
    count: int,
    page_size: int,
    order: str,
    between: list[list[tuple[str, int]]],
) -> None:
    sandbox.reset()
    sandbox.seed_orders(count)
    present = stored(sandbox)
    seen: list[str] = []
    made = 0
    with vf.orders.iter_pages(order=order, page_size=page_size, on_drift="ignore") as pages:
        for number, page in enumerate(pages):
            seen += [o.id for o in page.items]
            for action, pick in between[number % len(between)]:
                if action == "create" and made < 10:  # a bounded run: far from page 100
                    made += 1
                    vf.orders.create({"source_id": f"made-{made}", "amount": 1})
                elif action == "update_seen" and seen:
                    vf.orders.update(seen[pick % len(seen)], SYNCED)
                elif action == "update_any" and present:
                    vf.orders.update(sorted(present)[pick % len(present)], SYNCED)
    assert len(seen) == len(set(seen))
    missed = present - set(seen)
    assert not missed or pages.paginator.drift, f"{len(missed)} of {len(present)} missed, nothing reported"
    if not pages.paginator.drift and order.lstrip("-") == "created_at":
        assert not missed


# ---------------------------------------------------------------------- searching: a model list

SORTS = ["created_at", "-created_at", "updated_at", "-updated_at", "status", "-status", None]


class ModelList:
    """A list with the server's semantics: items sorted by the key (ties by id), ``total`` its
    length, and a history of versions, so that each page can be served from any moment (pages
    in flight at once are served in any order)."""

    def __init__(self, count: int) -> None:
        self.clock = count
        self.items = {
            f"o{n:03d}": {"id": f"o{n:03d}", "created_at": n, "updated_at": n, "status": "A"}
            for n in range(count)
        }
        self.versions = [self._snapshot()]

    def _snapshot(self) -> dict[str, dict[str, Any]]:
        return {k: dict(v) for k, v in self.items.items()}

    def apply(self, action: str, pick: int, seen: list[str]) -> None:
        self.clock += 1
        if action == "create" and len(self.items) < 80:  # creates stay within the page-100 ceiling
            key = f"n{self.clock:04d}"
            self.items[key] = {"id": key, "created_at": self.clock, "updated_at": self.clock, "status": "A"}
        elif action != "create":
            pool = seen if action == "update_seen" else sorted(self.items)
            if not pool:
                return
            item = self.items[pool[pick % len(pool)]]
            item["updated_at"] = self.clock
            item["status"] = "ABC"[pick % 3]
        self.versions.append(self._snapshot())

    @staticmethod
    def page(
        version: dict[str, dict[str, Any]], sort: str | None, number: int, size: int
    ) -> list[dict[str, Any]]:
        field = (sort or "-created_at").lstrip("-")
        rows = sorted(
            version.values(), key=lambda i: (i[field], i["id"]), reverse=(sort or "-").startswith("-")
        )
        return rows[(number - 1) * size : number * size]


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(
    count=st.integers(0, 40),
    size=st.integers(1, 10),
    sort=st.sampled_from(SORTS),
    out_of_order=st.booleans(),
    data=st.data(),
)
def test_any_interleaving_is_read_whole_or_reported(
    count: int, size: int, sort: str | None, out_of_order: bool, data: st.DataObject
) -> None:
    """The planner fed pages served at any moments: sequentially (prefetch=1: each page later
    than the one before) or in any order (prefetch > 1: pages in flight are served in any
    order), with creates and updates in between. Never a silent miss; and where nothing can be
    missed (no writes, or creates under ascending creation time), nothing is reported."""
    model = ModelList(count)
    present = set(model.items)
    params = {"order": sort} if sort is not None else {}
    planner = PageNumbers(noun="orders").planner(
        page_size=size, max_items=None, key=lambda i: i["id"], params=params, on_drift="ignore"
    )
    seen: list[str] = []
    limited = False
    served: list[tuple[int, int]] = []  # (version, page)
    wrote_moves = False
    while (request := planner.next_request()) is not None:
        for action, pick in data.draw(ACTIONS, label="writes before this page"):
            model.apply(action, pick, seen)
            wrote_moves = wrote_moves or action != "create"
        latest = len(model.versions) - 1
        low = 0 if out_of_order else (served[-1][0] if served else 0)
        version = data.draw(st.integers(low, latest), label="served at version")
        served.append((version, request.number or 0))
        rows = ModelList.page(model.versions[version], sort, request.number or 1, size)
        arrival = version * 1000 + (request.number or 0)  # served earlier, arrived earlier
        raw = RawPage(request, rows, len(model.versions[version]), None, arrival=arrival)
        step = planner.accept(raw)
        seen += [i["id"] for i in step.page.items]
        limited = step.verdict is Verdict.LIMIT  # page 100 reached: PaginationLimitError, not silence
        if step.verdict is not Verdict.MORE:
            break
    assert len(seen) == len(set(seen))
    missed = present - set(seen)
    assert not missed or planner.drift or limited, f"missed {sorted(missed)}, nothing reported"
    if len(model.versions) == 1 or (not wrote_moves and sort == "created_at"):
        assert not planner.drift, [str(e) for e in planner.drift]


def test_the_model_finds_the_finding() -> None:
    """The model reproduces the sandbox: 300 orders, each updated as it is read, by updated_at."""
    model = ModelList(300)
    planner = ORDERS_STRATEGY.planner(
        page_size=100,
        max_items=None,
        key=lambda i: i["id"],
        params={"order": "updated_at"},
        on_drift="ignore",
    )
    seen: list[str] = []
    while (request := planner.next_request()) is not None:
        version = len(model.versions) - 1
        rows = ModelList.page(model.versions[version], "updated_at", request.number or 1, 100)
        step = planner.accept(RawPage(request, rows, 300, None, arrival=request.number or 0))
        for item in step.page.items:
            seen.append(item["id"])
            model.apply("update_seen", len(seen) - 1, seen)
        if step.verdict is not Verdict.MORE:
            break
    assert len(set(model.items) - set(seen)) == 100
    assert [(e.kind, e.page, e.count) for e in planner.drift] == [("repeat", 3, 100)]


def test_a_strategy_written_before_drift_detection_still_works() -> None:
    """Other teams' strategies take ``planner(*, page_size, max_items, key)``: they get no new
    keywords, and their iterators report no drift."""

    class OldStyle:
        max_page_size = 100

        def planner(self, *, page_size: int, max_items: int | None, key: Any) -> Any:
            return PageNumbers().planner(page_size=page_size, max_items=max_items, key=key)

    fake = FakeOrders(150)
    it = paginate(
        fake.sync_detailed, None, data_ref="orders", strategy=OldStyle(), params={"order": "created_at"}
    )
    assert len(list(it)) == 150 and list(it.drift) == []


def test_the_warning_pickles_with_its_fields() -> None:
    import pickle

    warning = PaginationDriftWarning(
        "page 3 repeated 2 orders", kind="repeat", page=3, order="updated_at", count=2
    )
    back = pickle.loads(pickle.dumps(warning))
    assert (type(back), str(back), back.kind, back.page, back.order, back.count) == (
        PaginationDriftWarning,
        "page 3 repeated 2 orders",
        "repeat",
        3,
        "updated_at",
        2,
    )
