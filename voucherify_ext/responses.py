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

Where the errors' details come from. The retrying transport attaches what it learned about an
exchange (attempts, why it was not retried, outcome unknown, the server's requested wait, the
request's method and path) to the httpx response as one
:class:`~voucherify_ext.http.exchange.Exchange`, in ``response.extensions``; it adds nothing
to the server's headers. Two ways bring it here, one for each case the other cannot cover:

* the generated ``Response`` carries the httpx response's ``extensions`` (our generator
  template ``openapi/templates/endpoint_module.py.jinja`` passes them on, ``types.py.jinja``
  declares the field), so :func:`unwrap` reads the record wherever the ``Response`` went;
* when the generated parse raises, there is no ``Response``: :func:`call` hands the generated
  function a stand-in for the client (:class:`_Watched`) whose httpx client keeps the response
  it returned, read before the generated code parses it. Nothing is kept beyond the call: no
  context variable carries a "last response" between calls.
"""

from __future__ import annotations

import datetime
import enum
import json
import operator
import sys
import threading
import time
import types
import typing
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import attrs
import httpx
from voucherify_client.types import Response, Unset

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
from voucherify_ext.logs import redact
from voucherify_ext.server_waits import server_requested_delay
from voucherify_ext.validation import encode_error

__all__ = ["acall", "api_error", "call", "check_model", "unwrap"]

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

    ``exchange``: the transport's record of the response (:func:`~voucherify_ext.http.exchange.
    exchange_of`): it fills ``method``, ``path`` and ``attempts`` where they are not given, and
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
    )
    if isinstance(error, APIResponseError):
        error.excerpt = _excerpt(content)
    return error


# -- type checking of parsed models -----------------------------------------------------------
#
# ``unwrap`` checks every field of every parsed model against the generated annotations, so a
# server that sends a wrong type fails with an APIResponseError naming the field instead of
# handing a str to code that was promised an int. It runs on every response (a 100-order page
# holds about 10,000 fields), so each model class is compiled once into a checker:
#
# * *scalar* fields (str, int, float, bool, enums, datetimes, None, and Unset) are read in one
#   ``attrgetter`` call and checked in one C-level pass: is each value's exact class in its
#   field's set of classes? Only an object where one is not (a subclass, or a wrong type)
#   takes the full ``isinstance`` check, field by field;
# * *nested* fields (models, lists, dicts, unions with them) get a compiled checker each; list
#   and dict checkers hold their element checker, model checkers the nested class's compiled
#   checker (looked up at call time only for a model that contains itself); a free-form model
#   such as ``Metadata`` compiles to nothing;
# * the path of a bad field (``items[0].quantity``) is built only when one is found: the
#   innermost check raises :class:`_Mismatch` and each enclosing level adds its key on the way
#   out, so a good response formats no strings at all.


class _Mismatch(Exception):
    """A field whose value has the wrong type; ``path`` is complete once it leaves ``_check_fields``."""

    def __init__(self, expected: str, value: Any) -> None:
        super().__init__(expected)
        self.expected = expected
        self.value = value
        self.parts: list[str | int] = []  # innermost first: keys and list indices
        self.path = ""

    def finish(self, prefix: str) -> _Mismatch:
        path = prefix
        for part in reversed(self.parts):
            if isinstance(part, int):
                path += f"[{part}]"
            else:
                path = f"{path}.{part}" if path else part
        self.path = path
        return self


_HINTS: dict[type, list[tuple[str, str, Any]]] = {}


def _hints(cls: type) -> list[tuple[str, str, Any]]:
    """``(attribute, JSON key, resolved annotation)`` for each attrs field of ``cls``, cached."""
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


Checker = Callable[[Any], None]
"""Raises :class:`_Mismatch` when a value does not fit the annotation it was compiled from."""


def _no_check(value: Any) -> None:
    return None


def _is_model(hint: Any) -> bool:
    return isinstance(hint, type) and attrs.has(hint) and not issubclass(hint, enum.Enum)


def _is_scalar(hint: Any) -> bool:
    """A plain class (str, int, an enum, datetime, None) checked by ``isinstance`` alone."""
    if hint is type(None):
        return True
    return isinstance(hint, type) and typing.get_origin(hint) is None and not attrs.has(hint)


def _options(hint: Any) -> list[Any] | None:
    """The members of a union annotation without ``Unset``, or None for a non-union."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return [a for a in typing.get_args(hint) if a is not Unset]
    return None


