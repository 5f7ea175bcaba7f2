"""Responses with their headers (issue 16, point 3), on the loopback sandbox: every
``with_raw_response`` call (orders create/get/update/list, async actions get/list_page), sync and
async, gives its status, headers, attempts, the server's rate-limit state and the model the
plain call gives; a retried call counts its attempts; the client's rate-limit state is readable
at any time; typed errors carry the response headers."""

from __future__ import annotations

import inspect
import pickle
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from voucherify_ext import (
    AsyncVoucherify,
    ConfigurationError,
    LimiterState,
    NotFoundError,
    RateLimitState,
    RawResponse,
    ServerError,
    Voucherify,
)
from voucherify_ext.async_actions.actions import AsyncActions, AsyncAsyncActions
from voucherify_ext.async_actions.raw_async import AsyncAsyncActionsWithRawResponse
from voucherify_ext.async_actions.raw_sync import AsyncActionsWithRawResponse
from voucherify_ext.orders.raw_async import AsyncOrdersWithRawResponse
from voucherify_ext.orders.raw_sync import OrdersWithRawResponse
from voucherify_ext.orders.resource_async import AsyncOrders
from voucherify_ext.orders.resource_sync import Orders
from voucherify_ext.sandbox import Sandbox

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import unasync

BUDGET = 50
ORDER = {"source_id": "raw-1", "amount": 1200, "status": "PAID"}


def _calls(action_id: str) -> list[tuple[str, Callable[[Any], Any], Callable[[Any], Any]]]:
    """(name, raw call, plain call) on a client's resources; the plain call gives the model to compare."""
    return [
        (
            "orders.create",
            lambda c: c.orders.with_raw_response.create(ORDER),
            lambda c: c.orders.create(ORDER),
        ),
        ("orders.get", lambda c: c.orders.with_raw_response.get("raw-1"), lambda c: c.orders.get("raw-1")),
        (
            "orders.update",
            lambda c: c.orders.with_raw_response.update("raw-1", {"status": "PAID"}),
            lambda c: c.orders.update("raw-1", {"status": "PAID"}),
        ),
        (
            "orders.list",
            lambda c: c.orders.with_raw_response.list(page=1, limit=5),
            lambda c: c.orders.list(page=1, limit=5),
        ),
        (
            "async_actions.get",
            lambda c: c.async_actions.with_raw_response.get(action_id),
            lambda c: c.async_actions.get(action_id),
        ),
        (
            "async_actions.list_page",
            lambda c: c.async_actions.with_raw_response.list_page(limit=5),
            lambda c: c.async_actions.list_page(limit=5),
        ),
    ]


def _model_dict(value: Any) -> Any:
    """What a model (or an orders page) holds, without what changes between two reads."""
    if hasattr(value, "items") and hasattr(value, "total"):  # an orders page
        return [_model_dict(item) for item in value.items], value.total
    data = value.to_dict()
    for volatile in ("updated_at", "request_id"):
        data.pop(volatile, None)
    return data


def _check(raw: Any, remaining_before: int, name: str) -> None:
    assert isinstance(raw, RawResponse), name
    assert raw.status_code == 200, name
    assert raw.headers["content-type"].startswith("application/json"), name
    assert raw.attempts == 1, name
    assert raw.method in ("GET", "POST", "PUT"), name
    assert raw.path is not None and raw.path.startswith("/v1/"), name
    assert raw.rate_limit == RateLimitState(limit=BUDGET, remaining=remaining_before - 1), name
    assert int(raw.headers["x-rate-limit-remaining"]) == remaining_before - 1, name


def _seed_action(sandbox: Sandbox, vf: Voucherify) -> str:
    result = vf.orders.import_orders([{"source_id": "imp-1", "amount": 5}])
    (action_id,) = result.async_action_ids
    vf.orders.create(ORDER)
    sandbox.set_rate_limit(f"{BUDGET}/min")  # from here on every response counts down
    return action_id


def test_every_raw_call_reports_status_headers_attempts_and_rate_limit(
    sandbox: Sandbox, make_vf: Callable[..., Voucherify]
) -> None:
    vf = make_vf()
    calls = _calls(_seed_action(sandbox, vf))
    remaining = BUDGET
    for name, raw_call, plain_call in calls:
        raw = raw_call(vf)
        _check(raw, remaining, name)
        plain = plain_call(vf)
        assert type(raw.parse()) is type(plain), name
        assert _model_dict(raw.parse()) == _model_dict(plain), name
        remaining -= 2
    assert len(calls) == 6


