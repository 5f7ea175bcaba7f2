"""The retry policy as pure functions: what is retried, how long to wait, write safety."""

from __future__ import annotations

import email.utils
import json

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from voucherify_ext.errors import ConfigurationError
from voucherify_ext.exports import download_rules
from voucherify_ext.imports import steps
from voucherify_ext.retry import (
    Backoff,
    FailureKind,
    RetryPolicy,
    backoff_delay,
    classify_exception,
    decide,
    is_idempotent,
    not_idempotent_reason,
)
from voucherify_ext.server_waits import parse_rate_limit_retry, parse_retry_after, server_requested_delay

NOW = 1_700_000_000.0
BASE = "https://api.voucherify.io"


def req(method: str, path: str, body: object | None = None, **ext: object) -> httpx.Request:
    content = json.dumps(body).encode() if body is not None else None
    return httpx.Request(method, BASE + path, content=content, extensions=ext)


# -- write safety -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (req("GET", "/v1/orders/ord_1"), True),
        (req("HEAD", "/v1/orders/ord_1"), True),
        (req("PUT", "/v1/orders/ord_1", {"status": "PAID"}), True),
        (req("DELETE", "/v1/exports/exp_1"), True),
        (req("POST", "/v1/orders", {"source_id": "s-1", "amount": 1}), True),
        (req("POST", "/v1/orders", {"id": "ord_1"}), True),
        (req("POST", "/v1/orders/", {"id": "ord_1"}), True),
        (req("POST", "/v1/orders", {"amount": 1}), False),
        (req("POST", "/v1/orders", {"source_id": ""}), False),
        (req("POST", "/v1/orders", {"source_id": None}), False),
        (req("POST", "/v1/orders", {"sourceid": "typo"}), False),
        (req("POST", "/v1/orders", [{"source_id": "s"}]), False),
        (req("POST", "/v1/orders/import", [{"source_id": "s-1"}]), False),
        (req("POST", "/v1/orders/export", {}), False),
        (req("POST", "/v1/orders", {"amount": 1}, voucherify_idempotent=True), True),
        (req("GET", "/v1/orders", voucherify_idempotent=False), False),
    ],
)
def test_is_idempotent(request_: httpx.Request, expected: bool) -> None:
    assert is_idempotent(request_) is expected


def test_is_idempotent_with_non_json_body() -> None:
    request = httpx.Request("POST", BASE + "/v1/orders", content=b"not json")
    assert is_idempotent(request) is False


# -- the retry matrix: status x method/body ------------------------------------------------------

RETRYABLE = [408, 429, 500, 502, 503, 504]
NOT_RETRYABLE = [400, 401, 402, 403, 404, 405, 409, 422]


@pytest.mark.parametrize("status", RETRYABLE + NOT_RETRYABLE)
@pytest.mark.parametrize(
    ("kind", "idempotent"),
    [("GET", True), ("PUT", True), ("POST+source_id", True), ("POST bare", False), ("import", False)],
)
def test_status_matrix(status: int, kind: str, idempotent: bool) -> None:
    decision = decide(RetryPolicy(), attempt=1, idempotent=idempotent, status=status, headers={}, now=NOW)
    if status not in RETRYABLE:
        assert not decision.retry
        assert not decision.outcome_unknown
    elif status == 429:
        # rejected before handling: safe for every request
        assert decision.retry
    elif idempotent:
        assert decision.retry
    else:
        assert not decision.retry
        assert decision.outcome_unknown
        assert decision.reason and "not idempotent" in decision.reason


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (httpx.ConnectError("refused"), FailureKind.NOT_SENT),
        (httpx.ConnectTimeout("slow"), FailureKind.NOT_SENT),
        (httpx.PoolTimeout("pool"), FailureKind.NOT_SENT),
        (httpx.ReadTimeout("read"), FailureKind.AMBIGUOUS),
        (httpx.WriteTimeout("write"), FailureKind.AMBIGUOUS),
        (httpx.ReadError("reset"), FailureKind.AMBIGUOUS),
        (httpx.WriteError("broken pipe"), FailureKind.AMBIGUOUS),
        (httpx.RemoteProtocolError("dropped"), FailureKind.AMBIGUOUS),
    ],
)
def test_classify_exception(exc: Exception, kind: FailureKind) -> None:
    assert classify_exception(exc) is kind


