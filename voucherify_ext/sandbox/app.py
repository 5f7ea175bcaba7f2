"""The sandbox's ASGI app: the API operations of our spec plus the ``/_sandbox`` control plane.

Every API request goes through :func:`_handle`, which applies, in this order: the fault plan
(drop before processing, latency), request accounting, the rate limit, status and HTML faults,
authentication, the operation itself, and the faults that strike after a write was committed
(dropped response, truncated body, invalid JSON). Connection-level faults are carried out by
the loopback proxy (:mod:`.proxy`), which the app instructs through the internal
``x-sandbox-fault`` response header; the proxy strips it. Without a proxy (the bare ASGI app in
async tests) such a fault raises :class:`SandboxConnectionFault` in the caller instead.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Awaitable, Callable
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Match, Route
from starlette.types import Scope

from voucherify_ext.sandbox import faults as fk
from voucherify_ext.sandbox.config import SandboxConfig
from voucherify_ext.sandbox.control import control_routes
from voucherify_ext.sandbox.errors import (
    SandboxError,
    invalid_payload,
    invalid_query,
    server_error,
    too_many_requests,
    unauthorized,
)
from voucherify_ext.sandbox.exports import check_parameters
from voucherify_ext.sandbox.ratelimit import RateDecision
from voucherify_ext.sandbox.state import SandboxState
from voucherify_ext.sandbox.util import JSONResponse, parse_iso
from voucherify_ext.sandbox.validation import Invalid, check_order, check_order_shape

FAULT_HEADER = "x-sandbox-fault"
"""Internal header through which the app tells the proxy to drop or truncate; never forwarded."""

MAX_IMPORT = 2000
ORDER_SORTS = ("created_at", "-created_at", "updated_at", "-updated_at")

Handler = Callable[[Request, SandboxState], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


class SandboxConnectionFault(ConnectionError):
    """A connection-level fault hit a request served without the loopback proxy."""


def _error(exc: SandboxError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status)


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def _base_url(request: Request) -> str:
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    return f"{request.url.scheme}://{host}"


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


async def _handle(
    request: Request, resource_scope: str | None, handler: Handler, *, authenticate: bool = True
) -> Response:
    sb = _state(request)
    method, path = request.method, request.url.path
    fault = sb.faults.decide(method, path, request.query_params)
    request.state.sandbox_fault = fault  # handlers that act on a fault themselves (late_commit)
    dropped = fault is not None and fault.kind == fk.DROP_BEFORE
    if not dropped:
        sb.count_request(method, path)  # counted when it arrives, before any latency
    delay = sb.latency_ms + (fault.delay_ms or 0.0 if fault is not None and fault.kind == fk.LATENCY else 0.0)
    if delay > 0:
        await asyncio.sleep(delay / 1000.0)
    if dropped:
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
    return response


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


def _late_commit_terms(request: Request, sb: SandboxState) -> dict[str, Any]:
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
            return await _handle(request, resource_scope, handler)

        endpoint.__name__ = handler.__name__
        return endpoint

    return wrap


# ---------------------------------------------------------------------- request parsing


async def _json_body(request: Request, *, empty: Any = ...) -> Any:
    raw = await request.body()
    if not raw.strip():
        if empty is not ...:
            return empty
        raise invalid_payload("Request body is required")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid_payload("Request body is not valid JSON") from None


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid_query(f"Property .{name} must be an integer") from None
    if value < low:
        raise invalid_query(f"Property .{name} must be greater than or equal to {low}")
    if value > high:
        raise invalid_query(f"Property .{name} must be less than or equal to {high}")
    return value


# ---------------------------------------------------------------------- operations


@api("orders")
async def list_orders(request: Request, sb: SandboxState) -> Response:
    limit = _int_param(request, "limit", 10, 1, 100)
    page = _int_param(request, "page", 1, 1, 100)
    order = request.query_params.get("order", "created_at")
    if order not in ORDER_SORTS:
        raise invalid_query(f"Property .order must be one of [{', '.join(ORDER_SORTS)}]")
    orders, total = sb.list_orders(limit, page, order)
    return JSONResponse({"object": "list", "data_ref": "orders", "orders": orders, "total": total})


@api("orders")
async def create_order(request: Request, sb: SandboxState) -> Response:
    body = check_order(await _json_body(request), allow_id=True, allow_created_at=True)
    return JSONResponse(sb.create_order(body))


@api("orders")
async def get_order(request: Request, sb: SandboxState) -> Response:
    return JSONResponse(sb.get_order(request.path_params["order_id"]))


@api("orders")
async def update_order(request: Request, sb: SandboxState) -> Response:
    body = check_order(await _json_body(request), allow_id=False, allow_created_at=True)
    body.pop("id", None)
    return JSONResponse(sb.update_order(request.path_params["order_id"], body))


@api("orders")
async def import_orders(request: Request, sb: SandboxState) -> Response:
    body = await _json_body(request)
    if not isinstance(body, list):
        raise invalid_payload("Property . must be an array")
    if not body:
        raise invalid_payload("Property . must contain at least 1 element")
    if len(body) > MAX_IMPORT:
        raise invalid_payload(f"Property . cannot contain more than {MAX_IMPORT} elements")
    for index, raw in enumerate(body):
        try:
            check_order_shape(raw, f"[{index}]", allow_id=True, allow_created_at=False)
        except Invalid as exc:
            raise invalid_payload(exc.details) from None
    return JSONResponse({"async_action_id": sb.enqueue_import(body, **_late_commit_terms(request, sb))})


@api("exports")
async def create_order_export(request: Request, sb: SandboxState) -> Response:
    parameters = check_parameters(await _json_body(request))
    return JSONResponse(sb.create_export(parameters, _base_url(request)))


@api("async-actions")
async def list_async_actions(request: Request, sb: SandboxState) -> Response:
    limit = _int_param(request, "limit", 10, 1, 100)
    end_raw = request.query_params.get("end_date")
    end_ms = None
    if end_raw is not None:
        end_ms = parse_iso(end_raw)
        if end_ms is None:
            raise invalid_query("Property .end_date cannot be recognized as a ISO-8601 compliant date")
    actions, has_more = sb.list_async_actions(limit, end_ms)
    return JSONResponse(
        {"object": "list", "data_ref": "async_actions", "async_actions": actions, "has_more": has_more}
    )


@api("async-actions")
async def get_async_action(request: Request, sb: SandboxState) -> Response:
    return JSONResponse(sb.get_async_action(request.path_params["action_id"]))


async def get_export(request: Request) -> Response:
    """``getExport``, or with ``?token=`` the CSV download that the download host serves."""
    if "token" in request.query_params:
        # The download host authenticates by the export's token; app keys may be sent as well.
        return await _handle(request, "exports", _download_export, authenticate=False)
    return await _handle(request, "exports", _get_export)


async def _get_export(request: Request, sb: SandboxState) -> Response:
    return JSONResponse(sb.get_export(request.path_params["export_id"], _base_url(request)))


async def _download_export(request: Request, sb: SandboxState) -> Response:
    csv_text = sb.download_export(request.path_params["export_id"], request.query_params["token"])
    # "replace": order fields may hold lone surrogates, which UTF-8 cannot encode.
    return Response(csv_text.encode("utf-8", "replace"), media_type="text/plain; charset=utf-8")


@api("exports")
async def delete_export(request: Request, sb: SandboxState) -> Response:
    sb.delete_export(request.path_params["export_id"])
    return Response(status_code=204)


@api(None)
async def create_oauth_token(request: Request, sb: SandboxState) -> Response:
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    fields: dict[str, Any]
    if "json" in content_type:
        try:
            loaded = json.loads(raw or b"{}")
        except ValueError:
            raise invalid_payload("Request body is not valid JSON") from None
        fields = loaded if isinstance(loaded, dict) else {}
    else:
        try:
            fields = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise invalid_payload("Request body is not valid form data") from None
    if fields.get("grant_type") != "client_credentials":
        raise invalid_payload("Property .grant_type must be one of [client_credentials]")
    scope = fields.get("scope", "api")
    if not isinstance(scope, str):
        raise invalid_payload("Property .scope must be a string")
    return JSONResponse(sb.issue_token(scope, sb.clock()))


# ---------------------------------------------------------------------- app


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods answer in Voucherify's error format."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        allow = (exc.headers or {}).get("Allow", "")
        body = {"code": 405, "message": "Method Not Allowed", "details": f"Allowed methods: {allow}"}
        return JSONResponse(body, status_code=405, headers=exc.headers)
    if exc.status_code == 404:
        details = f"Cannot find resource {request.url.path}"
        body = {"code": 404, "key": "not_found", "message": "Resource not found", "details": details}
        return JSONResponse(body, status_code=404)
    return JSONResponse({"code": exc.status_code, "message": str(exc.detail)}, status_code=exc.status_code)


def _raw_route_path(scope: Scope) -> str | None:
    """The request path as sent, percent-escapes intact (the route strips a mount prefix from it
    as from the decoded path); None without ``raw_path`` (not every ASGI server sets it), or
    under a mount prefix that is itself percent-encoded in the raw path, where the decoded path
    is matched instead."""
    raw = scope.get("raw_path")
    if not isinstance(raw, bytes):
        return None
    text = raw.decode("latin-1")
    root = scope.get("root_path") or ""
    if root and not (text == root or text.startswith(root + "/")):
        return None
    return text


class RawPathRoute(Route):
    """A route matched against the raw path, its parameters decoded after matching.

    Starlette matches the decoded ``path``, in which an id ``a/b`` sent as ``a%2Fb`` has become
    two segments (404), and an id sent as ``%69mport`` would be the ``import`` operation. Matching
    ``raw_path`` keeps every encoded character (``/ . % ? #``, spaces, unicode) inside its segment,
    so a percent-encoded id addresses that id and nothing else. The raw path is never rewritten,
    so these routes get no trailing-slash redirect either: ``/v1/orders/`` is a 404, as is the
    ``/v1/orders//`` that an unencoded id ``/`` would make, instead of the order list."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        raw = _raw_route_path(scope)
        if raw is None or scope["type"] != "http":
            return super().matches(scope)
        match, child = super().matches({**scope, "path": raw})
        if match is not Match.NONE:
            params = dict(child["path_params"])
            for name in self.param_convertors:
                if isinstance(params.get(name), str):
                    params[name] = unquote(params[name])
            child["path_params"] = params
        return match, child


def _by_method(path: str, handlers: dict[str, Endpoint]) -> Route:
    """One route per path, so a 405 lists every allowed method of the path."""
    table = dict(handlers)
    if "GET" in table:
        table["HEAD"] = table["GET"]

    async def endpoint(request: Request) -> Response:
        return await table[request.method](request)

    return RawPathRoute(path, endpoint, methods=list(handlers))


def routes() -> list[Route]:
    return [
        _by_method("/v1/oauth/token", {"POST": create_oauth_token}),
        _by_method("/v1/orders", {"GET": list_orders, "POST": create_order}),
        _by_method("/v1/orders/import", {"POST": import_orders}),
        _by_method("/v1/orders/export", {"POST": create_order_export}),
        _by_method("/v1/orders/{order_id}", {"GET": get_order, "PUT": update_order}),
        _by_method("/v1/async-actions", {"GET": list_async_actions}),
        _by_method("/v1/async-actions/{action_id}", {"GET": get_async_action}),
        _by_method("/v1/exports/{export_id}", {"GET": get_export, "DELETE": delete_export}),
        *control_routes(),
    ]


def create_app(
    config: SandboxConfig | None = None,
    *,
    state: SandboxState | None = None,
    clock: Callable[[], float] | None = None,
) -> Starlette:
    """The bare ASGI app; ``app.state.sandbox`` is its :class:`SandboxState`. ``clock`` (epoch
    seconds, e.g. a :class:`~voucherify_ext.sandbox.clock.ManualClock`) is the time it runs on."""
    if state is not None and clock is not None:
        raise ValueError("pass clock= or state=, not both (a SandboxState has its own clock)")
    app = Starlette(routes=routes(), exception_handlers={HTTPException: _http_error})
    if state is None:
        state = SandboxState(config) if clock is None else SandboxState(config, clock=clock)
    app.state.sandbox = state
    app.state.behind_proxy = False
    return app