async def test_every_async_raw_call_reports_the_same(
    sandbox: Sandbox, make_vf: Callable[..., Voucherify], make_avf: Callable[..., AsyncVoucherify]
) -> None:
    calls = _calls(_seed_action(sandbox, make_vf()))
    remaining = BUDGET
    async with make_avf() as avf:
        for name, raw_call, plain_call in calls:
            raw = await raw_call(avf)
            _check(raw, remaining, name)
            plain = await plain_call(avf)
            assert type(raw.parse()).__name__ == type(plain).__name__, name
            assert _model_dict(raw.parse()) == _model_dict(plain), name
            remaining -= 2


def test_a_raw_page_pages_on(sandbox: Sandbox, make_vf: Callable[..., Voucherify]) -> None:
    sandbox.seed_orders(7)
    raw = make_vf().orders.with_raw_response.list(page=1, limit=5, order="created_at")
    page = raw.parse()
    assert (len(page.items), page.total, page.has_more) == (5, 7, True)
    following = page.next_page()
    assert following is not None and len(following.items) == 2


# -- attempts -------------------------------------------------------------------------------------

RETRIED: list[tuple[str, str, str, Callable[[Any], Any]]] = [
    ("orders.get", "GET", "/v1/orders/raw-1", lambda c: c.orders.with_raw_response.get("raw-1")),
    ("orders.create (upsert)", "POST", "/v1/orders", lambda c: c.orders.with_raw_response.create(ORDER)),
    ("orders.list", "GET", "/v1/orders", lambda c: c.orders.with_raw_response.list(limit=3)),
    (
        "async_actions.list_page",
        "GET",
        "/v1/async-actions",
        lambda c: c.async_actions.with_raw_response.list_page(),
    ),
]


@pytest.mark.parametrize(("name", "method", "path", "call"), RETRIED, ids=[r[0] for r in RETRIED])
def test_a_call_retried_once_reports_two_attempts(
    sandbox: Sandbox, make_vf: Callable[..., Voucherify], name: str, method: str, path: str, call: Any
) -> None:
    vf = make_vf()
    vf.orders.create(ORDER)
    before = sandbox.request_count(method, path)
    sandbox.inject("status", method=method, path=path, times=1, status=503)
    raw = call(vf)
    assert (raw.status_code, raw.attempts) == (200, 2)
    assert sandbox.request_count(method, path) - before == 2  # the count is the server's too
    sandbox.inject("status", method=method, path=path, times=2, status=503)
    assert call(vf).attempts == 3


async def test_an_async_call_retried_once_reports_two_attempts(
    sandbox: Sandbox, make_avf: Callable[..., AsyncVoucherify]
) -> None:
    async with make_avf() as avf:
        await avf.orders.create(ORDER)
        sandbox.inject("status", method="GET", path="/v1/orders/raw-1", times=1, status=502)
        raw = await avf.orders.with_raw_response.get("raw-1")
        assert (raw.status_code, raw.attempts) == (200, 2)
        assert (await avf.orders.with_raw_response.get("raw-1")).attempts == 1


# -- the rate-limit state ---------------------------------------------------------------------------


def test_the_spent_budget_says_when_it_resets(sandbox: Sandbox, make_vf: Callable[..., Voucherify]) -> None:
    vf = make_vf()
    vf.orders.create(ORDER)
    sandbox.set_rate_limit("2/min")
    first = vf.orders.with_raw_response.get("raw-1").rate_limit
    last = vf.orders.with_raw_response.get("raw-1").rate_limit
    assert first == RateLimitState(limit=2, remaining=1)
    assert last is not None and (last.limit, last.remaining) == (2, 0)
    assert last.reset_at is not None and last.resets_in is not None
    assert 0 < last.resets_in <= 61  # the window is a minute; the header counts whole seconds
    # the client knows it too: the server's last word, and its own count-down of it
    state = vf.rate_limit_state()
    assert state.server == last
    assert state.server_remaining == 0


def test_the_client_rate_limit_state(sandbox: Sandbox, make_vf: Callable[..., Voucherify]) -> None:
    vf = make_vf(rate_limit="10/min")
    fresh = vf.rate_limit_state()
    assert fresh == LimiterState(
        limit=10,
        period=60.0,
        used=0,
        in_flight=0,
        available=10,
        paused_for=0.0,
        server_remaining=None,
        server=None,
    )
    sandbox.set_rate_limit("40/min")
    for _ in range(3):
        vf.orders.with_raw_response.list(limit=1)
    state = vf.rate_limit_state()
    assert (state.used, state.in_flight, state.available) == (3, 0, 7)
    assert state.server == RateLimitState(limit=40, remaining=37)
    assert state.server_remaining == 37
    # the variants of with_options share the limiter, so they see the same state
    assert vf.with_options(max_retries=0).rate_limit_state() == state


def test_a_429_pause_shows_in_the_state(sandbox: Sandbox, make_vf: Callable[..., Voucherify]) -> None:
    vf = make_vf(max_retries=0)
    vf.orders.create(ORDER)
    sandbox.inject("status", method="GET", path="/v1/orders/raw-1", times=1, status=429)
    with pytest.raises(Exception) as caught:
        vf.orders.with_raw_response.get("raw-1")
    assert getattr(caught.value, "status_code", None) == 429
    state = vf.rate_limit_state()
    assert state.paused_for > 0
    assert state.server is not None and state.server.remaining == 0


