"""The sans-I/O core of the live-order sync (``orders/upsert_plan.py``), driven by Hypothesis
without any I/O: any input with repeated keys (orders naming themselves by ``id``, ``source_id``
or both), any completion order, any failures. What must hold:

* no two orders in flight share a key, and each key's orders are sent in input order;
* every order is reported exactly once; nothing is in flight beyond the bound;
* an order after a failed one of its key is not sent but reported ``UpsertBlockedError``;
* with ``stop_on_error`` nothing is sent after the first failure is known.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from voucherify_ext.errors import UpsertBlockedError
from voucherify_ext.orders.upsert_plan import UpsertCore
from voucherify_ext.orders.upsert_results import UpsertResult
from voucherify_ext.orders.upsert_source import Prepared, open_source


def _order(kind: int, key: int, index: int) -> dict[str, Any]:
    names = [{"id": f"o{key}"}, {"source_id": f"s{key}"}, {"id": f"o{key}", "source_id": f"s{key}"}]
    return {**names[kind], "amount": index}


orders_st = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3)), min_size=1, max_size=30).map(
    lambda pairs: [_order(kind, key, i) for i, (kind, key) in enumerate(pairs)]
)


@settings(max_examples=300)
@given(
    orders=orders_st, data=st.data(), bound=st.integers(1, 5), window=st.integers(1, 8), stop=st.booleans()
)
def test_the_core_keeps_per_key_order_under_any_schedule(
    orders: list[dict[str, Any]], data: st.DataObject, bound: int, window: int, stop: bool
) -> None:
    core = UpsertCore(
        open_source(orders, allow_unknown_fields=False),
        window=window,
        stop_on_error=stop,
        checkpoint=None,
        on_progress=None,
        clock=lambda: 0.0,
    )
    in_flight: list[Prepared] = []
    sent: list[Prepared] = []
    reported: list[UpsertResult] = []
    failed_at: int | None = None
    while True:
        while len(in_flight) < bound and (job := core.take()) is not None:
            assert failed_at is None or not stop, "sent after a failure with stop_on_error"
            busy = {key for other in in_flight for key in other.keys}
            assert not busy & set(job.keys), "two writes of one order in flight together"
            in_flight.append(job)
            sent.append(job)
        reported.extend(core.outbox)
        core.outbox.clear()
        if not in_flight:
            assert core.done
            break
        job = in_flight.pop(data.draw(st.integers(0, len(in_flight) - 1)))
        fails = data.draw(st.booleans())
        status = "failed" if fails else "created"
        if fails and failed_at is None:
            failed_at = job.index
        core.finish(
            job,
            UpsertResult(job.index, job.line, job.key, status, error=RuntimeError() if fails else None),
            1,
        )
    reported.extend(core.outbox)

    indices = [r.index for r in reported]
    assert len(indices) == len(set(indices))  # each once
    if not stop:
        assert sorted(indices) == list(range(len(orders)))
    for key in {k for job in sent for k in job.keys}:
        order = [job.index for job in sent if key in job.keys]
        assert order == sorted(order), (key, order)
    failed_keys: dict[str, int] = {}
    for result in sorted(reported, key=lambda r: r.index):
        keys = {f"{f}:{orders[result.index][f]}" for f in ("id", "source_id") if f in orders[result.index]}
        earlier = [failed_keys[k] for k in keys if k in failed_keys]
        if earlier:
            assert isinstance(result.error, UpsertBlockedError), result
            assert result.index not in {job.index for job in sent}
        if result.status == "failed":
            for k in keys:
                failed_keys.setdefault(k, result.index)
