"""Hooks (``voucherify_ext.hooks``) against the sandbox: every retry the transport makes reaches
``on_retry`` with the delay it then sleeps, every pause for the rate budget reaches
``on_rate_limit_wait`` and they add up to the time slept for it, and a hook that raises does
not break the call. Drawn fault schedules, not picked ones."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voucherify_ext import Hooks, Voucherify
from voucherify_ext.errors import APIError
from voucherify_ext.hooks import RateLimitWaitEvent, RetryEvent
from voucherify_ext.sandbox import Sandbox, serve


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with serve() as sb:
        yield sb


class Recorder:
    def __init__(self) -> None:
        self.retries: list[RetryEvent] = []
        self.waits: list[RateLimitWaitEvent] = []
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def hooks(self) -> Hooks:
        return Hooks(on_retry=self.retries.append, on_rate_limit_wait=self.waits.append)


RETRIED = st.sampled_from([429, 500, 502, 503, 504])


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(statuses=st.lists(RETRIED, max_size=5), max_retries=st.integers(0, 4))
def test_each_retry_reaches_the_hook_with_the_delay_slept(
    sandbox: Sandbox, statuses: list[int], max_retries: int
) -> None:
    sandbox.reset()
    order = sandbox.seed_orders(1)[0]
    for status in statuses:
        sandbox.inject("status", status=status, method="GET", path="/v1/orders/*", times=1)
    seen = Recorder()
    with Voucherify(
        app_id=sandbox.app_id,
        app_token=sandbox.app_token,
        base_url=sandbox.url,
        sleep=seen.sleep,
        max_retries=max_retries,
        hooks=seen.hooks(),
    ) as vf:
        try:
            vf.orders.get(order)
            failed = False
        except APIError:
            failed = True
    retried = min(len(statuses), max_retries)
    assert failed == (len(statuses) > max_retries)
    assert [e.attempt for e in seen.retries] == list(range(1, retried + 1))
    assert [e.outcome for e in seen.retries] == [str(s) for s in statuses[:retried]]
    assert all(e.method == "GET" and e.path.startswith("/v1/orders/") for e in seen.retries)
    # no rate limit here: every sleep is a retry's, and each is the delay its event announced
    assert seen.slept == [e.delay for e in seen.retries]
    assert seen.waits == []


def test_rate_limit_waits_reach_the_hook_and_add_up_to_the_time_waited(sandbox: Sandbox) -> None:
    sandbox.reset()
    order = sandbox.seed_orders(1)[0]
    now = [1000.0]
    seen = Recorder()

    def sleep(seconds: float) -> None:
        seen.sleep(seconds)
        now[0] += seconds

    with Voucherify(
        app_id=sandbox.app_id,
        app_token=sandbox.app_token,
        base_url=sandbox.url,
        sleep=sleep,
        clock=lambda: now[0],
        rate_limit="2/s",
        hooks=seen.hooks(),
    ) as vf:
        for _ in range(6):
            vf.orders.get(order)
    assert seen.retries == []
    assert seen.waits, "six requests under 2/s must wait for the budget"
    assert sum(e.seconds for e in seen.waits) == pytest.approx(sum(seen.slept))
    assert sum(seen.slept) >= 2.0  # six requests at two a second span at least two windows
    assert {e.path for e in seen.waits} == {f"/v1/orders/{order}"}


def test_a_hook_that_raises_does_not_break_the_call(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.reset()
    order = sandbox.seed_orders(1)[0]
    sandbox.inject("status", status=503, method="GET", times=1)

    def broken(event: RetryEvent) -> None:
        raise RuntimeError("a broken metrics client")

    with (
        caplog.at_level(logging.WARNING, logger="voucherify"),
        Voucherify(
            app_id=sandbox.app_id,
            app_token=sandbox.app_token,
            base_url=sandbox.url,
            sleep=lambda s: None,
            hooks=Hooks(on_retry=broken),
        ) as vf,
    ):
        assert vf.orders.get(order).id == order
    assert any("on_retry hook raised" in r.getMessage() for r in caplog.records)


def test_with_options_replaces_the_hooks_of_the_variant_only(sandbox: Sandbox) -> None:
    sandbox.reset()
    order = sandbox.seed_orders(1)[0]
    parent, child = Recorder(), Recorder()
    with Voucherify(
        app_id=sandbox.app_id,
        app_token=sandbox.app_token,
        base_url=sandbox.url,
        sleep=lambda s: None,
        hooks=parent.hooks(),
    ) as vf:
        variant = vf.with_options(hooks=child.hooks())
        sandbox.inject("status", status=503, method="GET", times=1)
        variant.orders.get(order)
        sandbox.inject("status", status=503, method="GET", times=1)
        vf.with_options(max_retries=1).orders.get(order)  # keeps the parent's hooks
    assert len(child.retries) == 1
    assert len(parent.retries) == 1


async def test_the_async_client_calls_the_same_hooks(sandbox: Sandbox) -> None:
    from voucherify_ext import AsyncVoucherify

    sandbox.reset()
    order = sandbox.seed_orders(1)[0]
    sandbox.inject("status", status=502, method="GET", times=2)
    seen: list[RetryEvent] = []

    async def no_sleep(seconds: float) -> None:
        return None

    async with AsyncVoucherify(
        app_id=sandbox.app_id,
        app_token=sandbox.app_token,
        base_url=sandbox.url,
        sleep=no_sleep,
        hooks=Hooks(on_retry=seen.append),
    ) as vf:
        await vf.orders.get(order)
    assert [(e.attempt, e.outcome) for e in seen] == [(1, "502"), (2, "502")]


def test_every_poll_of_an_import_and_an_export_reaches_the_job_progress_hook(sandbox: Sandbox) -> None:
    from voucherify_ext.hooks import JobProgressEvent

    sandbox.reset()
    sandbox.set_import_speed(2000)
    seen: list[JobProgressEvent] = []
    try:
        with Voucherify(
            app_id=sandbox.app_id,
            app_token=sandbox.app_token,
            base_url=sandbox.url,
            hooks=Hooks(on_job_progress=seen.append),
        ) as vf:
            orders = [{"source_id": f"hook-{n}", "amount": 1} for n in range(1500)]
            result = vf.orders.import_orders(orders, chunk_size=500)
            assert result.ok
            export = vf.orders.export(fields=["id"])
    finally:
        sandbox.set_import_speed(1_000_000)
    actions = [e for e in seen if e.job == "async_action"]
    exports = [e for e in seen if e.job == "export"]
    by_action: dict[str, list[JobProgressEvent]] = {}
    for event in actions:
        by_action.setdefault(event.job_id, []).append(event)
    assert sorted(by_action) == sorted(chunk.async_action_id for chunk in result.chunks)
    for action_id, events in by_action.items():
        # one event per answered poll: as many as the sandbox counted reads of that action
        assert len(events) == sandbox.request_count("GET", f"/v1/async-actions/{action_id}")
        assert [e.polls for e in events] == list(range(1, len(events) + 1))
        assert {e.type for e in events} == {"ORDERS.IMPORT"}
        assert events[-1].status == "DONE"
        progress = [e.progress for e in events if e.progress is not None]
        assert progress == sorted(progress)
    assert exports and {e.job_id for e in exports} == {export.id}
    assert exports[-1].status == "DONE" and all(e.type is None and e.progress is None for e in exports)
