"""Reading an API request: its JSON body, bounded integer query parameters, its base URL.

Bad input becomes Voucherify's 400 (``invalid_payload`` for bodies, ``invalid_query`` for
query parameters), naming the property as Voucherify does.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from voucherify_ext.sandbox.errors import invalid_payload, invalid_query
from voucherify_ext.sandbox.spec_model import IntParam

__all__ = ["base_url", "int_param", "json_body"]


def base_url(request: Request) -> str:
    """``scheme://host[:port]`` as the client addressed the sandbox (export download URLs)."""
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    return f"{request.url.scheme}://{host}"


async def json_body(request: Request, *, empty: Any = ...) -> Any:
    raw = await request.body()
    if not raw.strip():
        if empty is not ...:
            return empty
        raise invalid_payload("Request body is required")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid_payload("Request body is not valid JSON") from None


async def json_list(request: Request, low: int, high: int) -> list[Any]:
    """A bulk call's body: a JSON array of ``low`` to ``high`` elements (an import, a bulk update)."""
    body = await json_body(request)
    if not isinstance(body, list):
        raise invalid_payload("Property . must be an array")
    if len(body) < low:
        raise invalid_payload(f"Property . must contain at least {low} element")
    if len(body) > high:
        raise invalid_payload(f"Property . cannot contain more than {high} elements")
    return body


def int_param(request: Request, name: str, bounds: IntParam) -> int:
    """The integer query parameter ``name``, its default and bounds the spec's (``bounds``)."""
    low, high = bounds.low, bounds.high
    raw = request.query_params.get(name)
    if raw is None:
        return bounds.default
    try:
        value = int(raw)
    except ValueError:
        raise invalid_query(f"Property .{name} must be an integer") from None
    if value < low:
        raise invalid_query(f"Property .{name} must be greater than or equal to {low}")
    if value > high:
        raise invalid_query(f"Property .{name} must be less than or equal to {high}")
    return value
