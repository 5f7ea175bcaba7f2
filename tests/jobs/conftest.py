"""Fixtures for the jobs tests (async actions, import, export): one loopback sandbox per
session with a fast import queue, reset per test; clients whose retry backoff takes no real
time; a fake clock for deadline tests."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from voucherify_ext.client import AsyncVoucherify, Voucherify
from voucherify_ext.sandbox import Sandbox, serve

FAST = 1_000_000.0  # orders per second: imports finish as soon as they are queued


class FakeClock:
    """A monotonic clock that moves only when a fake sleep advances it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def no_sleep(seconds: float) -> None:
    return None


async def no_asleep(seconds: float) -> None:
    return None


def orders(count: int, prefix: str = "o", **extra: Any) -> Iterator[dict[str, Any]]:
    for i in range(count):
        yield {
            "source_id": f"{prefix}{i}",
            "status": "PAID" if i % 2 else "CREATED",
            "amount": 100 + i,
            "metadata": {"n": i, "tier": "gold" if i % 3 == 0 else "silver"},
            **extra,
        }


def write_jsonl(path: Path, records: Iterator[dict[str, Any]]) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")
    return path


@pytest.fixture(scope="session")
def sandbox_session() -> Iterator[Sandbox]:
    with serve(import_speed=FAST) as sb:
        yield sb


@pytest.fixture
def sb(sandbox_session: Sandbox) -> Iterator[Sandbox]:
    export_delay = sandbox_session.state.export_delay
    sandbox_session.reset()
    sandbox_session.set_import_speed(FAST)
    yield sandbox_session
    sandbox_session.reset()
    sandbox_session.set_import_speed(FAST)
    sandbox_session.state.export_delay = export_delay


@pytest.fixture
def vf(sb: Sandbox) -> Iterator[Voucherify]:
    with Voucherify(app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, sleep=no_sleep) as client:
        yield client


@pytest.fixture
async def avf(sb: Sandbox) -> AsyncIterator[AsyncVoucherify]:
    async with AsyncVoucherify(
        app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, sleep=no_asleep
    ) as client:
        yield client
