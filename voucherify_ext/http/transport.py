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
* log metadata (method, path, status, attempt, delay, request id, elapsed) — never secrets;
* bound every attempt as a whole (send, head and body) by its :class:`~voucherify_ext.http.deadlines.
  ExchangeLimit`: the per-attempt total and what is left of the call's ``deadline``, or for a
  download its stall rule and the deadline (sync: the deadline-aware network backend; async:
  the event loop; see :mod:`voucherify_ext.http.deadlines`);
* parse a JSON body once: the response handed back is a :class:`ParsedResponse` whose
  ``json()`` returns that parse. A 2xx answer to an idempotent request whose body is unusable
  (cut short, not JSON, HTML, nested too deeply) is retried within ``max_retries``; a request
  that is not idempotent gets :class:`~voucherify_ext.errors.UnreadableSuccessError`
  (``succeeded=True``), never "outcome unknown".

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
import functools
import json
import logging
import random
import time
import typing
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import attrs
import httpx

from voucherify_ext.auth import CredentialProvider, OAuthTokenProvider, RawHeaders, Secret, TokenGrant
from voucherify_ext.config import ClientConfig, Origin
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
from voucherify_ext.http.deadlines import (
    CALL_START_EXTENSION,
    DEADLINE_AT_EXTENSION,
    STALL_EXTENSION,
    ExchangeLimit,
    StallRule,
    limit_scope,
)
from voucherify_ext.http.lifecycle import AsyncSharedPool, SharedPool
from voucherify_ext.logs import logger, redact
from voucherify_ext.ratelimit import MIN_WAIT, RateLimiter, Slot
from voucherify_ext.retry import (
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
    "ParsedResponse",
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
    if response.status_code < 400 or not isinstance(response, ParsedResponse):
        return None
    body = response.parsed_json
    value = body.get("request_id") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


class ParsedResponse(httpx.Response):
    """A response whose JSON body the transport has already parsed (once): ``json()`` returns
    that parse, so generated code does not parse the body a second time. A body that did not
    parse raises ``json.JSONDecodeError`` from ``json()`` (the document is not kept in it)."""

    parsed_json: Any = None
    json_problem: str | None = None

    def json(self, **kwargs: Any) -> Any:
        if kwargs:
            return super().json(**kwargs)
        if self.json_problem is not None:
            raise json.JSONDecodeError(self.json_problem, "", 0)
        return self.parsed_json


def parse_json(content: bytes) -> tuple[Any, str | None]:
    """``(value, None)``, or ``(None, problem)`` for a body that is not JSON or is nested too
    deeply for the parser (``RecursionError`` is caught here, at the parse boundary)."""
    try:
        return json.loads(content), None
    except RecursionError:
        return None, "the response body is JSON nested too deeply to parse"
    except json.JSONDecodeError as exc:
        return None, f"the response body is not valid JSON ({exc.msg} at position {exc.pos})"
    except ValueError as exc:  # bytes that are not UTF-8/16/32
        return None, f"the response body is not valid JSON ({type(exc).__name__})"


def _cache_json(response: httpx.Response) -> str | None:
    """Parse ``response``'s body once and keep the result on it; the problem, if any."""
    value, problem = parse_json(response.content)
    response.__class__ = ParsedResponse
    assert isinstance(response, ParsedResponse)
    response.parsed_json = value
    response.json_problem = problem
    return problem


# what the transport does with a response body before handing the response back
_LEAVE, _READ, _CACHE, _CHECK = range(4)


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
        self.token_policy = _token_policy(policy)
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

    def check_wait(self, wait: float, call: _Call, request: httpx.Request) -> None:
        """Refuse a rate-limit wait that would pass the call's deadline."""
        deadline = call.policy.deadline
        path = call.path
        if deadline is not None and self.now(call.slept_until) - call.start + wait >= deadline:
            raise DeadlineExceededError(
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

    def prepare(self, request: httpx.Request, auth: RawHeaders, call: _Call) -> httpx.Request:
        """A per-attempt copy of ``request`` with our headers; the original stays secret-free."""
        trusted, start, slept_until = call.trusted, call.start, call.slept_until
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
        deadline = call.policy.deadline
        if deadline is not None:
            remaining = deadline - (self.now(slept_until) - start)
            if remaining <= 0:
                raise DeadlineExceededError(
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
            call.policy,
            attempt=attempt,
            idempotent=call.idempotent,
            replayable=call.replayable,
            status=response.status_code,
            headers=headers,
            now=self.wall_clock(),
            elapsed=self.now(call.slept_until) - call.start,
            rand=self.rand(),
            unsafe_reason=call.unsafe_reason,
            write=call.write,
        )

    def decide_failure(
        self, kind: FailureKind, attempt: int, call: _Call, *, status_known: bool = False
    ) -> RetryDecision:
        """After a transport error (or, with ``status_known``, a 2xx whose body is unusable:
        the outcome is known then, so a write that gives up is not "outcome unknown")."""
        return decide(
            call.policy,
            attempt=attempt,
            idempotent=call.idempotent,
            replayable=call.replayable,
            failure=kind,
            now=self.wall_clock(),
            elapsed=self.now(call.slept_until) - call.start,
            rand=self.rand(),
            unsafe_reason=call.unsafe_reason,
            write=call.write and not status_known,
        )

    def decide_unreadable(self, attempt: int, call: _Call) -> RetryDecision:
        """A 2xx whose body is unusable: retried only when idempotent; never outcome unknown."""
        if not call.idempotent:
            return RetryDecision(retry=False, reason=call.unsafe_reason)
        return self.decide_failure(FailureKind.AMBIGUOUS, attempt, call, status_known=True)

    def begin(self, request: httpx.Request) -> _Call:
        trusted = self.is_trusted(request.url)
        idempotent = is_idempotent(request)
        creds = self.credentials
        extensions = request.extensions
        now = self.clock()
        started = extensions.get(CALL_START_EXTENSION)
        if isinstance(started, int | float) and not isinstance(started, bool) and started <= now:
            now = float(started)  # a download's later attempt: the caller's deadline runs on
        stall = extensions.get(STALL_EXTENSION)
        method = request.method.upper()
        return _Call(
            now,
            trusted,
            self.limiter if trusted else None,
            _log_path(request.url, trusted),
            idempotent,
            NOT_IDEMPOTENT if idempotent else not_idempotent_reason(request),
            isinstance(request.stream, httpx.ByteStream),
            trusted and creds.refreshable and extensions.get(_AUTH_EXTENSION) is None,
            self.token_policy if extensions.get(_AUTH_EXTENSION) == "app_keys" else self.policy,
            method,
            stall if isinstance(stall, StallRule) else None,
        )

    def limit(self, call: _Call) -> ExchangeLimit | None:
        """The limit of the attempt about to start (module docstring of :mod:`.deadlines`)."""
        policy = call.policy
        total = None if call.stall is not None else policy.attempt_timeout
        left: float | None = None
        if policy.deadline is not None:
            left = max(policy.deadline - (self.now(call.slept_until) - call.start), 0.0)
        if total is None and left is None and call.stall is None:
            return None
        real_now = time.monotonic()
        if left is not None and (total is None or left <= total):
            return ExchangeLimit(
                real_now + left,
                f"the response did not complete within the {policy.deadline:g}s deadline",
                end_is_deadline=True,
                stall=call.stall,
                now=real_now,
            )
        return ExchangeLimit(
            None if total is None else real_now + total,
            "" if total is None else f"the response did not complete within {total:g}s (attempt_timeout)",
            stall=call.stall,
            now=real_now,
        )

    def body_plan(self, call: _Call, status: int, headers: dict[str, str]) -> int:
        """What to do with the body before the response is handed back: leave it to the caller,
        read it, read and parse it (an error status's JSON), or read and check it (a 2xx)."""
        ctype = headers.get("content-type", "").lower()
        if status >= 400:
            return _CACHE if "json" in ctype else _READ
        if call.stall is not None or call.method == "HEAD" or not 200 <= status < 300 or status == 204:
            return _READ if "json" in ctype and call.stall is None else _LEAVE
        if "json" in ctype or "html" in ctype or not ctype:
            return _CHECK
        return _LEAVE

    def body_problem(self, response: httpx.Response, plan: int, headers: dict[str, str]) -> str | None:
        """Parse a read body as ``plan`` says; for a 2xx, what makes it unusable (or None)."""
        if plan == _READ:
            return None
        content = response.content
        if plan == _CACHE:
            if content:
                _cache_json(response)
            return None
        ctype = headers.get("content-type", "").lower()
        if "html" in ctype:
            return "the response body is not valid JSON but an HTML page"
        if not content:
            return "the response body is not valid JSON: it is empty" if "json" in ctype else None
        return _cache_json(response)

    def unreadable_error(
        self,
        problem: str,
        response: httpx.Response,
        request: httpx.Request,
        call: _Call,
        attempt: int,
        decision: RetryDecision,
        timed_out: bool = False,
    ) -> UnreadableSuccessError:
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
            excerpt=None if timed_out or request.extensions.get(_AUTH_EXTENSION) else _excerpt(response),
            method=request.method,
            path=call.path,
            attempts=attempt,
            not_retried_reason=decision.reason,
        )

    def limit_error(
        self, limit: ExchangeLimit, request: httpx.Request, call: _Call, attempt: int, status: int
    ) -> APITimeoutError:
        """A streamed body cut off by its limit."""
        cls = DeadlineExceededError if limit.by_deadline else APITimeoutError
        return cls(
            f"{limit.why} (status {status}, while the body was read)",
            method=request.method,
            path=call.path,
            attempts=attempt,
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
        call: _Call,
        t0: float,
    ) -> httpx.Response:
        path = call.path
        extensions = {**response.extensions, ATTEMPTS_EXTENSION: attempt}
        if call.policy.deadline is not None:
            extensions[DEADLINE_AT_EXTENSION] = call.start + call.policy.deadline
        response.extensions = extensions
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
        self, request: httpx.Request, call: _Call, attempt: int, outcome: str, delay: float, rid: str | None
    ) -> None:
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "%s %s -> %s attempt=%d/%d, retrying in %.2fs%s",
                request.method,
                call.path,
                outcome,
                attempt,
                call.policy.max_retries + 1,
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
        limit: ExchangeLimit | None = None,
    ) -> APIConnectionError:
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
        call: _Call,
    ) -> VoucherifyError:
        status = response.status_code
        if 200 <= status < 300:
            timed_out = isinstance(exc, httpx.TimeoutException)
            problem = f"the response body was cut off after status {status} ({_describe(exc)})"
            return self.unreadable_error(problem, response, request, call, attempt, decision, timed_out)
        message = f"the response body was cut off after status {status} ({_describe(exc)})"
        common: dict[str, Any] = {
            "method": request.method,
            "path": path,
            "attempts": attempt,
            "outcome_unknown": decision.outcome_unknown and status >= 500,
            "not_retried_reason": decision.reason,
        }
        if status >= 400:  # the status still says what happened: keep its class
            cls = error_with_bad_body(error_for_status(status))
            if isinstance(exc, httpx.TimeoutException):
                cls = error_timed_out(cls)
            return cls(message, status_code=status, **common)
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
        "method",
        "path",
        "policy",
        "refreshable",
        "replayable",
        "slept_until",
        "stall",
        "start",
        "trusted",
        "unsafe_reason",
        "write",
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
        policy: RetryPolicy,
        method: str,
        stall: StallRule | None,
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
        self.policy = policy  # the client's, or the OAuth token request's own (one retry)
        self.method = method
        self.write = method not in ("GET", "HEAD", "OPTIONS")
        self.stall = stall  # a download's stall rule (no per-attempt total), else None


