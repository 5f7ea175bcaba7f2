"""The poll schedule as a strategy: the engine asks a :class:`PollStrategy` for each next interval,
showing it what the last poll observed; :class:`PollSchedule`, the default, gives the intervals it
always gave; a strategy that polls near a job's expected end plugs in through ``schedule=``."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voucherify_ext import Voucherify
from voucherify_ext.async_actions.actions import AsyncActions
from voucherify_ext.errors import APIConnectionError, JobTimeoutError
from voucherify_ext.polling import DEFAULT_SCHEDULE, PollObservation, PollSchedule, PollState, poll
from voucherify_ext.sandbox import ManualClock, Sandbox

from .conftest import FakeClock, orders


@given(
    st.floats(0, 1e6, allow_nan=False),
    st.floats(0, 10, allow_nan=False),
    st.floats(0, 1e6, allow_nan=False),
    st.integers(1, 60),
)
def test_the_schedule_as_a_strategy_gives_the_same_intervals(
    initial: float, factor: float, maximum: float, polls: int
) -> None:
    schedule = PollSchedule(initial, factor, maximum)
    previous: float | None = None
    answers = []
    for attempt in range(1, polls + 1):
        previous = schedule.next_interval(PollObservation(attempt, 0.0, "pending", previous=previous))
        answers.append(previous)
    assert answers == list(itertools.islice(schedule.intervals(), polls))


class Scripted:
    """A job that reports the given states one poll after the other (an exception is raised)."""

    def __init__(self, *states: Any) -> None:
        self.states = list(states)

    def __call__(self) -> Any:
        state = self.states.pop(0)
        if isinstance(state, Exception):
            raise state
        return state


class Job:
    def __init__(self, status: str, progress: int | None = None) -> None:
        self.status, self.progress = status, progress


def job_state(job: Job) -> PollState:
    return {"DONE": "done", "IN_PROGRESS": "pending"}.get(job.status, "unknown")  # type: ignore[return-value]


class Answers:
    """A strategy that records what it was shown and answers ``values`` in turn."""

    def __init__(self, *values: float) -> None:
        self.values = list(values)
        self.seen: list[PollObservation] = []

    def next_interval(self, observed: PollObservation) -> float:
        self.seen.append(observed)
        return self.values.pop(0)


def test_the_strategy_is_shown_what_each_poll_observed_and_decides_the_sleeps() -> None:
    clock = FakeClock()
    strategy = Answers(3.0, 2.0, 1.0, 0.5)
    fetch = Scripted(
        Job("IN_PROGRESS", 10),
        APIConnectionError("reset"),
        Job("PAUSED"),
        Job("IN_PROGRESS", 90),
        Job("DONE", 100),
    )
    done = poll(
        fetch,
        job_state,
        job_id="job_1",
        what="job",
        timeout=None,
        sleep=clock.sleep,
        clock=clock,
        schedule=strategy,
    )
    assert done.status == "DONE"
    assert clock.sleeps == [3.0, 2.0, 1.0, 0.5]
    assert [(o.attempt, o.elapsed, o.found, o.status, o.progress, o.previous) for o in strategy.seen] == [
        (1, 0.0, "pending", "IN_PROGRESS", 10, None),
        (2, 3.0, "error", None, None, 3.0),
        (3, 5.0, "unknown", "PAUSED", None, 2.0),
        (4, 6.0, "pending", "IN_PROGRESS", 90, 1.0),
    ]


def test_the_deadline_cuts_the_strategys_interval() -> None:
    clock = FakeClock()
    with pytest.raises(JobTimeoutError) as caught:
        poll(
            lambda: Job("IN_PROGRESS", 5),
            job_state,
            job_id="job_1",
            what="job",
            timeout=7,
            sleep=clock.sleep,
            clock=clock,
            schedule=Answers(1000.0, 1000.0, 1000.0),
        )
    assert clock.sleeps == [7.0] and caught.value.timeout == 7


class NearTheEnd:
    """An example strategy: the default schedule, but never past the end the job's progress
    rate predicts (plus a little), so the wait ends soon after the job does."""

    def __init__(self, fallback: PollSchedule = DEFAULT_SCHEDULE, slack: float = 0.1) -> None:
        self.fallback, self.slack = fallback, slack
        self.seen: list[PollObservation] = []

    def next_interval(self, observed: PollObservation) -> float:
        self.seen.append(observed)
        interval = self.fallback.next_interval(observed)
        if observed.progress and observed.elapsed > 0:
            left = observed.elapsed * (100 - observed.progress) / observed.progress
            interval = min(interval, left + self.slack)
        return interval


def test_a_strategy_near_the_expected_end_plugs_into_the_resource(
    voucherify_sandbox: Sandbox, voucherify_sandbox_clock: ManualClock
) -> None:
    sb, clock = voucherify_sandbox, voucherify_sandbox_clock
    sb.set_import_speed(10)  # 100 orders: 10 s of the sandbox's time
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.advance(seconds)

    def wait(schedule: Any) -> float:
        from voucherify_client.api.orders import import_orders
        from voucherify_client.models import OrdersImportCreateRequestBodyItem

        with Voucherify(
            app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, sleep=lambda s: None
        ) as vf:
            body = [OrdersImportCreateRequestBodyItem.from_dict(o) for o in orders(100, f"{id(schedule)}-")]
            action_id = import_orders.sync_detailed(client=vf.client, body=body).parsed.async_action_id  # type: ignore[union-attr]
            started = clock()
            action = AsyncActions(vf.client, sleep=sleep, clock=clock, schedule=schedule).wait(action_id)
        assert str(action.status) == "DONE"
        return clock() - started

    near = NearTheEnd()
    default_wait, near_wait = wait(DEFAULT_SCHEDULE), wait(near)
    progress = [o.progress for o in near.seen]
    assert progress == sorted(progress) and any(0 < (p or 0) < 100 for p in progress)
    assert near_wait < default_wait  # it stopped sooner after the job's end
    assert near_wait >= 10  # and never before it
