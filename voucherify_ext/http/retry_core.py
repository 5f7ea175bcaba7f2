"""The decisions of the retrying transport, without I/O: a call's start, what to do after each
attempt, and the record of the exchange handed back.

:class:`RetryCore` holds what a client's transport is configured with (policy, rate limiter,
clocks, credentials) and answers the questions the transport's loop asks
(:mod:`voucherify_ext.http.retry_transport_async`): retry after this status or failure, and
after how long (:func:`voucherify_ext.retry.decide`); what the final response's
:class:`~voucherify_ext.http.exchange.Exchange` says. It also writes the log lines of an
attempt: metadata only (method, path, status, attempt, delay, request id, elapsed), never
secrets.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import httpx

from voucherify_ext.auth import CredentialProvider
from voucherify_ext.config import ClientConfig
from voucherify_ext.hooks import NO_HOOKS, Hooks, RetryEvent
from voucherify_ext.http.attempt import Call
from voucherify_ext.http.deadlines import (
    CALL_START_EXTENSION,
    STALL_EXTENSION,
    StallRule,
)
from voucherify_ext.http.exchange import EXCHANGE_EXTENSION, Exchange
from voucherify_ext.http.json_body import ParsedResponse
from voucherify_ext.http.oauth import AUTH_EXTENSION, is_token_request, token_policy
from voucherify_ext.http.request_headers import RequestPreparer, log_path
from voucherify_ext.logs import log_fields, logger
from voucherify_ext.ratelimit import RateLimiter
from voucherify_ext.retry import (
    NOT_IDEMPOTENT,
    FailureKind,
    RetryDecision,
    RetryPolicy,
    decide,
    is_idempotent,
    not_idempotent_reason,
)
from voucherify_ext.server_waits import server_requested_delay

__all__ = ["DONE", "RetryCore", "request_id"]

DONE = RetryDecision(retry=False)  # a success: nothing to retry, nothing to explain


def request_id(response: httpx.Response) -> str | None:
    """The ``request_id`` of an error response's parsed body, for the log line."""
    if response.status_code < 400 or not isinstance(response, ParsedResponse):
        return None
    body = response.parsed_json
    value = body.get("request_id") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


