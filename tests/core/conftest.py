"""Fixtures for the client-core tests: one loopback sandbox per session (reset per test),
recorded sleeps so retry tests take no real time, and client factories."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from voucherify_ext import AsyncVoucherify, Voucherify
from voucherify_ext.sandbox import Sandbox, serve


class Sleeps:
    """Records the delays a client asked to sleep, without sleeping. ``clock`` is the real
    monotonic clock plus everything "slept", so waits computed from it are not spun on."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.offset = 0.0

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.offset += seconds

    async def asleep(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.offset += seconds

    def clock(self) -> float:
        return time.monotonic() + self.offset


class FakeClock:
    """A monotonic clock that only moves when told (or when a fake sleep advances it)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.now += seconds


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
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_vf(sandbox: Sandbox, sleeps: Sleeps) -> Iterator[Callable[..., Voucherify]]:
    made: list[Voucherify] = []

    def factory(**kwargs: Any) -> Voucherify:
        kwargs.setdefault("app_id", sandbox.app_id)
        kwargs.setdefault("app_token", sandbox.app_token)
        kwargs.setdefault("base_url", sandbox.url)
        kwargs.setdefault("sleep", sleeps)
        kwargs.setdefault("clock", sleeps.clock)
        vf = Voucherify(**kwargs)
        made.append(vf)
        return vf

    yield factory
    for vf in made:
        vf.close()


@pytest.fixture
def make_avf(sandbox: Sandbox, sleeps: Sleeps) -> Callable[..., AsyncVoucherify]:
    def factory(**kwargs: Any) -> AsyncVoucherify:
        kwargs.setdefault("app_id", sandbox.app_id)
        kwargs.setdefault("app_token", sandbox.app_token)
        kwargs.setdefault("base_url", sandbox.url)
        kwargs.setdefault("sleep", sleeps.asleep)
        kwargs.setdefault("clock", sleeps.clock)
        return AsyncVoucherify(**kwargs)

    return factory
