"""The operations an extension resource gets: list, get, upsert and its bulk call.

Each is a plain handler (``async (request, state) -> Response``) that the app wraps in the
request pipeline like every built-in operation; the bulk call's action may be a ``late_commit``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from voucherify_ext.sandbox.api_params import int_param, json_body, json_list
from voucherify_ext.sandbox.errors import invalid_payload
from voucherify_ext.sandbox.extensions import ExtensionRoute
from voucherify_ext.sandbox.pipeline import late_commit_terms
from voucherify_ext.sandbox.resources import Resource
from voucherify_ext.sandbox.state import SandboxState
from voucherify_ext.sandbox.util import JSONResponse
from voucherify_ext.sandbox.values import LIST_OBJECT

__all__ = ["resource_routes"]


def resource_routes(resource: Resource) -> list[ExtensionRoute]:
    """The routes of ``resource``: ``GET``/``POST path``, ``GET path/{id}``, ``POST bulk_path``."""
    name = resource.name

    async def list_items(request: Request, sb: SandboxState) -> Response:
        limit = int_param(request, "limit", sb.spec.list_limit)
        page = int_param(request, "page", sb.spec.list_page)
        items, total = sb.list_resource(name, limit, page)
        return JSONResponse({"object": LIST_OBJECT, "data_ref": name, name: items, "total": total})

    async def get_item(request: Request, sb: SandboxState) -> Response:
        return JSONResponse(sb.get_resource(name, request.path_params["resource_id"]))

    async def upsert_item(request: Request, sb: SandboxState) -> Response:
        body = await json_body(request)
        if not isinstance(body, dict):
            raise invalid_payload("Property . must be an object")
        return JSONResponse(sb.upsert_resource(name, body))

    routes = [
        ExtensionRoute("GET", resource.path, list_items, resource.scope),
        ExtensionRoute("POST", resource.path, upsert_item, resource.scope),
        ExtensionRoute("GET", resource.item_path, get_item, resource.scope),
    ]
    if resource.bulk_path is None or resource.bulk_type is None:
        return routes
    bulk_type = resource.bulk_type

    async def bulk(request: Request, sb: SandboxState) -> Response:
        high = resource.bulk_max if resource.bulk_max is not None else sb.spec.import_max
        body = await json_list(request, sb.spec.import_min, high)
        for index, item in enumerate(body):
            if not isinstance(item, dict):
                raise invalid_payload(f"Property [{index}] must be an object")
        terms = late_commit_terms(request, sb)
        action_id = sb.enqueue_action(bulk_type, body, resource=name, **terms)
        return JSONResponse({"async_action_id": action_id})

    routes.append(ExtensionRoute("POST", resource.bulk_path, bulk, resource.scope))
    return routes
