"""Async actions: get, wait (progress, FAILED, deadline and resume), iter over the list."""

from __future__ import annotations

import httpx
import pytest
import respx

from voucherify_ext.async_actions.actions import AsyncActions
from voucherify_ext.client import Voucherify
from voucherify_ext.polling import AsyncActionFailedError, JobTimeoutError, PollSchedule
from voucherify_ext.sandbox import ManualClock, Sandbox

from .conftest import FakeClock, no_sleep, orders


def _import(vf: Voucherify, count: int, prefix: str = "o") -> str:
    from voucherify_client.api.orders import import_orders
    from voucherify_client.models import OrdersImportCreateRequestBodyItem

    body = [OrdersImportCreateRequestBodyItem.from_dict(o) for o in orders(count, prefix)]
    response = import_orders.sync_detailed(client=vf.client, body=body)
    assert response.status_code == 200
    return response.parsed.async_action_id  # type: ignore[union-attr]


def test_wait_returns_the_result_and_reports_progress(vf: Voucherify, sb: Sandbox) -> None:
    sb.set_import_speed(4000)  # 1,000 orders take 0.25 s
    action_id = _import(vf, 1000)
    seen: list[int] = []
    action = AsyncActions(vf.client, schedule=PollSchedule(0.02, 1.5, 0.05)).wait(
        action_id, timeout=30, on_progress=seen.append
    )
    assert str(action.status) == "DONE"
    assert action.result["done_count"] == 1000  # type: ignore[index]
    assert seen == sorted(seen) and seen[-1] == 100 and len(seen) >= 2


def test_polling_interval_grows_to_the_cap_and_stops_at_the_deadline(vf: Voucherify, sb: Sandbox) -> None:
    sb.set_import_speed(0.001)  # never finishes
    action_id = _import(vf, 10)
    clock = FakeClock()
    actions = AsyncActions(vf.client, sleep=clock.sleep, clock=clock)
    with pytest.raises(JobTimeoutError) as caught:
        actions.wait(action_id, timeout=60)
    assert caught.value.job_id == action_id and caught.value.timeout == 60
    assert clock.sleeps[:3] == [1.0, 1.5, 2.25]
    assert max(clock.sleeps) == 10.0
    assert sum(clock.sleeps) == pytest.approx(60.0)
    assert action_id in str(caught.value)


def test_a_second_wait_resumes_after_the_deadline(vf: Voucherify, sb: Sandbox) -> None:
    # The sandbox in logical time: the import cannot finish during the first wait however slow
    # the machine is (in real time, 0.5 s of import could pass before the first wait timed out).
    sb.use_clock(ManualClock())
    try:
        sb.set_import_speed(2000)  # 1,000 orders: 0.5 s on the sandbox's clock
        action_id = _import(vf, 1000)
        clock = FakeClock()  # the first wait's own clock: its 5 s pass at once, the sandbox's do not
        with pytest.raises(JobTimeoutError) as caught:
            AsyncActions(vf.client, sleep=clock.sleep, clock=clock).wait(action_id, timeout=5)
        assert str(caught.value.last.status) in ("ENQUEUED", "IN_PROGRESS")
        sb.advance(1)
        again = AsyncActions(vf.client, schedule=PollSchedule(0.05, 1.5, 0.2)).wait(
            caught.value.job_id, timeout=30
        )
        assert str(again.status) == "DONE" and again.result["done_count"] == 1000  # type: ignore[index]
    finally:
        sb.use_clock(None)


def test_failed_action_raises_with_its_result() -> None:
    body = {
        "id": "aa_1",
        "type": "ORDERS.IMPORT",
        "status": "FAILED",
        "operation_status": "FAILED",
        "progress": 40,
        "result": {"message": "Import failed: quota", "done_count": 0, "failed_count": 2, "failed": []},
        "object": "async_action",
    }
    with respx.mock(base_url="https://api.voucherify.io") as mock:
        route = mock.get("/v1/async-actions/aa_1")
        route.side_effect = [
            httpx.Response(200, json={**body, "status": "IN_PROGRESS", "result": None, "progress": 10}),
            httpx.Response(200, json=body),
        ]
        with Voucherify(app_id="i", app_token="t", sleep=no_sleep) as vf:
            clock = FakeClock()
            with pytest.raises(AsyncActionFailedError) as caught:
                AsyncActions(vf.client, sleep=clock.sleep, clock=clock).wait("aa_1")
    error = caught.value
    assert error.job_id == "aa_1"
    assert error.result == body["result"]
    assert str(error.action.status) == "FAILED"
    assert "Import failed: quota" in str(error)


def test_transient_poll_failures_are_retried(vf: Voucherify, sb: Sandbox) -> None:
    action_id = _import(vf, 5)
    sb.inject("invalid_json", method="GET", path=f"/v1/async-actions/{action_id}", times=2)
    action = AsyncActions(vf.client, sleep=no_sleep).wait(action_id, timeout=30)
    assert str(action.status) == "DONE"


def test_iter_walks_the_list_with_the_end_date_cursor(vf: Voucherify, sb: Sandbox) -> None:
    ids = [_import(vf, 1, prefix=f"i{n}-") for n in range(7)]
    listed = list(AsyncActions(vf.client).iter(limit=3))
    assert [a.id for a in listed] == list(reversed(ids))
    assert all(str(a.type_) == "ORDERS.IMPORT" for a in listed)
    assert sb.request_count("GET", "/v1/async-actions") >= 3
    assert AsyncActions(vf.client).get(ids[0]).id == ids[0]


def test_the_facade_polls_with_the_clients_injected_sleep_and_clock(sb: Sandbox) -> None:
    # Voucherify(sleep=..., clock=...) reaches vf.async_actions, imports and exports: a
    # deadline on the injected clock passes without any real waiting.
    sb.set_import_speed(0.001)  # never finishes
    clock = FakeClock()
    with Voucherify(
        app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, sleep=clock.sleep, clock=clock
    ) as vf:
        action_id = _import(vf, 10)
        with pytest.raises(JobTimeoutError):
            vf.async_actions.wait(action_id, timeout=30)
        assert clock.sleeps and sum(clock.sleeps) == pytest.approx(30, abs=10)
        clock.sleeps.clear()
        result = vf.orders.import_orders(orders(5, "facade"), wait=False)
        assert result.async_action_ids and clock.sleeps == []  # nothing to wait for
        sb.state.export_delay = 10_000.0  # the export never becomes ready either
        with pytest.raises(JobTimeoutError):
            vf.orders.export(fields=["id"], timeout=20)
        assert clock.sleeps and sum(clock.sleeps) == pytest.approx(20, abs=10)
