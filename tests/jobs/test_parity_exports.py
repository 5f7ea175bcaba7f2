"""Parity of the export pair: ``ExportHandle``/``AsyncExportHandle`` and
``create_export``/``acreate_export`` have the same names and signatures (the async spelling of
each type aside), and, on the sandbox, do the same: the same export created, waited and
downloaded, the same rows, and under any script of download faults the same outcome, the same
requests, the same waits and the same refreshes. The sync side is generated from the async
source (``scripts/unasync.py``); this is what says the generation is faithful."""

from __future__ import annotations

import asyncio
import inspect
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voucherify_ext.client import AsyncVoucherify, Voucherify
from voucherify_ext.errors import VoucherifyError
from voucherify_ext.exports import AsyncExportHandle, ExportHandle, acreate_export, create_export
from voucherify_ext.polling import JobTimeoutError, PollSchedule
from voucherify_ext.sandbox import Sandbox

from .conftest import FakeClock, no_asleep, no_sleep

FAST_POLL = PollSchedule(0.01, 1.5, 0.05)
FIELDS = ["id", "source_id", "status", "amount", "created_at", "metadata"]
PAID = {"status": {"conditions": {"$in": ["PAID"]}}}

# The only differences a signature may show: the async spelling of a type, and the default sleep.
ASYNC_SPELLING = {"AsyncExportHandle": "ExportHandle", "AsyncIterator": "Iterator"}
DEFAULTS = {asyncio.sleep: time.sleep}


def _sync_spelling(annotation: Any) -> Any:
    if not isinstance(annotation, str):
        return annotation
    return re.sub(r"\w+", lambda m: ASYNC_SPELLING.get(m.group(0), m.group(0)), annotation)


def _shape(function: Callable[..., Any], *, from_async: bool) -> list[tuple[str, Any, Any, Any]]:
    signature = inspect.signature(function)
    shape = [
        (
            p.name,
            p.kind,
            DEFAULTS.get(p.default, p.default) if from_async else p.default,
            _sync_spelling(p.annotation) if from_async else p.annotation,
        )
        for p in signature.parameters.values()
    ]
    returns = _sync_spelling(signature.return_annotation) if from_async else signature.return_annotation
    return [*shape, ("->", None, None, returns)]


def _public(cls: type) -> list[str]:
    return sorted(name for name in dir(cls) if not name.startswith("_"))


def test_the_handles_have_the_same_public_names_and_signatures() -> None:
    assert _public(ExportHandle) == _public(AsyncExportHandle)
    assert {"download", "iter_rows", "refresh", "wait", "id", "status", "url"} <= set(_public(ExportHandle))
    for name in _public(ExportHandle):
        sync, async_ = (
            inspect.getattr_static(ExportHandle, name),
            inspect.getattr_static(AsyncExportHandle, name),
        )
        assert type(sync) is type(async_), name
        if isinstance(sync, property):
            assert sync.fget is async_.fget, name  # one shared implementation (handle_base)
            continue
        assert _shape(sync, from_async=False) == _shape(async_, from_async=True), name
        assert inspect.getdoc(sync) and inspect.getdoc(sync) == inspect.getdoc(async_), name
    assert _shape(ExportHandle.__init__, from_async=False) == _shape(
        AsyncExportHandle.__init__, from_async=True
    )


def test_each_async_method_is_the_async_form_of_its_sync_twin() -> None:
    for name in ("download", "refresh", "wait"):
        assert inspect.iscoroutinefunction(getattr(AsyncExportHandle, name)), name
        assert not inspect.iscoroutinefunction(getattr(ExportHandle, name)), name
    assert inspect.isasyncgenfunction(AsyncExportHandle.iter_rows)
    assert inspect.isgeneratorfunction(ExportHandle.iter_rows)
    assert inspect.iscoroutinefunction(acreate_export) and not inspect.iscoroutinefunction(create_export)


def test_create_export_and_acreate_export_have_the_same_signature() -> None:
    assert _shape(create_export, from_async=False) == _shape(acreate_export, from_async=True)
    assert inspect.getdoc(create_export) == inspect.getdoc(acreate_export)


