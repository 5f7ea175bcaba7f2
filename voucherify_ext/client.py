"""``Voucherify`` and ``AsyncVoucherify``: the facades users construct.

Each builds one connection pool (a real httpx transport with the caller's proxy, TLS and pool
settings), wraps it in the retrying transport, and hands an httpx client using it to the
generated ``AuthenticatedClient`` (``vf.client``). Every generated operation called with
``vf.client`` therefore gets auth, retries, rate limiting and logging; the generated client
object itself never holds a secret (its ``token`` is a placeholder: credentials are added by
the transport, per request, for the API hosts only).

Thread and task safety: one ``Voucherify`` may be shared by any number of threads; one
``AsyncVoucherify`` by the tasks of one event loop. They share the pool, the rate limiter and
the OAuth token.
"""

from __future__ import annotations

import asyncio
import math
import random
import ssl
import time
import typing
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import attrs
import httpx
from voucherify_client.client import AuthenticatedClient

from voucherify_ext.async_actions.actions import AsyncActions, AsyncAsyncActions
from voucherify_ext.config import DEFAULT_LIMITS, DEFAULT_TIMEOUT, ClientConfig, resolve_config
from voucherify_ext.errors import ConfigurationError, VoucherifyError
from voucherify_ext.http.deadlines import install_deadline_backend
from voucherify_ext.http.lifecycle import AsyncSharedPool, SharedPool
from voucherify_ext.http.retry_transport import AsyncRetryTransport, RetryTransport
from voucherify_ext.http.url_paths import keep_dot_segments
from voucherify_ext.logs import hide_userinfo, setup_logging
from voucherify_ext.ratelimit import RateLimiter
from voucherify_ext.resources.orders import AsyncOrders, Orders
from voucherify_ext.retry import RetryPolicy

__all__ = ["AsyncVoucherify", "Voucherify"]

#: stands in for the token field of the generated client; the real credentials never go there
TOKEN_PLACEHOLDER = "<managed by voucherify_ext transport>"

TimeoutTypes = float | httpx.Timeout | None


#: the longest timeout accepted (a year): beyond it the OS cannot wait (``OverflowError``)
MAX_TIMEOUT = 365 * 24 * 3600.0
_TIMEOUT_FIELDS = ("connect", "read", "write", "pool")


def _seconds(name: str, value: object) -> float | None:
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


def _timeout(value: TimeoutTypes | object) -> httpx.Timeout:
    """``timeout=`` as an ``httpx.Timeout``, every part checked (:func:`_seconds`)."""
    if isinstance(value, httpx.Timeout):
        parts = {field: _seconds(f"timeout.{field}", getattr(value, field)) for field in _TIMEOUT_FIELDS}
        return httpx.Timeout(**parts)
    seconds = _seconds("timeout", value)
    if seconds is None:
        return httpx.Timeout(None)
    return httpx.Timeout(seconds, connect=min(seconds, DEFAULT_TIMEOUT.connect or seconds))


_DEFAULT: Any = object()


@attrs.frozen
class _Shared:
    """What a client and its ``with_options`` variants share."""

    config: ClientConfig
    limiter: RateLimiter
    clock: Callable[[], float]
    wall_clock: Callable[[], float]
    rand: Callable[[], float]


def _policy(
    base: RetryPolicy | None,
    max_retries: int | None,
    deadline: float | object | None,
    attempt_timeout: float | object | None = _DEFAULT,
) -> RetryPolicy:
    """``base`` with the given overrides; a bad value raises :class:`ConfigurationError` (a
    ``ValueError``) naming the argument (the policy's validators say which)."""
    policy = base or RetryPolicy()
    changes: dict[str, Any] = {}
    if max_retries is not None:
        if not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError(f"max_retries must be an integer >= 0, got {max_retries!r}")
        changes["max_retries"] = max_retries
    if deadline is not _DEFAULT:
        changes["deadline"] = deadline
    if attempt_timeout is not _DEFAULT:
        changes["attempt_timeout"] = attempt_timeout
    return attrs.evolve(policy, **changes) if changes else policy


def _pool(transport: Any) -> Any:
    """The connection pool ext builds, with the deadline-aware network backend installed
    (:mod:`voucherify_ext.http.deadlines`): what bounds a sync attempt's head and body reads."""
    install_deadline_backend(transport)
    return transport


