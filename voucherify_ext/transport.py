"""httpx transports that make every request retry-safe, rate-limit aware, observable and
secret-safe.

:class:`RetryTransport` (sync) and :class:`AsyncRetryTransport` wrap a real
``httpx.HTTPTransport``/``AsyncHTTPTransport`` built with the caller's proxy, TLS and pool
settings (an httpx client given ``transport=`` ignores its own ``proxy``/``verify``/``limits``
and the environment's proxies, so they must live in the inner transport). For each request
they

* add ``User-Agent``, and for the configured API host and its download host only,
  ``X-Voucherify-API-Version`` and the credentials (a redirect elsewhere carries none; the
  credentials are added to a per-attempt copy, never to the caller's request object);
* wait for the client's rate limiter, and feed it the response's ``X-Rate-Limit-*`` headers;
* retry as :mod:`voucherify_ext.retry` decides, closing the discarded response first;
* sleep with the injected ``sleep`` and read time from the injected ``clock``. A call keeps
  the time it has slept until (``slept_until``) and reads the time as at least that, so waits
  add up the same whether ``sleep`` moves the clock or not (tests), and a server's pause is
  waited once: the retry's sleep already covers the rate limiter's copy of it;
* fetch and refresh OAuth tokens (once more after a 401);
* log metadata (method, path, status, attempt, delay, request id, elapsed) — never secrets.

They never raise on an HTTP status. Transport failures become
:class:`~voucherify_ext.errors.APIConnectionError`/``APITimeoutError`` carrying the attempt
count and, for a write that could not be retried safely, ``outcome_unknown``. The number of
attempts is recorded on the response as ``response.extensions["voucherify_attempts"]`` and the
``x-voucherify-attempts`` header (the header is how it survives into generated ``Response``
objects).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from .auth import CredentialProvider, OAuthTokenProvider, RawHeaders, Secret, TokenGrant
from .config import ClientConfig, Origin
from .errors import (
    APIConnectionError,
    APIResponseError,
    APITimeoutError,
    VoucherifyError,
    error_for_status,
    error_with_bad_body,
)
from .logs import logger, redact
from .ratelimit import MIN_WAIT, RateLimiter, Slot
from .retry import (
    IDEMPOTENT_EXTENSION,
    NOT_IDEMPOTENT,
    FailureKind,
    RetryDecision,
    RetryPolicy,
    classify_exception,
    decide,
    is_idempotent,
    not_idempotent_reason,
    server_requested_delay,
)

__all__ = [
    "ATTEMPTS_EXTENSION",
    "ATTEMPTS_HEADER",
    "NOT_RETRIED_HEADER",
    "AsyncRetryTransport",
    "RetryTransport",
    "last_response",
]

ATTEMPTS_EXTENSION = "voucherify_attempts"
ATTEMPTS_HEADER = "x-voucherify-attempts"
NOT_RETRIED_HEADER = "x-voucherify-not-retried"
OUTCOME_UNKNOWN_HEADER = "x-voucherify-outcome-unknown"
_AUTH_EXTENSION = "voucherify_auth"  # "app_keys" for the OAuth token request itself
#: headers the transport sets itself; a caller's own values for them are dropped (credentials
#: are never forwarded to a foreign host, whoever set them)
_MANAGED_HEADERS = frozenset(
    {b"user-agent", b"x-voucherify-api-version", b"x-app-id", b"x-app-token", b"authorization"}
)
_NO_AUTH: RawHeaders = ()
_DONE = RetryDecision(retry=False)  # a success: nothing to retry, nothing to explain
_TRUST_CACHE_SIZE = 64
_HEADERS_CACHE_SIZE = 64

#: The final response of the latest request made in this thread / task. ``call()`` uses it to
#: describe a response that generated code failed to parse.
_last_response: contextvars.ContextVar[httpx.Response | None] = contextvars.ContextVar(
    "voucherify_last_response", default=None
)


def last_response() -> httpx.Response | None:
    return _last_response.get()


def reset_last_response() -> contextvars.Token[httpx.Response | None]:
    return _last_response.set(None)


def _log_path(url: httpx.URL, trusted: bool) -> str:
    path = url.raw_path.decode("ascii", "replace")
    if not trusted:
        path = f"{url.scheme}://{url.host}{path}"
    return redact(path) if "token" in path.lower() else path


def _request_id(response: httpx.Response) -> str | None:
    if response.status_code < 400 or not hasattr(response, "_content"):
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    value = body.get("request_id") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def _describe(exc: BaseException) -> str:
    text = redact(str(exc)).strip()
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


def _excerpt(response: httpx.Response) -> str | None:
    try:
        return redact(response.content[:200].decode("utf-8", "replace"))
    except Exception:
        return None


class _Core:
    """What the sync and async transports share: header preparation, decisions, logging."""

    def __init__(
        self,
        config: ClientConfig,
        policy: RetryPolicy,
        limiter: RateLimiter | None,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
        rand: Callable[[], float],
    ) -> None:
        self.config = config
        self.policy = policy
        self.limiter = limiter
        self.clock = clock
        self.wall_clock = wall_clock
        self.rand = rand
        self.trusted = config.trusted_origins
        self.credentials: CredentialProvider = config.credentials
        self.base_headers = {
            "User-Agent": config.user_agent,
            "X-Voucherify-API-Version": config.api_version,
        }
        self._base_raw = [(k.encode("ascii"), v.encode("ascii")) for k, v in self.base_headers.items()]
        self._user_agent_raw = (b"User-Agent", config.user_agent.encode("ascii"))
        #: (scheme, netloc) -> trusted?, so a request costs a dict lookup, not an Origin
        self._trust: dict[tuple[str, bytes], bool] = {}
        #: (the request's raw headers, credentials) -> the headers to send: requests of one
        #: client repeat the same few header sets, and building ``httpx.Headers`` is not free.
        self._headers: dict[tuple[RawHeaders, RawHeaders, bool], httpx.Headers] = {}

    def now(self, slept_until: float) -> float:
        """The call's time: the clock, or the time it has slept until if the clock lags."""
        now = self.clock()
        return slept_until if slept_until > now else now

    def check_wait(
        self, wait: float, start: float, slept_until: float, request: httpx.Request, path: str
    ) -> None:
        """Refuse a rate-limit wait that would pass the call's deadline."""
        deadline = self.policy.deadline
        if deadline is not None and self.now(slept_until) - start + wait >= deadline:
            raise APITimeoutError(
                f"waiting {wait:.1f}s for the rate limit would pass the {deadline:g}s deadline",
                method=request.method,
                path=path,
                not_retried_reason="the request was not sent",
            )

    def is_trusted(self, url: httpx.URL) -> bool:
        key = (url.scheme, url.netloc)
        trusted = self._trust.get(key)
        if trusted is None:
            trusted = Origin.of(url) in self.trusted
            if len(self._trust) < _TRUST_CACHE_SIZE:
                self._trust[key] = trusted
        return trusted

    def prepare(
        self, request: httpx.Request, auth: RawHeaders, trusted: bool, start: float, slept_until: float
    ) -> httpx.Request:
        """A per-attempt copy of ``request`` with our headers; the original stays secret-free."""
        given = tuple(request.headers.raw)
        cache_key = (given, auth, trusted)
        template = self._headers.get(cache_key)
        if template is None:
            # drop the headers we manage (whoever set them), append ours (pre-encoded)
            raw = [(k, v) for k, v in given if k.lower() not in _MANAGED_HEADERS]
            if trusted:
                raw += self._base_raw
                raw += auth
            else:
                raw.append(self._user_agent_raw)
            template = httpx.Headers(raw)
            if len(self._headers) >= _HEADERS_CACHE_SIZE:
                self._headers.clear()
            self._headers[cache_key] = template
        extensions = request.extensions
        deadline = self.policy.deadline
        if deadline is not None:
            remaining = deadline - (self.now(slept_until) - start)
            if remaining <= 0:
                raise APITimeoutError(
                    f"the {deadline:g}s deadline passed before the request could be sent",
                    method=request.method,
                    path=_log_path(request.url, trusted),
                )
            timeouts = dict(extensions.get("timeout") or {})
            for key in ("connect", "read", "write", "pool"):
                current = timeouts.get(key)
                timeouts[key] = remaining if current is None else min(current, remaining)
            extensions = {**extensions, "timeout": timeouts}
        # httpx.Request copies the headers it is given: the cached template itself is never sent
        return httpx.Request(
            request.method, request.url, headers=template, stream=request.stream, extensions=extensions
        )

    def decide_status(
        self, response: httpx.Response, headers: dict[str, str], attempt: int, call: _Call
    ) -> RetryDecision:
        if response.status_code < 400:
            return _DONE
        return decide(
            self.policy,
            attempt=attempt,
            idempotent=call.idempotent,
            replayable=call.replayable,
            status=response.status_code,
            headers=headers,
            now=self.wall_clock(),
            elapsed=self.now(call.slept_until) - call.start,
            rand=self.rand(),
            unsafe_reason=call.unsafe_reason,
        )

    def decide_failure(self, kind: FailureKind, attempt: int, call: _Call) -> RetryDecision:
        return decide(
            self.policy,
            attempt=attempt,
            idempotent=call.idempotent,
            replayable=call.replayable,
            failure=kind,
            now=self.wall_clock(),
            elapsed=self.now(call.slept_until) - call.start,
            rand=self.rand(),
            unsafe_reason=call.unsafe_reason,
        )

    def begin(self, request: httpx.Request) -> _Call:
        trusted = self.is_trusted(request.url)
        idempotent = is_idempotent(request)
        creds = self.credentials
        return _Call(
            self.clock(),
            trusted,
            self.limiter if trusted else None,
            _log_path(request.url, trusted),
            idempotent,
            NOT_IDEMPOTENT if idempotent else not_idempotent_reason(request),
            isinstance(request.stream, httpx.ByteStream),
            trusted and creds.refreshable and request.extensions.get(_AUTH_EXTENSION) is None,
        )

    def slept(self, call: _Call, seconds: float) -> None:
        """Record a sleep of ``seconds`` that is about to happen (see the module docstring)."""
        call.slept_until = self.now(call.slept_until) + seconds

    def finish(
        self,
        request: httpx.Request,
        response: httpx.Response,
        attempt: int,
        decision: RetryDecision,
        path: str,
        t0: float,
    ) -> httpx.Response:
        response.extensions = {**response.extensions, ATTEMPTS_EXTENSION: attempt}
        response.headers[ATTEMPTS_HEADER] = str(attempt)
        if decision.reason:
            response.headers[NOT_RETRIED_HEADER] = decision.reason
            if decision.outcome_unknown:
                response.headers[OUTCOME_UNKNOWN_HEADER] = "1"
        _last_response.set(response)
        if logger.isEnabledFor(logging.INFO):
            rid = _request_id(response)
            logger.info(
                "%s %s -> %d attempt=%d elapsed=%.1fms%s%s",
                request.method,
                path,
                response.status_code,
                attempt,
                (self.clock() - t0) * 1000,
                f" request_id={rid}" if rid else "",
                f" not_retried={decision.reason!r}" if decision.reason else "",
            )
        return response

    def log_retry(
        self, request: httpx.Request, path: str, attempt: int, outcome: str, delay: float, rid: str | None
    ) -> None:
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "%s %s -> %s attempt=%d/%d, retrying in %.2fs%s",
                request.method,
                path,
                outcome,
                attempt,
                self.policy.max_retries + 1,
                delay,
                f" request_id={rid}" if rid else "",
            )

    def connection_error(
        self,
        exc: httpx.TransportError,
        kind: FailureKind,
        request: httpx.Request,
        path: str,
        attempt: int,
        decision: RetryDecision,
    ) -> APIConnectionError:
        cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        where = (
            "before the request was sent"
            if kind is FailureKind.NOT_SENT
            else "after the request may have reached the server"
        )
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "%s %s failed: %s attempt=%d%s",
                request.method,
                path,
                _describe(exc),
                attempt,
                f" not_retried={decision.reason!r}" if decision.reason else "",
            )
        return cls(
            f"{_describe(exc)} ({where})",
            method=request.method,
            path=path,
            attempts=attempt,
            outcome_unknown=decision.outcome_unknown,
            not_retried_reason=decision.reason,
        )

    def body_error(
        self,
        exc: httpx.TransportError,
        response: httpx.Response,
        request: httpx.Request,
        path: str,
        attempt: int,
        decision: RetryDecision,
    ) -> VoucherifyError:
        status = response.status_code
        message = f"the response body was cut off after status {status} ({_describe(exc)})"
        common: dict[str, Any] = {
            "method": request.method,
            "path": path,
            "attempts": attempt,
            "outcome_unknown": decision.outcome_unknown and status >= 500,
            "not_retried_reason": decision.reason,
        }
        if status >= 400:  # the status still says what happened: keep its class
            return error_with_bad_body(error_for_status(status))(message, status_code=status, **common)
        return APIResponseError(message, status_code=status, **common)

    def token_request(self, provider: OAuthTokenProvider) -> httpx.Request:
        url = httpx.URL(self.config.base_url + "/v1/oauth/token")
        return httpx.Request(
            "POST",
            url,
            data=provider.form(),
            headers={"Accept": "application/json"},
            extensions={_AUTH_EXTENSION: "app_keys", IDEMPOTENT_EXTENSION: True},
        )

    def store_token(self, provider: OAuthTokenProvider, response: httpx.Response) -> TokenGrant:
        attempts = response.extensions.get(ATTEMPTS_EXTENSION)
        path = "/v1/oauth/token"
        if response.status_code != 200:
            body: Any = None
            with contextlib.suppress(ValueError):
                body = json.loads(response.content)
            fields = body if isinstance(body, dict) else {}
            cls = error_for_status(response.status_code)
            raise cls(
                f"OAuth token request failed: {fields.get('message') or response.reason_phrase}",
                status_code=response.status_code,
                code=fields.get("code") if isinstance(fields.get("code"), int) else None,
                key=fields.get("key") if isinstance(fields.get("key"), str) else None,
                details=fields.get("details") if isinstance(fields.get("details"), str) else None,
                request_id=fields.get("request_id") if isinstance(fields.get("request_id"), str) else None,
                retry_after=server_requested_delay(response.headers, self.wall_clock()),
                method="POST",
                path=path,
                attempts=attempts,
            )
        # The body is the bearer token: no error may keep it, neither in a chained exception (a
        # JSONDecodeError's ``.doc`` is the whole body, and ``raise ... from None`` inside the
        # except block still sets ``__context__``) nor in a local that Sentry or rich would show.
        token, expires_in = _token_fields(response.content)
        if token is None or isinstance(token, str):
            raise APIResponseError(
                token or "OAuth token response has no access_token string",
                status_code=200,
                path=path,
                attempts=attempts,
                field=None if token else "access_token",
            )
        grant = provider.store(token, expires_in)
        logger.debug(
            "obtained an OAuth token (scopes=%s, expires_in=%ss)", " ".join(provider.scopes), expires_in
        )
        return grant


