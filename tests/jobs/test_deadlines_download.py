"""Export downloads under slow faults (issue 11, item 3): bounded by a stall rule and by the
caller's ``deadline``, never by a total, so a download that keeps flowing always finishes.
Sync and async, against the loopback sandbox (its socket proxy trickles / drips / never ends)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from voucherify_ext.client import AsyncVoucherify, Voucherify
from voucherify_ext.errors import APITimeoutError, DeadlineExceededError
from voucherify_ext.exports import acreate_export, create_export
from voucherify_ext.http.deadlines import StallRule
from voucherify_ext.polling import PollSchedule
from voucherify_ext.sandbox import Sandbox

from .conftest import no_asleep, no_sleep

FAST_POLL = PollSchedule(0.01, 1.5, 0.05)
DEADLINE = 0.8
READ_TIMEOUT = 1.0
BOUND = DEADLINE + READ_TIMEOUT
PAUSE_MS = 40  # per byte: a 5-order CSV (~200 bytes) takes ~8 s, its head ~10 s

SLOW = [
    pytest.param("trickle", None, id="trickle"),
    pytest.param("header_drip", None, id="header_drip"),
    pytest.param("endless_body", 200, id="endless_200"),
]


@pytest.fixture
def slow_vf(sb: Sandbox) -> Iterator[Voucherify]:
    with Voucherify(
        app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, sleep=no_sleep, timeout=READ_TIMEOUT
    ) as client:
        yield client


@pytest.fixture
async def slow_avf(sb: Sandbox) -> AsyncIterator[AsyncVoucherify]:
    async with AsyncVoucherify(
        app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, sleep=no_asleep, timeout=READ_TIMEOUT
    ) as client:
        yield client


def _inject(sb: Sandbox, export_id: str, kind: str, status: int | None, pause_ms: float = PAUSE_MS) -> None:
    pause = 100 if kind == "endless_body" else pause_ms
    sb.inject(kind, method="GET", path=f"/v1/exports/{export_id}", times=10, status=status, delay_ms=pause)


@pytest.mark.parametrize(("kind", "status"), SLOW)
def test_sync_download_ends_by_the_deadline(
    slow_vf: Voucherify, sb: Sandbox, tmp_path: Path, kind: str, status: int | None
) -> None:
    sb.seed_orders(5)
    handle = create_export(slow_vf.with_options(deadline=DEADLINE).client, schedule=FAST_POLL, sleep=no_sleep)
    _inject(sb, handle.id, kind, status)
    t0 = time.monotonic()
    with pytest.raises(DeadlineExceededError) as info:
        handle.download(tmp_path / "out.csv")
    elapsed = time.monotonic() - t0
    assert elapsed < BOUND, f"{kind}: {elapsed:.2f}s"
    assert "deadline" in str(info.value)
    assert not any(token in str(info.value) for token in sb.export_tokens())
    assert not list(tmp_path.iterdir())  # nothing half-written is left


@pytest.mark.parametrize(("kind", "status"), SLOW)
async def test_async_download_ends_by_the_deadline(
    slow_avf: AsyncVoucherify, sb: Sandbox, tmp_path: Path, kind: str, status: int | None
) -> None:
    sb.seed_orders(5)
    handle = await acreate_export(
        slow_avf.with_options(deadline=DEADLINE).client, schedule=FAST_POLL, sleep=no_asleep
    )
    _inject(sb, handle.id, kind, status)
    t0 = time.monotonic()
    with pytest.raises(DeadlineExceededError) as info:
        await handle.download(tmp_path / "out.csv")
    elapsed = time.monotonic() - t0
    assert elapsed < BOUND, f"{kind}: {elapsed:.2f}s"
    assert "deadline" in str(info.value)
    assert not list(tmp_path.iterdir())  # noqa: ASYNC240


STALL = StallRule(min_bytes=200, window=0.3)  # a trickle of 25 bytes/s stalls in every window


def test_sync_download_that_stalls_is_cut_off(slow_vf: Voucherify, sb: Sandbox, tmp_path: Path) -> None:
    sb.seed_orders(5)
    handle = create_export(slow_vf.client, schedule=FAST_POLL, sleep=no_sleep)
    _inject(sb, handle.id, "trickle", None)
    t0 = time.monotonic()
    with pytest.raises(APITimeoutError) as info:
        handle.download(tmp_path / "out.csv", stall=STALL)
    elapsed = time.monotonic() - t0
    assert elapsed < 3 * STALL.window + READ_TIMEOUT, f"{elapsed:.2f}s"  # three attempts, each cut
    assert "stalled" in str(info.value)


async def test_async_download_that_stalls_is_cut_off(
    slow_avf: AsyncVoucherify, sb: Sandbox, tmp_path: Path
) -> None:
    sb.seed_orders(5)
    # max_retries=0: the download's own three attempts only (the transport would also retry a
    # GET whose head stalled)
    client = slow_avf.with_options(max_retries=0).client
    handle = await acreate_export(client, schedule=FAST_POLL, sleep=no_asleep)
    _inject(sb, handle.id, "header_drip", None)
    t0 = time.monotonic()
    with pytest.raises(APITimeoutError) as info:
        await handle.download(tmp_path / "out.csv", stall=STALL)
    elapsed = time.monotonic() - t0
    assert elapsed < 3 * STALL.window + READ_TIMEOUT, f"{elapsed:.2f}s"
    assert "stalled" in str(info.value)


# A download slower than the per-attempt total but steady enough for its stall rule finishes.
# ~250 bytes/s arrive: ~125 per window, six times the rule's 20 (a loaded machine, the sandbox's
# thread starved by the test's own process, slows the trickle; 20 bytes in 0.2 s was too close)
STEADY = StallRule(min_bytes=20, window=0.5)
ATTEMPT_TIMEOUT = 0.3


def test_sync_steady_download_is_not_cut(slow_vf: Voucherify, sb: Sandbox, tmp_path: Path) -> None:
    sb.seed_orders(5)
    vf = slow_vf.with_options(attempt_timeout=ATTEMPT_TIMEOUT)
    handle = create_export(vf.client, schedule=FAST_POLL, sleep=no_sleep)
    expected = handle.download(tmp_path / "fast.csv").read_bytes()
    _inject(sb, handle.id, "trickle", None, pause_ms=4)
    t0 = time.monotonic()
    target = handle.download(tmp_path / "slow.csv", stall=STEADY)
    elapsed = time.monotonic() - t0
    assert target.read_bytes() == expected and len(expected) > 150
    assert elapsed > 2 * ATTEMPT_TIMEOUT, f"{elapsed:.2f}s"  # longer than an API call may take


async def test_async_steady_download_is_not_cut(
    slow_avf: AsyncVoucherify, sb: Sandbox, tmp_path: Path
) -> None:
    sb.seed_orders(5)
    avf = slow_avf.with_options(attempt_timeout=ATTEMPT_TIMEOUT)
    handle = await acreate_export(avf.client, schedule=FAST_POLL, sleep=no_asleep)
    expected = (await handle.download(tmp_path / "fast.csv")).read_bytes()
    _inject(sb, handle.id, "trickle", None, pause_ms=4)
    t0 = time.monotonic()
    target = await handle.download(tmp_path / "slow.csv", stall=STEADY)
    elapsed = time.monotonic() - t0
    assert target.read_bytes() == expected and len(expected) > 150
    assert elapsed > 2 * ATTEMPT_TIMEOUT, f"{elapsed:.2f}s"
