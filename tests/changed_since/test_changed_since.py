"""Changed-since reads against the sandbox: each id once, exactly the orders changed since the
watermark, nothing missed across runs even when orders are created and updated between pages,
the list's ceiling and its export fallback, and the checks before sending."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voucherify_ext import ChangedSinceLimitError, ConfigurationError, OrderExportRow, Voucherify
from voucherify_ext.sandbox import ManualClock, Sandbox

UTC = datetime.UTC
LIST = ("GET", "/v1/orders")


def changed_at(order: Any) -> datetime.datetime:
    """An order's last change: ``updated_at``, or ``created_at`` when never updated."""
    updated = order.updated_at if isinstance(order.updated_at, datetime.datetime) else None
    return updated or order.created_at


def server_now(clock: ManualClock) -> datetime.datetime:
    """The sandbox's time as it stamps orders: whole milliseconds, truncated."""
    return datetime.datetime.fromtimestamp(int(clock() * 1000) / 1000, UTC)


def all_orders(vf: Voucherify) -> dict[str, Any]:
    return {o.id: o for o in vf.orders.iter(order="created_at")}


# step: ("create", n) | ("update", index) | ("tick", ms); applied before the read or after
# the k-th order the read yields (so between pages too, with pages of 3)
STEP = st.one_of(
    st.tuples(st.just("create"), st.integers(1, 3)),
    st.tuples(st.just("update"), st.integers(0, 10_000)),
    st.tuples(st.just("tick"), st.integers(0, 9_000)),  # past the 5 s skew
)
RUN = st.tuples(
    st.lists(STEP, max_size=6),  # before the read
    st.dictionaries(st.integers(0, 12), st.lists(STEP, min_size=1, max_size=3), max_size=4),  # during
)


class World:
    """The test's knowledge of what changed: ids changed since they were last yielded."""

    def __init__(self, vf: Voucherify, clock: ManualClock) -> None:
        self.vf = vf
        self.clock = clock
        self.ids: list[str] = []
        self.count = 0

    def apply(self, step: tuple[str, int], touched: set[str]) -> None:
        kind, n = step
        self.clock.advance(0.001)  # distinct millisecond timestamps
        if kind == "create":
            for _ in range(n):
                self.count += 1
                created = self.vf.orders.create({"source_id": f"o-{self.count}", "amount": self.count})
                assert isinstance(created.id, str)
                self.ids.append(created.id)
                touched.add(created.id)
        elif kind == "update" and self.ids:
            order_id = self.ids[n % len(self.ids)]
            self.vf.orders.update(order_id, {"metadata": {"n": n}})
            touched.add(order_id)
        elif kind == "tick":
            self.clock.advance(n / 1000)


@pytest.mark.parametrize("field", ["updated_since", "created_since"])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(runs=st.lists(RUN, min_size=1, max_size=4))
def test_runs_from_the_watermark_yield_each_change_once_and_miss_none(
    vf: Voucherify, sandbox: Sandbox, clock: ManualClock, field: str, runs: list[Any]
) -> None:
    sandbox.reset()
    world = World(vf, clock)
    world.apply(("create", 3), set())
    clock.advance(10)
    since = server_now(clock)
    updates = field == "updated_since"
    key = changed_at if updates else (lambda o: o.created_at)
    for before, during in [*runs, ([], {})]:  # a last quiet run: nothing changes while it reads
        for step in before:
            world.apply(step, set())
        at_start = all_orders(vf)
        it = vf.orders.iter(**{field: since}, page_size=3)
        touched: set[str] = set()
        yielded: list[str] = []
        for k, order in enumerate(it):
            assert isinstance(order.id, str)
            assert key(order) >= since, f"{order.id} changed before since"
            yielded.append(order.id)
            for step in during.get(k, []):
                world.apply(step, touched)
        assert len(yielded) == len(set(yielded)), "an id was yielded twice"
        stored = all_orders(vf)
        # orders that moved during the read may be missed by it (never by the next one);
        # by created_at nothing moves but the new orders
        moved = touched if updates else set()
        due = {i for i, o in at_start.items() if key(o) >= since and i not in moved}
        assert due <= set(yielded), f"missed {due - set(yielded)}"
        if not touched:  # nothing changed while it read: exactly the orders changed since
            assert set(yielded) == {i for i, o in stored.items() if key(o) >= since}
        assert it.watermark is not None
        changed_during = {i for i in touched if i in stored and (updates or i not in at_start)}
        late = {i for i in changed_during if key(stored[i]) < it.watermark}
        assert not late, f"changed during the read but before the watermark: {late}"
        since = it.watermark


def test_stops_at_the_first_older_order(vf: Voucherify, sandbox: Sandbox, clock: ManualClock) -> None:
    seeded = sandbox.seed_orders(50)
    clock.advance(1)
    vf.orders.update(seeded[0], {"metadata": {"old": True}})  # updated, but before `since`
    clock.advance(10)
    since = server_now(clock)
    new = vf.orders.create({"source_id": "new", "amount": 1})
    created = vf.orders.iter(created_since=since, page_size=10)
    assert [o.id for o in created] == [new.id]
    assert created.pages_read == 1
    updated = vf.orders.iter(updated_since=since, page_size=10)
    assert [o.id for o in updated] == [new.id]
    assert updated.pages_read == 2  # one page per pass: the second stops at the old update