def _token_fields(content: bytes) -> tuple[Secret | str | None, float]:
    """The access token (a :class:`Secret`) and lifetime of an OAuth token response; instead
    of the token, None when the body has no access token string, or a message when it is not
    JSON. The parsed body and any JSON error die with this frame: the caller raises outside
    any ``except`` block."""
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        return "OAuth token response is not the expected JSON", 0.0
    raw = data.pop("access_token", None)
    if not isinstance(raw, str) or not raw:
        return None, 0.0
    expires_in = data.get("expires_in", 900)
    if not isinstance(expires_in, int | float) or isinstance(expires_in, bool):
        expires_in = 900
    return Secret(raw), float(expires_in)


class _Call:
    """What one call through the transport knows about itself, across its attempts."""

    __slots__ = (
        "idempotent",
        "limiter",
        "path",
        "refreshable",
        "replayable",
        "slept_until",
        "start",
        "trusted",
        "unsafe_reason",
    )

    def __init__(
        self,
        start: float,
        trusted: bool,
        limiter: RateLimiter | None,
        path: str,
        idempotent: bool,
        unsafe_reason: str,
        replayable: bool,
        refreshable: bool,
    ) -> None:
        self.start = start
        self.trusted = trusted
        self.limiter = limiter  # None for a host that is not ours: its traffic is not budgeted
        self.path = path
        self.idempotent = idempotent
        self.unsafe_reason = unsafe_reason  # why it is not retried if it fails ambiguously
        self.replayable = replayable
        self.refreshable = refreshable
        self.slept_until = 0.0  # the time this call's sleeps have reached (module docstring)