class _Scalar:
    """Accepts values of some plain classes. ``exact`` is the fast path: the classes a value
    may have as its very class; ``accepts`` the full rule (subclasses; bool is not a number)."""

    __slots__ = ("accepted", "exact", "expected", "reject_bool")

    def __init__(self, options: Sequence[Any], *, allow_unset: bool = False) -> None:
        accepted: tuple[type, ...] = tuple(options)
        if float in accepted and int not in accepted:
            accepted += (int,)  # a JSON number without a fraction parses as int
        self.accepted = accepted
        self.reject_bool = bool not in accepted  # bool is an int subclass, but not a JSON integer
        self.exact = frozenset(accepted + ((Unset,) if allow_unset else ()))
        self.expected = " | ".join(_type_name(o) for o in options)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, self.accepted) and not (self.reject_bool and value.__class__ is bool)

    def checker(self) -> Checker:
        exact, accepts, expected = self.exact, self.accepts, self.expected

        def check_scalar(value: Any) -> None:
            if value.__class__ not in exact and not accepts(value):
                raise _Mismatch(expected, value)

        return check_scalar


def _scalar_options(hint: Any) -> list[Any] | None:
    """The classes of a scalar annotation (``int``, ``None | str``), or None if it is not one."""
    options = _options(hint)
    if options is None:
        options = [hint]
    return options if all(_is_scalar(o) for o in options) else None


def _compile(hint: Any) -> Checker:
    if hint is Any:
        return _no_check
    options = _options(hint)
    if options is not None:
        if len(options) == 1:
            return _compile(options[0])
        return _compile_union(options)
    if _is_scalar(hint):
        return _Scalar([hint]).checker()
    if _is_model(hint):
        return _compile_model(hint)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is list:
        return _compile_list(hint, _compile(args[0]) if args else _no_check)
    if origin is dict:
        values = _compile(args[1]) if len(args) == 2 else _no_check
        return _compile_dict(hint, values)
    if isinstance(origin, type):  # another generic container: check the container only
        return _Scalar([origin]).checker()
    return _no_check  # Literal, TypeVar, ...: nothing a JSON value could contradict


def _compile_union(options: list[Any]) -> Checker:
    expected = " | ".join(_type_name(o) for o in options)
    if all(_is_scalar(o) for o in options):
        return _Scalar(options).checker()
    # dispatch on the value's exact class; anything else tries the members in order
    by_class: dict[type, Checker] = {}
    members: list[tuple[Callable[[Any], bool], Checker]] = []
    for option in options:
        check = _compile(option)
        target = typing.get_origin(option) or option
        if option is type(None):
            target = type(None)
        if isinstance(target, type):
            by_class.setdefault(target, check)
            members.append((_Scalar([target]).accepts, check))
        else:
            members.append((lambda v: True, check))

    def check_union(value: Any) -> None:
        check = by_class.get(value.__class__)
        if check is not None:
            check(value)
            return
        for matches, check in members:
            if matches(value):
                check(value)
                return
        raise _Mismatch(expected, value)

    return check_union


def _compile_model(cls: type) -> Checker:
    expected = _type_name(cls)
    own = _class_checker(cls)  # None while cls is being compiled (a model that contains itself)

    def check_model_value(value: Any) -> None:
        if value.__class__ is cls and own is not None:
            if own is not _no_check:
                own(value)
            return
        if not isinstance(value, cls):
            raise _Mismatch(expected, value)
        checker = _CLASS_CHECKERS.get(value.__class__) or _class_checker(value.__class__)
        if checker is not None:
            checker(value)

    return check_model_value


def _compile_list(hint: Any, item: Checker) -> Checker:
    expected = _type_name(hint)

    def check_list(value: Any) -> None:
        if value.__class__ is not list and not isinstance(value, list):
            raise _Mismatch(expected, value)
        if item is _no_check:
            return
        index = 0
        try:
            for index, element in enumerate(value):  # noqa: B007 - index is read on failure
                item(element)
        except _Mismatch as exc:
            exc.parts.append(index)
            raise

    return check_list


