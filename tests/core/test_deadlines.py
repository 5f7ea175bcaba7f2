"""Deadlines bound the whole exchange (issue 11, item 3): a response that trickles, a head that is
dripped, a body that never ends are cut off, sync and async, against the real loopback sandbox
(the slow faults are carried out by its socket proxy).

The rule: a call with ``deadline`` ends within that deadline plus one read timeout. Each case
below would run for many seconds without the mechanism (every socket read gets its byte well
within the read timeout), so the elapsed-time bound is what fails without it."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any

import httpcore
import pytest
from hypothesis import given
from hypothesis import strategies as st

from voucherify_ext import AsyncVoucherify, Voucherify
from voucherify_ext.errors import (
    APITimeoutError,
    ConfigurationError,
    DeadlineExceededError,
    ServerError,
    UnreadableSuccessError,
)
from voucherify_ext.http.deadlines import DeadlineBackend, ExchangeLimit, StallRule
from voucherify_ext.retry import RetryPolicy
from voucherify_ext.sandbox import Sandbox

MakeVf = Callable[..., Voucherify]
MakeAvf = Callable[..., AsyncVoucherify]

DEADLINE = 0.8
READ_TIMEOUT = 1.0
BOUND = DEADLINE + READ_TIMEOUT  # the documented promise; the cases end near DEADLINE
PAUSE_MS = 40  # per byte: an order's ~400 bytes take ~16 s, a head's ~250 bytes ~10 s

#: (fault kind, status, the error the call must raise)
SLOW_FAULTS = [
    pytest.param("trickle", None, UnreadableSuccessError, id="trickle"),
    pytest.param("header_drip", None, DeadlineExceededError, id="header_drip"),
    pytest.param("endless_body", 500, ServerError, id="endless_500"),
    pytest.param("endless_body", 200, UnreadableSuccessError, id="endless_200"),
]


def _inject(sandbox: Sandbox, kind: str, status: int | None, path: str = "/v1/orders/seed-1") -> None:
    pause = 100 if kind == "endless_body" else PAUSE_MS
    sandbox.inject(kind, method="GET", path=path, times=10, status=status, delay_ms=pause)


@pytest.mark.parametrize(("kind", "status", "error"), SLOW_FAULTS)
def test_sync_get_ends_by_the_deadline(
    make_vf: MakeVf, sandbox: Sandbox, kind: str, status: int | None, error: type[Exception]
) -> None:
    sandbox.seed_orders(1)
    vf = make_vf(timeout=READ_TIMEOUT, deadline=DEADLINE)
    _inject(sandbox, kind, status)
    t0 = time.monotonic()
    with pytest.raises(APITimeoutError) as info:
        vf.orders.get("seed-1")
    elapsed = time.monotonic() - t0
    assert elapsed < BOUND, f"{kind}: {elapsed:.2f}s"
    assert isinstance(info.value, error), type(info.value).__mro__
    assert "deadline" in str(info.value)


@pytest.mark.parametrize(("kind", "status", "error"), SLOW_FAULTS)
async def test_async_get_ends_by_the_deadline(
    make_avf: MakeAvf, sandbox: Sandbox, kind: str, status: int | None, error: type[Exception]
) -> None:
    sandbox.seed_orders(1)
    avf = make_avf(timeout=READ_TIMEOUT, deadline=DEADLINE)
    _inject(sandbox, kind, status)
    t0 = time.monotonic()
    try:
        with pytest.raises(APITimeoutError) as info:
            await avf.orders.get("seed-1")
    finally:
        await avf.close()
    elapsed = time.monotonic() - t0
    assert elapsed < BOUND, f"{kind}: {elapsed:.2f}s"
    assert isinstance(info.value, error), type(info.value).__mro__
    assert "deadline" in str(info.value)


def test_each_attempt_has_a_total_and_an_idempotent_get_is_retried(make_vf: MakeVf, sandbox: Sandbox) -> None:
    """No deadline: the per-attempt total cuts each trickling attempt; a GET is retried."""
    sandbox.seed_orders(1)
    vf = make_vf(timeout=READ_TIMEOUT, attempt_timeout=0.4, max_retries=1)
    _inject(sandbox, "trickle", None)
    t0 = time.monotonic()
    with pytest.raises(APITimeoutError) as info:
        vf.orders.get("seed-1")
    elapsed = time.monotonic() - t0
    assert elapsed < 2 * 0.4 + READ_TIMEOUT, f"{elapsed:.2f}s"
    assert info.value.attempts == 2 and "attempt_timeout" in str(info.value)
    assert sandbox.request_count("GET", "/v1/orders/seed-1") == 2


async def test_a_cut_off_write_that_is_not_idempotent_is_outcome_unknown(
    make_avf: MakeAvf, sandbox: Sandbox
) -> None:
    avf = make_avf(timeout=READ_TIMEOUT, attempt_timeout=0.4)
    sandbox.inject("header_drip", method="POST", path="/v1/orders", delay_ms=PAUSE_MS)
    try:
        with pytest.raises(APITimeoutError) as info:
            await avf.orders.create({"amount": 100})
    finally:
        await avf.close()
    assert info.value.attempts == 1 and info.value.outcome_unknown
    assert sandbox.request_count("POST", "/v1/orders") == 1


def test_the_deadline_reaches_the_pool_ext_builds(make_vf: MakeVf) -> None:
    vf = make_vf()
    backend = vf._inner._pool._network_backend  # type: ignore[attr-defined]
    assert isinstance(backend, DeadlineBackend)


# -- configuration: typed errors naming the argument -----------------------------------------------


@pytest.mark.parametrize("bad", [0, -1, -0.5, math.inf, math.nan, "3", True])
def test_bad_deadline_is_a_configuration_error(make_vf: MakeVf, bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="deadline") as info:
        make_vf(deadline=bad)
    assert isinstance(info.value, ValueError)
    vf = make_vf()
    with pytest.raises(ConfigurationError, match="deadline"):
        vf.with_options(deadline=bad)
    with pytest.raises(ConfigurationError, match="attempt_timeout"):
        vf.with_options(attempt_timeout=bad)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_policy_seconds_are_checked(value: float) -> None:
    if math.isfinite(value) and value > 0:
        assert RetryPolicy(deadline=value).deadline == value
        assert RetryPolicy(attempt_timeout=value).attempt_timeout == value
    else:
        for name in ("deadline", "attempt_timeout"):
            with pytest.raises(ConfigurationError, match=name):
                RetryPolicy(**{name: value})


# -- the stall rule, as a model: it fires exactly at the end of the first short window ------------

# whole numbers (of milliseconds, say) keep the float arithmetic exact at window boundaries
arrivals = st.lists(
    st.tuples(st.integers(min_value=0, max_value=3000), st.integers(min_value=0, max_value=50)), max_size=30
)


@given(arrivals, st.integers(min_value=1, max_value=60), st.integers(min_value=100, max_value=2000))
def test_stall_rule_breaks_at_the_end_of_the_first_short_window(
    events: list[tuple[int, int]], min_bytes: int, window: int
) -> None:
    start = 100_000.0
    # the reference: bytes per window [start + k*window, start + (k+1)*window)
    times, t = [], start
    for gap, count in events:
        t += gap
        times.append((t, count))
    per_window: dict[int, int] = {}
    for when, count in times:
        k = int((when - start) // window)
        per_window[k] = per_window.get(k, 0) + count
    first_short = next(k for k in range(10_000) if per_window.get(k, 0) < min_bytes)
    violation = start + (first_short + 1) * window

    limit = ExchangeLimit(None, "", stall=StallRule(min_bytes=min_bytes, window=window), now=start)
    for when, count in times:
        wake = limit.wake_at()
        assert wake is not None
        if wake <= when:
            break
        assert limit.broken(when) is None
        limit.received(count, when)
    wake = limit.wake_at()
    assert wake == violation
    assert limit.broken(wake) is not None and "stalled" in str(limit.why)


def test_deadline_end_is_reported_as_the_deadline() -> None:
    limit = ExchangeLimit(10.0, "the 3s deadline", end_is_deadline=True, now=0.0)
    assert limit.broken(9.99) is None and limit.wake_at() == 10.0
    assert limit.broken(10.0) == "the 3s deadline" and limit.by_deadline


def test_async_loop_limit_does_not_swallow_other_timeouts() -> None:
    from voucherify_ext.http.limit_scopes import awithin_limit

    async def main() -> None:
        limit = ExchangeLimit(time.monotonic() + 5, "x")
        with pytest.raises(TimeoutError):
            async with awithin_limit(limit):
                raise TimeoutError("not ours")

    asyncio.run(main())


def test_slow_fault_kinds_are_scripted_or_named_never_random_by_default() -> None:
    from voucherify_ext.sandbox.faults import RANDOM_KINDS, SLOW_KINDS, FaultPlan, parse_kinds

    assert not set(SLOW_KINDS) & set(RANDOM_KINDS)
    assert parse_kinds("trickle,header_drip,endless_body") == SLOW_KINDS
    plan = FaultPlan(rate=1.0, kinds=["endless_body"])
    fault = plan.decide("GET", "/v1/orders")
    assert fault is not None and fault.kind == "endless_body" and fault.status == 500
    plan.inject("trickle", method="GET")
    scripted = plan.decide("GET", "/v1/orders")
    assert scripted is not None and scripted.kind == "trickle" and scripted.delay_ms == 500.0
    with pytest.raises(ValueError, match="endless_body"):
        plan.inject("endless_body", status=404)
    with pytest.raises(ValueError, match="delay_ms"):
        plan.inject("header_drip", delay_ms=0)


class _Trickle:
    """A socket stream whose every read returns one byte at once; counts reads."""

    reads = 0

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.reads += 1
        return b"x"

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        return None


def test_the_deadline_backend_reads_time_through_the_limits_clock() -> None:
    # a limit on an injected clock: the backend's streams break it when that clock passes its
    # end (they used to read time.monotonic() themselves, so a test could not move their time)
    from voucherify_ext.http.deadlines import _DeadlineStream, limit_scope

    now = [100.0]
    limit = ExchangeLimit(105.0, "the 5s test limit", clock=lambda: now[0])
    inner = _Trickle()
    stream = _DeadlineStream(inner)  # type: ignore[arg-type]
    with limit_scope(limit):
        assert stream.read(10) == b"x"
        now[0] = 105.0
        with pytest.raises(httpcore.ReadTimeout, match="5s test limit"):
            stream.read(10)
        with pytest.raises(httpcore.WriteTimeout):
            stream.write(b"x")
    assert inner.reads == 1


def test_an_attempts_limit_runs_on_the_transports_limit_clock() -> None:
    from voucherify_ext.http.attempt import Call

    policy = RetryPolicy(deadline=10.0, attempt_timeout=3.0)
    call = Call(lambda: 50.0, 48.0, True, None, "/p", True, "", True, False, policy, "GET", None)
    limit = call.limit(lambda: 1_000.0)
    assert limit is not None and limit.clock() == 1_000.0
    assert limit.end == 1_003.0 and not limit.end_is_deadline  # 3 s total < 8 s left
    call.start = 42.0  # 2 s of the deadline left: it is the end
    limit = call.limit(lambda: 1_000.0)
    assert limit is not None and limit.end == 1_002.0 and limit.end_is_deadline


def test_ext_reads_the_time_only_through_injected_clocks() -> None:
    """Outside the sandbox, no code of ext calls ``time.time()``/``time.monotonic()``: the
    standard clocks appear only as the defaults of injectable clock parameters."""
    import ast
    from pathlib import Path

    import voucherify_ext

    root = Path(voucherify_ext.__file__).parent
    calls = []
    for path in sorted(root.rglob("*.py")):
        if "sandbox" in path.relative_to(root).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = node.func if isinstance(node, ast.Call) else None
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "time"
                and func.attr in ("time", "monotonic")
            ):
                calls.append(f"{path.relative_to(root)}:{node.lineno} time.{func.attr}()")
    assert calls == []
