"""What the server asked us to wait: ``Retry-After`` (seconds or an HTTP date) and Voucherify's
``X-Rate-Limit-Retry`` (read against the response's ``Date``), and the rate-limit state a response
reports (:class:`RateLimitState`, from ``X-Rate-Limit-*``). Pure functions, no I/O; ``now`` is
always the caller's injected wall clock.

This is the one place that reads those headers: the retry decisions (:mod:`voucherify_ext.retry`),
the exchange record (:mod:`voucherify_ext.http.exchange`), the rate limiter
(:mod:`voucherify_ext.ratelimit`) and the typed errors all call :func:`server_waits`.
"""

from __future__ import annotations

import email.utils
import math
import re
from collections.abc import Mapping

import attrs

__all__ = [
    "DATE_RESOLUTION",
    "RATE_LIMIT_HEADERS",
    "LimiterState",
    "RateLimitState",
    "ServerWaits",
    "parse_http_date",
    "parse_rate_limit_retry",
    "parse_retry_after",
    "rate_limit_state",
    "server_requested_delay",
    "server_waits",
]


def parse_http_date(value: str | None) -> float | None:
    """An HTTP date (``Date``, ``Retry-After``) as epoch seconds, or None when malformed."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return parsed.timestamp()


def _parse_number(value: str) -> float | None:
    try:
        number = float(value.strip())
    except ValueError:
        return None
    if not math.isfinite(number) or number < 0:
        return None
    return number


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP date.

    ``now`` is the current time in epoch seconds. Malformed values give None (ignored); a date
    in the past gives 0.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    seconds = _parse_number(text)
    if seconds is not None:
        return seconds
    if text[0].isdigit() or text[0] in "+-.":
        return None  # a broken number, not a date
    when = parse_http_date(text)
    if when is None:
        return None
    return max(0.0, when - now)


#: ``Date`` counts whole seconds, and a server may refresh it only once a second.
DATE_RESOLUTION = 1.0


def parse_rate_limit_retry(
    value: str | None, server_date: float | None, now: float | None = None
) -> float | None:
    """Seconds to wait from ``X-Rate-Limit-Retry`` (epoch seconds of the next allowed call).

    ``Date`` (``server_date``) guards against a skewed local clock, but it has whole-second
    resolution and may lag the server's real time by up to a second, so reading the epoch
    against it overshoots by one to two seconds: a whole window again at a per-second budget.
    So: when the local clock (``now``) agrees with ``Date`` within that resolution, the
    precise local clock is used; when it does not (a skewed clock), ``Date`` is. Without a
    ``Date``, ``now`` is all there is. Malformed values give None.
    """
    if value is None:
        return None
    epoch = _parse_number(value)
    if epoch is None:
        return None
    local_agrees = (
        now is not None
        and server_date is not None
        and server_date - DATE_RESOLUTION <= now <= server_date + 2 * DATE_RESOLUTION
    )
    reference = now if server_date is None or local_agrees else server_date
    if reference is None:
        return None
    return max(0.0, epoch - reference)


@attrs.frozen
class ServerWaits:
    """What a response's headers ask a client to wait, in seconds (None: they do not say).

    ``retry_after`` is ``Retry-After`` (delta-seconds or an HTTP date); ``rate_limit_retry`` is
    when the rate-limit window ends, from ``X-Rate-Limit-Retry`` read against ``Date``
    (:func:`parse_rate_limit_retry`). :attr:`requested` is the wait the server asked for.
    """

    retry_after: float | None = None
    rate_limit_retry: float | None = None

    @property
    def requested(self) -> float | None:
        """``Retry-After`` if the response has a usable one, else ``X-Rate-Limit-Retry``."""
        return self.retry_after if self.retry_after is not None else self.rate_limit_retry


_NO_WAITS = ServerWaits()


def server_waits(headers: Mapping[str, str], now: float) -> ServerWaits:
    """Read the waits a response asks for; ``now`` is the wall clock (epoch seconds), passed by
    the caller from its injected clock. The one place the transport, the errors built from
    responses and the rate limiter read these headers."""
    retry_after = parse_retry_after(headers.get("retry-after"), now)
    retry_text = headers.get("x-rate-limit-retry")
    rate_limit_retry = None
    if retry_text is not None:
        rate_limit_retry = parse_rate_limit_retry(retry_text, parse_http_date(headers.get("date")), now)
    if retry_after is None and rate_limit_retry is None:
        return _NO_WAITS
    return ServerWaits(retry_after, rate_limit_retry)


def server_requested_delay(headers: Mapping[str, str], now: float) -> float | None:
    """The wait the server asked for, from ``Retry-After`` or else ``X-Rate-Limit-Retry``
    (:attr:`ServerWaits.requested` of :func:`server_waits`)."""
    return server_waits(headers, now).requested


# -- the rate-limit state a response reports -----------------------------------------------------

#: the headers :func:`rate_limit_state` reads, lower case (``Date`` too, for ``resets_in``)
RATE_LIMIT_HEADERS = (
    "x-rate-limit-limit",
    "x-rate-limit-remaining",
    "x-rate-limit-retry",
    "x-rate-limit-type",
    "date",
)
_COUNT = re.compile(r"\s*(\d{1,18})\s*", re.ASCII)
_EPOCH = re.compile(r"\s*(\d{1,12}(?:\.\d{1,9})?)\s*", re.ASCII)
_LIMIT_TYPE = re.compile(r"\s*([A-Za-z][A-Za-z0-9_.-]{0,63})\s*", re.ASCII)


@attrs.frozen
class RateLimitState:
    """The server's rate-limit state as one response reported it (Voucherify's ``X-Rate-Limit-*``
    headers). A field the response did not send, or sent malformed, is None.

    ``limit``: ``X-Rate-Limit-Limit``, the budget of the window (per minute or per hour: the
    header does not say which). ``remaining``: ``X-Rate-Limit-Remaining``. ``reset_at``:
    ``X-Rate-Limit-Retry``, the epoch second from which calls are allowed again (Voucherify sends
    it once the budget is spent). ``resets_in``: seconds from the response's ``Date`` to
    ``reset_at`` (0 when past; None without both), so no local clock is involved.
    ``limit_type``: ``X-Rate-Limit-Type`` (``api_calls``, ``bulk_api_calls``, ...).
    """

    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None
    resets_in: float | None = None
    limit_type: str | None = None


def _matched(pattern: re.Pattern[str], value: str | None) -> str | None:
    if value is None:
        return None
    match = pattern.fullmatch(value)
    return match.group(1) if match else None


def rate_limit_state(headers: Mapping[str, str]) -> RateLimitState | None:
    """The :class:`RateLimitState` of a response's headers (any mapping with lower-case ``get``,
    ``httpx.Headers`` among them), or None when it sends none of ``X-Rate-Limit-Limit``,
    ``-Remaining``, ``-Retry``, ``-Type``. Never raises: a malformed value is a None field."""
    texts = [headers.get(name) for name in RATE_LIMIT_HEADERS[:4]]
    if all(text is None for text in texts):
        return None
    limit_text, remaining_text, retry_text, type_text = texts
    limit = _matched(_COUNT, limit_text)
    remaining = _matched(_COUNT, remaining_text)
    retry = _matched(_EPOCH, retry_text)
    reset_at = float(retry) if retry is not None else None
    resets_in = None
    if reset_at is not None:
        date = parse_http_date(headers.get("date"))
        resets_in = max(0.0, reset_at - date) if date is not None else None
    return RateLimitState(
        limit=int(limit) if limit is not None else None,
        remaining=int(remaining) if remaining is not None else None,
        reset_at=reset_at,
        resets_in=resets_in,
        limit_type=_matched(_LIMIT_TYPE, type_text),
    )


@attrs.frozen
class LimiterState:
    """What a :class:`RateLimiter` knows at one moment (:meth:`RateLimiter.state`; a client's
    ``rate_limit``).

    ``limit``/``period``: the local budget (``limit`` None: none configured); ``used``: the
    requests it counts in the current window (in flight, or answered less than ``period`` ago);
    ``in_flight``: those still waiting for their response; ``available``: what the budget lets
    go now (None without a budget); ``paused_for``: seconds until requests may go again (a
    server's ``Retry-After``, a spent server budget), 0 when not paused; ``server_remaining``:
    the server's last ``X-Rate-Limit-Remaining`` counted down by the requests sent since (None
    when unknown); ``server``: the rate-limit headers of the last response that had any.
    """

    limit: int | None
    period: float
    used: int
    in_flight: int
    available: int | None
    paused_for: float
    server_remaining: int | None
    server: RateLimitState | None