def test_never_updated_orders_do_not_stop_the_updated_pass(
    vf: Voucherify, sandbox: Sandbox, clock: ManualClock
) -> None:
    """Where the API puts ``updated_at: null`` in a sort by ``-updated_at`` is not documented,
    so a never-updated order is skipped, never taken as the end: the update behind it is read."""
    sandbox.seed_orders(12)
    clock.advance(10)
    since = server_now(clock)
    clock.advance(1)
    sandbox.seed_orders(2, source_id_prefix="fresh-")  # never updated, created since
    stored = list(all_orders(vf))
    vf.orders.update(stored[0], {"metadata": {"late": True}})  # an old order, updated since
    sandbox.seed_orders(1, source_id_prefix="newest-")
    ids = [o.id for o in vf.orders.iter(updated_since=since, page_size=2)]
    assert len(ids) == len(set(ids)) == 4 and stored[0] in ids


@pytest.mark.parametrize("field", ["created_since", "updated_since"])
def test_past_the_ceiling_a_typed_error_says_what_to_pass(
    vf: Voucherify, sandbox: Sandbox, clock: ManualClock, field: str
) -> None:
    since = _changed_past_ceiling(vf, sandbox, clock, field)
    requests = sandbox.request_count(*LIST)
    it = vf.orders.iter(**{field: since}, page_size=2)
    with pytest.raises(ChangedSinceLimitError, match="beyond_list='export'") as caught:
        list(it)
    assert caught.value.yielded == 200
    assert "no items" in str(caught.value)
    assert sandbox.request_count(*LIST) - requests == it.pages_read == 100 + (field == "updated_since")


@pytest.mark.parametrize("field", ["created_since", "updated_since"])
def test_past_the_ceiling_the_export_reads_the_rest_as_rows_without_items(
    vf: Voucherify, sandbox: Sandbox, clock: ManualClock, field: str
) -> None:
    since = _changed_past_ceiling(vf, sandbox, clock, field)
    it = vf.orders.iter(**{field: since}, page_size=2, beyond_list="export")
    got = list(it)
    ids = [o["id"] if isinstance(o, dict) else o.id for o in got]
    assert len(ids) == len(set(ids)) == 205
    stored = all_orders(vf)
    key = changed_at if field == "updated_since" else (lambda o: o.created_at)
    assert set(ids) == {i for i, o in stored.items() if key(o) >= since}
    rows: list[OrderExportRow] = [o for o in got if isinstance(o, dict)]
    assert len(rows) == 5 and it.source == "export"
    assert all("items" not in row and isinstance(row["created_at"], datetime.datetime) for row in rows)


def _changed_past_ceiling(
    vf: Voucherify, sandbox: Sandbox, clock: ManualClock, field: str
) -> datetime.datetime:
    """205 orders changed since the returned time (created, or old ones updated), and 3 older."""
    old = sandbox.seed_orders(3 if field == "created_since" else 208, source_id_prefix="old-")
    clock.advance(10)
    since = server_now(clock)
    clock.advance(1)  # seeded orders are stamped just before the clock's time
    if field == "created_since":
        sandbox.seed_orders(205, source_id_prefix="new-")
    else:
        for source_id in old[3:]:
            clock.advance(0.001)
            vf.orders.update(source_id, {"metadata": {"touched": True}})
    return since


def test_checks_before_sending(vf: Voucherify, sandbox: Sandbox) -> None:
    now = datetime.datetime.now(UTC)
    for kwargs in (
        {"updated_since": now.replace(tzinfo=None)},
        {"created_since": "2026-01-01"},
        {"updated_since": now, "created_since": now},
        {"updated_since": now, "page_size": 0},
        {"updated_since": now, "page_size": 101},
        {"updated_since": now, "beyond_list": "csv"},
        {"updated_since": now, "order": "-updated_at"},
    ):
        with pytest.raises(ConfigurationError):
            vf.orders.iter(**kwargs)  # type: ignore[call-overload]
    assert sandbox.request_count(*LIST) == 0


def test_async_twin(sandbox: Sandbox, clock: ManualClock) -> None:
    from voucherify_ext import AsyncVoucherify

    sandbox.seed_orders(5)
    clock.advance(10)
    since = server_now(clock)
    clock.advance(1)
    fresh = set(sandbox.seed_orders(4, source_id_prefix="fresh-"))

    async def main() -> tuple[list[str], datetime.datetime | None]:
        async with AsyncVoucherify(
            app_id=sandbox.app_id, app_token=sandbox.app_token, base_url=sandbox.url
        ) as avf:
            changed = avf.orders.iter(updated_since=since, page_size=3)
            ids = [o.id async for o in changed if not isinstance(o, dict) and isinstance(o.id, str)]
            return ids, changed.watermark

    ids, watermark = asyncio.run(main())
    assert len(ids) == len(set(ids)) and set(ids) == fresh
    assert watermark == server_now(clock).replace(microsecond=0) - datetime.timedelta(seconds=5)
