"""2xx answers whose body is unusable (issue 11, items 4 and 7): an idempotent request is retried
within ``max_retries`` and its body parsed once; a request that is not idempotent raises
:class:`UnreadableSuccessError` (it SUCCEEDED); JSON nested too deeply is a typed error, never
``RecursionError``; the OAuth token POST gets one retry at most; an upsert that exhausted its
retries after a lost response says outcome unknown."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voucherify_ext import AsyncVoucherify, Voucherify
from voucherify_ext.errors import (
    APIConnectionError,
    APIResponseError,
    BadRequestError,
    UnreadableSuccessError,
    VoucherifyError,
)
from voucherify_ext.http.json_body import ParsedResponse
from voucherify_ext.sandbox import Sandbox

MakeVf = Callable[..., Voucherify]
MakeAvf = Callable[..., AsyncVoucherify]

API = "https://api.voucherify.io"
ORDER = {"id": "ord_1", "source_id": "web-1", "object": "order", "status": "PAID", "amount": 500}
DEEP = b"[" * 100_000 + b"]" * 100_000  # valid JSON that the parser cannot recurse through


def _replies(*replies: tuple[int, bytes, str]) -> tuple[list[httpx.Request], httpx.MockTransport]:
    """A transport answering each request with the next reply (the last one repeats)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        status, body, ctype = replies[min(len(seen), len(replies) - 1)]
        seen.append(request)
        return httpx.Response(status, content=body, headers={"content-type": ctype})

    return seen, httpx.MockTransport(handler)


def _mock_vf(transport: httpx.MockTransport, **kwargs: Any) -> Voucherify:
    return Voucherify(
        app_id="id", app_token="tok", base_url=API, http_transport=transport, sleep=lambda s: None, **kwargs
    )


async def _no_sleep(seconds: float) -> None:
    return None


def _mock_avf(transport: httpx.MockTransport, **kwargs: Any) -> AsyncVoucherify:
    return AsyncVoucherify(
        app_id="id", app_token="tok", base_url=API, http_transport=transport, sleep=_no_sleep, **kwargs
    )


GOOD = (200, json.dumps(ORDER).encode(), "application/json")
UNUSABLE = [
    pytest.param((200, b'{"id": "ord_1", "sou', "application/json"), id="cut-json"),
    pytest.param((200, b"<html><body>Welcome</body></html>", "text/html"), id="html"),
    pytest.param((200, b"", "application/json"), id="empty"),
    pytest.param((200, DEEP, "application/json"), id="deep"),
]


@pytest.mark.parametrize("bad", UNUSABLE)
def test_idempotent_get_is_retried_past_an_unusable_2xx(bad: tuple[int, bytes, str]) -> None:
    seen, transport = _replies(bad, GOOD)
    with _mock_vf(transport) as vf:
        order = vf.orders.get("web-1")
    assert order.id == "ord_1" and len(seen) == 2


@pytest.mark.parametrize("bad", UNUSABLE)
async def test_async_idempotent_get_is_retried_past_an_unusable_2xx(bad: tuple[int, bytes, str]) -> None:
    seen, transport = _replies(bad, GOOD)
    async with _mock_avf(transport) as avf:
        order = await avf.orders.get("web-1")
    assert order.id == "ord_1" and len(seen) == 2


@pytest.mark.parametrize("bad", UNUSABLE)
def test_unusable_2xx_on_every_attempt_is_typed(bad: tuple[int, bytes, str]) -> None:
    seen, transport = _replies(bad)
    with _mock_vf(transport, max_retries=3) as vf, pytest.raises(UnreadableSuccessError) as info:
        vf.orders.get("web-1")
    assert len(seen) == 4 and info.value.attempts == 4
    assert info.value.succeeded and info.value.status_code == 200 and not info.value.outcome_unknown


@pytest.mark.parametrize("status", [200, 400])
def test_deep_json_is_a_typed_error_sync(status: int) -> None:
    _, transport = _replies((status, DEEP, "application/json"))
    with _mock_vf(transport, max_retries=0) as vf, pytest.raises(APIResponseError) as info:
        vf.orders.get("web-1")
    assert not isinstance(info.value.__context__, RecursionError)
    assert info.value.__cause__ is None
    if status == 400:
        assert isinstance(info.value, BadRequestError)
    else:
        assert isinstance(info.value, UnreadableSuccessError) and "nested too deeply" in str(info.value)


@pytest.mark.parametrize("status", [200, 400])
async def test_deep_json_is_a_typed_error_async(status: int) -> None:
    _, transport = _replies((status, DEEP, "application/json"))
    async with _mock_avf(transport, max_retries=0) as avf:
        with pytest.raises(APIResponseError) as info:
            await avf.orders.get("web-1")
    if status == 400:
        assert isinstance(info.value, BadRequestError)
    else:
        assert isinstance(info.value, UnreadableSuccessError)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["application/json", "text/html", ""]))
def test_any_2xx_body_gives_an_order_or_a_typed_error(body: bytes, ctype: str) -> None:
    seen, transport = _replies((200, body, ctype))
    with _mock_vf(transport, max_retries=1) as vf:
        try:
            vf.orders.get("web-1")
        except UnreadableSuccessError as exc:
            assert len(seen) == 2 and exc.succeeded  # unusable: retried once, then typed
        except VoucherifyError:
            assert len(seen) == 1  # readable JSON that is not an order: typed, not retried
        else:
            assert len(seen) == 1


