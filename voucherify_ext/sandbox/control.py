"""The ``/_sandbox`` control plane over HTTP: reset, seed, faults, rate limit, latency, import
speed, OAuth token expiry, state, counts, the request journal (``PUT /_sandbox/journal``
``{"capacity": N}``, read with ``GET /_sandbox/requests?include=journal``) and saving.
Outside the spec; no auth, faults or rate limits. The Python twin of each endpoint is a method of
:class:`~voucherify_ext.sandbox.server.Sandbox`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voucherify_ext.sandbox.config import parse_rate_limit
from voucherify_ext.sandbox.state import SandboxState
from voucherify_ext.sandbox.util import JSONResponse
from voucherify_ext.sandbox.values import SEED_STATUS

__all__ = ["control_routes"]

Endpoint = Callable[[Request], Awaitable[Response]]


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


async def _control_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object")
    return data


def _control(handler: Callable[[Request, SandboxState, dict[str, Any]], Any]) -> Endpoint:
    """Control-plane endpoints: no auth, faults or rate limits; bad input is a plain 400."""

    async def endpoint(request: Request) -> Response:
        try:
            body = await _control_body(request)
            result = handler(request, _state(request), body)
        except (ValueError, TypeError, KeyError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        if result is None:
            return Response(status_code=204)
        return JSONResponse(result)

    return endpoint


def _ctl_reset(request: Request, sb: SandboxState, body: dict[str, Any]) -> None:
    sb.reset()


def _ctl_seed(request: Request, sb: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    ids = sb.seed_orders(
        int(body["count"]),
        source_id_prefix=str(body.get("source_id_prefix", "seed-")),
        status=str(body.get("status", SEED_STATUS)),
        amount=int(body.get("amount", 1000)),
        metadata=body.get("metadata"),
    )
    return {"count": len(ids), "first_id": ids[0] if ids else None, "last_id": ids[-1] if ids else None}


def _ctl_inject(request: Request, sb: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    sb.faults.inject(
        str(body["kind"]),
        method=body.get("method"),
        path=body.get("path"),
        times=int(body.get("times", 1)),
        status=body.get("status"),
        delay_ms=body.get("delay_ms"),
        query=body.get("query"),
        items=body.get("items"),
        after_requests=body.get("after_requests"),
    )
    return {"pending": sb.faults.pending()}


def _ctl_expire_tokens(request: Request, sb: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    return {"expired": sb.expire_tokens()}


def _ctl_clear_faults(request: Request, sb: SandboxState, body: dict[str, Any]) -> None:
    sb.faults.clear()


def _ctl_fault_rate(request: Request, sb: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    sb.faults.set_rate(float(body.get("rate", 0.0)), body.get("kinds"), body.get("seed"))
    return {"rate": sb.faults.rate, "kinds": list(sb.faults.kinds), "seed": sb.faults.seed}


def _ctl_rate_limit(request: Request, sb: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    limit = parse_rate_limit(body.get("rate_limit"))
    sb.ratelimiter.set_limit(limit)
    return {"rate_limit": str(limit) if limit else None}


def _ctl_latency(request: Request, sb: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    ms = float(body["ms"])
    if ms < 0:
        raise ValueError("latency must not be negative")
    sb.latency_ms = ms
    return {"ms": ms}


def _ctl_import_speed(request: Request, sb: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    sb.set_import_speed(float(body["orders_per_second"]))
    return {"orders_per_second": sb.import_speed}


def _ctl_state(request: Request, sb: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    return sb.summary()


def _ctl_orders(request: Request, sb: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    source_id = request.query_params.get("source_id")
    out: dict[str, Any] = {"count": sb.count_orders(source_id)}
    if request.query_params.get("include") == "orders":
        out["orders"] = (
            sb.orders() if source_id is None else [o for o in sb.orders() if o.get("source_id") == source_id]
        )
    return out


def _ctl_requests(request: Request, sb: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    params = request.query_params
    out: dict[str, Any] = {"count": sb.request_count(params.get("method"), params.get("path"))}
    if params.get("include") == "journal":
        out["journal"] = sb.journal.entries(params.get("method"), params.get("path"))
        out["journal_capacity"] = sb.journal.capacity
        out["journal_dropped"] = sb.journal.dropped
    return out


def _ctl_journal(request: Request, sb: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    sb.journal.configure(body.get("capacity", 0))
    return {"capacity": sb.journal.capacity}


def _ctl_commit_pending(request: Request, sb: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    return {"committed": sb.commit_pending()}


def _ctl_carriers(request: Request, sb: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    return {"carriers": sb.import_carriers()}


def _ctl_save(request: Request, sb: SandboxState, body: dict[str, Any]) -> None:
    sb.save(body.get("path"))


def control_routes() -> list[Route]:
    return [
        Route("/_sandbox/reset", _control(_ctl_reset), methods=["POST"]),
        Route("/_sandbox/seed", _control(_ctl_seed), methods=["POST"]),
        Route("/_sandbox/faults", _control(_ctl_inject), methods=["POST"]),
        Route("/_sandbox/faults", _control(_ctl_clear_faults), methods=["DELETE"]),
        Route("/_sandbox/fault-rate", _control(_ctl_fault_rate), methods=["PUT"]),
        Route("/_sandbox/rate-limit", _control(_ctl_rate_limit), methods=["PUT"]),
        Route("/_sandbox/latency", _control(_ctl_latency), methods=["PUT"]),
        Route("/_sandbox/import-speed", _control(_ctl_import_speed), methods=["PUT"]),
        Route("/_sandbox/state", _control(_ctl_state), methods=["GET"]),
        Route("/_sandbox/orders", _control(_ctl_orders), methods=["GET"]),
        Route("/_sandbox/requests", _control(_ctl_requests), methods=["GET"]),
        Route("/_sandbox/journal", _control(_ctl_journal), methods=["PUT"]),
        Route("/_sandbox/save", _control(_ctl_save), methods=["POST"]),
        Route("/_sandbox/carriers", _control(_ctl_carriers), methods=["GET"]),
        Route("/_sandbox/commit-pending", _control(_ctl_commit_pending), methods=["POST"]),
        Route("/_sandbox/expire-tokens", _control(_ctl_expire_tokens), methods=["POST"]),
    ]
