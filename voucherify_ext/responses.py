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

import datetime
import enum
import json
import sys
import time
import types
import typing
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import attrs
import httpx
from voucherify_client.types import Response, Unset

from .errors import (
    APIConnectionError,
    APIResponseError,
    APITimeoutError,
    ValidationError,
    VoucherifyError,
    error_for_status,
    error_with_bad_body,
)
from .logs import redact
from .retry import server_requested_delay
from .transport import (
    ATTEMPTS_HEADER,
    NOT_RETRIED_HEADER,
    OUTCOME_UNKNOWN_HEADER,
    last_response,
    reset_last_response,
)

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
    except ValueError:
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


# -- type checking of parsed models -----------------------------------------------------------


class _Mismatch(Exception):
    def __init__(self, path: str, expected: str, value: Any) -> None:
        self.path = path
        self.expected = expected
        self.value = value
        super().__init__(path)


_HINTS: dict[type, list[tuple[str, str, Any]]] = {}


def _hints(cls: type) -> list[tuple[str, str, Any]]:
    cached = _HINTS.get(cls)
    if cached is not None:
        return cached
    result: list[tuple[str, str, Any]] = []
    try:
        module = sys.modules[cls.__module__]
        package = sys.modules.get(cls.__module__.rpartition(".")[0])
        localns: dict[str, Any] = dict(vars(package)) if package is not None else {}
        localns.setdefault("datetime", datetime)
        hints = typing.get_type_hints(cls, globalns=vars(module), localns=localns)
        for attribute in attrs.fields(cls):
            name = attribute.name
            hint = hints.get(name)
            if hint is None:
                continue
            key = name[:-1] if name.endswith("_") else name
            result.append((name, key, hint))
    except Exception:  # an unresolvable annotation: skip checking rather than fail a good call
        result = []
    _HINTS[cls] = result
    return result


def _type_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint)


# Checks are compiled once per model class into closures: the hot path of every call.
Checker = Callable[[Any, str], None]


def _no_check(value: Any, path: str) -> None:
    return None


def _predicate(hint: Any) -> Callable[[Any], bool]:
    if hint is Any:
        return lambda v: True
    if hint is type(None):
        return lambda v: v is None
    if hint is bool:
        return lambda v: isinstance(v, bool)
    if hint is int:
        return lambda v: isinstance(v, int) and not isinstance(v, bool)
    if hint is float:
        return lambda v: isinstance(v, int | float) and not isinstance(v, bool)
    origin = typing.get_origin(hint)
    target = origin if origin is not None else hint
    if isinstance(target, type):
        return lambda v: isinstance(v, target)
    return lambda v: True


def _compile(hint: Any) -> Checker:
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        options = [a for a in typing.get_args(hint) if a is not Unset]
        if len(options) == 1:
            return _compile(options[0])
        expected = " | ".join(_type_name(a) for a in options)
        if all(_is_scalar(a) for a in options):
            return _scalar_check(tuple(options), expected)
        compiled = [(_predicate(a), _compile(a)) for a in options]

        def union(value: Any, path: str) -> None:
            for matches, check in compiled:
                if matches(value):
                    check(value, path)
                    return
            raise _Mismatch(path, expected, value)

        return union
    matches = _predicate(hint)
    expected = _type_name(hint)
    if origin is list:
        args = typing.get_args(hint)
        item = _compile(args[0]) if args else _no_check

        def check_list(value: Any, path: str) -> None:
            if not matches(value):
                raise _Mismatch(path, expected, value)
            if item is not _no_check:
                for index, element in enumerate(value):
                    item(element, f"{path}[{index}]")

        return check_list
    if origin is dict:
        args = typing.get_args(hint)
        values = _compile(args[1]) if len(args) == 2 and args[1] is not Any else _no_check

        def check_dict(value: Any, path: str) -> None:
            if not matches(value):
                raise _Mismatch(path, expected, value)
            if values is not _no_check:
                for key, element in value.items():
                    values(element, f"{path}.{key}" if path else str(key))

        return check_dict
    if isinstance(hint, type) and attrs.has(hint) and not issubclass(hint, enum.Enum):

        def check_model(value: Any, path: str) -> None:
            if not matches(value):
                raise _Mismatch(path, expected, value)
            _class_checker(type(value))(value, path)

        return check_model

    if _is_scalar(hint):
        return _scalar_check((hint,), expected)

    def check_simple(value: Any, path: str) -> None:
        if not matches(value):
            raise _Mismatch(path, expected, value)

    return check_simple


