"""Sync/async parity of async actions and the poll loop: ``AsyncActions`` / ``AsyncAsyncActions``
and ``poll`` / ``apoll`` have the same public names and signatures (as scripts/unasync.py's
rename table says), poll the same way for any scripted job (hypothesis), and get, wait for and
list the same actions on the sandbox, on its manual clock."""

from __future__ import annotations

import asyncio
import functools
import inspect
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voucherify_ext import AsyncVoucherify, Voucherify
from voucherify_ext.async_actions.actions import AsyncActions, AsyncAsyncActions
from voucherify_ext.errors import (
    APIConnectionError,
    InputTypeError,
    NotFoundError,
    ValidationError,
    VoucherifyError,
)
from voucherify_ext.polling import PollObservation, PollSchedule, PollState, apoll, poll
from voucherify_ext.sandbox import ManualClock, Sandbox

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import unasync

DUNDERS = {"__init__"}


def sync_annotation(annotation: object) -> object:
    if not isinstance(annotation, str):
        return annotation
    return unasync.transform(f"x: {annotation}\n").removeprefix("x: ").rstrip("\n")


#: defaults the rename table maps (``asyncio.sleep`` -> ``time.sleep``)
SYNC_DEFAULTS: dict[Any, Any] = {asyncio.sleep: time.sleep}


def as_sync(rows: list[tuple[str, Any, Any, Any]]) -> list[tuple[str, Any, Any, Any]]:
    return [(n, k, SYNC_DEFAULTS.get(d, d), sync_annotation(a)) for n, k, d, a in rows]


def rows(fn: Any) -> list[tuple[str, Any, Any, Any]]:
    signature = inspect.signature(fn)
    found = [(p.name, p.kind, p.default, p.annotation) for p in signature.parameters.values()]
    return [*found, ("return", None, None, signature.return_annotation)]


def test_the_resources_have_the_same_names_and_signatures() -> None:
    def members(cls: type) -> dict[str, Any]:
        return {n: getattr(cls, n) for n in dir(cls) if not n.startswith("_") or n in DUNDERS}

    sync, async_ = members(AsyncActions), members(AsyncAsyncActions)
    assert set(sync) == set(async_) == {"__init__", "get", "wait", "list_page", "iter", "with_raw_response"}
    for name, method in async_.items():
        twin = sync[name]
        if isinstance(method, functools.cached_property):  # with_raw_response: compare its getter
            method, twin = method.func, twin.func
        assert rows(twin) == as_sync(rows(method)), name
    for name in ("get", "wait", "list_page"):
        assert inspect.iscoroutinefunction(async_[name]) and not inspect.iscoroutinefunction(sync[name])


def test_poll_and_apoll_have_the_same_signature() -> None:
    assert rows(poll) == as_sync(rows(apoll))


# -- the loop, scripted --------------------------------------------------------------------------


@dataclass
class Job:
    status: str
    progress: int


def state(job: Job) -> PollState:
    known: dict[str, PollState] = {"DONE": "done", "FAILED": "failed", "ENQUEUED": "pending"}
    return known.get(job.status, "pending" if job.status == "IN_PROGRESS" else "unknown")


class Recording:
    """A strategy that keeps what it was shown and answers from a schedule."""

    def __init__(self, schedule: PollSchedule) -> None:
        self.schedule = schedule
        self.seen: list[PollObservation] = []

    def next_interval(self, observed: PollObservation) -> float:
        self.seen.append(observed)
        return self.schedule.next_interval(observed)


EVENTS = st.one_of(
    st.tuples(st.sampled_from(["DONE", "FAILED", "IN_PROGRESS", "ENQUEUED", "PAUSED"]), st.integers(0, 100)),
    st.sampled_from(["transient", "fatal"]),
)
SCHEDULES = st.builds(PollSchedule, st.floats(0.01, 20), st.floats(0.5, 3), st.floats(0.01, 30))


def run_scripted(events: list[Any], timeout: float | None, schedule: PollSchedule, side: str) -> Any:
    now = [1000.0]
    sleeps: list[float] = []
    polled: list[Job] = []
    script = iter(events)
    strategy = Recording(schedule)

    def fetch() -> Job:
        event = next(script, ("DONE", 100))  # the job ends once the script does
        if event == "transient":
            raise APIConnectionError("connection reset")
        if event == "fatal":
            raise ValidationError("refused")
        return Job(*event)

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    async def afetch() -> Job:
        return fetch()

    async def asleep(seconds: float) -> None:
        sleep(seconds)

    common: dict[str, Any] = {
        "job_id": "aa_1",
        "what": "async action",
        "timeout": timeout,
        "clock": lambda: now[0],
        "schedule": strategy,
        "on_poll": polled.append,
    }
    try:
        if side == "sync":
            result: Any = poll(fetch, state, sleep=sleep, **common)
        else:
            result = asyncio.run(apoll(afetch, state, sleep=asleep, **common))
    except VoucherifyError as exc:
        result = (type(exc), str(exc), getattr(exc, "last", None), type(exc.__cause__))
    return result, sleeps, polled, strategy.seen


