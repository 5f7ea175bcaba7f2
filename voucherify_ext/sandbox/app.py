"""The sandbox's ASGI app: the routes of our spec's operations, those of the extensions it was
given (:mod:`.extensions`), plus the ``/_sandbox`` control plane.

Every API operation (``api_*`` modules, extension routes and resources) runs through the request
pipeline (:mod:`.pipeline`: faults, accounting, rate limit, auth); the control plane
(:mod:`.control`) does not. Routes
match the raw path, so a percent-encoded id stays one id; unknown paths and methods answer in
Voucherify's error format.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

from voucherify_ext.sandbox.api_async_actions import get_async_action, list_async_actions
from voucherify_ext.sandbox.api_exports import create_order_export, delete_export, get_export, list_exports
from voucherify_ext.sandbox.api_oauth import create_oauth_token
from voucherify_ext.sandbox.api_orders import (
    create_order,
    get_order,
    import_orders,
    list_orders,
    update_order,
)
from voucherify_ext.sandbox.api_resources import resource_routes
from voucherify_ext.sandbox.config import SandboxConfig
from voucherify_ext.sandbox.control import control_routes
from voucherify_ext.sandbox.extensions import SandboxExtension, extension_resources
from voucherify_ext.sandbox.pipeline import Endpoint, api
from voucherify_ext.sandbox.state import SandboxState
from voucherify_ext.sandbox.util import JSONResponse

__all__ = ["create_app", "routes"]


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


def _builtin() -> dict[str, dict[str, Endpoint]]:
    return {
        "/v1/oauth/token": {"POST": create_oauth_token},
        "/v1/orders": {"GET": list_orders, "POST": create_order},
        "/v1/orders/import": {"POST": import_orders},
        "/v1/orders/export": {"POST": create_order_export},
        "/v1/orders/{order_id}": {"GET": get_order, "PUT": update_order},
        "/v1/async-actions": {"GET": list_async_actions},
        "/v1/async-actions/{action_id}": {"GET": get_async_action},
        "/v1/exports": {"GET": list_exports},
        "/v1/exports/{export_id}": {"GET": get_export, "DELETE": delete_export},
    }


def _shape(path: str) -> str:
    """A path template with its parameter names left out: two templates of one shape are one path."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def routes(extensions: Sequence[SandboxExtension] = ()) -> list[Route]:
    """The built-in operations, then the extensions' (each method of a path once: a route that is
    served already, built-in or by an earlier extension, is a ValueError), then the control plane."""
    table = _builtin()
    shapes = {_shape(path): path for path in table}
    for extension in extensions:
        added = [route for resource in extension.resources for route in resource_routes(resource)]
        for route in [*added, *extension.routes]:
            path = shapes.setdefault(_shape(route.path), route.path)
            if path != route.path:
                raise ValueError(f"extension {extension.name!r}: {route.path} is {path}, spelt differently")
            methods = table.setdefault(path, {})
            if route.method in methods:
                raise ValueError(f"extension {extension.name!r}: {route.method} {path} is served already")
            methods[route.method] = api(route.scope)(route.handler)
    return [*(_by_method(path, handlers) for path, handlers in table.items()), *control_routes()]


def create_app(
    config: SandboxConfig | None = None,
    *,
    state: SandboxState | None = None,
    clock: Callable[[], float] | None = None,
    spec: Path | str | None = None,
    extensions: Sequence[SandboxExtension] = (),
) -> Starlette:
    """The bare ASGI app; ``app.state.sandbox`` is its :class:`SandboxState`. ``clock`` (epoch
    seconds, e.g. a :class:`~voucherify_ext.sandbox.clock.ManualClock`) is the time it runs on;
    ``spec`` the OpenAPI document it follows (default: its own copy; see docs/sandbox.md);
    ``extensions`` the routes and resources a team adds (docs/sandbox.md, "Extensions"). A
    ``state`` given must keep the extensions' resources (``SandboxState(resources=...)``)."""
    if state is not None and clock is not None:
        raise ValueError("pass clock= or state=, not both (a SandboxState has its own clock)")
    if state is not None and spec is not None:
        raise ValueError("pass spec= or state=, not both (a SandboxState has its own spec)")
    if spec is not None:
        config = dataclasses.replace(config or SandboxConfig(), spec=Path(spec))
    resources = extension_resources(extensions)
    app = Starlette(routes=routes(extensions), exception_handlers={HTTPException: _http_error})
    if state is None:
        timing = {} if clock is None else {"clock": clock}
        state = SandboxState(config, resources=resources, **timing)
    elif {r.name for r in resources} - {r.name for r in state.resources}:
        raise ValueError("the state given keeps not every resource of the extensions (pass resources=)")
    app.state.sandbox = state
    app.state.behind_proxy = False
    return app