# ---------------------------------------------------------------------------- on the sandbox


def _rows_sync(handle: ExportHandle, parse: bool = True) -> list[dict[str, Any]]:
    return list(handle.iter_rows(parse=parse))


async def _rows_async(handle: AsyncExportHandle, parse: bool = True) -> list[dict[str, Any]]:
    return [row async for row in handle.iter_rows(parse=parse)]


def test_the_same_export_is_created_waited_and_downloaded(
    vf: Voucherify, avf_factory: Callable[[], AsyncVoucherify], sb: Sandbox, tmp_path: Path
) -> None:
    sb.seed_orders(40, metadata={"tier": "gold"})
    sb.seed_orders(25, source_id_prefix="created-", status="CREATED")
    sync_handle = create_export(
        vf.client, fields=FIELDS, filters=PAID, order="-created_at", schedule=FAST_POLL, sleep=no_sleep
    )
    sync_file = sync_handle.download(tmp_path / "sync.csv")
    sync_rows, sync_raw = _rows_sync(sync_handle), _rows_sync(sync_handle, parse=False)

    async def run() -> tuple[AsyncExportHandle, Path, list[dict[str, Any]], list[dict[str, Any]]]:
        async with avf_factory() as avf:
            handle = await acreate_export(
                avf.client,
                fields=FIELDS,
                filters=PAID,
                order="-created_at",
                schedule=FAST_POLL,
                sleep=no_asleep,
            )
            path = await handle.download(tmp_path / "async.csv")
            return handle, path, await _rows_async(handle), await _rows_async(handle, parse=False)

    async_handle, async_file, async_rows, async_raw = asyncio.run(run())
    assert sync_handle.id != async_handle.id  # two exports...
    assert sync_handle.export.parameters == async_handle.export.parameters  # ...of the same request
    assert (sync_handle.status, async_handle.status) == ("DONE", "DONE")
    assert sync_file.read_bytes() == async_file.read_bytes()
    assert len(sync_rows) == 40 and sync_rows == async_rows and sync_raw == async_raw
    assert sorted(p.name for p in tmp_path.iterdir()) == ["async.csv", "sync.csv"]
    assert vars(sync_handle).keys() == vars(async_handle).keys()


def test_a_failed_wait_is_the_same(
    vf: Voucherify, avf_factory: Callable[[], AsyncVoucherify], sb: Sandbox
) -> None:
    """The wait on the injected clock: the same polls, the same waits, the same error."""
    sb.seed_orders(3)
    sb.state.export_delay = 3600.0  # nothing finishes while the fake clocks run
    sync_clock, async_clock = FakeClock(), FakeClock()
    with pytest.raises(JobTimeoutError) as sync_error:
        create_export(vf.client, timeout=45, sleep=sync_clock.sleep, clock=sync_clock)

    async def run() -> None:
        async with avf_factory() as avf:
            await acreate_export(avf.client, timeout=45, sleep=async_clock.asleep, clock=async_clock)

    with pytest.raises(JobTimeoutError) as async_error:
        asyncio.run(run())
    assert sync_clock.sleeps == async_clock.sleeps and sum(sync_clock.sleeps) >= 45
    assert _same_text(sync_error.value, async_error.value)


def _same_text(sync: BaseException, async_: BaseException) -> bool:
    return type(sync) is type(async_) and _normal(str(sync)) == _normal(str(async_))


def _normal(text: str) -> str:
    """The text without what differs between two exports: their ids, the server's request ids."""
    return re.sub(r"request_id=[\w-]+", "request_id=<id>", re.sub(r"exp_\w+", "<export>", text))


