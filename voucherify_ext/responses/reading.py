"""Reading what a generated function returned or raised: :func:`unwrap` (the model, checked, or
the typed error for the status), :func:`api_error` (an error status as a typed error, with what
the exchange record says), and :func:`typed_failure` (what escaped a generated function, as a
typed error). No I/O. :mod:`voucherify_ext.responses` explains where the details come from."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from voucherify_ext.errors import (
    APIConnectionError,
    APIResponseError,
    APITimeoutError,
    ValidationError,
    VoucherifyError,
    error_for_status,
    error_with_bad_body,
)
from voucherify_ext.http.exchange import Exchange, exchange_of
from voucherify_ext.http.lifecycle import ClientClosedError
from voucherify_ext.logs import redact, safe_headers
from voucherify_ext.model_check import check_model
from voucherify_ext.responses.shapes import GeneratedResponse
from voucherify_ext.server_waits import server_requested_delay
from voucherify_ext.validation import encode_error

__all__ = ["CONVERTIBLE", "api_error", "check_model", "typed_failure", "unwrap"]

T = TypeVar("T")
R = TypeVar("R")


def _describe(exc: BaseException) -> str:
    text = redact(str(exc)).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _request_meta(exchange: Exchange | None) -> tuple[str | None, str | None, int | None]:
    """Method, path and attempts of ``exchange`` (all None without one)."""
    if exchange is None:
        return None, None, None
    return exchange.method, exchange.path, exchange.attempts


def _excerpt(content: bytes) -> str:
    return redact(content[:200].decode("utf-8", "replace"))


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def api_error(
    status: int,
    content: bytes,
    headers: Any,
    *,
    method: str | None = None,
    path: str | None = None,
    attempts: int | None = None,
    exchange: Exchange | None = None,
    wall_clock: Callable[[], float] = time.time,
) -> VoucherifyError:
    """The typed error for an error response (status ≥ 400), built from Voucherify's error body.

    ``exchange``: the transport's record of the response (``http.exchange.exchange_of``): it
    fills ``method``, ``path`` and ``attempts`` where they are not given, and
    gives ``not_retried_reason``, ``outcome_unknown`` and a 429's ``retry_after`` (the wait the
    transport read on its injected wall clock). Without one, ``retry_after`` is read from
    ``headers`` on ``wall_clock``.
    """
    body: Any = None
    try:
        body = json.loads(content) if content else None
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deeply to parse
        body = None
    fields: dict[str, Any] = body if isinstance(body, dict) else {}
    message = _str_or_none(fields.get("message"))
    bad_body = bool(content) and not isinstance(body, dict)
    if message is None:
        if bad_body:
            message = f"HTTP {status} with a body that is not Voucherify's JSON error: {_excerpt(content)!r}"
        else:
            message = f"HTTP {status}"
    not_retried = outcome_unknown = None
    retry_after = None
    if exchange is not None:
        method = method if method is not None else exchange.method
        path = path if path is not None else exchange.path
        attempts = attempts if attempts is not None else exchange.attempts
        not_retried, outcome_unknown = exchange.not_retried_reason, exchange.outcome_unknown
        if status == 429:
            retry_after = exchange.requested_delay
    elif status == 429 and headers is not None:
        retry_after = server_requested_delay(headers, wall_clock())
    cls = error_for_status(status)
    if bad_body:
        cls = error_with_bad_body(cls)
    code = fields.get("code")
    error = cls(
        message,
        status_code=status,
        code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        key=_str_or_none(fields.get("key")),
        details=_str_or_none(fields.get("details")),
        request_id=_str_or_none(fields.get("request_id")),
        resource_id=_str_or_none(fields.get("resource_id")),
        resource_type=_str_or_none(fields.get("resource_type")),
        body=body,
        retry_after=retry_after,
        method=method,
        path=path,
        attempts=attempts,
        outcome_unknown=bool(outcome_unknown),
        not_retried_reason=not_retried,
        headers=headers,
    )
    if isinstance(error, APIResponseError):
        error.excerpt = _excerpt(content)
    return error


# -- unwrap and call -----------------------------------------------------------------------------


def unwrap(response: GeneratedResponse[object], expected_type: type[T]) -> T:
    """The parsed success model of ``response``, or the typed error for its status.

    ``expected_type`` is the model the operation returns on success (``type(None)`` for
    operations without a body, e.g. a 204). ``response`` is the ``Response`` of any generated
    package; the result is typed as ``expected_type``.
    """
    status = int(response.status_code)
    if status >= 400:
        raise api_error(status, response.content, response.headers, exchange=exchange_of(response))
    parsed = response.parsed
    if expected_type is type(None) and 200 <= status < 300:
        return None  # type: ignore[return-value,unused-ignore]
    if status < 200 or status >= 300 or not isinstance(parsed, expected_type):
        method, path, attempts = _request_meta(exchange_of(response))
        raise APIResponseError(
            f"expected a {expected_type.__name__} but the response did not parse into one",
            status_code=status,
            excerpt=_excerpt(response.content),
            method=method,
            path=path,
            attempts=attempts,
            headers=response.headers,
        )
    _refuse_error_object(parsed, status, response)
    try:
        check_model(parsed)
    except APIResponseError as exc:
        method, path, attempts = _request_meta(exchange_of(response))
        exc.status_code = status
        exc.method, exc.path, exc.attempts = method, path, attempts
        exc.excerpt = _excerpt(response.content)
        exc.headers = safe_headers(response.headers)
        raise
    return parsed


def _refuse_error_object(parsed: object, status: int, response: GeneratedResponse[object]) -> None:
    """A 2xx whose body is Voucherify's error object (``code`` >= 400 and ``message``) parses
    into an empty model, every field unset, with the error in ``additional_properties``:
    raise instead of handing back an order that is not one."""
    extra = getattr(parsed, "additional_properties", None)
    if not extra or "message" not in extra:
        return
    code = extra.get("code")
    if not isinstance(code, int) or isinstance(code, bool) or code < 400:
        return
    method, path, attempts = _request_meta(exchange_of(response))
    key = extra.get("key")
    raise APIResponseError(
        f"a {status} response carried an error object instead of the resource "
        f"({key + ': ' if isinstance(key, str) else ''}{extra.get('message')})",
        status_code=status,
        excerpt=_excerpt(response.content),
        method=method,
        path=path,
        attempts=attempts,
        headers=response.headers,
    )


def _convert(exc: Exception, resp: httpx.Response | None) -> VoucherifyError:
    """The typed error for what escaped a generated function; ``resp`` is the response it got
    (None: nothing was received)."""
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(_describe(exc))
    if isinstance(exc, httpx.HTTPError) and resp is None:
        return APIConnectionError(_describe(exc))
    if resp is None:
        # nothing was received: the request could not be built from the arguments
        return ValidationError(f"could not build the request: {_describe(exc)}")
    exchange = exchange_of(resp)
    method, path, attempts = _request_meta(exchange)
    status = resp.status_code
    content = resp.content if hasattr(resp, "_content") else b""
    if status >= 400:
        return api_error(status, content, resp.headers, exchange=exchange)
    kind = "is not valid JSON" if isinstance(exc, json.JSONDecodeError) else "does not match the spec"
    note = ""
    if 200 <= status < 300 and method not in (None, "GET", "HEAD"):
        note = f"; the server accepted the {method} (status {status}), so the write was probably applied"
    return APIResponseError(
        f"the response body {kind} ({_describe(exc)}){note}",
        status_code=status,
        excerpt=_excerpt(content),
        method=method,
        path=path,
        attempts=attempts,
        headers=resp.headers,
    )


CONVERTIBLE = (
    httpx.HTTPError,
    httpx.InvalidURL,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
)


def typed_failure(
    exc: Exception, kwargs: dict[str, Any], resp: httpx.Response | None
) -> VoucherifyError | None:
    """What :func:`~voucherify_ext.responses.call` raises for ``exc``, or None when ``exc`` is to be
    re-raised as it is; ``resp`` is the response the generated function got, if any."""
    if isinstance(exc, RecursionError):
        if resp is not None:  # while parsing a response, not while encoding the body
            return None
        return encode_error(exc, kwargs.get("body"))
    if isinstance(exc, RuntimeError):
        if "closed" not in str(exc):  # httpx: "Cannot send a request, as the client has been closed."
            return None
        return ClientClosedError("the client has been closed; create a new one")
    unsent = resp is None and not isinstance(exc, httpx.HTTPError | httpx.InvalidURL)
    if unsent and kwargs.get("body") is not None:
        # nothing was received and the call had a body: httpx could not encode it (``NaN``,
        # bytes, a lone surrogate in metadata), so the error names the place in the body
        return encode_error(exc, kwargs["body"])
    return _convert(exc, resp)
