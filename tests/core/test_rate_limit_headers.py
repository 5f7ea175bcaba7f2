"""``X-Rate-Limit-*`` parsing (:func:`voucherify_ext.server_waits.rate_limit_state`): any header
values, from any mapping or from raw header bytes, never raise; well-formed values are read
exactly; malformed ones give None for their field and leave the others alone."""

from __future__ import annotations

import email.utils
import math
import re

import httpx
from hypothesis import given
from hypothesis import strategies as st

from voucherify_ext.ratelimit import RateLimiter
from voucherify_ext.server_waits import RATE_LIMIT_HEADERS, RateLimitState, rate_limit_state

NAMES = RATE_LIMIT_HEADERS[:4]
SPACE = st.sampled_from(["", " ", "  ", "\t"])
DIGITS = re.compile(r"[0-9]+")

any_text = st.text(max_size=40)
any_value = st.one_of(
    any_text,
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "1e3", "+5", "-1", "1_000", "٣", "0x10", "5.", ".5", "nan", "inf", "12 34"]),
)


def _padded(draw: st.DrawFn, text: str) -> str:
    return draw(SPACE) + text + draw(SPACE)


@given(st.dictionaries(st.sampled_from(RATE_LIMIT_HEADERS), any_value))
def test_any_values_never_raise(headers: dict[str, str]) -> None:
    state = rate_limit_state(headers)
    if not any(name in headers for name in NAMES):
        assert state is None
        return
    assert isinstance(state, RateLimitState)
    for field, name in (("limit", NAMES[0]), ("remaining", NAMES[1])):
        value = getattr(state, field)
        # a count is read only from ASCII digits (no sign, no "1_000", no other scripts' digits)
        if value is not None:
            assert DIGITS.fullmatch(headers[name].strip(" \t")) and int(headers[name]) == value
    if state.reset_at is not None:
        assert math.isfinite(state.reset_at) and state.reset_at >= 0
        assert state.reset_at == float(headers[NAMES[2]])
    if state.resets_in is not None:
        assert state.reset_at is not None and math.isfinite(state.resets_in) and state.resets_in >= 0


@given(st.lists(st.tuples(st.sampled_from([n.encode() for n in RATE_LIMIT_HEADERS]), st.binary(max_size=30))))
def test_raw_header_bytes_never_raise(raw: list[tuple[bytes, bytes]]) -> None:
    headers = httpx.Headers(raw)
    state = rate_limit_state(headers)
    assert (state is None) == (not any(name in headers for name in NAMES))
    # the limiter reads the same headers on every response: it must not raise either
    limiter = RateLimiter(10, 1.0, clock=lambda: 100.0, wall_clock=lambda: 1.7e9)
    limiter.observe({k: v for k, v in headers.items()}, 200)
    assert limiter.state().server == (rate_limit_state(dict(headers.items())))


@st.composite
def well_formed(draw: st.DrawFn) -> tuple[dict[str, str], RateLimitState]:
    limit = draw(st.integers(min_value=0, max_value=10**12))
    remaining = draw(st.integers(min_value=0, max_value=limit))
    date = draw(st.integers(min_value=0, max_value=4_000_000_000))
    reset_at = draw(st.integers(min_value=0, max_value=4_000_000_000))
    kind = draw(
        st.sampled_from(["api_calls", "bulk_api_calls", "api_calls_cycle", "webhook_calls", "NewKind-2"])
    )
    headers = {
        "X-Rate-Limit-Limit": _padded(draw, str(limit)),
        "X-Rate-Limit-Remaining": _padded(draw, str(remaining)),
        "X-Rate-Limit-Retry": _padded(draw, str(reset_at)),
        "X-Rate-Limit-Type": _padded(draw, kind),
        "Date": email.utils.formatdate(date, usegmt=True),
    }
    expected = RateLimitState(
        limit=limit,
        remaining=remaining,
        reset_at=float(reset_at),
        resets_in=float(max(0, reset_at - date)),
        limit_type=kind,
    )
    return headers, expected


@given(well_formed())
def test_well_formed_headers_are_read_exactly(case: tuple[dict[str, str], RateLimitState]) -> None:
    headers, expected = case
    assert rate_limit_state(httpx.Headers(headers)) == expected


@given(well_formed(), st.sampled_from(NAMES), any_text.filter(lambda t: not t.strip()[:1].isalnum()))
def test_one_malformed_value_spoils_only_its_field(
    case: tuple[dict[str, str], RateLimitState], name: str, junk: str
) -> None:
    headers, expected = case
    headers = {**headers, name.title(): junk}  # replaces the well-formed value (same name, any case)
    state = rate_limit_state(httpx.Headers(headers, encoding="utf-8"))
    field = {
        "x-rate-limit-limit": "limit",
        "x-rate-limit-remaining": "remaining",
        "x-rate-limit-retry": "reset_at",
        "x-rate-limit-type": "limit_type",
    }[name]
    assert state is not None and getattr(state, field) is None
    spoiled = {field: None, **({"resets_in": None} if field == "reset_at" else {})}
    assert state == RateLimitState(**{**vars_of(expected), **spoiled})


def vars_of(state: RateLimitState) -> dict[str, object]:
    return {k: getattr(state, k) for k in ("limit", "remaining", "reset_at", "resets_in", "limit_type")}


def test_without_a_date_there_is_no_resets_in() -> None:
    state = rate_limit_state({"x-rate-limit-retry": "1796283630", "x-rate-limit-remaining": "0"})
    assert state == RateLimitState(remaining=0, reset_at=1796283630.0)
    assert rate_limit_state({"date": "Thu, 03 Dec 2026 07:39:29 GMT", "retry-after": "3"}) is None
