"""The typed errors of an attempt that failed in the transport, and their log lines.

A transport error becomes :class:`~voucherify_ext.errors.APIConnectionError` (or
``APITimeoutError``, ``DeadlineExceededError``) carrying the attempt count and, for a write
that could not be retried safely, ``outcome_unknown``; a body cut off after its status keeps the
status's class; a 2xx whose body is unusable is
:class:`~voucherify_ext.errors.UnreadableSuccessError` (``succeeded=True``), never "outcome
unknown". Messages and excerpts are redacted; none chains the httpx error (its request holds
the credential headers): the callers raise them outside their ``except`` blocks.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from voucherify_ext.errors import (
    APIConnectionError,
    APIResponseError,
    APITimeoutError,
    DeadlineExceededError,
    UnreadableSuccessError,
    UnreadableSuccessTimeoutError,
    VoucherifyError,
    error_for_status,
    error_timed_out,
    error_with_bad_body,
)
from voucherify_ext.http.attempt import Call
from voucherify_ext.http.deadlines import ExchangeLimit
from voucherify_ext.http.oauth import is_token_request
from voucherify_ext.logs import log_fields, logger, redact
from voucherify_ext.retry import FailureKind, RetryDecision

__all__ = ["body_error", "connection_error", "describe", "limit_error", "unreadable_error"]


def describe(exc: BaseException) -> str:
    """``Type: message``, redacted."""
    text = redact(str(exc)).strip()
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


def _excerpt(response: httpx.Response) -> str | None:
    try:
        return redact(response.content[:200].decode("utf-8", "replace"))
    except Exception:
        return None


def unreadable_error(
    problem: str,
    response: httpx.Response,
    request: httpx.Request,
    call: Call,
    attempt: int,
    decision: RetryDecision,
    *,
    timed_out: bool = False,
) -> UnreadableSuccessError:
    """A 2xx whose body could not be used."""
    status = response.status_code
    cls = UnreadableSuccessTimeoutError if timed_out else UnreadableSuccessError
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            "%s %s -> %d with an unusable body (%s) attempt=%d",
            request.method,
            call.path,
            status,
            problem,
            attempt,
            extra=log_fields(
                http_method=request.method, http_path=call.path, http_status=status, attempt=attempt
            ),
        )
    what = "the request succeeded"
    if call.write:
        what += f": the server accepted the {request.method} (status {status}), so the write was applied,"
    else:
        what += f" (status {status})"
    return cls(
        f"{what} but its body could not be read: {problem}",
        status_code=status,
        # never an excerpt of the OAuth token response: it is the bearer token
        excerpt=None if timed_out or is_token_request(request) else _excerpt(response),
        method=request.method,
        path=call.path,
        attempts=attempt,
        not_retried_reason=decision.reason,
        headers=response.headers,
    )


def limit_error(
    limit: ExchangeLimit, request: httpx.Request, call: Call, attempt: int, status: int
) -> APITimeoutError:
    """A streamed body cut off by its limit."""
    cls = DeadlineExceededError if limit.by_deadline else APITimeoutError
    return cls(
        f"{limit.why} (status {status}, while the body was read)",
        method=request.method,
        path=call.path,
        attempts=attempt,
    )


def connection_error(
    exc: httpx.TransportError,
    kind: FailureKind,
    request: httpx.Request,
    call: Call,
    attempt: int,
    decision: RetryDecision,
    limit: ExchangeLimit | None = None,
) -> APIConnectionError:
    """A transport error that is not retried (any more)."""
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    if limit is not None and limit.why is not None and limit.by_deadline:
        cls = DeadlineExceededError
    where = (
        "before the request was sent"
        if kind is FailureKind.NOT_SENT
        else "after the request may have reached the server"
    )
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            "%s %s failed: %s attempt=%d%s",
            request.method,
            call.path,
            describe(exc),
            attempt,
            f" not_retried={decision.reason!r}" if decision.reason else "",
            extra=log_fields(
                http_method=request.method,
                http_path=call.path,
                outcome=describe(exc),
                attempt=attempt,
                not_retried=decision.reason,
            ),
        )
    return cls(
        f"{describe(exc)} ({where})",
        method=request.method,
        path=call.path,
        attempts=attempt,
        outcome_unknown=decision.outcome_unknown,
        not_retried_reason=decision.reason,
    )


def body_error(
    exc: httpx.TransportError,
    response: httpx.Response,
    request: httpx.Request,
    call: Call,
    attempt: int,
    decision: RetryDecision,
) -> VoucherifyError:
    """A body cut off after its status arrived, not retried (any more)."""
    status = response.status_code
    problem = f"the response body was cut off after status {status} ({describe(exc)})"
    if 200 <= status < 300:
        timed_out = isinstance(exc, httpx.TimeoutException)
        return unreadable_error(problem, response, request, call, attempt, decision, timed_out=timed_out)
    common: dict[str, Any] = {
        "method": request.method,
        "path": call.path,
        "attempts": attempt,
        "outcome_unknown": decision.outcome_unknown and status >= 500,
        "not_retried_reason": decision.reason,
        "headers": response.headers,
    }
    if status >= 400:  # the status still says what happened: keep its class
        cls = error_with_bad_body(error_for_status(status))
        if isinstance(exc, httpx.TimeoutException):
            cls = error_timed_out(cls)
        return cls(problem, status_code=status, **common)
    return APIResponseError(problem, status_code=status, **common)
