"""Fork safety: a client used in a forked child never sends on a connection it shares with its
parent. The parent leaves several keep-alive connections in its pool, then parent and child each
run 4 workers doing ``orders.get`` of their own order while the sandbox answers each request
after 50 ms: without a pool of its own in the child both processes write on the same sockets and
read each other's answers (before the fix: 5-13 wrong orders of 40 per process, in 6 of 6 runs,
and a raw RuntimeError in the async child)."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from voucherify_ext import AsyncVoucherify, Voucherify
from voucherify_ext.http.lifecycle import ForkedClientError
from voucherify_ext.sandbox import Sandbox

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

WORKERS = 4
GETS = 10  # per worker
LATENCY_MS = 50


def _merged(results: list[tuple[list[str], list[str]]]) -> dict[str, Any]:
    return {"wrong": [w for r in results for w in r[0]], "errors": [e for r in results for e in r[1]]}


def _tally(get: Callable[[], str], mine: str) -> dict[str, Any]:
    """``WORKERS`` threads, each getting ``mine`` ``GETS`` times: the answers that were not it."""

    def work(_: int) -> tuple[list[str], list[str]]:
        wrong: list[str] = []
        errors: list[str] = []
        for _ in range(GETS):
            try:
                got = get()
            except Exception as exc:  # reported, not raised: the child must always report
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
                continue
            if got != mine:
                wrong.append(got)
        return wrong, errors

    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(work, range(WORKERS)))
    return _merged(results)


def _fork(child: Callable[[], dict[str, Any]], parent: Callable[[], dict[str, Any]]) -> tuple[Any, Any]:
    """Run ``child`` in a forked child and ``parent`` here at the same time; both results."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report and leave without running any of pytest's teardown
        code = 0
        try:
            os.close(read_end)
            result = child()
        except BaseException as exc:
            result = {"crash": f"{type(exc).__name__}: {exc}"[:500]}
        try:
            with os.fdopen(write_end, "w") as out:
                json.dump(result, out)
        except BaseException:
            code = 1
        os._exit(code)
    os.close(write_end)
    try:
        mine = parent()
    finally:
        with os.fdopen(read_end) as incoming:
            text = incoming.read()
        _, status = os.waitpid(pid, 0)
    assert status == 0, f"child exited with status {status}"
    return mine, json.loads(text)


def _two_orders(vf: Voucherify) -> tuple[str, str]:
    parent = vf.orders.create({"source_id": "fork-parent", "amount": 100})
    child = vf.orders.create({"source_id": "fork-child", "amount": 200})
    assert parent.id and child.id
    return parent.id, child.id


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_sync_parent_and_child_each_get_their_own_orders(sandbox: Sandbox) -> None:
    vf = Voucherify(app_id=sandbox.app_id, app_token=sandbox.app_token, base_url=sandbox.url, timeout=5)
    try:
        parent_id, child_id = _two_orders(vf)
        sandbox.set_latency(LATENCY_MS)
        with ThreadPoolExecutor(WORKERS) as pool:  # leaves WORKERS keep-alive connections in the pool
            list(pool.map(lambda _: vf.orders.get(parent_id), range(WORKERS)))

        def get(order_id: str) -> Callable[[], str]:
            return lambda: str(vf.orders.get(order_id).id)

        mine, child = _fork(
            lambda: _tally(get(child_id), child_id), lambda: _tally(get(parent_id), parent_id)
        )
    finally:
        vf.close()
    assert child == {"wrong": [], "errors": []}
    assert mine == {"wrong": [], "errors": []}


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_async_parent_and_child_each_get_their_own_orders(sandbox: Sandbox) -> None:
    avf = AsyncVoucherify(
        app_id=sandbox.app_id, app_token=sandbox.app_token, base_url=sandbox.url, timeout=5, max_retries=0
    )
    loop = asyncio.new_event_loop()  # the parent's loop, kept open across the fork

    async def ids() -> tuple[str, str]:
        parent = await avf.orders.create({"source_id": "fork-parent", "amount": 100})
        child = await avf.orders.create({"source_id": "fork-child", "amount": 200})
        assert parent.id and child.id
        return parent.id, child.id

    async def tally(mine: str) -> dict[str, Any]:
        async def work() -> tuple[list[str], list[str]]:
            wrong: list[str] = []
            errors: list[str] = []
            for _ in range(GETS):
                try:
                    got = str((await avf.orders.get(mine)).id)
                except Exception as exc:
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
                    continue
                if got != mine:
                    wrong.append(got)
            return wrong, errors

        results = await asyncio.gather(*(work() for _ in range(WORKERS)))
        return _merged(results)

    async def warm(order_id: str) -> None:
        await asyncio.gather(*(avf.orders.get(order_id) for _ in range(WORKERS)))

    try:
        parent_id, child_id = loop.run_until_complete(ids())
        sandbox.set_latency(LATENCY_MS)
        loop.run_until_complete(warm(parent_id))  # WORKERS keep-alive connections in the pool
        mine, child = _fork(
            lambda: asyncio.run(tally(child_id)),  # the child runs a loop of its own
            lambda: loop.run_until_complete(tally(parent_id)),
        )
    finally:
        loop.run_until_complete(avf.close())
        loop.close()
    assert child == {"wrong": [], "errors": []}
    assert mine == {"wrong": [], "errors": []}


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_callers_own_transport_is_refused_in_the_child(sandbox: Sandbox) -> None:
    vf = Voucherify(
        app_id=sandbox.app_id,
        app_token=sandbox.app_token,
        base_url=sandbox.url,
        http_transport=httpx.HTTPTransport(),
    )
    try:
        vf.orders.create({"source_id": "fork-own", "amount": 1})

        def child() -> dict[str, Any]:
            try:
                vf.orders.get("fork-own")
            except ForkedClientError as exc:
                return {"error": str(exc)}
            return {"error": None}

        mine, theirs = _fork(child, lambda: {"id": vf.orders.get("fork-own").source_id})
    finally:
        vf.close()
    assert mine == {"id": "fork-own"}  # the parent keeps working
    assert theirs["error"] and "http_transport" in theirs["error"] and "after the fork" in theirs["error"]
