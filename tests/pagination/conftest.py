"""Fixtures for the pagination tests: fake list operations (no network) for the pure logic,
and one loopback sandbox per session (reset per test) with client factories for the rest."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any

import httpx
import pytest
from voucherify_client.models.error import Error
from voucherify_client.models.orders_list_response_body import OrdersListResponseBody
from voucherify_client.types import Response

from voucherify_ext import AsyncVoucherify, Voucherify
from voucherify_ext.sandbox import Sandbox, serve

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def make_order(n: int) -> dict[str, Any]:
    created = (EPOCH + timedelta(milliseconds=n)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"id": f"ord_{n:06d}", "object": "order", "created_at": created, "status": "PAID", "amount": n}


class FakeOrders:
    """A stand-in for ``list_orders.sync_detailed`` / ``asyncio_detailed`` over an in-memory
    list, oldest first. Records every call; lets a test script pages (``override``), run code
    before a page is served (``before``), and hold pages until released (``gate``)."""

    def __init__(self, count: int, *, total_offset: int = 0) -> None:
        self.orders = [make_order(i) for i in range(count)]
        self.total_offset = total_offset
        self.calls: list[dict[str, Any]] = []
        self.override: dict[int, Callable[[], Response[Any]]] = {}
        self.before: dict[int, Callable[[], None]] = {}
        self.gate: threading.Event | None = None
        self.agate: asyncio.Event | None = None
        self.lock = threading.Condition()
        self.hold_after: int | None = None  # with gate: pages after this one wait for it
        self.active = 0
        self.max_active = 0
        self.finished: list[int] = []

    def add(self, count: int) -> None:
        start = len(self.orders)
        self.orders.extend(make_order(start + i) for i in range(count))

    def _respond(self, limit: int, page: int, order: Any) -> Response[Error | OrdersListResponseBody]:
        if page in self.override:
            return self.override[page]()
        if page > 100:
            return error_response(400, "invalid_query_params", "Property .page must be <= 100")
        if page in self.before:
            self.before.pop(page)()
        rows = self.orders if str(order) != "-created_at" else self.orders[::-1]
        body = {
            "object": "list",
            "data_ref": "orders",
            "orders": rows[(page - 1) * limit : page * limit],
            "total": len(self.orders) + self.total_offset,
        }
        return ok_response(OrdersListResponseBody.from_dict(body), body)

    def sync_detailed(
        self, *, client: Any, limit: int = 10, page: int = 1, order: Any = None
    ) -> Response[Error | OrdersListResponseBody]:
        with self.lock:
            self.calls.append({"limit": limit, "page": page, "order": order})
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            self.lock.notify_all()
        try:
            if self.gate is not None and (self.hold_after is None or page > self.hold_after):
                assert self.gate.wait(10), "gate never opened"
            return self._respond(limit, page, order)
        finally:
            with self.lock:
                self.active -= 1
                self.finished.append(page)

    async def asyncio_detailed(
        self, *, client: Any, limit: int = 10, page: int = 1, order: Any = None
    ) -> Response[Error | OrdersListResponseBody]:
        self.calls.append({"limit": limit, "page": page, "order": order})
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            await asyncio.sleep(0)
            if self.agate is not None:
                await self.agate.wait()
            return self._respond(limit, page, order)
        finally:
            self.active -= 1
            self.finished.append(page)

    def wait_active(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until ``count`` calls are running at once (threads)."""
        with self.lock:
            return self.lock.wait_for(lambda: self.active >= count, timeout)

    @property
    def pages_requested(self) -> list[int]:
        return [call["page"] for call in self.calls]


def ok_response(parsed: Any, body: Any) -> Response[Any]:
    return Response(
        status_code=HTTPStatus.OK,
        content=json.dumps(body).encode(),
        headers=httpx.Headers({"content-type": "application/json"}),
        parsed=parsed,
    )


def error_response(status: int, key: str, details: str) -> Response[Any]:
    body = {"code": status, "key": key, "message": "Error", "details": details, "request_id": "v-test"}
    return Response(
        status_code=HTTPStatus(status),
        content=json.dumps(body).encode(),
        headers=httpx.Headers({"content-type": "application/json"}),
        parsed=Error.from_dict(body),
    )


@pytest.fixture
def fake() -> Callable[..., FakeOrders]:
    return FakeOrders


# -- sandbox ---------------------------------------------------------------------------------


class Sleeps:
    """Records the delays the client asked to sleep (retry backoff), without sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.lock = threading.Lock()

    def __call__(self, seconds: float) -> None:
        with self.lock:
            self.calls.append(seconds)

    async def asleep(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture(scope="session")
def sandbox_session() -> Iterator[Sandbox]:
    with serve() as sb:
        yield sb


@pytest.fixture
def sandbox(sandbox_session: Sandbox) -> Iterator[Sandbox]:
    sb = sandbox_session
    sb.reset()
    sb.clear_faults()
    sb.set_rate_limit(None)
    sb.set_latency(0)
    yield sb
    sb.clear_faults()
    sb.set_rate_limit(None)
    sb.set_latency(0)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_vf(sandbox: Sandbox, sleeps: Sleeps) -> Iterator[Callable[..., Voucherify]]:
    made: list[Voucherify] = []

    def factory(**kwargs: Any) -> Voucherify:
        kwargs.setdefault("app_id", sandbox.app_id)
        kwargs.setdefault("app_token", sandbox.app_token)
        kwargs.setdefault("base_url", sandbox.url)
        kwargs.setdefault("sleep", sleeps)
        vf = Voucherify(**kwargs)
        made.append(vf)
        return vf

    yield factory
    for vf in made:
        vf.close()


@pytest.fixture
def vf(make_vf: Callable[..., Voucherify]) -> Voucherify:
    return make_vf()


@pytest.fixture
async def avf(sandbox: Sandbox, sleeps: Sleeps) -> Any:
    client = AsyncVoucherify(
        app_id=sandbox.app_id, app_token=sandbox.app_token, base_url=sandbox.url, sleep=sleeps.asleep
    )
    yield client
    await client.close()