@settings(max_examples=300, deadline=None)
@given(st.lists(EVENTS, max_size=30), st.none() | st.floats(0, 120), SCHEDULES)
def test_poll_and_apoll_poll_alike(events: list[Any], timeout: float | None, schedule: PollSchedule) -> None:
    assert run_scripted(events, timeout, schedule, "sync") == run_scripted(events, timeout, schedule, "async")


# -- the sandbox ---------------------------------------------------------------------------------


def _start_import(vf: Voucherify, count: int, prefix: str) -> str:
    from voucherify_client.api.orders import import_orders
    from voucherify_client.models import OrdersImportCreateRequestBodyItem

    body = [
        OrdersImportCreateRequestBodyItem.from_dict({"source_id": f"{prefix}{i}", "amount": 100 + i})
        for i in range(count)
    ]
    response = import_orders.sync_detailed(client=vf.client, body=body)
    assert response.parsed is not None
    return str(response.parsed.async_action_id)  # type: ignore[union-attr]


def _failure(run: Callable[[], Any]) -> Any:
    try:
        return ("ok", run())
    except VoucherifyError as exc:
        return (type(exc), re.sub(r"request_id=[\w-]+", "request_id=?", str(exc)))


async def test_the_same_waits_and_lists_on_the_sandbox(
    voucherify_sandbox: Sandbox, voucherify_sandbox_clock: ManualClock
) -> None:
    sb, clock = voucherify_sandbox, voucherify_sandbox_clock
    sb.set_import_speed(40)  # 100 orders: 2.5 s of the sandbox's time
    waits: dict[str, list[float]] = {"sync": [], "async": []}
    progress: dict[str, list[int]] = {"sync": [], "async": []}

    def sync_sleep(seconds: float) -> None:
        waits["sync"].append(seconds)
        clock.advance(seconds)

    async def async_sleep(seconds: float) -> None:
        waits["async"].append(seconds)
        clock.advance(seconds)

    creds = {"app_id": sb.app_id, "app_token": sb.app_token, "base_url": sb.url}
    with Voucherify(**creds, sleep=lambda s: None) as vf:
        ids = [_start_import(vf, 100, "s-")]
        actions = AsyncActions(vf.client, sleep=sync_sleep, clock=clock)
        done = actions.wait(ids[0], timeout=60, on_progress=progress["sync"].append)
        sync_listed = [a.id for a in actions.iter(limit=1)]
        sync_page = [a.id for a in actions.list_page(limit=5).async_actions]
        sync_errors = [
            _failure(lambda: actions.get("aa_missing")),
            _failure(lambda: actions.get("")),
            _failure(lambda: actions.iter(end_date="yesterday")),
        ]
        ids.append(_start_import(vf, 100, "a-"))
    async with AsyncVoucherify(**creds) as avf:
        aactions = AsyncAsyncActions(avf.client, sleep=async_sleep, clock=clock)
        adone = await aactions.wait(ids[1], timeout=60, on_progress=progress["async"].append)
        async_listed = [a.id async for a in aactions.iter(limit=1)]
        async_page = [a.id for a in (await aactions.list_page(limit=5)).async_actions]
        async_errors = []
        for attempt in (lambda: aactions.get("aa_missing"), lambda: aactions.get("")):
            try:
                await attempt()
            except VoucherifyError as exc:
                async_errors.append((type(exc), re.sub(r"request_id=[\w-]+", "request_id=?", str(exc))))
        async_errors.append(_failure(lambda: aactions.iter(end_date="yesterday")))

    assert (str(done.status), done.result["done_count"]) == ("DONE", 100)  # type: ignore[index]
    assert (str(adone.status), adone.result["done_count"]) == ("DONE", 100)  # type: ignore[index]
    assert waits["sync"] == waits["async"] and len(waits["sync"]) >= 2
    assert progress["sync"] == progress["async"] and progress["sync"][-1] == 100
    assert sync_page == async_page[1:] and async_listed == [ids[1], ids[0]] == async_page
    assert sync_listed == [ids[0]]
    assert sync_errors == async_errors
    assert [kind for kind, _ in sync_errors] == [NotFoundError, ValidationError, ValidationError]


@pytest.mark.parametrize("bad", ["5", float("nan"), -1])
async def test_the_same_refusal_of_a_bad_timeout(bad: Any) -> None:
    with Voucherify(app_id="i", app_token="t") as vf:
        sync = _failure(lambda: AsyncActions(vf.client).wait("aa_1", timeout=bad))
    async with AsyncVoucherify(app_id="i", app_token="t") as avf:
        try:
            await AsyncAsyncActions(avf.client).wait("aa_1", timeout=bad)
            async_: Any = ("ok", None)
        except VoucherifyError as exc:
            async_ = (type(exc), str(exc))
    assert sync == async_ and sync[0] in (InputTypeError, ValidationError)