def _is_scalar(hint: Any) -> bool:
    """A plain class (str, int, an enum, datetime, None) checked by ``isinstance`` alone."""
    if hint is type(None):
        return True
    return isinstance(hint, type) and typing.get_origin(hint) is None and not attrs.has(hint)


def _scalar_check(options: tuple[Any, ...], expected: str) -> Checker:
    accepted = tuple(type(None) if o is type(None) else o for o in options)
    if float in accepted and int not in accepted:
        accepted += (int,)
    reject_bool = bool not in accepted  # bool is an int subclass, but not a JSON integer

    def check_scalar(value: Any, path: str) -> None:
        if not isinstance(value, accepted) or (reject_bool and value.__class__ is bool):
            raise _Mismatch(path, expected, value)

    return check_scalar


_CLASS_CHECKERS: dict[type, Checker] = {}


def _class_checker(cls: type) -> Checker:
    checker = _CLASS_CHECKERS.get(cls)
    if checker is not None:
        return checker
    fields: list[tuple[str, str, Checker]] = []
    extra: Checker | None = None
    for name, key, hint in _hints(cls):
        if name == "additional_properties":
            args = typing.get_args(hint)
            if len(args) == 2 and args[1] is not Any:
                extra = _compile(hint)
            continue
        fields.append((name, key, _compile(hint)))

    def check_object(obj: Any, path: str) -> None:
        for name, key, check in fields:
            value = getattr(obj, name)
            if value.__class__ is Unset:
                continue
            check(value, f"{path}.{key}" if path else key)
        if extra is not None:
            extra(obj.additional_properties, path)

    _CLASS_CHECKERS[cls] = check_object
    return check_object


def _check_fields(obj: Any, path: str) -> None:
    """Raise :class:`_Mismatch` at the first field of ``obj`` whose value has the wrong type."""
    _class_checker(type(obj))(obj, path)


def check_model(obj: Any) -> None:
    """Raise :class:`APIResponseError` when a field of a parsed model has the wrong type."""
    try:
        _check_fields(obj, "")
    except _Mismatch as exc:
        raise APIResponseError(
            f"field {exc.path!r} should be {exc.expected}, got {type(exc.value).__name__}",
            field=exc.path,
        ) from None


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
    try:
        check_model(parsed)
    except APIResponseError as exc:
        method, path, attempts = _request_meta(headers)
        exc.status_code = status
        exc.method, exc.path, exc.attempts = method, path, attempts
        exc.excerpt = _excerpt(response.content)
        raise
    return parsed


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
    return APIResponseError(
        f"the response body {kind} ({_describe(exc)})",
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


def call(fn: Callable[..., Response[R]], /, *args: Any, **kwargs: Any) -> Response[R]:
    """Invoke a generated ``sync_detailed`` function; no raw httpx/JSON/attrs error escapes."""
    reset_last_response()
    try:
        return fn(*args, **kwargs)
    except VoucherifyError:
        raise
    except RuntimeError as exc:
        if "closed" in str(exc):  # httpx: "Cannot send a request, as the client has been closed."
            raise APIConnectionError("the client has been closed; create a new one") from None
        raise
    except _CONVERTIBLE as exc:
        raise _convert(exc) from None


async def acall(fn: Callable[..., Awaitable[Response[R]]], /, *args: Any, **kwargs: Any) -> Response[R]:
    """Invoke a generated ``asyncio_detailed`` function; the async twin of :func:`call`."""
    reset_last_response()
    try:
        return await fn(*args, **kwargs)
    except VoucherifyError:
        raise
    except RuntimeError as exc:
        if "closed" in str(exc):  # httpx: "Cannot send a request, as the client has been closed."
            raise APIConnectionError("the client has been closed; create a new one") from None
        raise
    except _CONVERTIBLE as exc:
        raise _convert(exc) from None