#: The response headers the transport reads, by their lower-case raw name.
_WATCHED = {
    name.encode("ascii"): name
    for name in ("content-type", "date", "retry-after", "x-rate-limit-remaining", "x-rate-limit-retry")
}


def _watched_headers(headers: httpx.Headers) -> dict[str, str]:
    """The headers the transport reads, in one pass (``Headers.get`` costs a pass per name)."""
    found: dict[str, str] = {}
    for key, value in headers.raw:
        name = _WATCHED.get(key.lower())
        if name is not None:
            found[name] = value.decode("latin-1")
    return found


def _should_preload(status: int, headers: dict[str, str]) -> bool:
    if status >= 400:
        return True
    return "json" in headers.get("content-type", "")


class RetryTransport(httpx.BaseTransport):
    """Sync transport: auth, retries, rate limiting and logging around a real transport."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        config: ClientConfig,
        *,
        policy: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        rand: Callable[[], float] = random.random,
        owns_inner: bool = True,
    ) -> None:
        self._inner = inner
        self._core = _Core(config, policy or RetryPolicy(), limiter, clock, wall_clock, rand)
        self._sleep = sleep
        self._owns_inner = owns_inner

    @property
    def inner(self) -> httpx.BaseTransport:
        return self._inner

    @property
    def policy(self) -> RetryPolicy:
        return self._core.policy

    def __repr__(self) -> str:
        return f"RetryTransport(policy={self._core.policy!r}, limiter={self._core.limiter!r})"

    def _auth(self, request: httpx.Request) -> RawHeaders:
        creds = self._core.credentials
        if isinstance(creds, OAuthTokenProvider):
            if request.extensions.get(_AUTH_EXTENSION) == "app_keys":
                return creds.keys.raw_headers()
            # read once per check: another thread's 401 may invalidate the token at any moment
            raw = creds.valid_raw_headers()
            if raw is None:
                with creds.lock:
                    raw = creds.valid_raw_headers()
                    if raw is None:
                        response = self.handle_request(self._core.token_request(creds))
                        raw = creds.raw_headers_of(self._core.store_token(creds, response))
            return raw
        return creds.raw_headers()

    def _sleep_for(self, call: _Call, seconds: float) -> None:
        self._core.slept(call, seconds)
        self._sleep(seconds)

    def _wait_for_slot(self, call: _Call, limiter: RateLimiter, request: httpx.Request) -> Slot:
        while True:
            wait, slot = limiter.try_acquire(call.slept_until)
            if slot is not None:
                return slot
            self._core.check_wait(wait, call.start, call.slept_until, request, call.path)
            self._sleep_for(call, max(wait, MIN_WAIT))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core = self._core
        call = core.begin(request)
        path, limiter = call.path, call.limiter
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            auth = self._auth(request) if call.trusted else _NO_AUTH
            send = core.prepare(request, auth, call.trusted, call.start, call.slept_until)
            slot = self._wait_for_slot(call, limiter, request) if limiter is not None else None
            sent_at = limiter.now(call.slept_until) if limiter is not None else None
            t0 = core.clock()
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("%s %s attempt=%d sending", request.method, path, attempt)
            failure: VoucherifyError | None = None
            try:
                response = self._inner.handle_request(send)
            except httpx.TransportError as exc:
                if limiter is not None:
                    limiter.release(slot)
                kind = classify_exception(exc)
                decision = core.decide_failure(kind, attempt, call)
                if decision.retry:
                    core.log_retry(request, path, attempt, type(exc).__name__, decision.delay, None)
                    self._sleep_for(call, decision.delay)
                    continue
                failure = core.connection_error(exc, kind, request, path, attempt, decision)
            if failure is not None:
                # raised outside the except block: no __context__ pointing at the httpx error,
                # whose request holds the credential headers
                raise failure
            if limiter is not None:
                limiter.release(slot)
            headers = _watched_headers(response.headers)
            if _should_preload(response.status_code, headers):
                try:
                    response.read()
                except httpx.TransportError as exc:
                    response.close()
                    decision = core.decide_failure(FailureKind.AMBIGUOUS, attempt, call)
                    if decision.retry:
                        core.log_retry(request, path, attempt, "truncated body", decision.delay, None)
                        self._sleep_for(call, decision.delay)
                        continue
                    failure = core.body_error(exc, response, request, path, attempt, decision)
                if failure is not None:
                    raise failure
            if limiter is not None:
                limiter.observe(headers, response.status_code, sent_at=sent_at)
            if response.status_code == 401 and call.refreshable and not refreshed:
                creds = core.credentials
                assert isinstance(creds, OAuthTokenProvider)
                refreshed = True
                response.close()
                creds.invalidate(send.headers.get("authorization", "").removeprefix("Bearer "))
                logger.info("%s %s -> 401, refreshing the OAuth token and resending", request.method, path)
                continue
            decision = core.decide_status(response, headers, attempt, call)
            if decision.retry:
                core.log_retry(
                    request, path, attempt, str(response.status_code), decision.delay, _request_id(response)
                )
                response.close()
                self._sleep_for(call, decision.delay)
                continue
            return core.finish(request, response, attempt, decision, path, t0)

    def close(self) -> None:
        if self._owns_inner:
            self._inner.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """Async twin of :class:`RetryTransport` (one event loop; tasks share it)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        config: ClientConfig,
        *,
        policy: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        rand: Callable[[], float] = random.random,
        owns_inner: bool = True,
    ) -> None:
        self._inner = inner
        self._core = _Core(config, policy or RetryPolicy(), limiter, clock, wall_clock, rand)
        self._sleep = sleep
        self._owns_inner = owns_inner

    @property
    def inner(self) -> httpx.AsyncBaseTransport:
        return self._inner

    @property
    def policy(self) -> RetryPolicy:
        return self._core.policy

    def __repr__(self) -> str:
        return f"AsyncRetryTransport(policy={self._core.policy!r}, limiter={self._core.limiter!r})"

    async def _auth(self, request: httpx.Request) -> RawHeaders:
        creds = self._core.credentials
        if isinstance(creds, OAuthTokenProvider):
            if request.extensions.get(_AUTH_EXTENSION) == "app_keys":
                return creds.keys.raw_headers()
            raw = creds.valid_raw_headers()
            if raw is None:
                async with creds.async_lock:
                    raw = creds.valid_raw_headers()
                    if raw is None:
                        response = await self.handle_async_request(self._core.token_request(creds))
                        raw = creds.raw_headers_of(self._core.store_token(creds, response))
            return raw
        return creds.raw_headers()

    async def _sleep_for(self, call: _Call, seconds: float) -> None:
        self._core.slept(call, seconds)
        await self._sleep(seconds)

    async def _wait_for_slot(self, call: _Call, limiter: RateLimiter, request: httpx.Request) -> Slot:
        while True:
            wait, slot = limiter.try_acquire(call.slept_until)
            if slot is not None:
                return slot
            self._core.check_wait(wait, call.start, call.slept_until, request, call.path)
            await self._sleep_for(call, max(wait, MIN_WAIT))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        core = self._core
        call = core.begin(request)
        path, limiter = call.path, call.limiter
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            auth = await self._auth(request) if call.trusted else _NO_AUTH
            send = core.prepare(request, auth, call.trusted, call.start, call.slept_until)
            slot = await self._wait_for_slot(call, limiter, request) if limiter is not None else None
            sent_at = limiter.now(call.slept_until) if limiter is not None else None
            t0 = core.clock()
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("%s %s attempt=%d sending", request.method, path, attempt)
            failure: VoucherifyError | None = None
            try:
                response = await self._inner.handle_async_request(send)
            except httpx.TransportError as exc:
                if limiter is not None:
                    limiter.release(slot)
                kind = classify_exception(exc)
                decision = core.decide_failure(kind, attempt, call)
                if decision.retry:
                    core.log_retry(request, path, attempt, type(exc).__name__, decision.delay, None)
                    await self._sleep_for(call, decision.delay)
                    continue
                failure = core.connection_error(exc, kind, request, path, attempt, decision)
            if failure is not None:
                # raised outside the except block: no __context__ pointing at the httpx error,
                # whose request holds the credential headers
                raise failure
            if limiter is not None:
                limiter.release(slot)
            headers = _watched_headers(response.headers)
            if _should_preload(response.status_code, headers):
                try:
                    await response.aread()
                except httpx.TransportError as exc:
                    await response.aclose()
                    decision = core.decide_failure(FailureKind.AMBIGUOUS, attempt, call)
                    if decision.retry:
                        core.log_retry(request, path, attempt, "truncated body", decision.delay, None)
                        await self._sleep_for(call, decision.delay)
                        continue
                    failure = core.body_error(exc, response, request, path, attempt, decision)
                if failure is not None:
                    raise failure
            if limiter is not None:
                limiter.observe(headers, response.status_code, sent_at=sent_at)
            if response.status_code == 401 and call.refreshable and not refreshed:
                creds = core.credentials
                assert isinstance(creds, OAuthTokenProvider)
                refreshed = True
                await response.aclose()
                creds.invalidate(send.headers.get("authorization", "").removeprefix("Bearer "))
                logger.info("%s %s -> 401, refreshing the OAuth token and resending", request.method, path)
                continue
            decision = core.decide_status(response, headers, attempt, call)
            if decision.retry:
                core.log_retry(
                    request, path, attempt, str(response.status_code), decision.delay, _request_id(response)
                )
                await response.aclose()
                await self._sleep_for(call, decision.delay)
                continue
            return core.finish(request, response, attempt, decision, path, t0)

    async def aclose(self) -> None:
        if self._owns_inner:
            await self._inner.aclose()
