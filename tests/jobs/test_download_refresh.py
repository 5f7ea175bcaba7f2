"""Downloads that recover (issue 12, finding 6): a download URL the download host refuses
(401 after the export's token rotated, or a 403/410 once) is fetched afresh from the export
once and the download tried again; a refusal that persists is the typed error, saying a fresh
URL was tried, after exactly one refresh. Sync and async, ``download`` and ``iter_rows``."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voucherify_ext.client import AsyncVoucherify, Voucherify
from voucherify_ext.errors import APIError, AuthenticationError
from voucherify_ext.exports import acreate_export, create_export
from voucherify_ext.polling import PollSchedule
from voucherify_ext.sandbox import Sandbox

from .conftest import no_asleep, no_sleep

FAST_POLL = PollSchedule(0.01, 1.5, 0.05)
ORDERS = 7
REFUSALS = [401, 403, 410]  # what the download host answers for a URL that no longer works


def _path(export_id: str) -> str:
    return f"/v1/exports/{export_id}"


def _rows_in(path: Path) -> int:
    return path.read_text(encoding="utf-8").count("\n") - 1  # less the header


def test_rotated_token_download_succeeds_after_one_refresh(
    vf: Voucherify, sb: Sandbox, tmp_path: Path
) -> None:
    sb.seed_orders(ORDERS)
    handle = create_export(vf.client, schedule=FAST_POLL, sleep=no_sleep)
    old_url = handle.url
    sb.rotate_export_token(handle.id)
    before = sb.request_count("GET", _path(handle.id))
    path = handle.download(tmp_path / "out.csv")
    assert _rows_in(path) == ORDERS
    assert handle.url_refreshes == 1 and handle.url != old_url
    assert sb.request_count("GET", _path(handle.id)) - before == 3  # refused, refresh, download
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no .part left by the refusal


def test_rotated_token_iter_rows_succeeds_after_one_refresh(vf: Voucherify, sb: Sandbox) -> None:
    sb.seed_orders(ORDERS)
    handle = create_export(vf.client, fields=["id", "source_id"], schedule=FAST_POLL, sleep=no_sleep)
    sb.rotate_export_token(handle.id)
    rows = list(handle.iter_rows())
    assert sorted(r["source_id"] for r in rows) == sorted(o["source_id"] for o in sb.orders())
    assert handle.url_refreshes == 1


async def test_rotated_token_async_download_and_rows_succeed(
    avf: AsyncVoucherify, sb: Sandbox, tmp_path: Path
) -> None:
    sb.seed_orders(ORDERS)
    handle = await acreate_export(avf.client, schedule=FAST_POLL, sleep=no_asleep)
    sb.rotate_export_token(handle.id)
    before = sb.request_count("GET", _path(handle.id))
    path = await handle.download(tmp_path / "out.csv")
    assert _rows_in(path) == ORDERS
    assert sb.request_count("GET", _path(handle.id)) - before == 3
    sb.rotate_export_token(handle.id)
    rows = [row async for row in handle.iter_rows()]
    assert len(rows) == ORDERS and handle.url_refreshes == 2  # once for each of the two reads


@pytest.mark.parametrize("status", REFUSALS)
def test_a_refusal_once_on_the_download_is_refreshed_away(
    vf: Voucherify, sb: Sandbox, tmp_path: Path, status: int
) -> None:
    sb.seed_orders(ORDERS)
    handle = create_export(vf.client, schedule=FAST_POLL, sleep=no_sleep)
    token = handle.url.rsplit("token=", 1)[1] if handle.url else ""
    sb.inject("status", status=status, method="GET", path=_path(handle.id), query={"token": token})
    assert _rows_in(handle.download(tmp_path / "out.csv")) == ORDERS
    assert handle.url_refreshes == 1
    sb.inject("status", status=status, method="GET", path=_path(handle.id), query={"token": token})
    assert len(list(handle.iter_rows())) == ORDERS


@pytest.mark.parametrize("status", REFUSALS)
def test_a_refusal_that_persists_is_typed_after_exactly_one_refresh(
    vf: Voucherify, sb: Sandbox, tmp_path: Path, status: int
) -> None:
    sb.seed_orders(ORDERS)
    handle = create_export(vf.client, schedule=FAST_POLL, sleep=no_sleep)
    token = handle.url.rsplit("token=", 1)[1] if handle.url else ""
    sb.inject("status", status=status, method="GET", path=_path(handle.id), query={"token": token}, times=50)
    for read in (lambda: handle.download(tmp_path / "out.csv"), lambda: list(handle.iter_rows())):
        before, refreshes = sb.request_count("GET", _path(handle.id)), handle.url_refreshes
        with pytest.raises(APIError) as caught:
            read()
        assert caught.value.status_code == status
        assert status != 401 or isinstance(caught.value, AuthenticationError)
        assert "fetched afresh" in str(caught.value) and token not in str(caught.value)
        assert handle.url_refreshes - refreshes == 1
        assert sb.request_count("GET", _path(handle.id)) - before == 3  # refused, refresh, refused
    assert not list(tmp_path.iterdir())


async def test_a_refusal_that_persists_async(avf: AsyncVoucherify, sb: Sandbox, tmp_path: Path) -> None:
    sb.seed_orders(ORDERS)
    handle = await acreate_export(avf.client, schedule=FAST_POLL, sleep=no_asleep)
    token = handle.url.rsplit("token=", 1)[1] if handle.url else ""
    sb.inject("status", status=410, method="GET", path=_path(handle.id), query={"token": token}, times=50)
    before = sb.request_count("GET", _path(handle.id))
    with pytest.raises(APIError, match="fetched afresh") as caught:
        await handle.download(tmp_path / "out.csv")
    assert caught.value.status_code == 410
    with pytest.raises(APIError, match="fetched afresh"):
        [row async for row in handle.iter_rows()]
    assert sb.request_count("GET", _path(handle.id)) - before == 6 and handle.url_refreshes == 2


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    refusals=st.integers(min_value=0, max_value=3),
    status=st.sampled_from([*REFUSALS, 400, 404, 409]),
)
def test_any_run_of_refusals_costs_at_most_one_refresh(
    vf: Voucherify, sb: Sandbox, tmp_path: Path, refusals: int, status: int
) -> None:
    """Whatever refuses the download and how often: a refusal status (401/403/410) once is
    recovered with one refresh, twice or more is its typed error after one refresh; any other
    status is raised at once, without a refresh."""
    sb.reset()
    sb.seed_orders(2)
    handle = create_export(vf.client, schedule=FAST_POLL, sleep=no_sleep)
    token = handle.url.rsplit("token=", 1)[1] if handle.url else ""
    if refusals:
        sb.inject(
            "status",
            status=status,
            method="GET",
            path=_path(handle.id),
            query={"token": token},
            times=refusals,
        )
    before = sb.request_count("GET", _path(handle.id))
    target = tmp_path / f"out-{refusals}-{status}.csv"
    refusable = status in REFUSALS
    try:
        handle.download(target)
    except APIError as exc:
        assert refusals and exc.status_code == status
        assert (refusals >= 2) if refusable else True
        assert ("fetched afresh" in str(exc)) == refusable
    else:
        assert refusals == 0 or (refusable and refusals == 1)
        assert _rows_in(target) == 2
    expected_refreshes = 1 if refusals and refusable else 0
    assert handle.url_refreshes == expected_refreshes
    sent = sb.request_count("GET", _path(handle.id)) - before
    assert sent == (1 if not refusals or not refusable else 3)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