def _reusable(transport: Any) -> Callable[[], Any] | None:
    """How a caller's own transport is had again in a forked child: a ``MockTransport`` holds
    no connection (the same one serves); any other cannot be rebuilt (None)."""
    return (lambda: transport) if isinstance(transport, httpx.MockTransport) else None


def _sync_pool(http_transport: httpx.BaseTransport | None, proxy: Any, **network: Any) -> SharedPool:
    """The client's pool: the caller's ``http_transport``, or an ``httpx.HTTPTransport`` with
    the network settings, rebuilt the same way in a forked child (:mod:`.lifecycle`)."""
    if http_transport is not None:
        return SharedPool(_pool(http_transport), _reusable(http_transport))

    def build() -> httpx.BaseTransport:
        return typing.cast(httpx.BaseTransport, _pool(httpx.HTTPTransport(proxy=proxy, **network)))

    return SharedPool(build(), build)


def _async_pool(
    http_transport: httpx.AsyncBaseTransport | None, proxy: Any, **network: Any
) -> AsyncSharedPool:
    """The async twin of :func:`_sync_pool`."""
    if http_transport is not None:
        return AsyncSharedPool(http_transport, _reusable(http_transport))

    def build() -> httpx.AsyncBaseTransport:
        return httpx.AsyncHTTPTransport(proxy=proxy, **network)

    return AsyncSharedPool(build(), build)


