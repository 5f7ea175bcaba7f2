"""The estimating poll schedule (issue 16 point 8): polls at the end a job's progress predicts,
never more often than its minimum, never past the deadline, within the rate budget; and an
import under a tight budget ends at the server's floor on the fewest requests."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voucherify_ext import Voucherify
from voucherify_ext.errors import JobTimeoutError
from voucherify_ext.imports.drivers import import_orders
from voucherify_ext.polling import Budget, EstimatingSchedule, PollObservation, PollState, poll
from voucherify_ext.sandbox import ManualClock
from voucherify_ext.sandbox.config import SandboxConfig, parse_rate_limit
from voucherify_ext.sandbox.server import serve

from .conftest import FakeClock

SCHEDULE = EstimatingSchedule()


class Job:
    def __init__(self, status: str, progress: int, processing_time: int | None) -> None:
        self.status, self.progress, self.processing_time = status, progress, processing_time


def job_state(job: Job) -> PollState:
    return "done" if job.status == "DONE" else "pending"


class Curve:
    """A job that starts ``start`` seconds after the wait began and ends at ``end``, its
    progress a drawn monotonic curve (``shape`` 1: linear) reported as a whole percent."""

    def __init__(self, clock: FakeClock, start: float, end: float, shape: float, report_time: bool) -> None:
        self.clock, self.start, self.end, self.shape, self.report_time = clock, start, end, shape, report_time
        self.began = clock()
        self.polls: list[float] = []
        self.signalled = False  # a poll saw progress above 0 (before it, the backoff applies)
        self.first_signal = 0  # how many polls it took to see it

    def __call__(self) -> Job:
        now = self.clock() - self.began
        self.polls.append(now)
        if now >= self.end:
            return Job("DONE", 100, int((self.end - self.start) * 1000))
        if now < self.start:
            return Job("ENQUEUED", 0, None)
        share = ((now - self.start) / (self.end - self.start)) ** self.shape
        running = int((now - self.start) * 1000) if self.report_time else None
        progress = min(99, math.floor(100 * share))
        if progress > 0 and not self.signalled:
            self.signalled, self.first_signal = True, len(self.polls)
        return Job("IN_PROGRESS", progress, running)


def _wait(curve: Curve, clock: FakeClock, timeout: float | None, budget: Any = None) -> Job | None:
    try:
        return poll(
            curve,
            job_state,
            job_id="job_1",
            what="job",
            timeout=timeout,
            sleep=clock.sleep,
            clock=clock,
            schedule=SCHEDULE,
            budget=budget,
        )
    except JobTimeoutError:
        return None


@settings(max_examples=300, deadline=None)
@given(
    start=st.floats(0, 500),
    duration=st.floats(0.5, 5000),
    shape=st.sampled_from([1.0, 0.5, 2.0, 3.0]),
    report_time=st.booleans(),
    timeout=st.one_of(st.none(), st.floats(0, 10_000)),
)
def test_drawn_progress_curves(
    start: float, duration: float, shape: float, report_time: bool, timeout: float | None
) -> None:
    clock = FakeClock()
    curve = Curve(clock, start, start + duration, shape, report_time)
    done = _wait(curve, clock, timeout)
    gaps = [b - a for a, b in zip(curve.polls, curve.polls[1:], strict=False)]
    if timeout is not None:
        # never sleeps past the deadline: the last poll is at it at the latest
        assert curve.polls[-1] <= timeout + 1e-6
    # never polls more often than the minimum interval (the deadline may cut the last wait)
    assert all(gap >= SCHEDULE.minimum - 1e-9 for gap in gaps[:-1] if timeout is None or gap > 0)
    if done is None:
        assert timeout is not None and timeout < curve.end + 1e-6
        return
    if shape == 1.0 and report_time and curve.signalled:
        # linear progress, with the server's running time: the poll that finds the job done
        # lands within 1.5 % of its duration (plus the minimum interval) after its true end:
        # it aims at the likely end plus half the 1 % tolerance only once the range of possible
        # ends is within that tolerance
        assert curve.polls[-1] - curve.end <= 0.015 * duration + SCHEDULE.minimum + 1e-6
        # and it gets there on few polls once the job has shown progress
        assert len(curve.polls) - curve.first_signal <= 8


@settings(max_examples=200, deadline=None)
@given(
    limit=st.integers(10, 200),
    used=st.floats(0, 1),
    fallback_polls=st.integers(1, 400),
)
def test_under_a_tight_budget_polls_are_spread_over_the_free_requests(
    limit: int, used: float, fallback_polls: int
) -> None:
    # a job with no progress signal, polled under a rolling-window budget of `limit` per hour of
    # which `used` is taken: the schedule never makes the poller take the last free request
    period = 3600.0
    free_at_start = max(1, int(limit * (1 - used)))
    sent: list[float] = []
    now = 0.0
    previous: float | None = None
    for attempt in range(1, fallback_polls + 1):
        in_window = sum(1 for t in sent if t > now - period)
        free = max(0, free_at_start - in_window)
        assert free > 0 or free_at_start == 1, "a poll would have needed a request the budget did not have"
        sent.append(now)
        observed = PollObservation(
            attempt,
            now,
            "pending",
            status="IN_PROGRESS",
            progress=0,
            previous=previous,
            budget=Budget(limit, period, max(0, free - 1)),
        )
        previous = SCHEDULE.next_interval(observed)
        assert previous >= SCHEDULE.minimum
        now += previous
        if now > period:
            break


def test_no_signal_falls_back_to_the_backoff() -> None:
    previous = None
    got = []
    for attempt in range(1, 5):
        previous = SCHEDULE.next_interval(
            PollObservation(attempt, 0.0, "pending", progress=0, previous=previous)
        )
        got.append(previous)
    assert got == [1.0, 1.5, 2.25, 3.375]


# -- against the sandbox, in logical time ---------------------------------------------------------


class Wire(httpx.BaseTransport):
    """The real transport; counts requests and moves the manual clock 20 ms per round trip."""

    def __init__(self, clock: ManualClock) -> None:
        self.inner, self.clock = httpx.HTTPTransport(), clock
        self.sent: list[tuple[str, str]] = []
        self.kill_after_post: int | None = None  # the process "dies" once this POST was sent

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path))
        self.clock.advance(0.02)
        response = self.inner.handle_request(request)
        if request.method == "POST" and self.kill_after_post is not None:
            self.kill_after_post -= 1
            if self.kill_after_post == 0:
                raise KeyboardInterrupt
        return response

    def close(self) -> None:
        self.inner.close()


def _orders(count: int) -> list[dict[str, Any]]:
    return [{"source_id": f"b-{i}", "status": "PAID", "amount": 100} for i in range(count)]


def test_an_import_under_a_tight_budget_ends_at_the_floor_on_the_fewest_requests() -> None:
    clock = ManualClock()
    config = SandboxConfig(rate_limit=parse_rate_limit("100/hour"), import_speed=5.0)
    with serve(config=config, clock=clock) as sb:
        wire = Wire(clock)
        with Voucherify(
            app_id=sb.app_id,
            app_token=sb.app_token,
            base_url=sb.url,
            rate_limit="100/hour",
            sleep=clock.sleep,
            clock=clock,
            wall_clock=clock,
            http_transport=wire,
        ) as vf:
            started = clock()
            result = import_orders(
                vf.client, _orders(600), chunk_size=200, sleep=clock.sleep, clock=clock, wall_clock=clock
            )
            elapsed = clock() - started
    floor, minimum = 600 / 5.0, 2 * 3
    assert result.ok and result.done_count == 600
    assert floor <= elapsed <= 1.03 * floor
    # one submit and one final read per chunk, and two more polls of the first chunk (no
    # progress yet, then its rate); the chunks after it are each polled once, at the end the
    # one before predicts (the first one relaxed: it ends with one poll past its end, not two
    # close to it); a fresh run reads no list before its first send, and nothing was in
    # doubt: no stray scan
    assert len(wire.sent) <= minimum + 2, wire.sent
    assert wire.sent.count(("GET", "/v1/async-actions")) == 0


def test_an_import_of_many_chunks_under_a_per_minute_budget_is_within_10_percent_of_the_minimum() -> None:
    clock = ManualClock()
    config = SandboxConfig(rate_limit=parse_rate_limit("100/min"), import_speed=2000.0)
    with serve(config=config, clock=clock) as sb:
        wire = Wire(clock)
        with Voucherify(
            app_id=sb.app_id,
            app_token=sb.app_token,
            base_url=sb.url,
            rate_limit="100/min",
            sleep=clock.sleep,
            clock=clock,
            wall_clock=clock,
            http_transport=wire,
        ) as vf:
            started = clock()
            result = import_orders(
                vf.client, _orders(4000), chunk_size=100, sleep=clock.sleep, clock=clock, wall_clock=clock
            )
            elapsed = clock() - started
    floor, minimum = 4000 / 2000.0, 2 * 40
    assert result.ok
    assert elapsed <= 1.03 * floor + 40 * 0.02  # the submits' own round trips come first
    assert len(wire.sent) <= 1.1 * minimum, len(wire.sent)
    assert wire.sent.count(("GET", "/v1/async-actions")) == 0  # a fresh run reads no list


def test_a_resume_with_a_send_in_flight_still_reads_the_action_list(tmp_path: Any) -> None:
    clock = ManualClock()
    with serve(config=SandboxConfig(import_speed=1000.0), clock=clock) as sb:
        wire = Wire(clock)
        checkpoint = tmp_path / "cp"
        with Voucherify(
            app_id=sb.app_id,
            app_token=sb.app_token,
            base_url=sb.url,
            sleep=clock.sleep,
            clock=clock,
            wall_clock=clock,
            http_transport=wire,
        ) as vf:
            # the first run dies right after chunk 2's POST was sent: its intent stays in flight
            wire.kill_after_post = 2
            with pytest.raises(KeyboardInterrupt):
                import_orders(
                    vf.client,
                    _orders(20),
                    chunk_size=10,
                    checkpoint=checkpoint,
                    sleep=clock.sleep,
                    clock=clock,
                    wall_clock=clock,
                    wait=False,
                )
            wire.kill_after_post = None
            wire.sent.clear()
            result = import_orders(
                vf.client,
                _orders(20),
                chunk_size=10,
                checkpoint=checkpoint,
                sleep=clock.sleep,
                clock=clock,
                wall_clock=clock,
            )
    assert result.done_count == 20 and result.chunks[1].reconciled
    assert wire.sent.count(("POST", "/v1/orders/import")) == 0  # chunk 2 adopted, not resent
    assert ("GET", "/v1/async-actions") in wire.sent  # reconciled through the list


def test_the_first_wait_is_cut_to_the_deadline() -> None:
    clock = FakeClock()
    curve = Curve(clock, 0.0, 1e9, 1.0, True)
    with pytest.raises(JobTimeoutError):
        poll(
            curve,
            job_state,
            job_id="job_1",
            what="job",
            timeout=5.0,
            sleep=clock.sleep,
            clock=clock,
            schedule=SCHEDULE,
            first_wait=60.0,
        )
    # one sleep, to the deadline, then the last poll there
    assert clock.sleeps == [5.0] and curve.polls == [5.0]


@pytest.mark.parametrize("duration", [30.0, 300.0, 3000.0])
def test_linear_jobs_first_seen_anywhere_in_a_percent_end_on_time(duration: float) -> None:
    # the first poll that sees progress lands at every phase of a whole percent (the start
    # offset moves it): the estimate must not trust a whole percent's midpoint while the range
    # of possible ends is wide
    for step in range(40):
        clock = FakeClock()
        curve = Curve(clock, step * duration / 4000, step * duration / 4000 + duration, 1.0, True)
        assert _wait(curve, clock, None) is not None
        assert curve.polls[-1] - curve.end <= 0.015 * duration + SCHEDULE.minimum + 1e-6, step