#: The OAuth token request's retries: one at most, soon, within a short time: every repeat of a
#: token POST whose response was lost issues another live token (1,000 per project at most).
TOKEN_MAX_RETRIES = 1
TOKEN_DEADLINE = 30.0


def _token_policy(policy: RetryPolicy) -> RetryPolicy:
    return attrs.evolve(
        policy,
        max_retries=min(policy.max_retries, TOKEN_MAX_RETRIES),
        max_delay=min(policy.max_delay, 2.0),
        max_retry_after=min(policy.max_retry_after, 10.0),
        deadline=TOKEN_DEADLINE if policy.deadline is None else min(policy.deadline, TOKEN_DEADLINE),
    )


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


def _outcome(exc: httpx.TransportError, limit: ExchangeLimit | None) -> str:
    """What a failed attempt ran into, for the retry log line."""
    if limit is not None and limit.why is not None:
        return f"{type(exc).__name__} ({limit.why})"
    return type(exc).__name__


class _LimitedStream(httpx.SyncByteStream):
    """A streamed body read under its attempt's limit (the sockets enforce it, see
    :mod:`.deadlines`); a cut-off becomes the typed timeout error."""

    def __init__(
        self, stream: httpx.SyncByteStream, limit: ExchangeLimit, error: Callable[[], VoucherifyError]
    ) -> None:
        self._stream = stream
        self._limit = limit
        self._error = error

    def __iter__(self) -> Iterator[bytes]:
        chunks = iter(self._stream)
        while True:
            failure: VoucherifyError | None = None
            if self._limit.broken(time.monotonic()) is not None:
                raise self._error()
            try:
                with limit_scope(self._limit):
                    chunk = next(chunks)
            except StopIteration:
                return
            except httpx.TimeoutException:
                if self._limit.why is None:
                    raise
                failure = self._error()
            if failure is not None:
                raise failure  # outside the except block: no httpx error (request headers) chained
            yield chunk

    def close(self) -> None:
        self._stream.close()