def test_the_body_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = json.loads

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    _, transport = _replies(GOOD)
    with _mock_vf(transport) as vf:
        response = vf.http.get("/v1/orders/web-1")
        assert isinstance(response, ParsedResponse) and response.json() is response.json()
        monkeypatch.setattr(json, "loads", counting)
        assert vf.orders.get("web-1").id == "ord_1"
    assert len(calls) == 1  # the transport's parse; generated code's response.json() reuses it


# -- against the sandbox ------------------------------------------------------------------------


def test_get_with_invalid_json_is_retried_on_the_sandbox(make_vf: MakeVf, sandbox: Sandbox) -> None:
    sandbox.seed_orders(1)
    vf = make_vf()
    sandbox.inject("invalid_json", method="GET", path="/v1/orders/seed-1", times=2)
    assert vf.orders.get("seed-1").source_id == "seed-1"
    assert sandbox.request_count("GET", "/v1/orders/seed-1") == 3


async def test_twenty_concurrent_gets_survive_random_faults(make_avf: MakeAvf, sandbox: Sandbox) -> None:
    sandbox.seed_orders(20)
    sandbox.set_fault_rate(0.3, seed=11)  # every random kind, invalid_json included
    avf = make_avf(max_retries=8)
    try:
        orders = await asyncio.gather(*(avf.orders.get(f"seed-{i}") for i in range(1, 21)))
    finally:
        sandbox.set_fault_rate(0.0)
        await avf.close()
    assert [o.source_id for o in orders] == [f"seed-{i}" for i in range(1, 21)]


def test_a_create_that_is_not_idempotent_says_it_succeeded(make_vf: MakeVf, sandbox: Sandbox) -> None:
    vf = make_vf()
    sandbox.inject("invalid_json", method="POST", path="/v1/orders")
    with pytest.raises(UnreadableSuccessError) as info:
        vf.orders.create({"amount": 100})
    error = info.value
    assert error.succeeded and error.status_code == 200 and not error.outcome_unknown
    assert error.attempts == 1 and "succeeded" in str(error)
    assert sandbox.request_count("POST", "/v1/orders") == 1 and len(sandbox.orders()) == 1


def test_an_import_chunk_answered_2xx_unreadably_is_distinguishable(
    make_vf: MakeVf, sandbox: Sandbox
) -> None:
    vf = make_vf()
    sandbox.inject("invalid_json", method="POST", path="/v1/orders/import")
    with pytest.raises(UnreadableSuccessError) as info:
        vf.http.post("/v1/orders/import", json=[{"source_id": "imp-1", "amount": 1}])
    assert info.value.succeeded and 200 <= (info.value.status_code or 0) < 300
    assert info.value.attempts == 1 and sandbox.request_count("POST", "/v1/orders/import") == 1


# -- item 7: the OAuth token POST and an exhausted upsert -------------------------------------------


def test_oauth_token_post_is_retried_once_at_most(make_vf: MakeVf, sandbox: Sandbox) -> None:
    sandbox.seed_orders(1)
    vf = make_vf(oauth_scopes=["api"], max_retries=8)
    sandbox.inject("drop_after", method="POST", path="/v1/oauth/token", times=5)
    with pytest.raises(APIConnectionError) as info:
        vf.orders.get("seed-1")
    assert sandbox.request_count("POST", "/v1/oauth/token") == 2
    assert len(sandbox.oauth_tokens()) == 2  # each lost response issued a live token
    assert info.value.attempts == 2


def test_oauth_token_post_recovers_with_its_one_retry(make_vf: MakeVf, sandbox: Sandbox) -> None:
    sandbox.seed_orders(1)
    vf = make_vf(oauth_scopes=["api"])
    sandbox.inject("drop_after", method="POST", path="/v1/oauth/token", times=1)
    assert vf.orders.get("seed-1").source_id == "seed-1"
    assert sandbox.request_count("POST", "/v1/oauth/token") == 2


def test_exhausted_upsert_after_commit_is_outcome_unknown(make_vf: MakeVf, sandbox: Sandbox) -> None:
    vf = make_vf(max_retries=2)
    sandbox.inject("drop_after", method="POST", path="/v1/orders", times=3)
    with pytest.raises(APIConnectionError) as info:
        vf.orders.create({"source_id": "up-1", "amount": 100})
    assert info.value.attempts == 3 and info.value.outcome_unknown
    assert "Outcome unknown" in str(info.value)
    assert sandbox.count_orders("up-1") == 1  # it was stored


def test_exhausted_get_is_not_outcome_unknown(make_vf: MakeVf, sandbox: Sandbox) -> None:
    sandbox.seed_orders(1)
    vf = make_vf(max_retries=1)
    sandbox.inject("drop_after", method="GET", path="/v1/orders/seed-1", times=2)
    with pytest.raises(APIConnectionError) as info:
        vf.orders.get("seed-1")
    assert info.value.attempts == 2 and not info.value.outcome_unknown


def test_an_unreadable_token_response_keeps_no_excerpt(make_vf: MakeVf, sandbox: Sandbox) -> None:
    sandbox.seed_orders(1)
    vf = make_vf(oauth_scopes=["api"])
    sandbox.inject("invalid_json", method="POST", path="/v1/oauth/token", times=2)
    with pytest.raises(UnreadableSuccessError) as info:
        vf.orders.get("seed-1")
    assert info.value.excerpt is None and info.value.attempts == 2
    tokens = sandbox.oauth_tokens()
    assert len(tokens) == 2 and not any(token[:8] in str(info.value) for token in tokens)
