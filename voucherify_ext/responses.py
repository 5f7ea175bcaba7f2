"""From generated ``Response`` objects to models or typed errors.

Generated ``*_detailed`` functions parse inside the call (``response.json()``, ``from_dict``),
so a body that is not JSON raises from inside generated code, and ``from_dict`` checks no
types. Two helpers close those gaps for any generated operation:

* :func:`call` / :func:`acall` invoke a ``*_detailed`` function and turn whatever escapes
  it (httpx, JSON, attrs, ``KeyError``/``TypeError``/``ValueError`` from parsing) into
  :class:`~voucherify_ext.errors.VoucherifyError` subclasses. ``KeyboardInterrupt`` and
  ``CancelledError`` pass untouched.
* :func:`unwrap` returns the success model after checking every field against the model's
  type annotations, or raises the typed error for the status.

Pagination and jobs use these for their own operations::

    response = call(list_orders.sync_detailed, client=vf.client, page=2)
    page = unwrap(response, OrdersListResponseBody)
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from voucherify_client.types import Response

from voucherify_ext.errors import (
    APIConnectionError,
    APIResponseError,
    APITimeoutError,
    ValidationError,
    VoucherifyError,
    error_for_status,
    error_with_bad_body,
)
from voucherify_ext.http.lifecycle import ClientClosedError
from voucherify_ext.http.transport import (
    ATTEMPTS_HEADER,
    NOT_RETRIED_HEADER,
    OUTCOME_UNKNOWN_HEADER,
    last_response,
    reset_last_response,
)
from voucherify_ext.logs import redact
from voucherify_ext.model_check import first_mismatch
from voucherify_ext.retry import server_requested_delay
from voucherify_ext.validation import encode_error

__all__ = ["acall", "api_error", "call", "check_model", "unwrap"]

T = TypeVar("T")
R = TypeVar("R")


def _describe(exc: BaseException) -> str:
    text = redact(str(exc)).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _request_meta(headers: Any) -> tuple[str | None, str | None, int | None]:
    """Method, path and attempts of the exchange that produced ``headers``."""
    attempts_text = headers.get(ATTEMPTS_HEADER) if headers is not None else None
    attempts = int(attempts_text) if attempts_text and attempts_text.isdigit() else None
    resp = last_response()
    if resp is not None and (headers is None or resp.headers is headers):
        try:
            request = resp.request
        except RuntimeError:
            return None, None, attempts
        return request.method, redact(request.url.raw_path.decode("ascii", "replace")), attempts
    return None, None, attempts


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
) -> VoucherifyError:
    """The typed error for an error response (status ≥ 400), built from Voucherify's error body."""
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
    not_retried = headers.get(NOT_RETRIED_HEADER) if headers is not None else None
    outcome_unknown = bool(headers is not None and headers.get(OUTCOME_UNKNOWN_HEADER))
    retry_after = None
    if status == 429 and headers is not None:
        retry_after = server_requested_delay(headers, time.time())
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
        outcome_unknown=outcome_unknown,
        not_retried_reason=not_retried,
    )
    if isinstance(error, APIResponseError):
        error.excerpt = _excerpt(content)
    return error


# -- type checking of parsed models (voucherify_ext.model_check) -------------------------------


def check_model(obj: Any) -> None:
    """Raise :class:`APIResponseError` when a field of a parsed model has the wrong type."""
    mismatch = first_mismatch(obj)
    if mismatch is not None:
        raise APIResponseError(f"field {mismatch}", field=mismatch.path)


# -- unwrap and call -----------------------------------------------------------------------------


def unwrap(response: Response[Any], expected_type: type[T]) -> T:
    """The parsed success model of ``response``, or the typed error for its status.

    ``expected_type`` is the model the operation returns on success (``type(None)`` for
    operations without a body, e.g. a 204).
    """
    status = int(response.status_code)
    headers = response.headers
    if status >= 400:
        method, path, attempts = _request_meta(headers)
        raise api_error(status, response.content, headers, method=method, path=path, attempts=attempts)
    parsed = response.parsed
    if expected_type is type(None) and 200 <= status < 300:
        return None  # type: ignore[return-value,unused-ignore]
    if status < 200 or status >= 300 or not isinstance(parsed, expected_type):
        method, path, attempts = _request_meta(headers)
        raise APIResponseError(
            f"expected a {expected_type.__name__} but the response did not parse into one",
            status_code=status,
            excerpt=_excerpt(response.content),
            method=method,
            path=path,
            attempts=attempts,
        )
    _refuse_error_object(parsed, status, response.content, headers)
    try:
        check_model(parsed)
    except APIResponseError as exc:
        method, path, attempts = _request_meta(headers)
        exc.status_code = status
        exc.method, exc.path, exc.attempts = method, path, attempts
        exc.excerpt = _excerpt(response.content)
        raise
    return parsed