class _NoCookies(httpx.Cookies):
    """Voucherify authenticates by header and sets no cookies. A plain ``httpx.Cookies`` wraps
    every response and its request in urllib's cookie objects to look for some (about 13 us per
    request, even with a jar that keeps none); this one does not look, keeps none and never
    carries a cookie to another host."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set_cookie_header(self, request: httpx.Request) -> None:
        return None


class _HTTPClient(httpx.Client):
    """``httpx.Client`` whose cookie store is :class:`_NoCookies` and whose relative URLs keep
    ``.``/``..`` segments as data (:func:`~voucherify_ext.http.url_paths.keep_dot_segments`)."""

    def __init__(self, **kwargs: Any) -> None:
        self._no_cookies = _NoCookies()
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
        return super().build_request(method, url, **kwargs)


class _AsyncHTTPClient(httpx.AsyncClient):
    """``httpx.AsyncClient`` whose cookie store is :class:`_NoCookies` and whose relative URLs keep
    ``.``/``..`` segments as data (:func:`~voucherify_ext.http.url_paths.keep_dot_segments`)."""

    def __init__(self, **kwargs: Any) -> None:
        self._no_cookies = _NoCookies()
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
        return super().build_request(method, url, **kwargs)


def _try_build(**settings: Any) -> tuple[_Shared, None] | tuple[None, VoucherifyError]:
    """:func:`_build`, or the error that refused the settings (the caller deletes its own
    credential locals before raising it: see :func:`_without_frames`)."""
    try:
        return _build(**settings), None
    except VoucherifyError as exc:
        return None, exc


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


class _Base:
    _shared: _Shared
    _shared_pool: SharedPool | AsyncSharedPool
    _policy: RetryPolicy
    _timeout: httpx.Timeout
    _follow_redirects: bool
    client: AuthenticatedClient

    @property
    def base_url(self) -> str:
        """The API base URL, with the password of any userinfo hidden (``[REDACTED]``)."""
        return hide_userinfo(self._shared.config.base_url)

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._policy

    @property
    def timeout(self) -> httpx.Timeout:
        return self._timeout

    @property
    def rate_limiter(self) -> RateLimiter:
        return self._shared.limiter

    @property
    def _inner(self) -> Any:
        """The real httpx transport the pool currently sends on (for inspection)."""
        return self._shared_pool.transport

    def __repr__(self) -> str:
        creds = self._shared.config.credentials
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, credentials={creds!r}, "
            f"max_retries={self._policy.max_retries}, rate_limiter={self._shared.limiter!r})"
        )


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
    clock: Callable[[], float] | None,
    wall_clock: Callable[[], float] | None,
    max_pause: float,
    timeout: object = None,
) -> _Shared:
    _timeout(timeout)  # checked here, with the other settings: its error leaves no credential in a frame
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
        clock=clock,
    )
    limiter = RateLimiter.from_string(rate_limit, clock=clock, wall_clock=wall_clock, max_pause=max_pause)
    return _Shared(config, limiter, clock, wall_clock, random.random)


class Voucherify(_Base):
    """Synchronous Voucherify client. Safe to share between threads, and fork-safe: a forked
    child sends on a pool of its own (see :mod:`voucherify_ext.http.lifecycle`).

    Credentials: ``app_id``/``app_token`` (or ``VOUCHERIFY_APP_ID``/``VOUCHERIFY_APP_TOKEN``);
    with ``oauth_scopes`` they are exchanged for a bearer token that is refreshed as needed;
    or a ready ``access_token``. Region: ``cluster`` (``"eu"``, ``"us1"``, ``"as1"``) or
    ``base_url`` (or ``VOUCHERIFY_API_URL``/``VOUCHERIFY_CLUSTER``). See docs/client.md.
    """

    def __init__(
        self,
        *,
        app_id: str | None = None,
        app_token: str | None = None,
        access_token: str | None = None,
        oauth_scopes: Sequence[str] | None = None,
        cluster: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        deadline: float | None = None,
        attempt_timeout: float | object | None = _DEFAULT,
        rate_limit: str | None = None,
        proxy: str | httpx.Proxy | None = None,
        verify: ssl.SSLContext | str | bool = True,
        cert: Any = None,
        limits: httpx.Limits = DEFAULT_LIMITS,
        trust_env: bool = True,
        api_version: str | None = None,
        allow_insecure_http: bool = False,
        follow_redirects: bool = True,
        http_transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        wall_clock: Callable[[], float] | None = None,
    ) -> None:
        self._shared_pool: SharedPool
        shared, failure = _try_build(
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
            rate_limit=rate_limit,
            clock=clock,
            wall_clock=wall_clock,
            max_pause=(retry_policy or RetryPolicy()).max_retry_after,
            timeout=timeout,
        )
        if failure is not None:
            # error reporters (Sentry, rich) capture frame locals: this frame must not hold the
            # credentials, and the frames below (which do) are cut off
            del app_token, access_token
            raise _without_frames(failure)
        assert shared is not None
        self._shared = shared
        self._policy = _policy(
            retry_policy, max_retries, deadline if deadline is not None else _DEFAULT, attempt_timeout
        )
        self._timeout = _timeout(timeout)
        self._follow_redirects = follow_redirects
        self._sleep = sleep if sleep is not None else time.sleep
        self._shared_pool = _sync_pool(
            http_transport,
            self._shared.config.proxy,
            verify=verify,
            cert=cert,
            limits=limits,
            trust_env=trust_env,
        )
        self._owns_pool = True
        self._setup()

    def _setup(self) -> None:
        shared = self._shared
        transport = RetryTransport(
            self._shared_pool,
            shared.config,
            policy=self._policy,
            limiter=shared.limiter,
            sleep=self._sleep,
            clock=shared.clock,
            wall_clock=shared.wall_clock,
            rand=shared.rand,
            owns_inner=self._owns_pool,
        )
        self._http = _HTTPClient(
            base_url=shared.config.base_url,
            transport=transport,
            timeout=self._timeout,
            follow_redirects=self._follow_redirects,
            trust_env=False,
        )
        self.client = AuthenticatedClient(
            base_url=shared.config.base_url,
            token=TOKEN_PLACEHOLDER,
            timeout=self._timeout,
            follow_redirects=self._follow_redirects,
        ).set_httpx_client(self._http)
        self.orders = Orders(self.client, sleep=self._sleep, clock=shared.clock)
        self.async_actions = AsyncActions(self.client, sleep=self._sleep, clock=shared.clock)

    @property
    def http(self) -> httpx.Client:
        """The underlying httpx client (carries the retrying transport)."""
        return self._http

    def with_options(
        self,
        *,
        max_retries: int | None = None,
        timeout: TimeoutTypes | object = _DEFAULT,
        deadline: float | object | None = _DEFAULT,
        retry_policy: RetryPolicy | None = None,
        attempt_timeout: float | object | None = _DEFAULT,
    ) -> Voucherify:
        """A variant of this client with other retry/timeout settings, sharing its connection
        pool, rate limiter and credentials: ``vf.with_options(max_retries=0, timeout=5)``.
        Closing the variant leaves the pool open; closing the original closes it, and the
        variants then raise :class:`~voucherify_ext.http.lifecycle.ClientClosedError`."""
        clone = object.__new__(Voucherify)
        clone._shared = self._shared
        clone._policy = _policy(retry_policy or self._policy, max_retries, deadline, attempt_timeout)
        clone._timeout = self._timeout if timeout is _DEFAULT else _timeout(timeout)
        clone._follow_redirects = self._follow_redirects
        clone._sleep = self._sleep
        clone._shared_pool = self._shared_pool
        clone._owns_pool = False
        clone._setup()
        return clone

    def close(self) -> None:
        """Close the connection pool (variants from ``with_options`` only drop their view)."""
        self._http.close()

    def __enter__(self) -> Voucherify:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncVoucherify(_Base):
    """Asynchronous Voucherify client. Safe to share between the tasks of one event loop.

    Takes the same arguments as :class:`Voucherify`; ``sleep`` is an async callable.
    """

    def __init__(
        self,
        *,
        app_id: str | None = None,
        app_token: str | None = None,
        access_token: str | None = None,
        oauth_scopes: Sequence[str] | None = None,
        cluster: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        deadline: float | None = None,
        attempt_timeout: float | object | None = _DEFAULT,
        rate_limit: str | None = None,
        proxy: str | httpx.Proxy | None = None,
        verify: ssl.SSLContext | str | bool = True,
        cert: Any = None,
        limits: httpx.Limits = DEFAULT_LIMITS,
        trust_env: bool = True,
        api_version: str | None = None,
        allow_insecure_http: bool = False,
        follow_redirects: bool = True,
        http_transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] | None = None,
        wall_clock: Callable[[], float] | None = None,
    ) -> None:
        self._shared_pool: AsyncSharedPool
        shared, failure = _try_build(
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
            rate_limit=rate_limit,
            clock=clock,
            wall_clock=wall_clock,
            max_pause=(retry_policy or RetryPolicy()).max_retry_after,
            timeout=timeout,
        )
        if failure is not None:
            # error reporters (Sentry, rich) capture frame locals: this frame must not hold the
            # credentials, and the frames below (which do) are cut off
            del app_token, access_token
            raise _without_frames(failure)
        assert shared is not None
        self._shared = shared
        self._policy = _policy(
            retry_policy, max_retries, deadline if deadline is not None else _DEFAULT, attempt_timeout
        )
        self._timeout = _timeout(timeout)
        self._follow_redirects = follow_redirects
        self._sleep = sleep if sleep is not None else asyncio.sleep
        self._shared_pool = _async_pool(
            http_transport,
            self._shared.config.proxy,
            verify=verify,
            cert=cert,
            limits=limits,
            trust_env=trust_env,
        )
        self._owns_pool = True
        self._setup()

    def _setup(self) -> None:
        shared = self._shared
        transport = AsyncRetryTransport(
            self._shared_pool,
            shared.config,
            policy=self._policy,
            limiter=shared.limiter,
            sleep=self._sleep,
            clock=shared.clock,
            wall_clock=shared.wall_clock,
            rand=shared.rand,
            owns_inner=self._owns_pool,
        )
        self._http = _AsyncHTTPClient(
            base_url=shared.config.base_url,
            transport=transport,
            timeout=self._timeout,
            follow_redirects=self._follow_redirects,
            trust_env=False,
        )
        self.client = AuthenticatedClient(
            base_url=shared.config.base_url,
            token=TOKEN_PLACEHOLDER,
            timeout=self._timeout,
            follow_redirects=self._follow_redirects,
        ).set_async_httpx_client(self._http)
        self.orders = AsyncOrders(self.client, sleep=self._sleep, clock=shared.clock)
        self.async_actions = AsyncAsyncActions(self.client, sleep=self._sleep, clock=shared.clock)

    @property
    def http(self) -> httpx.AsyncClient:
        """The underlying httpx client (carries the retrying transport)."""
        return self._http

    def with_options(
        self,
        *,
        max_retries: int | None = None,
        timeout: TimeoutTypes | object = _DEFAULT,
        deadline: float | object | None = _DEFAULT,
        retry_policy: RetryPolicy | None = None,
        attempt_timeout: float | object | None = _DEFAULT,
    ) -> AsyncVoucherify:
        """See :meth:`Voucherify.with_options`."""
        clone = object.__new__(AsyncVoucherify)
        clone._shared = self._shared
        clone._policy = _policy(retry_policy or self._policy, max_retries, deadline, attempt_timeout)
        clone._timeout = self._timeout if timeout is _DEFAULT else _timeout(timeout)
        clone._follow_redirects = self._follow_redirects
        clone._sleep = self._sleep
        clone._shared_pool = self._shared_pool
        clone._owns_pool = False
        clone._setup()
        return clone

    async def close(self) -> None:
        """Close the connection pool (variants from ``with_options`` only drop their view)."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncVoucherify:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
