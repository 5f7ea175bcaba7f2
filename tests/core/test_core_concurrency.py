"""Rate limiting that can fail, thread and task sharing, and sync/async parity."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from voucherify_client.models import OrdersCreateResponseBody, OrdersGetResponseBody

from voucherify_ext import (
    APIConnectionError,
    APIError,
    APIResponseError,
    AsyncVoucherify,
    NotFoundError,
    ServerError,
    ValidationError,
    Voucherify,
    VoucherifyError,
)
from voucherify_ext.sandbox import Sandbox

BUDGET = 20  # the client's budget: 20 requests per second
#: What the sandbox allows in the limited runs: the client's budget twice over, so that a batch
#: of the client's next window that reaches the server early (a loaded machine delays the first
#: window's requests, which also open the connections, by more than the limiter's 50 ms jitter
#: margin) is not a 429; a client that does not wait still is (a burst of REQUESTS), and the
#: runs' lower bounds on the elapsed time are what prove the client waited.
SERVER_BUDGET = 2 * BUDGET
REQUESTS = 3 * BUDGET + 6  # comfortably more than three times the budget
THREADS = 8


def _hammer(send: Callable[[], int]) -> list[int]:
    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(lambda _: send(), range(REQUESTS)))


def test_rate_limit_control_run_sees_429s_limited_run_sees_none(sandbox: Sandbox) -> None:
    sandbox.seed_orders(1)
    sandbox.set_rate_limit(f"{SERVER_BUDGET}/s")

    # control: plain httpx at full speed collects 429s
    with httpx.Client(base_url=sandbox.url, headers=sandbox.headers) as plain:
        statuses = _hammer(lambda: plain.get("/v1/orders/seed-1").status_code)
    assert statuses.count(429) > 0, "the control run must hit the limit, or this test proves nothing"

    sandbox.set_rate_limit(f"{SERVER_BUDGET}/s")  # fresh window
    limited = Voucherify(
        app_id=sandbox.app_id,
        app_token=sandbox.app_token,
        base_url=sandbox.url,
        rate_limit=f"{BUDGET}/s",
        max_retries=0,  # a 429 would surface as an error, not be retried away
    )
    seen: list[int] = []

    def send() -> int:
        try:
            limited.orders.get("seed-1")
            return 200
        except APIError as exc:
            return exc.status_code

    started = time.monotonic()
    with limited:
        seen = _hammer(send)
    elapsed = time.monotonic() - started
    assert seen.count(429) == 0, f"{seen.count(429)} requests were rate limited"
    assert seen.count(200) == REQUESTS
    # it waited instead of hammering: at most BUDGET in any second (a token bucket, which lets
    # 2 * BUDGET through in the first second, would end about a second earlier)
    assert elapsed >= (REQUESTS // BUDGET) - 0.1


def test_many_threads_share_one_client(make_vf: Callable[..., Voucherify], sandbox: Sandbox) -> None:
    vf = make_vf(max_retries=5)
    sandbox.set_fault_rate(0.2, kinds=["status"], seed=7)  # random 500/502/503, retried
    errors: list[BaseException] = []
    done: list[str] = []
    lock = threading.Lock()

    def work(worker: int) -> None:
        for i in range(10):
            source_id = f"t{worker}-{i}"
            try:
                vf.orders.create({"source_id": source_id, "amount": i + 1})
                assert vf.orders.get(source_id).source_id == source_id
                with lock:
                    done.append(source_id)
            except BaseException as exc:  # collected for the assertion below
                with lock:
                    errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sandbox.set_fault_rate(0.0)
    # a call may still fail six times in a row; then it must be a typed error
    assert all(isinstance(e, APIError) for e in errors), errors
    assert len(errors) <= 2
    created = {o["source_id"] for o in sandbox.orders()}
    assert set(done) <= created
    assert len(created) == sandbox.count_orders()  # upserts by source_id: never a duplicate
    assert sandbox.request_count(method="POST") > 160  # faults happened and were retried


async def test_many_tasks_share_one_async_client(
    make_avf: Callable[..., AsyncVoucherify], sandbox: Sandbox
) -> None:
    sandbox.set_fault_rate(0.2, kinds=["status"], seed=11)
    async with make_avf(max_retries=4) as avf:
        results = await asyncio.gather(
            *(avf.orders.create({"source_id": f"a-{i}", "amount": 1}) for i in range(60)),
            return_exceptions=True,
        )
    sandbox.set_fault_rate(0.0)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(f, APIError) for f in failures), failures
    assert sandbox.count_orders() == 60 - len(failures)
    assert len({o["source_id"] for o in sandbox.orders()}) == sandbox.count_orders()


async def test_async_rate_limit_shared_by_tasks(sandbox: Sandbox) -> None:
    sandbox.seed_orders(1)
    sandbox.set_rate_limit(f"{SERVER_BUDGET}/s")
    started = time.monotonic()
    async with AsyncVoucherify(
        app_id=sandbox.app_id,
        app_token=sandbox.app_token,
        base_url=sandbox.url,
        rate_limit=f"{BUDGET}/s",
        max_retries=0,
    ) as avf:
        results = await asyncio.gather(
            *(avf.orders.get("seed-1") for _ in range(REQUESTS)), return_exceptions=True
        )
    elapsed = time.monotonic() - started
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []  # tasks with a limiter each would send all REQUESTS at once: 429s
    assert elapsed >= (REQUESTS // BUDGET) - 0.1  # the tasks waited for one shared budget


# -- sync / async parity -----------------------------------------------------------------------

#: name, setup, the call, and what it must give on both clients (a model or an error class)
Scenario = tuple[str, Callable[[Sandbox], None], Callable[[Any], Any], type]


def _inject(kind: str, **kw: Any) -> Callable[[Sandbox], None]:
    def setup(sb: Sandbox) -> None:
        sb.seed_orders(1)
        sb.inject(kind, **kw)

    return setup


SCENARIOS: list[Scenario] = [
    ("get ok", _inject("latency", delay_ms=1), lambda c: c.orders.get("seed-1"), OrdersGetResponseBody),
    (
        "get 503x2",
        _inject("status", method="GET", times=2, status=503),
        lambda c: c.orders.get("seed-1"),
        OrdersGetResponseBody,  # retried
    ),
    ("get 404", _inject("latency", delay_ms=1), lambda c: c.orders.get("nope"), NotFoundError),
    (
        "bare create 502",
        _inject("status", method="POST", times=1, status=502),
        lambda c: c.orders.create({"amount": 1}),
        ServerError,  # not retried: without an id the create is not idempotent
    ),
    (
        "create drop_after",
        _inject("drop_after", method="POST", times=1),
        lambda c: c.orders.create({"source_id": "p-1", "amount": 1}),
        OrdersCreateResponseBody,  # retried: an upsert by source_id
    ),
    (
        "bare create drop_after",
        _inject("drop_after", method="POST", times=1),
        lambda c: c.orders.create({"amount": 1}),
        APIConnectionError,
    ),
    (
        "invalid json",
        _inject("invalid_json", method="GET", times=1),
        lambda c: c.orders.get("seed-1"),
        OrdersGetResponseBody,
    ),
    (
        "truncate x3",
        _inject("truncate", method="GET", times=3),
        lambda c: c.orders.get("seed-1"),
        APIResponseError,
    ),
    (
        "unknown key",
        _inject("latency", delay_ms=1),
        lambda c: c.orders.create({"sourceid": "x"}),
        ValidationError,
    ),
]


def _outcome(value: Any) -> tuple[Any, ...]:
    if isinstance(value, VoucherifyError):
        return (
            type(value).__name__,
            getattr(value, "status_code", None),
            getattr(value, "attempts", None),
            getattr(value, "outcome_unknown", None),
        )
    return ("ok", type(value).__name__, getattr(value, "source_id", None))


async def _check_parity(
    scenario: Scenario,
    make_vf: Callable[..., Voucherify],
    make_avf: Callable[..., AsyncVoucherify],
    sandbox: Sandbox,
    before_async: Callable[[Sandbox], object] = lambda sb: None,
    **async_options: Any,
) -> None:
    """Run the scenario on each client, on a fresh sandbox: each gives what the scenario
    promises, the two give the same outcome, and the server saw the same requests and holds
    the same orders. (``before_async``/``async_options``: for the tests that make them differ.)"""
    name, setup, run, expected = scenario

    setup(sandbox)
    vf = make_vf()
    try:
        sync_result: Any = await asyncio.to_thread(run, vf)
    except VoucherifyError as exc:
        sync_result = exc
    sync_orders = sandbox.count_orders()
    sync_requests = sandbox.request_count()

    sandbox.reset()
    sandbox.clear_faults()
    setup(sandbox)
    before_async(sandbox)
    async with make_avf(**async_options) as avf:
        try:
            coro: Awaitable[Any] = run(avf)
            async_result: Any = await coro
        except VoucherifyError as exc:
            async_result = exc
    assert isinstance(sync_result, expected), f"{name}: the sync run gave {sync_result!r}"
    assert isinstance(async_result, expected), f"{name}: the async run gave {async_result!r}"
    assert _outcome(sync_result) == _outcome(async_result)
    assert sandbox.count_orders() == sync_orders
    assert sandbox.request_count() == sync_requests, f"{name}: the server saw other requests"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s[0] for s in SCENARIOS])
async def test_sync_async_parity(
    scenario: Scenario,
    make_vf: Callable[..., Voucherify],
    make_avf: Callable[..., AsyncVoucherify],
    sandbox: Sandbox,
) -> None:
    await _check_parity(scenario, make_vf, make_avf, sandbox)


async def test_sync_async_parity_sees_a_different_result(
    make_vf: Callable[..., Voucherify], make_avf: Callable[..., AsyncVoucherify], sandbox: Sandbox
) -> None:
    # an async client that does not retry: its 503 is not the order the scenario promises
    scenario = next(s for s in SCENARIOS if s[0] == "get 503x2")
    with pytest.raises(AssertionError, match="the async run gave"):
        await _check_parity(scenario, make_vf, make_avf, sandbox, max_retries=0)


async def test_sync_async_parity_sees_different_requests(
    make_vf: Callable[..., Voucherify], make_avf: Callable[..., AsyncVoucherify], sandbox: Sandbox
) -> None:
    # the same order on both sides, but the async run retried a third 503 the sync one never met
    scenario = next(s for s in SCENARIOS if s[0] == "get 503x2")

    def third_503(sb: Sandbox) -> None:
        sb.inject("status", method="GET", times=1, status=503)

    with pytest.raises(AssertionError, match="the server saw other requests"):
        await _check_parity(scenario, make_vf, make_avf, sandbox, third_503, max_retries=3)


@pytest.mark.slow
def test_threads_sharing_an_oauth_client_survive_each_others_token_refreshes() -> None:
    # Each token is rejected after a few uses, so threads keep invalidating the token others
    # have just checked. A narrow race a real server cannot produce on demand: a mock transport.
    # It used to let a raw RuntimeError ("no OAuth token yet") escape the facade.
    issued = iter(range(1_000_000))
    uses: dict[str, int] = {}
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/oauth/token":
            return httpx.Response(200, json={"access_token": f"tok{next(issued)}", "expires_in": 900})
        token = request.headers.get("authorization", "")
        with lock:
            uses[token] = uses.get(token, 0) + 1
            spent = uses[token] > 3
        if spent:
            return httpx.Response(401, json={"code": 401, "message": "Unauthorized", "key": "unauthorized"})
        return httpx.Response(200, json={"id": "ord_1", "object": "order"})

    escaped: list[str] = []
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        with Voucherify(
            app_id="a",
            app_token="b",
            oauth_scopes=["api"],
            http_transport=httpx.MockTransport(handler),
            sleep=lambda seconds: None,
        ) as vf:

            def work() -> None:
                for _ in range(150):
                    try:
                        vf.orders.get("ord_1")
                    except VoucherifyError:
                        pass  # a 401 after the one refresh is a typed AuthenticationError
                    except Exception as exc:  # what the test looks for
                        escaped.append(f"{type(exc).__name__}: {exc}")

            threads = [threading.Thread(target=work) for _ in range(THREADS * 2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert escaped == []
    assert len(uses) > 10  # tokens were really refreshed under contention