def _refuse_error_object(parsed: object, status: int, content: bytes, headers: Any) -> None:
    """A 2xx whose body is Voucherify's error object (``code`` >= 400 and ``message``) parses
    into an empty model, every field unset, with the error in ``additional_properties``:
    raise instead of handing back an order that is not one."""
    extra = getattr(parsed, "additional_properties", None)
    if not extra or "message" not in extra:
        return
    code = extra.get("code")
    if not isinstance(code, int) or isinstance(code, bool) or code < 400:
        return
    method, path, attempts = _request_meta(headers)
    key = extra.get("key")
    raise APIResponseError(
        f"a {status} response carried an error object instead of the resource "
        f"({key + ': ' if isinstance(key, str) else ''}{extra.get('message')})",
        status_code=status,
        excerpt=_excerpt(content),
        method=method,
        path=path,
        attempts=attempts,
    )


def _convert(exc: Exception) -> VoucherifyError:
    resp = last_response()
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(_describe(exc))
    if isinstance(exc, httpx.HTTPError) and resp is None:
        return APIConnectionError(_describe(exc))
    if resp is None:
        # nothing was received: the request could not be built from the arguments
        return ValidationError(f"could not build the request: {_describe(exc)}")
    method, path, attempts = _request_meta(None)
    status = resp.status_code
    content = resp.content if hasattr(resp, "_content") else b""
    if status >= 400:
        return api_error(status, content, resp.headers, method=method, path=path, attempts=attempts)
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
    )


_CONVERTIBLE = (
    httpx.HTTPError,
    httpx.InvalidURL,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
)


def _unencodable_body(exc: Exception, kwargs: dict[str, Any]) -> bool:
    """Nothing was received and the call had a body: httpx could not encode it (``NaN``, bytes,
    a lone surrogate in metadata), so the error names the place in the body."""
    return (
        last_response() is None
        and kwargs.get("body") is not None
        and not isinstance(exc, httpx.HTTPError | httpx.InvalidURL)
    )


def call(fn: Callable[..., Response[R]], /, *args: Any, **kwargs: Any) -> Response[R]:
    """Invoke a generated ``sync_detailed`` function; no raw httpx/JSON/attrs error escapes."""
    reset_last_response()
    try:
        return fn(*args, **kwargs)
    except VoucherifyError:
        raise
    except RecursionError as exc:
        if last_response() is not None:  # while parsing a response, not while encoding the body
            raise
        raise encode_error(exc, kwargs.get("body")) from None
    except RuntimeError as exc:
        if "closed" not in str(exc):  # httpx: "Cannot send a request, as the client has been closed."
            raise
        error: VoucherifyError = ClientClosedError("the client has been closed; create a new one")
    except _CONVERTIBLE as exc:
        error = encode_error(exc, kwargs["body"]) if _unencodable_body(exc, kwargs) else _convert(exc)
    # raised outside the except block: no __context__ keeping the httpx error (its request) or
    # the JSON error (its ``.doc`` is the body, which for an export holds the download token)
    raise error


async def acall(fn: Callable[..., Awaitable[Response[R]]], /, *args: Any, **kwargs: Any) -> Response[R]:
    """Invoke a generated ``asyncio_detailed`` function; the async twin of :func:`call`."""
    reset_last_response()
    try:
        return await fn(*args, **kwargs)
    except VoucherifyError:
        raise
    except RecursionError as exc:
        if last_response() is not None:  # while parsing a response, not while encoding the body
            raise
        raise encode_error(exc, kwargs.get("body")) from None
    except RuntimeError as exc:
        if "closed" not in str(exc):  # httpx: "Cannot send a request, as the client has been closed."
            raise
        error: VoucherifyError = ClientClosedError("the client has been closed; create a new one")
    except _CONVERTIBLE as exc:
        error = encode_error(exc, kwargs["body"]) if _unencodable_body(exc, kwargs) else _convert(exc)
    # raised outside the except block: no __context__ keeping the httpx error (its request) or
    # the JSON error (its ``.doc`` is the body, which for an export holds the download token)
    raise error
