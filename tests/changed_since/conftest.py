"""Fixtures for the changed-since and single-page tests: a loopback sandbox on a manual clock
(the tests decide when each order is created or updated and what the Date header says), reset
per test, and a client on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from voucherify_ext import Voucherify
from voucherify_ext.sandbox import ManualClock, Sandbox, serve


@pytest.fixture(scope="session")
def clocked() -> Iterator[tuple[Sandbox, ManualClock]]:
    clock = ManualClock()
    with serve(clock=clock) as sb:
        yield sb, clock


@pytest.fixture
def sandbox(clocked: tuple[Sandbox, ManualClock]) -> Sandbox:
    sb, _ = clocked
    sb.reset()
    sb.clear_faults()
    sb.set_rate_limit(None)
    sb.set_latency(0)
    return sb


@pytest.fixture
def clock(clocked: tuple[Sandbox, ManualClock]) -> ManualClock:
    return clocked[1]


@pytest.fixture
def vf(sandbox: Sandbox, clock: ManualClock) -> Iterator[Voucherify]:
    with Voucherify(
        app_id=sandbox.app_id, app_token=sandbox.app_token, base_url=sandbox.url, sleep=clock.sleep
    ) as client:
        yield client
