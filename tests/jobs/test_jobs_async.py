"""The async twins on ``AsyncVoucherify``: wait, iter, import (iterable, async iterable, file,
lost response, resume) and export (rows and download)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from voucherify_ext.async_actions.actions import AsyncAsyncActions
from voucherify_ext.client import AsyncVoucherify
from voucherify_ext.exports import acreate_export
from voucherify_ext.imports.drivers import ImportProgress, ImportValidationError, aimport_orders
from voucherify_ext.polling import JobTimeoutError, PollSchedule
from voucherify_ext.sandbox import Sandbox

from .conftest import FakeClock, no_asleep, orders, write_jsonl

IMPORT = "/v1/orders/import"
FAST_POLL = PollSchedule(0.01, 1.5, 0.05)


async def test_async_import_of_an_async_iterable_with_a_lost_response(
    avf: AsyncVoucherify, sb: Sandbox
) -> None:
    async def source() -> AsyncIterator[dict[str, Any]]:
        for order in orders(4500):
            yield order

    sb.inject("drop_after", method="POST", path=IMPORT, times=1)
    events: list[ImportProgress] = []
    result = await aimport_orders(avf.client, source(), on_progress=events.append, sleep=no_asleep)
    assert result.done_count == 4500 and [c.count for c in result.chunks] == [2000, 2000, 500]
    assert result.chunks[0].reconciled and sb.request_count("POST", IMPORT) == 3
    assert sb.count_orders() == 4500
    assert [e.orders_submitted for e in events if e.phase == "submitting"] == [2000, 4000, 4500]

    listed = [a.id async for a in AsyncAsyncActions(avf.client).iter(limit=2)]
    assert sorted(listed) == sorted(result.async_action_ids)


async def test_async_import_from_a_file_with_resume(
    avf: AsyncVoucherify, sb: Sandbox, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "o.jsonl", orders(30))
    checkpoint = tmp_path / "cp"

    def stop_after_two(event: ImportProgress) -> None:
        if event.chunks_submitted == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as caught:
        await aimport_orders(
            avf.client, path, chunk_size=10, checkpoint=checkpoint, on_progress=stop_after_two
        )
    assert len(caught.value.import_result.chunks) == 2  # type: ignore[attr-defined]
    result = await aimport_orders(avf.client, path, chunk_size=10, checkpoint=checkpoint, sleep=no_asleep)
    assert [c.resumed for c in result.chunks] == [True, True, False]
    assert result.done_count == 30 and sb.request_count("POST", IMPORT) == 3


async def test_async_file_validation_error_sends_nothing(
    avf: AsyncVoucherify, sb: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "o.jsonl"
    path.write_text('{"source_id": "a"}\n{"source_id": "b", "status": 1}\n')
    with pytest.raises(ImportValidationError, match=r"o\.jsonl:2: invalid order: status: "):
        await aimport_orders(avf.client, path)
    assert sb.request_count("POST", IMPORT) == 0


async def test_async_wait_deadline_then_resume(avf: AsyncVoucherify, sb: Sandbox) -> None:
    sb.set_import_speed(250)  # 4 s of server work: the fake-clock polls never outrun it, even under load
    result = await aimport_orders(avf.client, orders(1000), wait=False)
    clock = FakeClock()
    # the backoff's intervals are asserted, so the backoff is asked for: the default schedule
    # would read the action's progress, which moves in real time while this clock jumps
    actions = AsyncAsyncActions(avf.client, sleep=clock.asleep, clock=clock, schedule=PollSchedule())
    with pytest.raises(JobTimeoutError) as caught:
        await actions.wait(result.async_action_ids[0], timeout=5)
    assert clock.sleeps[:2] == [1.0, 1.5]
    progress: list[int] = []
    action = await AsyncAsyncActions(avf.client, schedule=FAST_POLL).wait(
        caught.value.job_id, timeout=30, on_progress=progress.append
    )
    assert str(action.status) == "DONE" and progress[-1] == 100


async def test_async_cancellation_is_not_swallowed(avf: AsyncVoucherify, sb: Sandbox) -> None:
    sb.set_import_speed(0.001)
    polling = asyncio.Event()

    async def poll_sleep(seconds: float) -> None:
        polling.set()  # it polled the first action (still running) and waits for the next poll
        await asyncio.Event().wait()  # the client's time moves only when the test says so: never

    task = asyncio.create_task(
        aimport_orders(avf.client, orders(20), chunk_size=10, schedule=FAST_POLL, sleep=poll_sleep)
    )
    await asyncio.wait_for(polling.wait(), 10)
    assert sb.request_count("POST", IMPORT) == 2 and sb.request_count("GET") >= 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError) as caught:
        await task
    assert len(caught.value.import_result.chunks) == 2  # type: ignore[attr-defined]


async def test_async_export_rows_and_download(avf: AsyncVoucherify, sb: Sandbox, tmp_path: Path) -> None:
    await aimport_orders(avf.client, orders(120), sleep=no_asleep)
    handle = await acreate_export(
        avf.client,
        fields=["id", "source_id", "status", "amount", "metadata.n"],
        filters={"junction": "and", "status": {"conditions": {"$in": ["CREATED"]}}},
        order="-created_at",
        schedule=FAST_POLL,
    )
    expected = list(reversed([o for o in sb.orders() if o["status"] == "CREATED"]))
    rows = [row async for row in handle.iter_rows()]
    assert [(r["source_id"], r["amount"], r["metadata.n"]) for r in rows] == [
        (o["source_id"], o["amount"], o["metadata"]["n"]) for o in expected
    ]
    target = await handle.download(tmp_path / "created.csv")
    assert target.read_text().count("\n") == len(expected) + 1
