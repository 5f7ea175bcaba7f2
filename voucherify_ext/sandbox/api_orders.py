"""The sandbox's orders operations: list, create (upsert), get, update, and the bulk import.

The import validates every order's shape up front (a 400 names the first bad one) and queues
the rest as an async action (:mod:`.store_imports`); a ``late_commit`` fault defers the action.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from voucherify_ext.sandbox.api_params import int_param, json_body
from voucherify_ext.sandbox.errors import invalid_payload, invalid_query
from voucherify_ext.sandbox.pipeline import api, late_commit_terms
from voucherify_ext.sandbox.state import SandboxState
from voucherify_ext.sandbox.util import JSONResponse
from voucherify_ext.sandbox.validation import Invalid, check_order, check_order_shape

__all__ = ["create_order", "get_order", "import_orders", "list_orders", "update_order"]

MAX_IMPORT = 2000
ORDER_SORTS = ("created_at", "-created_at", "updated_at", "-updated_at")


@api("orders")
async def list_orders(request: Request, sb: SandboxState) -> Response:
    limit = int_param(request, "limit", 10, 1, 100)
    page = int_param(request, "page", 1, 1, 100)
    order = request.query_params.get("order", "created_at")
    if order not in ORDER_SORTS:
        raise invalid_query(f"Property .order must be one of [{', '.join(ORDER_SORTS)}]")
    orders, total = sb.list_orders(limit, page, order)
    return JSONResponse({"object": "list", "data_ref": "orders", "orders": orders, "total": total})


@api("orders")
async def create_order(request: Request, sb: SandboxState) -> Response:
    body = check_order(await json_body(request), allow_id=True, allow_created_at=True)
    return JSONResponse(sb.create_order(body))


@api("orders")
async def get_order(request: Request, sb: SandboxState) -> Response:
    return JSONResponse(sb.get_order(request.path_params["order_id"]))


@api("orders")
async def update_order(request: Request, sb: SandboxState) -> Response:
    body = check_order(await json_body(request), allow_id=False, allow_created_at=True)
    body.pop("id", None)
    return JSONResponse(sb.update_order(request.path_params["order_id"], body))


@api("orders")
async def import_orders(request: Request, sb: SandboxState) -> Response:
    body = await json_body(request)
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
    return JSONResponse({"async_action_id": sb.enqueue_import(body, **late_commit_terms(request, sb))})
