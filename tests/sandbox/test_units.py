"""Unit tests of the pieces behind the HTTP surface: fault plan, rate-limit parsing, routing."""

from __future__ import annotations

import httpx
import pytest

from voucherify_ext.sandbox import FaultPlan, RateLimit, Sandbox, parse_rate_limit
from voucherify_ext.sandbox.ratelimit import RateLimiter
from voucherify_ext.sandbox.util import iso_ms, parse_iso


def test_fault_plan_decisions_depend_only_on_seed_method_path_and_n() -> None:
    a = FaultPlan(seed=5, rate=0.5, kinds="status,drop_after")
    b = FaultPlan(seed=5, rate=0.5, kinds="status,drop_after")
    seq_a = [a.decide("GET", "/v1/orders") for _ in range(50)]
    for _ in range(7):  # other endpoints in between do not shift GET /v1/orders
        b.decide("POST", "/v1/orders")
    seq_b = [b.decide("GET", "/v1/orders") for _ in range(50)]
    assert seq_a == seq_b
    assert {f.kind for f in seq_a if f} == {"status", "drop_after"}
    assert {f.status for f in seq_a if f and f.kind == "status"} <= {500, 502, 503}


def test_scripted_faults_come_first_and_are_consumed() -> None:
    plan = FaultPlan(seed=1)
    plan.inject("status", method="post", path="/v1/orders", times=2, status=502)
    assert plan.pending() == 2
    assert plan.decide("GET", "/v1/orders") is None
    assert [plan.decide("POST", "/v1/orders") for _ in range(3)] == [plan_fault(502), plan_fault(502), None]
    with pytest.raises(ValueError):
        plan.inject("meteor")
    with pytest.raises(ValueError):
        FaultPlan(kinds="status,meteor")


def plan_fault(status: int) -> object:
    from voucherify_ext.sandbox.faults import Fault

    return Fault("status", status)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2000/min", RateLimit(2000, 60.0)),
        ("20/s", RateLimit(20, 1.0)),
        ("100/hour", RateLimit(100, 3600.0)),
        ("none", None),
    ],
)
def test_parse_rate_limit(text: str, expected: RateLimit | None) -> None:
    assert parse_rate_limit(text) == expected
    if expected is not None:
        assert parse_rate_limit(str(expected)) == expected


@pytest.mark.parametrize("text", ["lots", "0/min", "10/fortnight", "-1/s"])
def test_parse_rate_limit_rejects_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="invalid rate limit"):
        parse_rate_limit(text)


def test_rate_limiter_fixed_window_with_an_injected_clock() -> None:
    now = [1000.0]
    limiter = RateLimiter(RateLimit(2, 60.0), clock=lambda: now[0])
    assert [limiter.hit("a").allowed for _ in range(3)] == [True, True, False]
    assert limiter.hit("b").allowed
    denied = limiter.hit("a")
    assert (
        denied.headers(now[0])["Retry-After"] == "60"
        and denied.headers(now[0])["X-Rate-Limit-Retry"] == "1060"
    )
    now[0] = 1060.0
    assert limiter.hit("a").allowed


def test_timestamps_round_trip_with_milliseconds() -> None:
    assert iso_ms(parse_iso("2022-09-09T07:44:41.594Z") or 0) == "2022-09-09T07:44:41.594Z"
    assert parse_iso("2016-11-16") == parse_iso("2016-11-16T00:00:00Z")
    assert parse_iso("not a date") is None


def test_unknown_paths_and_methods_answer_in_voucherify_format(raw: httpx.Client, sb: Sandbox) -> None:
    missing = raw.get("/v1/nothing")
    assert missing.status_code == 404 and missing.json()["key"] == "not_found"
    wrong = raw.patch("/v1/orders")
    assert wrong.status_code == 405
    assert wrong.json()["code"] == 405
    assert set(wrong.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST"}


def test_config_repr_hides_the_app_token() -> None:
    from voucherify_ext.sandbox import SandboxConfig

    config = SandboxConfig(app_token="very-secret")
    assert "very-secret" not in repr(config)
    assert config.app_token == "very-secret"