class RetryCore:
    """What the sync and async transports share (see the module docstring)."""

    def __init__(
        self,
        config: ClientConfig,
        policy: RetryPolicy,
        limiter: RateLimiter | None,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
        rand: Callable[[], float],
        limit_clock: Callable[[], float],
        hooks: Hooks = NO_HOOKS,
    ) -> None:
        self.config = config
        self.hooks = hooks
        self.policy = policy
        self.token_policy = token_policy(policy)
        self.limiter = limiter
        self.clock = clock
        self.wall_clock = wall_clock
        self.rand = rand
        self.limit_clock = limit_clock
        self.credentials: CredentialProvider = config.credentials
        self.requests = RequestPreparer(config)

    @classmethod
    def build(
        cls,
        config: ClientConfig,
        policy: RetryPolicy | None,
        limiter: RateLimiter | None,
        clock: Callable[[], float] | None,
        wall_clock: Callable[[], float] | None,
        rand: Callable[[], float],
        limit_clock: Callable[[], float] | None,
        hooks: Hooks = NO_HOOKS,
    ) -> RetryCore:
        """A core with the standard library's clocks where none is injected."""
        return cls(
            config,
            policy or RetryPolicy(),
            limiter,
            clock or time.monotonic,
            wall_clock or time.time,
            rand,
            limit_clock or time.monotonic,
            hooks,
        )

    def begin(self, request: httpx.Request) -> Call:
        trusted = self.requests.is_trusted(request.url)
        upserts = self.policy.upserts
        idempotent = is_idempotent(request, upserts)
        extensions = request.extensions
        clock = self.clock
        now = clock()
        started = extensions.get(CALL_START_EXTENSION)
        if isinstance(started, int | float) and not isinstance(started, bool) and started <= now:
            now = float(started)  # a download's later attempt: the caller's deadline runs on
        stall = extensions.get(STALL_EXTENSION)
        auth = extensions.get(AUTH_EXTENSION)
        return Call(
            clock,
            now,
            trusted,
            self.limiter if trusted else None,
            log_path(request.url, trusted),
            idempotent,
            NOT_IDEMPOTENT if idempotent else not_idempotent_reason(request, upserts),
            isinstance(request.stream, httpx.ByteStream),
            trusted and self.credentials.refreshable and auth is None,
            self.token_policy if is_token_request(request) else self.policy,
            request.method.upper(),
            stall if isinstance(stall, StallRule) else None,
        )

    def decide_status(
        self, response: httpx.Response, headers: dict[str, str], attempt: int, call: Call
    ) -> RetryDecision:
        if response.status_code < 400:
            return DONE
        return decide(
            call.policy,
            attempt=attempt,
            idempotent=call.idempotent,
            replayable=call.replayable,
            status=response.status_code,
            headers=headers,
            now=self.wall_clock(),
            elapsed=call.elapsed(),
            rand=self.rand(),
            unsafe_reason=call.unsafe_reason,
            write=call.write,
        )

    def decide_failure(
        self, kind: FailureKind, attempt: int, call: Call, *, status_known: bool = False
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
            elapsed=call.elapsed(),
            rand=self.rand(),
            unsafe_reason=call.unsafe_reason,
            write=call.write and not status_known,
        )

    def decide_unreadable(self, attempt: int, call: Call) -> RetryDecision:
        """A 2xx whose body is unusable: retried only when idempotent; never outcome unknown."""
        if not call.idempotent:
            return RetryDecision(retry=False, reason=call.unsafe_reason)
        return self.decide_failure(FailureKind.AMBIGUOUS, attempt, call, status_known=True)

    def finish(
        self,
        request: httpx.Request,
        response: httpx.Response,
        headers: dict[str, str],
        attempt: int,
        decision: RetryDecision,
        call: Call,
        t0: float,
    ) -> httpx.Response:
        """Attach the :class:`Exchange` to the final response, and log it."""
        status = response.status_code
        deadline = call.policy.deadline
        exchange = Exchange(
            call.method,
            call.path,
            attempt,
            decision.reason,
            decision.outcome_unknown,
            server_requested_delay(headers, self.wall_clock()) if status >= 400 else None,
            None if deadline is None else call.start + deadline,
        )
        response.extensions = {**response.extensions, EXCHANGE_EXTENSION: exchange}
        if logger.isEnabledFor(logging.INFO):
            rid = request_id(response)
            elapsed = (self.clock() - t0) * 1000
            logger.info(
                "%s %s -> %d attempt=%d elapsed=%.1fms%s%s",
                request.method,
                call.path,
                status,
                attempt,
                elapsed,
                f" request_id={rid}" if rid else "",
                f" not_retried={decision.reason!r}" if decision.reason else "",
                extra=log_fields(
                    http_method=request.method,
                    http_path=call.path,
                    http_status=status,
                    attempt=attempt,
                    elapsed_ms=round(elapsed, 1),
                    request_id=rid,
                    not_retried=decision.reason,
                ),
            )
        return response

    def log_retry(
        self, request: httpx.Request, call: Call, attempt: int, outcome: str, delay: float, rid: str | None
    ) -> None:
        """Log a retry and tell the ``on_retry`` hook."""
        self.hooks.retry(
            RetryEvent(
                method=request.method,
                path=call.path,
                attempt=attempt,
                outcome=outcome,
                delay=delay,
                request_id=rid,
            )
        )
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
                extra=log_fields(
                    http_method=request.method,
                    http_path=call.path,
                    outcome=outcome,
                    attempt=attempt,
                    delay_s=delay,
                    request_id=rid,
                ),
            )
