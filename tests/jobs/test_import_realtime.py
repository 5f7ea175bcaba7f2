"""The reported import losses in real time, through the public API and the loopback sandbox:
a real read timeout on a POST the server commits after the client gave up, and a real SIGKILL
while that POST is in flight followed by a rerun from the checkpoint. The logical-time model
(test_import_model.py) explores the schedules; these prove the real parts behave as modelled."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from voucherify_ext import AsyncVoucherify, Voucherify
from voucherify_ext.sandbox import Sandbox

from .conftest import no_sleep, orders

IMPORT = "/v1/orders/import"


def _importer(sb: Sandbox, body: str) -> subprocess.Popen[str]:
    """A child process that imports with ``body`` (``vf`` and ``orders`` in scope), given the
    app token on stdin (never on its command line); returns once it prints "sending"."""
    script = textwrap.dedent(
        f"""
        import sys
        from voucherify_ext import Voucherify
        sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
        from tests.jobs.conftest import orders
        token = sys.stdin.readline().strip()
        with Voucherify(base_url={sb.url!r}, app_id={sb.app_id!r}, app_token=token) as vf:
            print("sending", flush=True)
        """
    ) + textwrap.indent(textwrap.dedent(body), "    ")
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(sb.app_token + "\n")
    child.stdin.close()
    assert child.stdout.readline().strip() == "sending"
    return child


def _carried_once(sb: Sandbox, prefix: str, count: int) -> tuple[list[str], list[str]]:
    carriers = sb.import_carriers()
    wanted = [f"{prefix}{i}" for i in range(count)]
    twice = [s for s in wanted if len(carriers.get(s, [])) > 1]
    never = [s for s in wanted if not carriers.get(s)]
    return twice, never


def test_a_post_committed_after_the_read_timeout_is_adopted_not_resent(sb: Sandbox) -> None:
    # finding 1: chunk 1 is committed 1.3 s after it was sent, the client reads for 1.0 s;
    # chunk 2's POST is dropped before it reaches the server
    sb.inject("latency", method="POST", path=IMPORT, delay_ms=1300)
    sb.inject("drop_before", method="POST", path=IMPORT, times=1)
    with Voucherify(base_url=sb.url, app_id=sb.app_id, app_token=sb.app_token, timeout=1.0) as vf:
        result = vf.orders.import_orders(orders(300, prefix="rt"), chunk_size=100, commit_horizon=3)
    assert result.ok, result.summary()
    assert result.chunks[0].reconciled
    twice, never = _carried_once(sb, "rt", 300)
    assert not twice and not never, (twice, never)
    assert sb.async_action_count() == 3  # one action per chunk: nothing sent twice


def test_a_sigkill_during_a_slow_post_then_a_rerun_imports_every_order_once(
    sb: Sandbox, tmp_path: Path
) -> None:
    # finding 2: killed while chunk 1's slow POST was in flight; the rerun must wait for it
    checkpoint = tmp_path / "import.checkpoint"
    sb.inject("latency", method="POST", path=IMPORT, delay_ms=1500)
    child = _importer(
        sb, f"vf.orders.import_orders(orders(40, prefix='k'), chunk_size=10, checkpoint={str(checkpoint)!r})"
    )
    deadline = time.monotonic() + 10
    while sb.request_count("POST", IMPORT) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)  # the POST is in the sandbox, sleeping before it commits
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    assert sb.async_action_count() == 0  # not committed yet: "no action" proves nothing
    with Voucherify(base_url=sb.url, app_id=sb.app_id, app_token=sb.app_token) as vf:
        result = vf.orders.import_orders(
            orders(40, prefix="k"), chunk_size=10, checkpoint=checkpoint, commit_horizon=10
        )
    assert result.ok, result.summary()
    assert result.chunks[0].resumed and result.chunks[0].reconciled
    twice, never = _carried_once(sb, "k", 40)
    assert not twice and not never, (twice, never)
    assert sb.async_action_count() == 4


def test_a_send_with_no_action_within_the_horizon_is_sent_again_once(sb: Sandbox) -> None:
    # a 503 before processing: no action appears, so after the horizon the chunk is resent
    sb.inject("status", status=503, method="POST", path=IMPORT)  # an import POST is not retried on 5xx
    with Voucherify(base_url=sb.url, app_id=sb.app_id, app_token=sb.app_token, sleep=no_sleep) as vf:
        result = vf.orders.import_orders(orders(5, prefix="h"), chunk_size=5, commit_horizon=3)
    assert result.ok, result.summary()
    assert result.chunks[0].submit_attempts == 2
    twice, never = _carried_once(sb, "h", 5)
    assert not twice and not never


def test_sigkill_at_random_moments_then_reruns_import_every_order_once(sb: Sandbox, tmp_path: Path) -> None:
    # a real SIGKILL, at moments nobody chose, of an import that writes (and fsyncs) a
    # checkpoint record before and after every one of its many small chunks: some kills land
    # in the middle of a checkpoint write or of a POST
    checkpoint = tmp_path / "import.checkpoint"
    count = 120
    body = (
        f"vf.orders.import_orders(orders({count}, prefix='rk'), chunk_size=2, "
        f"checkpoint={str(checkpoint)!r}, commit_horizon=1, wait=False)"
    )
    for delay in (0.35, 0.6, 0.45):
        child = _importer(sb, body)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    with Voucherify(base_url=sb.url, app_id=sb.app_id, app_token=sb.app_token) as vf:
        result = vf.orders.import_orders(
            orders(count, prefix="rk"), chunk_size=2, checkpoint=checkpoint, commit_horizon=1
        )
    assert result.ok, result.summary()
    twice, never = _carried_once(sb, "rk", count)
    assert not twice and not never, (twice, never)
    assert sb.async_action_count() == count // 2


async def test_a_cancelled_async_import_then_a_rerun_imports_every_order_once(
    sb: Sandbox, tmp_path: Path
) -> None:
    # finding 3: task.cancel() while chunk 1's slow POST is in flight, then a rerun

    checkpoint = tmp_path / "import.checkpoint"
    sb.inject("latency", method="POST", path=IMPORT, delay_ms=1200)
    async with AsyncVoucherify(base_url=sb.url, app_id=sb.app_id, app_token=sb.app_token) as avf:
        task = asyncio.ensure_future(
            avf.orders.import_orders(orders(30, prefix="c"), chunk_size=10, checkpoint=checkpoint)
        )
        while sb.request_count("POST", IMPORT) == 0:  # noqa: ASYNC110 - polling the sandbox's counter
            await asyncio.sleep(0.02)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert sb.async_action_count() == 0  # the cancelled POST commits later
        result = await avf.orders.import_orders(
            orders(30, prefix="c"), chunk_size=10, checkpoint=checkpoint, commit_horizon=10
        )
    assert result.ok, result.summary()
    twice, never = _carried_once(sb, "c", 30)
    assert not twice and not never, (twice, never)
    assert sb.async_action_count() == 3
