"""``download(on_progress=)``: bytes written so far and the Content-Length total, per chunk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import respx
from voucherify_client.models import Export

from voucherify_ext.client import AsyncVoucherify, Voucherify
from voucherify_ext.exports import ExportHandle, acreate_export, create_export
from voucherify_ext.polling import PollSchedule
from voucherify_ext.sandbox import Sandbox

from .conftest import no_sleep

FAST_POLL = PollSchedule(0.01, 1.5, 0.05)
FIELDS = ["id", "source_id", "status", "amount", "created_at"]


def _check(calls: list[tuple[int, int | None]], target: Path) -> None:
    size = target.stat().st_size
    assert len(calls) >= 3  # the CSV (> 200 kB) arrives in several 64 kB blocks
    written = [w for w, _ in calls]
    assert written == sorted(written) and len(set(written)) == len(written)
    assert calls[-1] == (size, size)
    assert {total for _, total in calls} == {size}  # the total comes from Content-Length


def test_download_reports_progress(vf: Voucherify, sb: Sandbox, tmp_path: Path) -> None:
    sb.seed_orders(5_000)
    handle = create_export(vf.client, fields=FIELDS, schedule=FAST_POLL)
    calls: list[tuple[int, int | None]] = []
    target = handle.download(tmp_path / "all.csv", on_progress=lambda w, t: calls.append((w, t)))
    _check(calls, target)


async def test_async_download_reports_progress(avf: AsyncVoucherify, sb: Sandbox, tmp_path: Path) -> None:
    sb.seed_orders(5_000)
    handle = await acreate_export(avf.client, fields=FIELDS, schedule=FAST_POLL)
    calls: list[tuple[int, int | None]] = []
    target = await handle.download(tmp_path / "all.csv", on_progress=lambda w, t: calls.append((w, t)))
    _check(calls, target)


def test_download_without_content_length_reports_no_total(tmp_path: Path) -> None:
    done = Export.from_dict(
        {
            "id": "exp_1",
            "object": "export",
            "created_at": "2026-01-01T00:00:00.000Z",
            "status": "DONE",
            "channel": "API",
            "exported_object": "order",
            "parameters": {},
            "result": {"url": "https://download.voucherify.io/v1/exports/exp_1?token=T"},
        }
    )
    body = b"id\n" + b"".join(b"ord_%06d\n" % n for n in range(20_000))

    class Chunked(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for start in range(0, len(body), 50_000):
                yield body[start : start + 50_000]

    calls: list[tuple[int, int | None]] = []
    with respx.mock() as mock, Voucherify(app_id="i", app_token="t", sleep=no_sleep) as vf:
        mock.get("https://download.voucherify.io/v1/exports/exp_1").mock(
            return_value=httpx.Response(200, stream=Chunked())  # chunked: no Content-Length
        )
        target = ExportHandle(vf.client, done).download(
            tmp_path / "x.csv", on_progress=lambda w, t: calls.append((w, t))
        )
    assert target.read_bytes() == body
    assert calls[-1] == (len(body), None) and all(t is None for _, t in calls)
