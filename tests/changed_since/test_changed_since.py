"""Changed-since reads against the sandbox: each id once, exactly the orders changed since the
watermark, nothing missed across runs even when orders are created and updated between pages,
the list's ceiling and its export fallback, and the checks before sending."""

from __future__ import annotations

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
    return datetime.datetime.fromtimestamp(clock(), UTC)


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