@contextlib.asynccontextmanager
async def _loop_limit(limit: ExchangeLimit | None) -> AsyncIterator[None]:
    """Run the block under ``limit`` with the event loop; its expiry raises ``httpx.ReadTimeout``."""
    left = None if limit is None else limit.seconds_left(time.monotonic())
    if limit is None or left is None:
        yield
        return
    scope = asyncio.timeout(left)
    try:
        async with scope:
            yield
    except TimeoutError:
        if not scope.expired():
            raise
        raise httpx.ReadTimeout(limit.expire()) from None


class _AsyncLimitedStream(httpx.AsyncByteStream):
    """Async twin of :class:`_LimitedStream`: each chunk is awaited under the limit."""

    def __init__(
        self, stream: httpx.AsyncByteStream, limit: ExchangeLimit, error: Callable[[], VoucherifyError]
    ) -> None:
        self._stream = stream
        self._limit = limit
        self._error = error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._stream.__aiter__()
        while True:
            failure: VoucherifyError | None = None
            if self._limit.broken(time.monotonic()) is not None:
                raise self._error()
            try:
                async with _loop_limit(self._limit):
                    chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            except httpx.TimeoutException:
                if self._limit.why is None:
                    raise
                failure = self._error()
            if failure is not None:
                raise failure
            self._limit.received(len(chunk), time.monotonic())
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


