"""Logical time: a ManualClock drives everything time-based in the sandbox."""

from __future__ import annotations

import asyncio
import threading
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from voucherify_ext import AsyncVoucherify, Voucherify
from voucherify_ext.sandbox import ManualClock, Sandbox, SandboxConfig, create_app, serve
from voucherify_ext.sandbox.clock import DEFAULT_START
from voucherify_ext.sandbox.util import parse_iso


def test_manual_clock_starts_where_told_and_only_moves_forward() -> None:
    assert ManualClock()() == DEFAULT_START
    clock = ManualClock(100.0)
    assert clock() == 100.0 and clock() == 100.0  # reading does not move it
    assert clock.advance(2.5) == 102.5 and clock() == 102.5
    for bad in (-0.001, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="forward"):
            clock.advance(bad)
    with pytest.raises(ValueError):
        ManualClock(float("nan"))
    assert clock() == 102.5
    assert "102.500" in repr(clock)


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), max_size=50))
def test_manual_clock_is_the_sum_of_its_advances(steps: list[float]) -> None:
    clock = ManualClock(0.0)
    seen = [clock()]
    for step in steps:
        seen.append(clock.advance(step))
    assert seen == sorted(seen)
    assert clock() == pytest.approx(sum(steps))


def test_manual_clock_is_thread_safe() -> None:
    clock = ManualClock(0.0)

    def work() -> None:
        for _ in range(2000):
            clock.advance(1.0)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert clock() == 16000.0


