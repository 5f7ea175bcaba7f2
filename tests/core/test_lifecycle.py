"""Lifecycle: a ``with_options`` variant stops when its parent closes; an async client used on a
second event loop says so (it used to say "the client has been closed")."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from voucherify_ext import (
    APIConnectionError,
    AsyncVoucherify,
    ClientClosedError,
    EventLoopMismatchError,
    Voucherify,
)
from voucherify_ext.sandbox import Sandbox

MakeVf = Callable[..., Voucherify]
MakeAvf = Callable[..., AsyncVoucherify]


def test_a_variant_stops_when_its_parent_closes(make_vf: MakeVf, sandbox: Sandbox) -> None:
    vf = make_vf()
    variant = vf.with_options(max_retries=0)
    vf.orders.create({"source_id": "life-1", "amount": 1})
    vf.close()
    before = sandbox.request_count("GET", "/v1/orders/life-1")
    with pytest.raises(ClientClosedError, match="closed"):
        variant.orders.get("life-1")
    with pytest.raises(ClientClosedError):
        variant.http.get("/v1/orders/life-1")
    assert sandbox.request_count("GET", "/v1/orders/life-1") == before  # nothing sent


def test_closing_a_variant_leaves_the_parent_working(make_vf: MakeVf) -> None:
    vf = make_vf()
    vf.orders.create({"source_id": "life-2", "amount": 1})
    vf.with_options(max_retries=0).close()
    assert vf.orders.get("life-2").source_id == "life-2"


async def test_an_async_variant_stops_when_its_parent_closes(make_avf: MakeAvf) -> None:
    avf = make_avf()
    variant = avf.with_options(max_retries=0)
    await avf.orders.create({"source_id": "life-3", "amount": 1})
    await avf.close()
    with pytest.raises(ClientClosedError):
        await variant.orders.get("life-3")


def test_an_async_client_on_a_second_loop_says_so(make_avf: MakeAvf) -> None:
    avf = make_avf(max_retries=0)

    async def create() -> str | None:
        return (await avf.orders.create({"source_id": "life-4", "amount": 1})).id

    assert asyncio.run(create())
    with pytest.raises(EventLoopMismatchError, match="another event loop") as info:
        asyncio.run(create())
    assert "closed" not in str(info.value)
    assert isinstance(info.value, APIConnectionError)  # what it used to be, for old except clauses


def test_a_second_loop_is_refused_while_the_first_still_runs(make_avf: MakeAvf) -> None:
    avf = make_avf(max_retries=0)
    first = asyncio.new_event_loop()
    try:
        first.run_until_complete(avf.orders.create({"source_id": "life-5", "amount": 1}))

        async def other() -> None:
            await avf.orders.get("life-5")

        with pytest.raises(EventLoopMismatchError):
            asyncio.run(other())
        # the first loop keeps its client
        order = first.run_until_complete(avf.orders.get("life-5"))
        assert order.source_id == "life-5"
    finally:
        first.run_until_complete(avf.close())
        first.close()


def test_a_closed_client_raises_the_same_typed_error(make_vf: MakeVf) -> None:
    vf = make_vf()
    vf.close()
    with pytest.raises(ClientClosedError, match="closed"):
        vf.orders.get("life-6")