def _compile_dict(hint: Any, values: Checker) -> Checker:
    expected = _type_name(hint)

    def check_dict(value: Any) -> None:
        if value.__class__ is not dict and not isinstance(value, dict):
            raise _Mismatch(expected, value)
        if values is _no_check:
            return
        key = ""
        try:
            for key, element in value.items():  # noqa: B007 - key is read on failure
                values(element)
        except _Mismatch as exc:
            exc.parts.append(str(key))
            raise

    return check_dict


_CLASS_CHECKERS: dict[type, Checker] = {}
_COMPILING: set[type] = set()
_COMPILE_LOCK = threading.RLock()


def _class_checker(cls: type) -> Checker | None:
    """The compiled checker of model class ``cls``, built on first use and cached; None while
    ``cls`` is being compiled (its own fields refer to it), which callers resolve later."""
    checker = _CLASS_CHECKERS.get(cls)
    if checker is not None:
        return checker
    with _COMPILE_LOCK:
        checker = _CLASS_CHECKERS.get(cls)
        if checker is not None or cls in _COMPILING:
            return checker
        _COMPILING.add(cls)
        try:
            checker = _CLASS_CHECKERS[cls] = _compile_class(cls)
        finally:
            _COMPILING.discard(cls)
        return checker


def _compile_class(cls: type) -> Checker:
    scalars: list[tuple[str, str, _Scalar]] = []
    nested: list[tuple[str, str, Checker]] = []
    extra: Checker = _no_check
    for name, key, hint in _hints(cls):
        if name == "additional_properties":
            args = typing.get_args(hint)
            if len(args) == 2 and args[1] is not Any:
                extra = _compile(hint)
            continue
        options = _scalar_options(hint)
        if options is not None:
            scalars.append((name, key, _Scalar(options, allow_unset=True)))
        else:
            check = _compile(hint)
            if check is not _no_check:
                nested.append((name, key, check))
    if not scalars and not nested and extra is _no_check:
        return _no_check  # e.g. Metadata: free-form, nothing to contradict

    get: Callable[[Any], tuple[Any, ...]] | None = None
    if len(scalars) == 1:
        get_one = operator.attrgetter(scalars[0][0])
        get = lambda obj: (get_one(obj),)  # noqa: E731
    elif scalars:
        get = operator.attrgetter(*(name for name, _, _ in scalars))
    exacts = tuple(spec.exact for _, _, spec in scalars)
    rules = tuple((spec, key) for _, key, spec in scalars)
    nested_rules = tuple(nested)
    contains = operator.contains

    def scalar_mismatch(values: tuple[Any, ...]) -> None:
        # the slow path, after a value's class was not one of its field's exact classes
        for value, (spec, key) in zip(values, rules, strict=True):
            if value.__class__ not in spec.exact and not spec.accepts(value):
                mismatch = _Mismatch(spec.expected, value)
                mismatch.parts.append(key)
                raise mismatch

    def check_object(obj: Any) -> None:
        if get is not None:
            values = get(obj)
            # one C-level pass: is each value's class one of its field's exact classes?
            if False in map(contains, exacts, map(type, values)):
                scalar_mismatch(values)
        for name, key, check in nested_rules:
            value = getattr(obj, name)
            if value.__class__ is Unset:
                continue
            try:
                check(value)
            except _Mismatch as exc:
                exc.parts.append(key)
                raise
        if extra is not _no_check:
            extra(obj.additional_properties)

    return check_object


def _check_fields(obj: Any, path: str) -> None:
    """Raise :class:`_Mismatch` (with its full ``path``) at the first field of ``obj`` whose
    value has the wrong type; ``path`` prefixes the field paths."""
    checker = _class_checker(type(obj))
    if checker is None:  # only while compiling that very class: cannot happen from outside
        return
    try:
        checker(obj)
    except _Mismatch as exc:
        raise exc.finish(path) from None