@pytest.mark.parametrize("idempotent", [True, False])
@pytest.mark.parametrize("kind", list(FailureKind))
def test_transport_failure_matrix(idempotent: bool, kind: FailureKind) -> None:
    decision = decide(RetryPolicy(), attempt=1, idempotent=idempotent, failure=kind)
    assert decision.retry is (idempotent or kind is FailureKind.NOT_SENT)
    assert decision.outcome_unknown is (not idempotent and kind is FailureKind.AMBIGUOUS)


def test_409_is_never_retried_even_if_configured() -> None:
    with pytest.raises(ValueError, match="409"):
        RetryPolicy(retry_statuses={409, 503})
    assert not decide(RetryPolicy(), attempt=1, idempotent=True, status=409).retry


def test_attempts_are_bounded_by_max_retries() -> None:
    policy = RetryPolicy(max_retries=2)
    assert decide(policy, attempt=1, idempotent=True, status=503).retry
    assert decide(policy, attempt=2, idempotent=True, status=503).retry
    last = decide(policy, attempt=3, idempotent=True, status=503)
    assert not last.retry and last.reason and "max_retries=2" in last.reason
    assert not decide(RetryPolicy(max_retries=0), attempt=1, idempotent=True, status=503).retry


def test_stream_bodies_are_not_replayed() -> None:
    decision = decide(RetryPolicy(), attempt=1, idempotent=True, replayable=False, status=503)
    assert not decision.retry and decision.reason and "stream" in decision.reason


# -- backoff ---------------------------------------------------------------------------------------