# One download fault: what the sandbox does to the next matching download request(s).
FAULT = st.one_of(
    st.tuples(st.sampled_from(["drop_before", "truncate"]), st.just(None), st.integers(1, 3)),
    st.tuples(st.just("status"), st.sampled_from([401, 403, 410, 404, 500, 503]), st.integers(1, 2)),
)
SCRIPT = st.fixed_dictionaries(
    {
        "faults": st.lists(FAULT, max_size=3),
        "rotate": st.booleans(),  # the export's token rotated before the download
        "what": st.sampled_from(["download", "rows"]),
    }
)


def _inject(sb: Sandbox, handle: ExportHandle | AsyncExportHandle, script: dict[str, Any]) -> None:
    assert handle.url is not None
    token = handle.url.rsplit("token=", 1)[1]
    for kind, status, times in script["faults"]:
        sb.inject(
            kind,
            status=status,
            method="GET",
            path=f"/v1/exports/{handle.id}",
            query={"token": token},
            times=times,
        )
    if script["rotate"]:
        sb.rotate_export_token(handle.id)


def _observed(
    handle: ExportHandle | AsyncExportHandle,
    outcome: Any,
    slept: list[float],
    sb: Sandbox,
    before: int,
    folder: Path,
) -> dict[str, Any]:
    return {
        "outcome": outcome,
        "slept": slept,
        "url_refreshes": handle.url_refreshes,
        "requests": sb.request_count("GET", f"/v1/exports/{handle.id}") - before,
        "files": sorted(p.name for p in folder.iterdir()),
    }


def _failure(exc: VoucherifyError) -> tuple[str, str, int | None]:
    return type(exc).__name__, _normal(str(exc)), getattr(exc, "status_code", None)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=SCRIPT)
def test_under_any_download_faults_both_do_the_same(
    vf: Voucherify,
    avf_factory: Callable[[], AsyncVoucherify],
    sb: Sandbox,
    tmp_path_factory: Any,
    script: dict[str, Any],
) -> None:
    if not sb.orders():
        sb.seed_orders(30)
    sb.clear_faults()

    slept_sync: list[float] = []
    sync_dir = tmp_path_factory.mktemp("sync")
    done = create_export(vf.client, schedule=FAST_POLL, sleep=no_sleep)
    handle = ExportHandle(vf.client, done.export, sleep=slept_sync.append)  # the download's waits only
    _inject(sb, handle, script)
    before = sb.request_count("GET", f"/v1/exports/{handle.id}")
    rows: list[dict[str, Any]] = []
    try:
        if script["what"] == "download":
            outcome: Any = handle.download(sync_dir / "out.csv").read_bytes()
        else:
            for row in handle.iter_rows():
                rows.append(row)
            outcome = rows
    except VoucherifyError as exc:
        outcome = (_failure(exc), rows)
    sync = _observed(handle, outcome, slept_sync, sb, before, sync_dir)
    sb.clear_faults()

    slept_async: list[float] = []
    async_dir = tmp_path_factory.mktemp("async")

    async def record(seconds: float) -> None:
        slept_async.append(seconds)

    async def run() -> dict[str, Any]:
        async with avf_factory() as avf:
            done = await acreate_export(avf.client, schedule=FAST_POLL, sleep=no_asleep)
            ahandle = AsyncExportHandle(avf.client, done.export, sleep=record)
            _inject(sb, ahandle, script)
            before = sb.request_count("GET", f"/v1/exports/{ahandle.id}")
            rows: list[dict[str, Any]] = []
            try:
                if script["what"] == "download":
                    outcome: Any = (await ahandle.download(async_dir / "out.csv")).read_bytes()
                else:
                    async for row in ahandle.iter_rows():
                        rows.append(row)
                    outcome = rows
            except VoucherifyError as exc:
                outcome = (_failure(exc), rows)
            return _observed(ahandle, outcome, slept_async, sb, before, async_dir)

    assert asyncio.run(run()) == sync
    sb.clear_faults()


@pytest.fixture
def avf_factory(sb: Sandbox) -> Callable[[], AsyncVoucherify]:
    """A new async client per event loop (``asyncio.run`` in a sync test: one loop each)."""

    def make() -> AsyncVoucherify:
        return AsyncVoucherify(app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, sleep=no_asleep)

    return make