def _action(client: httpx.Client, action_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/v1/async-actions/{action_id}").json()
    return body


def test_imports_progress_only_when_the_clock_moves(
    sb: Sandbox, clock: ManualClock, raw: httpx.Client
) -> None:
    sb.set_import_speed(100)
    action_id = raw.post("/v1/orders/import", json=[{"source_id": f"o{i}"} for i in range(50)]).json()[
        "async_action_id"
    ]
    action = _action(raw, action_id)
    assert action["status"] == "IN_PROGRESS" and action["progress"] == 0
    assert parse_iso(action["created_at"]) == int(clock() * 1000)
    assert sb.count_orders() == 0
    sb.advance(0.25)
    assert sb.count_orders() == 25 and _action(raw, action_id)["progress"] == 50
    sb.advance(0.25)
    action = _action(raw, action_id)
    assert action["status"] == "DONE" and action["processing_time"] == 500
    assert sb.count_orders() == 50


def test_exports_fall_due_on_the_clock(sb: Sandbox, clock: ManualClock, raw: httpx.Client) -> None:
    export_id = raw.post("/v1/orders/export", json={}).json()["id"]
    assert raw.get(f"/v1/exports/{export_id}").json()["status"] == "SCHEDULED"
    clock.advance(0.05)
    assert raw.get(f"/v1/exports/{export_id}").json()["status"] == "IN_PROGRESS"
    clock.advance(0.05)
    assert raw.get(f"/v1/exports/{export_id}").json()["status"] == "DONE"


def test_rate_limit_windows_follow_the_clock(sb: Sandbox, clock: ManualClock, raw: httpx.Client) -> None:
    sb.set_rate_limit("2/min")
    assert [raw.get("/v1/orders").status_code for _ in range(3)] == [200, 200, 429]
    limited = raw.get("/v1/orders")
    assert limited.headers["Retry-After"] == "60"
    assert int(limited.headers["X-Rate-Limit-Retry"]) == int(DEFAULT_START) + 60
    sb.advance(59.9)
    assert raw.get("/v1/orders").status_code == 429
    sb.advance(0.1)
    assert raw.get("/v1/orders").status_code == 200


def test_oauth_tokens_expire_on_the_clock(sb: Sandbox, clock: ManualClock) -> None:
    with httpx.Client(base_url=sb.url, timeout=10) as c:
        token = c.post(
            "/v1/oauth/token", data={"grant_type": "client_credentials"}, headers=sb.headers
        ).json()
        assert token["expires_at"] == int(DEFAULT_START) + 900
        bearer = {"Authorization": f"Bearer {token['access_token']}"}
        sb.advance(899)
        assert c.get("/v1/orders", headers=bearer).status_code == 200
        sb.advance(1)
        assert c.get("/v1/orders", headers=bearer).status_code == 401


def test_date_header_is_the_sandbox_clock_once(sb: Sandbox, clock: ManualClock, raw: httpx.Client) -> None:
    """One Date header (uvicorn's own is off), from the sandbox clock, on every API response."""
    sb.advance(3600.4)
    response = raw.get("/v1/orders")
    assert len(response.headers.get_list("date")) == 1
    assert parsedate_to_datetime(response.headers["date"]).timestamp() == int(DEFAULT_START) + 3600
    error = raw.get("/v1/orders/nope")
    assert error.status_code == 404
    assert parsedate_to_datetime(error.headers["date"]).timestamp() == int(DEFAULT_START) + 3600


def test_serve_takes_a_clock_and_advance_needs_a_manual_one() -> None:
    clock = ManualClock(2_000_000_000.0)
    with serve(clock=clock) as sandbox:
        assert sandbox.clock is clock
        with httpx.Client(base_url=sandbox.url, headers=sandbox.headers) as c:
            created = c.post("/v1/orders", json={"source_id": "a"}).json()
        assert parse_iso(created["created_at"]) == 2_000_000_000_000
        assert sandbox.advance(5) == 2_000_000_005.0
    with serve() as real, pytest.raises(TypeError, match="ManualClock"):
        real.advance(1)


async def test_create_app_takes_a_clock() -> None:
    clock = ManualClock()
    app = create_app(SandboxConfig(), clock=clock)
    transport = httpx.ASGITransport(app=app)
    headers = {"X-App-Id": "sandbox-app-id", "X-App-Token": "sandbox-app-token"}
    async with httpx.AsyncClient(transport=transport, base_url="http://sb", headers=headers) as c:
        first = (await c.post("/v1/orders", json={"source_id": "a"})).json()
        clock.advance(10)
        second = (await c.post("/v1/orders", json={"source_id": "b"})).json()
        response = await c.get("/v1/orders")
    assert parse_iso(second["created_at"]) - parse_iso(first["created_at"]) == 10_000  # type: ignore[operator]
    assert parsedate_to_datetime(response.headers["date"]).timestamp() == int(DEFAULT_START) + 10
    with pytest.raises(ValueError, match="not both"):
        create_app(state=app.state.sandbox, clock=clock)


def test_use_clock_switches_and_resets(sb: Sandbox) -> None:
    sb.seed_orders(3)
    clock = ManualClock()
    sb.use_clock(clock)
    try:
        assert sb.count_orders() == 0 and sb.clock is clock
    finally:
        sb.use_clock(None)
    assert sb.clock is not clock


def test_plugin_fixture_puts_the_sandbox_in_logical_time(
    voucherify_sandbox: Sandbox, voucherify_sandbox_clock: ManualClock
) -> None:
    assert voucherify_sandbox.clock is voucherify_sandbox_clock
    with httpx.Client(base_url=voucherify_sandbox.url, headers=voucherify_sandbox.headers) as c:
        voucherify_sandbox.advance(42)
        order = c.post("/v1/orders", json={"source_id": "t"}).json()
    assert parse_iso(order["created_at"]) == int((DEFAULT_START + 42) * 1000)


def test_sleeping_on_a_manual_clock_moves_it() -> None:
    clock = ManualClock(0.0)
    clock.sleep(1.5)
    clock.sleep(-3)  # a negative wait is no wait, as for time.sleep's callers
    clock.sleep(0)
    assert clock() == 1.5
    with pytest.raises(ValueError):
        clock.sleep(float("nan"))


async def test_async_sleep_on_a_manual_clock_moves_it_and_lets_others_run() -> None:
    clock = ManualClock(0.0)
    order: list[str] = []

    async def other() -> None:
        order.append("other")

    task = asyncio.create_task(other())
    await clock.asleep(2.0)
    order.append("after sleep")
    await task
    assert clock() == 2.0 and order == ["other", "after sleep"]


def test_plugin_client_waits_on_the_sandbox_clock(
    voucherify_client: Voucherify, voucherify_sandbox: Sandbox, voucherify_sandbox_clock: ManualClock
) -> None:
    """With ``voucherify_sandbox_clock`` the client's waits move the sandbox clock and none
    passes in real time: 6 requests at 2/s take 2 s of sandbox time (a client on real time
    waits out the 429s in real time while the sandbox clock stands still, and gives up), and
    an import of 20 orders at 1 order/s takes 20 s."""
    voucherify_sandbox.seed_orders(1, source_id_prefix="c")
    voucherify_sandbox.set_rate_limit("2/s")
    start = voucherify_sandbox_clock()
    for _ in range(6):
        assert voucherify_client.orders.get("c1").source_id == "c1"
    assert voucherify_sandbox_clock() - start >= 2
    voucherify_sandbox.set_rate_limit(None)
    voucherify_sandbox.set_import_speed(1)
    start = voucherify_sandbox_clock()
    result = voucherify_client.orders.import_orders(
        ({"source_id": f"i{i}", "amount": 1} for i in range(20)), chunk_size=10, timeout=600
    )
    assert result.done_count == 20 and voucherify_sandbox.count_orders() == 21
    assert voucherify_sandbox_clock() - start >= 20


async def test_plugin_async_client_waits_on_the_sandbox_clock(
    voucherify_async_client: AsyncVoucherify,
    voucherify_sandbox: Sandbox,
    voucherify_sandbox_clock: ManualClock,
) -> None:
    voucherify_sandbox.seed_orders(1, source_id_prefix="a")
    voucherify_sandbox.set_rate_limit("2/s")
    start = voucherify_sandbox_clock()
    for _ in range(6):
        assert (await voucherify_async_client.orders.get("a1")).source_id == "a1"
    assert voucherify_sandbox_clock() - start >= 2
    voucherify_sandbox.set_rate_limit(None)
    voucherify_sandbox.set_import_speed(1)
    start = voucherify_sandbox_clock()
    result = await voucherify_async_client.orders.import_orders(
        [{"source_id": f"i{i}", "amount": 1} for i in range(20)], chunk_size=10, timeout=600
    )
    assert result.done_count == 20 and voucherify_sandbox.count_orders() == 21
    assert voucherify_sandbox_clock() - start >= 20
