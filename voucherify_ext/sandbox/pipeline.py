"""The request pipeline every API operation runs through: faults, accounting, rate limit, auth.

:func:`handle` applies, in this order: the fault plan (drop before processing, latency),
request accounting, the rate limit, status and HTML faults, authentication, the operation
itself, and the faults that strike after a write was committed (dropped response, truncated
body, invalid JSON). Connection-level faults are carried out by the loopback proxy
(:mod:`.proxy`), which the app instructs through the internal ``x-sandbox-fault`` response
header (:data:`~voucherify_ext.sandbox.faults.FAULT_HEADER`); the proxy strips it. Without a
proxy (the bare ASGI app in async tests) such a fault raises :class:`SandboxConnectionFault`
in the caller instead. :func:`api` wraps an operation in it.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Awaitable, Callable
from email.utils import formatdate
from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from voucherify_ext.sandbox import faults as fk
from voucherify_ext.sandbox.errors import SandboxError, server_error, too_many_requests, unauthorized
from voucherify_ext.sandbox.faults import FAULT_HEADER
from voucherify_ext.sandbox.journal import body_key
from voucherify_ext.sandbox.ratelimit import RateDecision
from voucherify_ext.sandbox.state import SandboxState
from voucherify_ext.sandbox.util import JSONResponse

__all__ = [
    "FAULT_HEADER",
    "Endpoint",
    "Handler",
    "SandboxConnectionFault",
    "api",
    "handle",
    "late_commit_terms",
    "sandbox_state",
]

Handler = Callable[[Request, SandboxState], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


class SandboxConnectionFault(ConnectionError):
    """A connection-level fault hit a request served without the loopback proxy."""


def _error(exc: SandboxError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status)


def sandbox_state(request: Request) -> SandboxState:
    """The :class:`SandboxState` of the app serving ``request``."""
    state: SandboxState = request.app.state.sandbox
    return state


def _credentials(request: Request, sb: SandboxState, now: float) -> tuple[str, frozenset[str] | None] | None:
    """Who is calling: ``(app id, None)`` for app keys, ``(app id, scopes)`` for a bearer token."""
    app_id = request.headers.get("x-app-id")
    token = request.headers.get("x-app-token")
    if app_id is not None or token is not None:
        ok = secrets.compare_digest((app_id or "").encode(), sb.app_id.encode()) and secrets.compare_digest(
            (token or "").encode(), sb.app_token.encode()
        )
        return (sb.app_id, None) if ok else None
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        info = sb.token_info(auth[7:].strip(), now)
        if info is not None:
            return info
    return None


def _rate_key(request: Request, sb: SandboxState, now: float) -> str:
    """The budget a request counts against: its app id, also when it comes with a bearer token."""
    app_id = request.headers.get("x-app-id")
    if app_id:
        return "app:" + app_id
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        info = sb.token_info(auth[7:].strip(), now)
        if info is not None:
            return "app:" + info[0]
    return "anonymous"


async def handle(
    request: Request, resource_scope: str | None, handler: Handler, *, authenticate: bool = True
) -> Response:
    sb = sandbox_state(request)
    method, path = request.method, request.url.path
    arrived = sb.clock()
    fault = sb.faults.decide(method, path, request.query_params)
    request.state.sandbox_fault = fault  # handlers that act on a fault themselves (late_commit)
    dropped = fault is not None and fault.kind == fk.DROP_BEFORE
    if not dropped:
        sb.count_request(method, path)  # counted when it arrives, before any latency
    delay = sb.latency_ms + (fault.delay_ms or 0.0 if fault is not None and fault.kind == fk.LATENCY else 0.0)
    if delay > 0:
        await asyncio.sleep(delay / 1000.0)
    if dropped:
        if sb.journal.enabled:
            await _journal(request, sb, arrived, None, fault)
        return _connection_fault(request, fk.DROP_BEFORE, None)
    now = sb.clock()
    rate = sb.ratelimiter.hit(_rate_key(request, sb, now))
    response: Response
    if fault is not None and fault.kind == fk.STATUS:
        status = fault.status or 503
        if status == 429:
            rate = RateDecision(False, rate.limit, 0, now + 1.0)
            response = _error(too_many_requests())
        elif status >= 500:
            response = _error(server_error(status))
        else:
            response = _error(SandboxError(status, None, HTTPStatus(status).phrase))
    elif fault is not None and fault.kind == fk.HTML:
        response = HTMLResponse(_HTML_PAGE, status_code=502)
    elif fault is not None and fault.kind == fk.ENDLESS_BODY and fault.status != 200:
        response = _connection_fault(request, fault.kind, _error(server_error(500)), fault.delay_ms)
    elif not rate.allowed:
        response = _error(too_many_requests())
    elif not authenticate:
        response = await _run(request, sb, handler, fault)
    else:
        caller = _credentials(request, sb, now)
        scopes = caller[1] if caller is not None else None
        if caller is None or (
            scopes is not None and (resource_scope is None or not ({"api", resource_scope} & scopes))
        ):
            response = _error(unauthorized())
        else:
            response = await _run(request, sb, handler, fault)
    response.headers.update(rate.headers(now))
    response.headers["date"] = formatdate(now, usegmt=True)  # the sandbox clock, not uvicorn's
    if sb.journal.enabled:
        await _journal(request, sb, arrived, response.status_code, fault)
    return response


async def _journal(
    request: Request, sb: SandboxState, arrived: float, status: int | None, fault: fk.Fault | None
) -> None:
    """Record the request in the journal (:mod:`.journal`); its body was read already, if at all."""
    body: Any = None
    if request.method in ("POST", "PUT", "PATCH"):
        try:
            body = json.loads(await request.body() or b"null")
        except (ValueError, RuntimeError):
            body = None
    sb.journal.record(
        {
            "at": arrived,
            "done_at": sb.clock(),
            "method": request.method,
            "path": request.url.path,
            "key": body_key(body),
            "body": body,
            "status": status,
            "fault": fault.kind if fault is not None else None,
        }
    )


async def _run(request: Request, sb: SandboxState, handler: Handler, fault: fk.Fault | None) -> Response:
    """Run the operation, then apply the faults that strike after its write was committed."""
    try:
        response = await handler(request, sb)
    except SandboxError as exc:
        response = _error(exc)
    if fault is not None and fault.kind in (fk.DROP_AFTER, fk.TRUNCATE):
        return _connection_fault(request, fault.kind, response)
    if fault is not None and fault.kind == fk.LATE_COMMIT:
        return _late_commit_lost(request, response)
    if fault is not None and fault.kind in fk.SLOW_KINDS:  # endless_body here only with status=200
        return _connection_fault(request, fault.kind, response, fault.delay_ms)
    if fault is not None and fault.kind == fk.SHORT_PAGE:
        response = _short_page(response, fault.items)
    if fault is not None and fault.kind == fk.INVALID_JSON:
        body = bytes(response.body)
        response = Response(
            body[: len(body) // 2] if len(body) > 1 else b"{",
            status_code=response.status_code if response.status_code != 204 else 200,
            media_type="application/json",
        )
    return response


def _short_page(response: Response, keep: int | None) -> Response:
    """A list page cut to ``keep`` items (default: half), its ``total`` and ``has_more`` as
    they were: the inconsistent page a client must not mistake for more or for the end."""
    if response.status_code != 200 or not isinstance(response, JSONResponse):
        return response
    body = json.loads(bytes(response.body))
    ref = body.get("data_ref") if isinstance(body, dict) else None
    if not isinstance(ref, str) or not isinstance(body.get(ref), list):
        return response
    items = body[ref]
    body[ref] = items[: len(items) // 2 if keep is None else keep]
    short = JSONResponse(body)
    for name, value in response.headers.items():
        if name.lower() not in ("content-length", "content-type"):
            short.headers[name] = value
    return short


def _connection_fault(
    request: Request, kind: str, response: Response | None, delay_ms: float | None = None
) -> Response:
    """Mark ``response`` for the proxy: ``x-sandbox-fault: <kind>[ <delay_ms>]``."""
    if not request.app.state.behind_proxy:
        raise SandboxConnectionFault(f"sandbox fault {kind} on {request.method} {request.url.path}")
    if response is None:
        response = Response(b"", status_code=502)
    response.headers[FAULT_HEADER] = kind if delay_ms is None else f"{kind} {delay_ms:g}"
    return response


def _late_commit_lost(request: Request, response: Response) -> Response:
    """A late commit's response is lost like ``drop_after``'s (the proxy closes the connection)."""
    if not request.app.state.behind_proxy:
        raise SandboxConnectionFault(f"sandbox fault {fk.LATE_COMMIT} on {request.method} {request.url.path}")
    response.headers[FAULT_HEADER] = fk.DROP_AFTER
    return response


def late_commit_terms(request: Request, sb: SandboxState) -> dict[str, Any]:
    """``enqueue_import`` keywords for a ``late_commit`` fault on this request (none otherwise)."""
    fault: fk.Fault | None = getattr(request.state, "sandbox_fault", None)
    if fault is None or fault.kind != fk.LATE_COMMIT:
        return {}
    return {
        "commit_after_requests": fault.after_requests,
        "commit_at_ms": None if fault.delay_ms is None else sb.now_ms() + fault.delay_ms,
    }


_HTML_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n"
)


def api(resource_scope: str | None) -> Callable[[Handler], Endpoint]:
    """Wrap an operation with faults, rate limiting and auth; ``resource_scope`` is the OAuth
    scope that grants it besides ``api`` (None: app keys only)."""

    def wrap(handler: Handler) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            return await handle(request, resource_scope, handler)

        endpoint.__name__ = handler.__name__
        return endpoint

    return wrap
