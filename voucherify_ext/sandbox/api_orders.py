"""The sandbox's orders operations: list, create (upsert), get, update, and the bulk import.

The import validates every order's shape up front (a 400 names the first bad one) and queues
the rest as an async action (:mod:`.store_imports`); a ``late_commit`` fault defers the action.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from voucherify_ext.sandbox.api_params import int_param, json_body, json_list
from voucherify_ext.sandbox.errors import invalid_payload, invalid_query
from voucherify_ext.sandbox.pipeline import api, late_commit_terms
from voucherify_ext.sandbox.state import SandboxState
from voucherify_ext.sandbox.util import JSONResponse
from voucherify_ext.sandbox.validation import Invalid, check_order, check_order_shape
from voucherify_ext.sandbox.values import DEFAULT_LIST_SORT, LIST_OBJECT, ORDERS_DATA_REF

__all__ = ["create_order", "get_order", "import_orders", "list_orders", "update_order"]


@api("orders")
async def list_orders(request: Request, sb: SandboxState) -> Response:
    limit = int_param(request, "limit", sb.spec.list_limit)
    page = int_param(request, "page", sb.spec.list_page)
    order = request.query_params.get("order", DEFAULT_LIST_SORT)
    if order not in sb.spec.list_sorts:
        raise invalid_query(f"Property .order must be one of [{', '.join(sb.spec.list_sorts)}]")
    orders, total = sb.list_orders(limit, page, order)
    return JSONResponse(
        {"object": LIST_OBJECT, "data_ref": ORDERS_DATA_REF, "orders": orders, "total": total}
    )


@api("orders")
async def create_order(request: Request, sb: SandboxState) -> Response:
    body = check_order(await json_body(request), sb.spec.order_create, sb.spec.max_items)
    return JSONResponse(sb.create_order(body))


@api("orders")
async def get_order(request: Request, sb: SandboxState) -> Response:
    return JSONResponse(sb.get_order(request.path_params["order_id"]))


@api("orders")
async def update_order(request: Request, sb: SandboxState) -> Response:
    body = check_order(await json_body(request), sb.spec.order_update, sb.spec.max_items)
    body.pop("id", None)
    return JSONResponse(sb.update_order(request.path_params["order_id"], body))


@api("orders")
async def import_orders(request: Request, sb: SandboxState) -> Response:
    body = await json_list(request, sb.spec.import_min, sb.spec.import_max)
    for index, raw in enumerate(body):
        try:
            check_order_shape(raw, sb.spec.order_import_item, f"[{index}]")
        except Invalid as exc:
            raise invalid_payload(exc.details) from None
    return JSONResponse({"async_action_id": sb.enqueue_import(body, **late_commit_terms(request, sb))})
