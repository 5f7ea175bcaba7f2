"""The façade class, written once: async in ``facade_async.py``, and its sync twin
``facade_sync.py`` generated from it by ``scripts/unasync.py`` (edit ``facade_async.py``, then
``make generate``). What the twins share without I/O is in :mod:`voucherify_ext.client.base`;
the pool, the httpx client and the checked settings come from :mod:`voucherify_ext.http.builders`.
"""

from __future__ import annotations

import asyncio  # unasync: import time
import ssl
from collections.abc import (
    Awaitable,
    Callable,
    Mapping,
    Sequence,
)  # unasync: from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
import httpx
from voucherify_client.client import AuthenticatedClient

from voucherify_ext.async_actions.actions import AsyncAsyncActions
from voucherify_ext.client.base import TOKEN_PLACEHOLDER, ClientBase
from voucherify_ext.client.binding import GeneratedClient, GeneratedClientClass
from voucherify_ext.config import DEFAULT_LIMITS, DEFAULT_TIMEOUT
from voucherify_ext.hooks import NO_HOOKS, Hooks
from voucherify_ext.http.builders import (
    DEFAULT,
    AsyncHTTPClient,
    TimeoutTypes,
    async_pool,
    build_policy,
    build_timeout,
    try_build_shared,
)
from voucherify_ext.http.lifecycle import AsyncSharedPool
from voucherify_ext.http.retry_transport import AsyncRetryTransport
from voucherify_ext.orders.resource_async import AsyncOrders
from voucherify_ext.retry import RetryPolicy
from voucherify_ext.upserts import Upsert

__all__ = ["AsyncVoucherify"]  # unasync: __all__ = ["Voucherify"]

C = TypeVar("C", bound=GeneratedClient)
Sleep = Callable[[float], Awaitable[None]]  # unasync: Sleep = Callable[[float], None]


class AsyncVoucherify(ClientBase):
    """The Voucherify client. The sync client may be shared by any number of threads, the async
    client by the tasks of one event loop; a forked child sends on a pool of its own (see
    :mod:`voucherify_ext.http.lifecycle`).

    Credentials: ``app_id``/``app_token`` (or ``VOUCHERIFY_APP_ID``/``VOUCHERIFY_APP_TOKEN``);
    with ``oauth_scopes`` they are exchanged for a bearer token that is refreshed as needed;
    or a ready ``access_token``. Region: ``cluster`` (``"eu"``, ``"us1"``, ``"as1"``) or
    ``base_url`` (or ``VOUCHERIFY_API_URL``/``VOUCHERIFY_CLUSTER``). ``default_headers`` go
    with every request to the API and export download hosts, never elsewhere (see
    :mod:`voucherify_ext.custom_headers`). ``sleep`` is what retries and jobs wait with (an
    async callable for the async client). ``hooks`` are your callbacks for retries, rate-limit
    waits and job progress (:class:`~voucherify_ext.hooks.Hooks`). See docs/client.md.
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
        attempt_timeout: float | object | None = DEFAULT,
        rate_limit: str | None = None,
        proxy: str | httpx.Proxy | None = None,
        verify: ssl.SSLContext | str | bool = True,
        cert: Any = None,
        limits: httpx.Limits = DEFAULT_LIMITS,
        trust_env: bool = True,
        api_version: str | None = None,
        default_headers: Mapping[str, str | None] | None = None,
        allow_insecure_http: bool = False,
        follow_redirects: bool = True,
        http_transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
        clock: Callable[[], float] | None = None,
        wall_clock: Callable[[], float] | None = None,
        hooks: Hooks | None = None,
    ) -> None:
        self._shared_pool: AsyncSharedPool
        shared, failure = try_build_shared(
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
            default_headers=default_headers,
            clock=clock,
            wall_clock=wall_clock,
            max_pause=(retry_policy or RetryPolicy()).max_retry_after,
            timeout=timeout,
        )
        if failure is not None:
            # error reporters (Sentry, rich) capture frame locals: this frame must not hold the
            # credentials, and the frames below (which do) are cut off
            del app_token, access_token
            raise failure
        assert shared is not None
        self._shared = shared
        self._policy = build_policy(
            retry_policy, max_retries, deadline if deadline is not None else DEFAULT, attempt_timeout
        )
        self._timeout = build_timeout(timeout)
        self._follow_redirects = follow_redirects
        self._sleep = sleep if sleep is not None else asyncio.sleep
        self._hooks = hooks if hooks is not None else NO_HOOKS
        self._shared_pool = async_pool(
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
            hooks=self._hooks,
        )
        self._http = AsyncHTTPClient(
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
        self.orders = AsyncOrders(self.client, sleep=self._sleep, clock=shared.clock, limiter=shared.limiter)
        self.async_actions = AsyncAsyncActions(self.client, sleep=self._sleep, clock=shared.clock)

    @property
    def http(self) -> httpx.AsyncClient:
        """The underlying httpx client (carries the retrying transport)."""
        return self._http

    def bind(self, client_class: GeneratedClientClass[C], *, upserts: Sequence[Upsert] = ()) -> C:
        """Another generated package's ``AuthenticatedClient``, sending through this client:
        ``customers = vf.bind(customers_client.AuthenticatedClient)``. Its operations get this
        client's credentials, retries, rate limit, deadlines and logging; it holds no secret (its
        token is a placeholder) and shares this client's pool, so close this client, not it.

        ``upserts`` declares the package's writes that are safe to repeat
        (:class:`~voucherify_ext.retry.Upsert`): they are retried after an ambiguous failure, as
        ``createOrder`` with an ``id`` is; every other POST is sent once and fails with
        ``outcome_unknown``.
        """
        source = self
        if upserts:
            declared = (*self._policy.upserts, *upserts)
            source = self.with_options(retry_policy=attrs.evolve(self._policy, upserts=declared))
        bound = client_class(base_url=self._shared.config.base_url, token=TOKEN_PLACEHOLDER)
        return bound.set_async_httpx_client(source._http)

    def with_options(
        self,
        *,
        max_retries: int | None = None,
        timeout: TimeoutTypes | object = DEFAULT,
        deadline: float | object | None = DEFAULT,
        retry_policy: RetryPolicy | None = None,
        attempt_timeout: float | object | None = DEFAULT,
        default_headers: Mapping[str, str | None] | None = None,
        hooks: Hooks | None = None,
    ) -> AsyncVoucherify:
        """A variant of this client with other retry/timeout settings, headers or ``hooks``,
        sharing its connection pool, rate limiter and credentials: ``vf.with_options(max_retries=0,
        timeout=5)``. ``default_headers`` are merged over this client's (names ignore case; a
        value of ``None`` removes one); this client keeps its own. Closing the variant leaves
        the pool open; closing the original closes it, and the variants then raise
        :class:`~voucherify_ext.http.lifecycle.ClientClosedError`."""
        shared = self._shared
        if default_headers is not None:
            config = shared.config
            merged = config.default_headers.merged(default_headers)
            shared = attrs.evolve(shared, config=attrs.evolve(config, default_headers=merged))
        clone = object.__new__(AsyncVoucherify)
        clone._shared = shared
        clone._policy = build_policy(retry_policy or self._policy, max_retries, deadline, attempt_timeout)
        clone._timeout = self._timeout if timeout is DEFAULT else build_timeout(timeout)
        clone._follow_redirects = self._follow_redirects
        clone._sleep = self._sleep
        clone._hooks = hooks if hooks is not None else self._hooks
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