def test_backoff_doubles_from_half_a_second_up_to_the_cap() -> None:
    policy = RetryPolicy(jitter=0.0)
    assert [backoff_delay(policy, n, 0.0) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_jitter_reduces_by_at_most_the_fraction() -> None:
    policy = RetryPolicy(jitter=0.25)
    assert backoff_delay(policy, 1, 0.0) == 0.5
    assert backoff_delay(policy, 1, 0.999999) == pytest.approx(0.375, abs=1e-5)
    assert backoff_delay(policy, 3, 0.5) == pytest.approx(2.0 * 0.875)


def test_decide_uses_backoff_without_server_hint() -> None:
    decision = decide(RetryPolicy(jitter=0), attempt=2, idempotent=True, status=502, headers={})
    assert decision.retry and decision.delay == 1.0


# -- Retry-After / X-Rate-Limit-Retry parsing ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        (" 7 ", 7.0),
        ("1.5", 1.5),
        ("0", 0.0),
        (email.utils.formatdate(NOW + 30, usegmt=True), 30.0),
        (email.utils.formatdate(NOW - 30, usegmt=True), 0.0),  # a date in the past: go now
        ("", None),
        ("soon", None),
        ("-5", None),
        ("nan", None),
        ("inf", None),
        ("3 seconds", None),
        ("Wed, 99 Foo 2024 99:99:99 GMT", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(
    ("value", "server_date", "expected"),
    [
        (str(int(NOW) + 12), NOW, 12.0),
        (str(int(NOW) - 3), NOW, 0.0),
        ("garbage", NOW, None),
        ("", NOW, None),
        (None, NOW, None),
    ],
)
def test_parse_rate_limit_retry(value: str | None, server_date: float, expected: float | None) -> None:
    assert parse_rate_limit_retry(value, server_date) == expected


def test_rate_limit_retry_is_read_against_the_server_date_not_the_local_clock() -> None:
    # the local clock is 1 hour fast; the server says "retry 5 s after my Date"
    server_now = NOW
    local_now = NOW + 3600
    headers = {
        "x-rate-limit-retry": str(int(server_now) + 5),
        "date": email.utils.formatdate(server_now, usegmt=True),
    }
    assert server_requested_delay(headers, local_now) == 5.0
    # without a Date header, the local clock is all there is
    assert server_requested_delay({"x-rate-limit-retry": str(int(local_now) + 5)}, local_now) == 5.0


@pytest.mark.parametrize("lag", [0.0, 0.3, 0.99, 1.5])
def test_rate_limit_retry_uses_the_precise_local_clock_when_it_agrees_with_date(lag: float) -> None:
    # a 1 s window ends at the next whole second; Date says the whole second we are in (or
    # one behind); reading against Date would wait up to 2 s instead of what is left
    window_end = int(NOW) + 1
    local_now = int(NOW) + 0.8
    server_date = float(int(local_now - lag))
    assert parse_rate_limit_retry(str(window_end), server_date, local_now) == pytest.approx(0.2)


def test_retry_after_wins_over_rate_limit_retry() -> None:
    headers = {"retry-after": "2", "x-rate-limit-retry": str(int(NOW) + 40)}
    assert server_requested_delay(headers, NOW) == 2.0


def test_malformed_headers_fall_back_to_backoff() -> None:
    headers = {"retry-after": "banana", "x-rate-limit-retry": "later"}
    decision = decide(RetryPolicy(jitter=0), attempt=1, idempotent=True, status=429, headers=headers, now=NOW)
    assert decision.retry and decision.delay == 0.5


def test_server_delay_is_honoured_beyond_max_delay_up_to_the_cap() -> None:
    decision = decide(
        RetryPolicy(), attempt=1, idempotent=True, status=429, headers={"retry-after": "20"}, now=NOW
    )
    assert decision.retry and decision.delay == 20.0


def test_server_delay_over_the_cap_fails_fast() -> None:
    decision = decide(
        RetryPolicy(max_retry_after=60),
        attempt=1,
        idempotent=True,
        status=429,
        headers={"retry-after": "3600"},
        now=NOW,
    )
    assert not decision.retry and decision.over_cap
    assert decision.reason and "3600" in decision.reason and "60" in decision.reason


def test_deadline_stops_retries_whose_sleep_would_pass_it() -> None:
    policy = RetryPolicy(deadline=5.0, jitter=0)
    assert decide(policy, attempt=1, idempotent=True, status=503, elapsed=1.0).retry
    late = decide(policy, attempt=1, idempotent=True, status=503, elapsed=4.8)
    assert not late.retry and late.reason and "deadline" in late.reason
    over = decide(policy, attempt=1, idempotent=True, status=429, headers={"retry-after": "10"}, now=NOW)
    assert not over.retry


# -- why a request is not retried: the reason fits the request ------------------------------------

IMPORT_REASON = (
    "an import creates a new async action on every call; it is reconciled by the importer, "
    "not retried blindly"
)


@pytest.mark.parametrize(
    ("request_", "expected", "absent"),
    [
        (req("POST", "/v1/orders/import", [{"source_id": "s-1"}]), IMPORT_REASON, "source_id"),
        (req("POST", "/v1/orders/import/", [{"source_id": "s-1"}]), IMPORT_REASON, "source_id"),
        (req("POST", "/v1/orders", {"amount": 1}), "no id or source_id", "import"),
        (req("POST", "/v1/orders/export", {}), "not idempotent", "source_id"),
        (req("POST", "/v1/customers", {"name": "x"}), "not idempotent", "source_id"),
        (req("GET", "/v1/orders", voucherify_idempotent=False), "not idempotent", "source_id"),
    ],
)
def test_not_retried_reason_fits_the_request(request_: httpx.Request, expected: str, absent: str) -> None:
    reason = not_idempotent_reason(request_)
    assert expected in reason and absent not in reason
    decision = decide(RetryPolicy(), attempt=1, idempotent=False, status=503, unsafe_reason=reason)
    assert not decision.retry and decision.outcome_unknown and decision.reason == reason


# -- the one backoff schedule ------------------------------------------------------------------------


@given(
    initial=st.floats(0, 30),
    maximum=st.floats(0, 120),
    jitter=st.floats(0, 1),
    n=st.integers(1, 64),
    rand=st.floats(0, 1, exclude_max=True),
)
def test_a_backoff_doubles_within_its_cap_and_jitter_only_shortens(
    initial: float, maximum: float, jitter: float, n: int, rand: float
) -> None:
    backoff = Backoff(initial, maximum, jitter)
    plain = Backoff(initial, maximum).delay(n)
    assert plain == min(maximum, initial * 2.0 ** (n - 1))
    assert plain <= Backoff(initial, maximum).delay(n + 1)
    assert plain * (1 - jitter) - 1e-9 <= backoff.delay(n, rand) <= plain


def test_imports_and_downloads_wait_by_the_same_schedule() -> None:
    """The import submitter and the export download wait by a :class:`Backoff` (their own
    caps), not by constants of their own."""
    assert isinstance(steps.BACKOFF, Backoff) and isinstance(download_rules.BACKOFF, Backoff)
    assert [steps.BACKOFF.delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert [download_rules.retry_delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]


def test_a_backoff_refuses_nonsense() -> None:
    with pytest.raises(ConfigurationError):
        Backoff(initial=-1)
    with pytest.raises(ConfigurationError):
        Backoff(jitter=2)
