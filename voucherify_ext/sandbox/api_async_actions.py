"""The sandbox's async-actions operations: list (newest first, ``end_date`` bound) and get."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from voucherify_ext.sandbox.api_params import int_param
from voucherify_ext.sandbox.errors import invalid_query
from voucherify_ext.sandbox.pipeline import api
from voucherify_ext.sandbox.state import SandboxState
from voucherify_ext.sandbox.util import JSONResponse, parse_iso
from voucherify_ext.sandbox.values import ACTIONS_DATA_REF, LIST_OBJECT

__all__ = ["get_async_action", "list_async_actions"]


@api("async-actions")
async def list_async_actions(request: Request, sb: SandboxState) -> Response:
    limit = int_param(request, "limit", sb.spec.async_actions_limit)
    end_raw = request.query_params.get("end_date")
    end_ms = None
    if end_raw is not None:
        end_ms = parse_iso(end_raw)
        if end_ms is None:
            raise invalid_query("Property .end_date cannot be recognized as a ISO-8601 compliant date")
    actions, has_more = sb.list_async_actions(limit, end_ms)
    return JSONResponse(
        {"object": LIST_OBJECT, "data_ref": ACTIONS_DATA_REF, "async_actions": actions, "has_more": has_more}
    )


@api("async-actions")
async def get_async_action(request: Request, sb: SandboxState) -> Response:
    return JSONResponse(sb.get_async_action(request.path_params["action_id"]))