# -- errors carry the headers -------------------------------------------------------------------------


def test_errors_carry_the_response_headers(sandbox: Sandbox, make_vf: Callable[..., Voucherify]) -> None:
    vf = make_vf(max_retries=1)
    sandbox.set_rate_limit("30/min")
    for call in (lambda: vf.orders.get("missing"), lambda: vf.orders.with_raw_response.get("missing")):
        with pytest.raises(NotFoundError) as caught:
            call()
        headers = caught.value.headers
        assert headers is not None
        assert headers["content-type"].startswith("application/json")
        assert headers["x-rate-limit-limit"] == "30"
        assert "x-rate-limit-limit" not in str(caught.value)  # headers stay out of the message
    sandbox.inject("status", method="GET", path="/v1/orders/missing", times=2, status=503)
    with pytest.raises(ServerError) as server:
        vf.orders.get("missing")
    assert server.value.attempts == 2 and server.value.headers is not None
    assert server.value.headers["x-rate-limit-limit"] == "30"
    copy = pickle.loads(pickle.dumps(server.value))
    assert copy.headers == server.value.headers


def test_raw_calls_check_their_inputs_before_sending(
    sandbox: Sandbox, make_vf: Callable[..., Voucherify]
) -> None:
    vf = make_vf()
    before = sandbox.request_count()
    with pytest.raises(ConfigurationError):
        vf.orders.with_raw_response.list(page=0)
    for bad in (
        lambda: vf.orders.with_raw_response.get(""),
        lambda: vf.orders.with_raw_response.create({"x": 1}),
    ):
        with pytest.raises(Exception) as caught:
            bad()
        assert type(caught.value).__module__ == "voucherify_ext.errors"
    assert sandbox.request_count() == before


# -- the shape: the raw resources mirror the plain ones ------------------------------------------------

RAW_OF = [
    (Orders, OrdersWithRawResponse, ("create", "get", "update", "list")),
    (AsyncOrders, AsyncOrdersWithRawResponse, ("create", "get", "update", "list")),
    (AsyncActions, AsyncActionsWithRawResponse, ("get", "list_page")),
    (AsyncAsyncActions, AsyncAsyncActionsWithRawResponse, ("get", "list_page")),
]


@pytest.mark.parametrize(("plain", "raw", "names"), RAW_OF, ids=[r[1].__name__ for r in RAW_OF])
def test_each_raw_call_takes_what_the_plain_call_takes(
    plain: type, raw: type, names: tuple[str, ...]
) -> None:
    public = {name for name in vars(raw) if not name.startswith("_")}
    assert public == set(names)
    for name in names:
        plain_fn, raw_fn = getattr(plain, name), getattr(raw, name)
        plain_sig, raw_sig = inspect.signature(plain_fn), inspect.signature(raw_fn)
        assert list(plain_sig.parameters.values()) == list(raw_sig.parameters.values()), name
        assert raw_sig.return_annotation == f"RawResponse[{plain_sig.return_annotation}]", name
        hints = typing.get_type_hints(raw_fn)
        assert typing.get_origin(hints["return"]) is RawResponse, name
        assert inspect.iscoroutinefunction(raw_fn) == inspect.iscoroutinefunction(plain_fn), name


@pytest.mark.parametrize(
    ("sync_cls", "async_cls"),
    [
        (OrdersWithRawResponse, AsyncOrdersWithRawResponse),
        (AsyncActionsWithRawResponse, AsyncAsyncActionsWithRawResponse),
    ],
)
def test_the_raw_twins_are_twins(sync_cls: type, async_cls: type) -> None:
    assert unasync.RENAMES[async_cls.__name__] == sync_cls.__name__
    for name in ("create", "get", "update", "list", "list_page"):
        if not hasattr(async_cls, name):
            continue
        async_sig, sync_sig = (
            inspect.signature(getattr(async_cls, name)),
            inspect.signature(getattr(sync_cls, name)),
        )
        assert list(async_sig.parameters) == list(sync_sig.parameters)
        transformed = (
            unasync.transform(f"x: {async_sig.return_annotation}\n").removeprefix("x: ").rstrip("\n")
        )
        assert sync_sig.return_annotation == transformed


def test_with_raw_response_is_one_object_per_resource(make_vf: Callable[..., Voucherify]) -> None:
    vf = make_vf()
    assert vf.orders.with_raw_response is vf.orders.with_raw_response
    assert vf.async_actions.with_raw_response is vf.async_actions.with_raw_response
    assert repr(vf.orders.with_raw_response) == "<OrdersWithRawResponse>"