def check_model(obj: Any) -> None:
    """Raise :class:`APIResponseError` when a field of a parsed model has the wrong type."""
    try:
        _check_fields(obj, "")
    except _Mismatch as exc:
        error = APIResponseError(
            f"field {exc.path!r} should be {exc.expected}, got {type(exc.value).__name__}",
            field=exc.path,
        )
    else:
        return
    raise error  # outside the except block: no __context__ holding the response's value


# -- unwrap and call -----------------------------------------------------------------------------


def unwrap(response: Response[Any], expected_type: type[T]) -> T:
    """The parsed success model of ``response``, or the typed error for its status.

    ``expected_type`` is the model the operation returns on success (``type(None)`` for
    operations without a body, e.g. a 204).
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
        )
    _refuse_error_object(parsed, status, response)
    try:
        check_model(parsed)
    except APIResponseError as exc:
        method, path, attempts = _request_meta(exchange_of(response))
        exc.status_code = status
        exc.method, exc.path, exc.attempts = method, path, attempts
        exc.excerpt = _excerpt(response.content)
        raise
    return parsed


def _refuse_error_object(parsed: object, status: int, response: Response[Any]) -> None:
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
    )


class _Watched:
    """The generated client, for one :func:`call`: the generated function reaches the httpx
    client through it, and the response it gets back is kept here (``response``) before the
    generated code parses it. Everything else is the client's."""

    __slots__ = ("_client", "response")

    def __init__(self, client: Any) -> None:
        self._client = client
        self.response: httpx.Response | None = None

    def __getattr__(self, name: str) -> Any:  # raise_on_unexpected_status, ...
        return getattr(self._client, name)

    def get_httpx_client(self) -> _Watched:
        return self

    def get_async_httpx_client(self) -> _Watched:
        return self

    def request(self, *args: Any, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = self._client.get_httpx_client().request(*args, **kwargs)
        self.response = response
        return response


class _AsyncWatched(_Watched):
    """:class:`_Watched` for :func:`acall`: ``request`` is the async client's."""

    __slots__ = ()

    async def request(self, *args: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        response: httpx.Response = await self._client.get_async_httpx_client().request(*args, **kwargs)
        self.response = response
        return response


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


def _watch(kwargs: dict[str, Any], watched: type[_Watched]) -> tuple[dict[str, Any], _Watched | None]:
    """``kwargs`` with the client replaced by its watched stand-in (if there is a client)."""
    client = kwargs.get("client")
    if client is None:
        return kwargs, None
    watch = watched(client)
    return {**kwargs, "client": watch}, watch


def _failure(exc: Exception, kwargs: dict[str, Any], resp: httpx.Response | None) -> VoucherifyError | None:
    """What :func:`call` raises for ``exc``, or None when ``exc`` is to be re-raised as it is."""
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


def call(fn: Callable[..., Response[R]], /, *args: Any, **kwargs: Any) -> Response[R]:
    """Invoke a generated ``sync_detailed`` function; no raw httpx/JSON/attrs error escapes."""
    given, watch = _watch(kwargs, _Watched)
    try:
        return fn(*args, **given)
    except VoucherifyError:
        raise
    except (RecursionError, RuntimeError, *_CONVERTIBLE) as exc:
        error = _failure(exc, kwargs, watch.response if watch is not None else None)
        if error is None:
            raise
    # raised outside the except block: no __context__ keeping the httpx error (its request) or
    # the JSON error (its ``.doc`` is the body, which for an export holds the download token)
    raise error


async def acall(fn: Callable[..., Awaitable[Response[R]]], /, *args: Any, **kwargs: Any) -> Response[R]:
    """Invoke a generated ``asyncio_detailed`` function; the async twin of :func:`call`."""
    given, watch = _watch(kwargs, _AsyncWatched)
    try:
        return await fn(*args, **given)
    except VoucherifyError:
        raise
    except (RecursionError, RuntimeError, *_CONVERTIBLE) as exc:
        error = _failure(exc, kwargs, watch.response if watch is not None else None)
        if error is None:
            raise
    # raised outside the except block: no __context__ keeping the httpx error (its request) or
    # the JSON error (its ``.doc`` is the body, which for an export holds the download token)
    raise error
