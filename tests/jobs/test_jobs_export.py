"""Exports against the sandbox: fields, metadata keys and filters; download to a file and to
rows; typed errors; the download token never in logs or errors."""

from __future__ import annotations

import csv
import logging
import urllib.parse
from pathlib import Path

import httpx
import pytest
import respx

from voucherify_ext.client import Voucherify
from voucherify_ext.errors import AuthenticationError, ValidationError
from voucherify_ext.exports import ExportFailedError, ExportHandle, create_export
from voucherify_ext.imports.drivers import import_orders
from voucherify_ext.polling import JobTimeoutError, PollSchedule
from voucherify_ext.sandbox import Sandbox

from .conftest import FakeClock, no_sleep, orders

FAST_POLL = PollSchedule(0.01, 1.5, 0.05)
FIELDS = ["id", "source_id", "status", "amount", "created_at", "metadata.tier"]
PAID = {"status": {"conditions": {"$in": ["PAID"]}}}


def _token(handle: ExportHandle) -> str:
    assert handle.url is not None
    return urllib.parse.parse_qs(urllib.parse.urlsplit(handle.url).query)["token"][0]


def test_export_rows_equal_the_matching_orders(vf: Voucherify, sb: Sandbox, tmp_path: Path) -> None:
    import_orders(vf.client, orders(300), sleep=no_sleep)
    handle = create_export(vf.client, fields=FIELDS, filters=PAID, order="created_at", schedule=FAST_POLL)
    assert handle.status == "DONE"

    expected = [o for o in sb.orders() if o["status"] == "PAID"]
    rows = list(handle.iter_rows())
    assert len(rows) == len(expected) == 150
    for row, order in zip(rows, expected, strict=True):
        assert row["id"] == order["id"] and row["source_id"] == order["source_id"]
        assert row["status"] == "PAID" and row["amount"] == order["amount"]
        assert row["metadata.tier"] == order["metadata"]["tier"]
        assert (
            row["created_at"].isoformat(timespec="milliseconds").replace("+00:00", "Z") == order["created_at"]
        )

    target = handle.download(tmp_path / "paid.csv")
    with open(target, newline="") as handle_file:
        on_disk = list(csv.DictReader(handle_file))
    assert list(on_disk[0]) == FIELDS
    assert [r["source_id"] for r in on_disk] == [o["source_id"] for o in expected]
    assert [p.name for p in tmp_path.iterdir()] == ["paid.csv"]  # no temporary file left behind
    raw = list(handle.iter_rows(parse=False))
    assert raw[0]["amount"] == str(expected[0]["amount"])


def test_wait_false_then_wait_and_deadline(vf: Voucherify, sb: Sandbox) -> None:
    sb.seed_orders(5)
    clock = FakeClock()
    handle = create_export(vf.client, wait=False, sleep=clock.sleep, clock=clock)
    assert handle.status in ("SCHEDULED", "IN_PROGRESS")
    sb.state.export_delay = 3600.0  # nothing finishes while the fake clock runs
    late = create_export(vf.client, wait=False, sleep=clock.sleep, clock=clock)
    with pytest.raises(JobTimeoutError) as caught:
        late.wait(timeout=30)
    assert caught.value.job_id == late.id


def test_invalid_parameters_are_refused_before_sending(vf: Voucherify, sb: Sandbox) -> None:
    with pytest.raises(ValidationError, match=r"fields\[1\]"):
        create_export(vf.client, fields=["id", "colour"])
    with pytest.raises(ValidationError, match="list of column names"):
        create_export(vf.client, fields="id")
    assert sb.request_count("POST", "/v1/orders/export") == 0


def test_export_error_is_typed() -> None:
    created = {
        "id": "exp_1",
        "object": "export",
        "created_at": "2026-01-01T00:00:00.000Z",
        "status": "SCHEDULED",
        "exported_object": "order",
        "result": None,
    }
    with respx.mock(base_url="https://api.voucherify.io") as mock:
        mock.post("/v1/orders/export").respond(200, json=created)
        mock.get("/v1/exports/exp_1").respond(200, json={**created, "status": "ERROR"})
        with (
            Voucherify(app_id="i", app_token="t", sleep=no_sleep) as vf,
            pytest.raises(ExportFailedError) as caught,
        ):
            create_export(vf.client, sleep=no_sleep)
    assert caught.value.job_id == "exp_1"


def test_download_goes_to_the_regional_download_host() -> None:
    created = {
        "id": "exp_1",
        "object": "export",
        "created_at": "2026-01-01T00:00:00.000Z",
        "status": "DONE",
        "exported_object": "order",
        "result": {"url": "https://us1.download.voucherify.io/v1/exports/exp_1?token=SECRET"},
    }
    with respx.mock() as mock:
        mock.post("https://us1.api.voucherify.io/v1/orders/export").respond(200, json=created)
        download = mock.get("https://us1.download.voucherify.io/v1/exports/exp_1").respond(
            200, text="id,source_id\nord_1,a\n", headers={"content-type": "text/plain"}
        )
        with Voucherify(app_id="i", app_token="t", cluster="us1", sleep=no_sleep) as vf:
            rows = list(create_export(vf.client).iter_rows())
    assert rows == [{"id": "ord_1", "source_id": "a"}]
    request = download.calls.last.request
    assert request.headers["x-app-id"] == "i"  # the download host is trusted: auth headers sent
    assert request.url.params["token"] == "SECRET"


def test_download_token_never_in_logs_or_errors(
    vf: Voucherify, sb: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sb.seed_orders(20)
    caplog.set_level(logging.DEBUG)
    handle = create_export(vf.client, schedule=FAST_POLL)
    token = _token(handle)
    handle.download(tmp_path / "all.csv")
    assert len(list(handle.iter_rows())) == 20
    sb.inject("truncate", method="GET", path=f"/v1/exports/{handle.id}", times=1)
    handle.download(tmp_path / "again.csv")  # retried after the cut
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "all.csv").read_bytes()

    # a wrong token, and the fresh URL refused too: a typed error that does not echo the secret
    wrong = ExportHandle(vf.client, handle.export)
    assert handle.url is not None
    wrong.export.result.url = handle.url.replace(token, "not-the-token")  # type: ignore[union-attr]
    sb.inject("status", status=401, method="GET", path=f"/v1/exports/{handle.id}", query={"token": token})
    with pytest.raises(AuthenticationError) as caught:
        wrong.download(tmp_path / "nope.csv")
    assert "not-the-token" not in str(caught.value)
    assert not (tmp_path / "nope.csv").exists()

    logged = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    assert "GET" in caplog.text and handle.id in caplog.text  # the downloads were logged...
    assert token not in logged and "not-the-token" not in logged  # ...without the token
    assert token not in repr(handle)


def test_download_needs_a_finished_export() -> None:
    created = {
        "id": "exp_2",
        "object": "export",
        "created_at": "2026-01-01T00:00:00.000Z",
        "status": "SCHEDULED",
        "exported_object": "order",
        "result": None,
    }
    with respx.mock(base_url="https://api.voucherify.io") as mock:
        mock.post("/v1/orders/export").respond(200, json=created)
        mock.get("/v1/exports/exp_2").mock(
            side_effect=[
                httpx.Response(200, json=created),
                httpx.Response(200, json={**created, "status": "ERROR"}),
            ]
        )
        with Voucherify(app_id="i", app_token="t", sleep=no_sleep) as vf:
            handle = create_export(vf.client, wait=False, sleep=no_sleep)
            with pytest.raises(ExportFailedError):
                handle.download("never.csv")
