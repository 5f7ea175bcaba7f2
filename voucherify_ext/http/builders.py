"""What the façade builds its clients from: checked timeouts and retry-policy overrides, the
connection pools, the httpx client classes, and the settings a client and its variants share.

No request is sent here. :mod:`voucherify_ext.client` (both twins) calls these builders; the
pool and the httpx client class are the only places where the sync and async clients differ
in what they build, so each comes as a pair (:func:`sync_pool`/:func:`async_pool`,
:class:`HTTPClient`/:class:`AsyncHTTPClient`), named so that ``scripts/unasync.py`` maps one to
the other.
"""

from __future__ import annotations

import math
import random
import time
import typing
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import httpx

from voucherify_ext.config import DEFAULT_TIMEOUT, ClientConfig, resolve_config
from voucherify_ext.errors import ConfigurationError, VoucherifyError
from voucherify_ext.http.deadlines import install_deadline_backend
from voucherify_ext.http.lifecycle import AsyncSharedPool, SharedPool
from voucherify_ext.http.request_headers import CALL_HEADERS_EXTENSION, call_header_names
from voucherify_ext.http.url_paths import keep_dot_segments
from voucherify_ext.logs import setup_logging
from voucherify_ext.ratelimit import RateLimiter
from voucherify_ext.retry import RetryPolicy

__all__ = [
    "DEFAULT",
    "MAX_TIMEOUT",
    "AsyncHTTPClient",
    "HTTPClient",
    "NoCookies",
    "Shared",
    "TimeoutTypes",
    "async_pool",
    "build_policy",
    "build_timeout",
    "check_seconds",
    "sync_pool",
    "try_build_shared",
]

TimeoutTypes = float | httpx.Timeout | None

#: the longest timeout accepted (a year): beyond it the OS cannot wait (``OverflowError``)
MAX_TIMEOUT = 365 * 24 * 3600.0
_TIMEOUT_FIELDS = ("connect", "read", "write", "pool")

#: the default of an argument whose ``None`` means something ("no deadline"): "not given"
DEFAULT: Any = object()


def check_seconds(name: str, value: object) -> float | None:
    """A timeout value checked where it is given: ``None`` or a finite number of seconds in
    (0, :data:`MAX_TIMEOUT`]. Anything else would fail every request later, or not at all."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigurationError(
            f"{name} must be seconds (a number), an httpx.Timeout or None, got {type(value).__name__}"
        )
    try:
        seconds = float(value)
    except OverflowError:
        seconds = math.inf
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_TIMEOUT:
        raise ConfigurationError(
            f"{name} must be a finite number of seconds > 0 and at most {MAX_TIMEOUT:.0f} "
            f"(None for no limit), got {value!r}"
        )
    return seconds


def build_timeout(value: TimeoutTypes | object) -> httpx.Timeout:
    """``timeout=`` as an ``httpx.Timeout``, every part checked (:func:`check_seconds`)."""
    if isinstance(value, httpx.Timeout):
        parts = {field: check_seconds(f"timeout.{field}", getattr(value, field)) for field in _TIMEOUT_FIELDS}
        return httpx.Timeout(**parts)
    seconds = check_seconds("timeout", value)
    if seconds is None:
        return httpx.Timeout(None)
    return httpx.Timeout(seconds, connect=min(seconds, DEFAULT_TIMEOUT.connect or seconds))


def build_policy(
    base: RetryPolicy | None,
    max_retries: int | None,
    deadline: float | object | None,
    attempt_timeout: float | object | None = DEFAULT,
) -> RetryPolicy:
    """``base`` with the given overrides (:data:`DEFAULT`: not given); a bad value raises
    :class:`ConfigurationError` (a ``ValueError``) naming the argument (the policy's validators
    say which)."""
    policy = base or RetryPolicy()
    changes: dict[str, Any] = {}
    if max_retries is not None:
        if not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError(f"max_retries must be an integer >= 0, got {max_retries!r}")
        changes["max_retries"] = max_retries
    if deadline is not DEFAULT:
        changes["deadline"] = deadline
    if attempt_timeout is not DEFAULT:
        changes["attempt_timeout"] = attempt_timeout
    return attrs.evolve(policy, **changes) if changes else policy


# -- connection pools ------------------------------------------------------------------------------


def _pool(transport: Any) -> Any:
    """The connection pool ext builds, with the deadline-aware network backend installed
    (:mod:`voucherify_ext.http.deadlines`): what bounds a sync attempt's head and body reads."""
    install_deadline_backend(transport)
    return transport


def _reusable(transport: Any) -> Callable[[], Any] | None:
    """How a caller's own transport is had again in a forked child: a ``MockTransport`` holds
    no connection (the same one serves); any other cannot be rebuilt (None)."""
    return (lambda: transport) if isinstance(transport, httpx.MockTransport) else None


def sync_pool(http_transport: httpx.BaseTransport | None, proxy: Any, **network: Any) -> SharedPool:
    """The client's pool: the caller's ``http_transport``, or an ``httpx.HTTPTransport`` with
    the network settings, rebuilt the same way in a forked child (:mod:`.lifecycle`)."""
    if http_transport is not None:
        return SharedPool(_pool(http_transport), _reusable(http_transport))

    def build() -> httpx.BaseTransport:
        return typing.cast(httpx.BaseTransport, _pool(httpx.HTTPTransport(proxy=proxy, **network)))

    return SharedPool(build(), build)