class RetryTransport(httpx.BaseTransport):
    """Sync transport: auth, retries, rate limiting and logging around a real transport."""

    def __init__(
        self,
        inner: httpx.BaseTransport | SharedPool,
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
        # the pool is shared with the client's variants; it knows when it is closed or forked
        self._pool = inner if isinstance(inner, SharedPool) else SharedPool(inner)
        self._core = _Core(config, policy or RetryPolicy(), limiter, clock, wall_clock, rand)
        self._sleep = sleep
        self._owns_inner = owns_inner

    @property
    def inner(self) -> httpx.BaseTransport:
        return self._pool.transport

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
            self._core.check_wait(wait, call, request)
            self._sleep_for(call, max(wait, MIN_WAIT))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        inner = self._pool.get()  # refuses a closed pool; a fresh one in a forked child
        core = self._core
        call = core.begin(request)
        path, limiter = call.path, call.limiter
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            auth = self._auth(request) if call.trusted else _NO_AUTH
            send = core.prepare(request, auth, call)
            slot = self._wait_for_slot(call, limiter, request) if limiter is not None else None
            sent_at = limiter.now(call.slept_until) if limiter is not None else None
            t0 = core.clock()
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("%s %s attempt=%d sending", request.method, path, attempt)
            limit = core.limit(call)
            failure: VoucherifyError | None = None
            try:
                with limit_scope(limit):
                    response = inner.handle_request(send)
            except httpx.TransportError as exc:
                if limiter is not None:
                    limiter.release(slot)
                kind = classify_exception(exc)
                decision = core.decide_failure(kind, attempt, call)
                if decision.retry:
                    core.log_retry(request, call, attempt, _outcome(exc, limit), decision.delay, None)
                    self._sleep_for(call, decision.delay)
                    continue
                failure = core.connection_error(exc, kind, request, path, attempt, decision, limit)
            if failure is not None:
                # raised outside the except block: no __context__ pointing at the httpx error,
                # whose request holds the credential headers
                raise failure
            if limiter is not None:
                limiter.release(slot)
            headers = _watched_headers(response.headers)
            plan = core.body_plan(call, response.status_code, headers)
            if plan != _LEAVE:
                try:
                    with limit_scope(limit):
                        response.read()
                except httpx.TransportError as exc:
                    response.close()
                    decision = core.decide_failure(
                        FailureKind.AMBIGUOUS, attempt, call, status_known=response.status_code < 300
                    )
                    if decision.retry:
                        core.log_retry(request, call, attempt, "body cut off", decision.delay, None)
                        self._sleep_for(call, decision.delay)
                        continue
                    failure = core.body_error(exc, response, request, path, attempt, decision, call)
                if failure is not None:
                    raise failure
            elif limit is not None:
                response.stream = _LimitedStream(
                    typing.cast(httpx.SyncByteStream, response.stream),
                    limit,
                    functools.partial(core.limit_error, limit, request, call, attempt, response.status_code),
                )
            if limiter is not None:
                limiter.observe(headers, response.status_code, sent_at=sent_at)
            problem = core.body_problem(response, plan, headers) if plan >= _CACHE else None
            if problem is not None:
                decision = core.decide_unreadable(attempt, call)
                if decision.retry:
                    core.log_retry(
                        request, call, attempt, f"{response.status_code}, {problem}", decision.delay, None
                    )
                    response.close()
                    self._sleep_for(call, decision.delay)
                    continue
                raise core.unreadable_error(problem, response, request, call, attempt, decision)
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
                    request, call, attempt, str(response.status_code), decision.delay, _request_id(response)
                )
                response.close()
                self._sleep_for(call, decision.delay)
                continue
            return core.finish(request, response, attempt, decision, call, t0)

    def close(self) -> None:
        if self._owns_inner:
            self._pool.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """Async twin of :class:`RetryTransport` (one event loop; tasks share it)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport | AsyncSharedPool,
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
        self._pool = inner if isinstance(inner, AsyncSharedPool) else AsyncSharedPool(inner)
        self._core = _Core(config, policy or RetryPolicy(), limiter, clock, wall_clock, rand)
        self._sleep = sleep
        self._owns_inner = owns_inner

    @property
    def inner(self) -> httpx.AsyncBaseTransport:
        return self._pool.transport

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
            self._core.check_wait(wait, call, request)
            await self._sleep_for(call, max(wait, MIN_WAIT))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        inner = self._pool.get()  # refuses a closed pool or another event loop; fresh after fork
        core = self._core
        call = core.begin(request)
        path, limiter = call.path, call.limiter
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            auth = await self._auth(request) if call.trusted else _NO_AUTH
            send = core.prepare(request, auth, call)
            slot = await self._wait_for_slot(call, limiter, request) if limiter is not None else None
            sent_at = limiter.now(call.slept_until) if limiter is not None else None
            t0 = core.clock()
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("%s %s attempt=%d sending", request.method, path, attempt)
            limit = core.limit(call)
            failure: VoucherifyError | None = None
            try:
                async with _loop_limit(limit):
                    response = await inner.handle_async_request(send)
            except httpx.TransportError as exc:
                if limiter is not None:
                    limiter.release(slot)
                kind = classify_exception(exc)
                decision = core.decide_failure(kind, attempt, call)
                if decision.retry:
                    core.log_retry(request, call, attempt, _outcome(exc, limit), decision.delay, None)
                    await self._sleep_for(call, decision.delay)
                    continue
                failure = core.connection_error(exc, kind, request, path, attempt, decision, limit)
            if failure is not None:
                # raised outside the except block: no __context__ pointing at the httpx error,
                # whose request holds the credential headers
                raise failure
            if limiter is not None:
                limiter.release(slot)
            headers = _watched_headers(response.headers)
            plan = core.body_plan(call, response.status_code, headers)
            if plan != _LEAVE:
                try:
                    async with _loop_limit(limit):
                        await response.aread()
                except httpx.TransportError as exc:
                    await response.aclose()
                    decision = core.decide_failure(
                        FailureKind.AMBIGUOUS, attempt, call, status_known=response.status_code < 300
                    )
                    if decision.retry:
                        core.log_retry(request, call, attempt, "body cut off", decision.delay, None)
                        await self._sleep_for(call, decision.delay)
                        continue
                    failure = core.body_error(exc, response, request, path, attempt, decision, call)
                if failure is not None:
                    raise failure
            elif limit is not None:
                response.stream = _AsyncLimitedStream(
                    typing.cast(httpx.AsyncByteStream, response.stream),
                    limit,
                    functools.partial(core.limit_error, limit, request, call, attempt, response.status_code),
                )
            if limiter is not None:
                limiter.observe(headers, response.status_code, sent_at=sent_at)
            problem = core.body_problem(response, plan, headers) if plan >= _CACHE else None
            if problem is not None:
                decision = core.decide_unreadable(attempt, call)
                if decision.retry:
                    core.log_retry(
                        request, call, attempt, f"{response.status_code}, {problem}", decision.delay, None
                    )
                    await response.aclose()
                    await self._sleep_for(call, decision.delay)
                    continue
                raise core.unreadable_error(problem, response, request, call, attempt, decision)
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
                    request, call, attempt, str(response.status_code), decision.delay, _request_id(response)
                )
                await response.aclose()
                await self._sleep_for(call, decision.delay)
                continue
            return core.finish(request, response, attempt, decision, call, t0)

    async def aclose(self) -> None:
        if self._owns_inner:
            await self._pool.aclose()