def async_pool(
    http_transport: httpx.AsyncBaseTransport | None, proxy: Any, **network: Any
) -> AsyncSharedPool:
    """The async twin of :func:`sync_pool`."""
    if http_transport is not None:
        return AsyncSharedPool(http_transport, _reusable(http_transport))

    def build() -> httpx.AsyncBaseTransport:
        return httpx.AsyncHTTPTransport(proxy=proxy, **network)

    return AsyncSharedPool(build(), build)


# -- the httpx clients -----------------------------------------------------------------------------


class NoCookies(httpx.Cookies):
    """Voucherify authenticates by header and sets no cookies. A plain ``httpx.Cookies`` wraps
    every response and its request in urllib's cookie objects to look for some (about 13 us per
    request, even with a jar that keeps none); this one does not look, keeps none and never
    carries a cookie to another host."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set_cookie_header(self, request: httpx.Request) -> None:
        return None


class _ExtClient:
    """What :class:`HTTPClient` and :class:`AsyncHTTPClient` add to httpx's clients (a mixin,
    listed first): the cookie store is :class:`NoCookies`, relative URLs keep ``.``/``..``
    segments as data (:func:`~voucherify_ext.http.url_paths.keep_dot_segments`), and a request
    remembers the names of the headers passed for it (``headers=``), which win over the
    client's ``default_headers`` (:mod:`voucherify_ext.http.request_headers`)."""

    def __init__(self, **kwargs: Any) -> None:
        self._no_cookies = NoCookies()  # before httpx's __init__, which assigns ``cookies``
        super().__init__(**kwargs)

    @property
    def cookies(self) -> httpx.Cookies:
        return self._no_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        return None

    def build_request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Request:
        if isinstance(url, str):
            url = keep_dot_segments(url)
        # httpx's own build_request, on the client class listed after this mixin
        request: httpx.Request = super().build_request(method, url, **kwargs)  # type: ignore[misc]
        headers = kwargs.get("headers")
        if headers:  # httpx built this extensions dict for this request: ours to add to
            request.extensions[CALL_HEADERS_EXTENSION] = call_header_names(headers)
        return request


class HTTPClient(_ExtClient, httpx.Client):
    """``httpx.Client`` with ext's cookie store and URL handling (:class:`_ExtClient`)."""


class AsyncHTTPClient(_ExtClient, httpx.AsyncClient):
    """``httpx.AsyncClient`` with ext's cookie store and URL handling (:class:`_ExtClient`)."""


# -- the settings a client and its variants share ---------------------------------------------------


@attrs.frozen
class Shared:
    """What a client and its ``with_options`` variants share."""

    config: ClientConfig
    limiter: RateLimiter
    clock: Callable[[], float]
    wall_clock: Callable[[], float]
    rand: Callable[[], float]


def try_build_shared(**settings: Any) -> tuple[Shared, None] | tuple[None, VoucherifyError]:
    """The :class:`Shared` settings, or the error that refused them, with the tracebacks of it
    and of what it chains cut off (:func:`_without_frames`). The caller deletes its own
    credential locals before raising it."""
    try:
        return _build(**settings), None
    except VoucherifyError as exc:
        return None, _without_frames(exc)


def _without_frames(error: VoucherifyError) -> VoucherifyError:
    """``error`` and the exceptions chained to it without their tracebacks: the frames of
    building a client hold the credentials as locals, which error reporters capture."""
    seen: BaseException | None = error
    for _ in range(20):
        if seen is None:
            break
        seen.with_traceback(None)
        seen = seen.__cause__ or seen.__context__
    return error


def _build(
    *,
    app_id: str | None,
    app_token: str | None,
    access_token: str | None,
    oauth_scopes: Sequence[str] | None,
    cluster: str | None,
    base_url: str | None,
    api_version: str | None,
    allow_insecure_http: bool,
    proxy: str | httpx.Proxy | None,
    trust_env: bool,
    rate_limit: str | None,
    default_headers: Any,
    clock: Callable[[], float] | None,
    wall_clock: Callable[[], float] | None,
    max_pause: float,
    timeout: object = None,
) -> Shared:
    build_timeout(timeout)  # checked here, with the other settings: its error leaves no credential in a frame
    setup_logging()
    clock = clock or time.monotonic
    wall_clock = wall_clock or time.time
    config = resolve_config(
        app_id=app_id,
        app_token=app_token,
        access_token=access_token,
        oauth_scopes=oauth_scopes,
        cluster=cluster,
        base_url=base_url,
        api_version=api_version,
        allow_insecure_http=allow_insecure_http,
        proxy=proxy,
        trust_env=trust_env,
        default_headers=default_headers,
        clock=clock,
    )
    limiter = RateLimiter.from_string(rate_limit, clock=clock, wall_clock=wall_clock, max_pause=max_pause)
    return Shared(config, limiter, clock, wall_clock, random.random)
