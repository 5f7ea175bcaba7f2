"""The sandbox's exports operations: create, get, list, delete, and the CSV download by token.

``GET /v1/exports`` (List Exports) is the one operation the sandbox serves beyond our spec
(:data:`~voucherify_ext.sandbox.values.BEYOND_SPEC`), as the real API does.

``GET /v1/exports/{id}`` is both ``getExport`` (app keys) and, with ``?token=``, the download
that Voucherify's download host serves, authenticated by the export's own token.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from voucherify_ext.sandbox.api_params import base_url, int_param, json_body
from voucherify_ext.sandbox.errors import invalid_query
from voucherify_ext.sandbox.exports import check_parameters
from voucherify_ext.sandbox.pipeline import api, handle
from voucherify_ext.sandbox.state import SandboxState
from voucherify_ext.sandbox.util import JSONResponse
from voucherify_ext.sandbox.values import (
    DEFAULT_EXPORT_LIST_SORT,
    EXPORT_LIST_SORTS,
    EXPORTS_DATA_REF,
    LIST_OBJECT,
)

__all__ = ["create_order_export", "delete_export", "get_export", "list_exports"]


@api("exports")
async def create_order_export(request: Request, sb: SandboxState) -> Response:
    parameters = check_parameters(await json_body(request), sb.spec)
    return JSONResponse(sb.create_export(parameters, base_url(request)))


@api("exports")
async def list_exports(request: Request, sb: SandboxState) -> Response:
    limit = int_param(request, "limit", sb.spec.list_limit)
    page = int_param(request, "page", sb.spec.list_page)
    order = request.query_params.get("order", DEFAULT_EXPORT_LIST_SORT)
    if order not in EXPORT_LIST_SORTS:
        raise invalid_query(f"Property .order must be one of [{', '.join(EXPORT_LIST_SORTS)}]")
    exports, total = sb.list_exports(limit, page, order, base_url(request))
    body = {"object": LIST_OBJECT, "data_ref": EXPORTS_DATA_REF, EXPORTS_DATA_REF: exports, "total": total}
    return JSONResponse(body)


async def get_export(request: Request) -> Response:
    """``getExport``, or with ``?token=`` the CSV download that the download host serves."""
    if "token" in request.query_params:
        # The download host authenticates by the export's token; app keys may be sent as well.
        return await handle(request, "exports", _download_export, authenticate=False)
    return await handle(request, "exports", _get_export)


async def _get_export(request: Request, sb: SandboxState) -> Response:
    return JSONResponse(sb.get_export(request.path_params["export_id"], base_url(request)))


async def _download_export(request: Request, sb: SandboxState) -> Response:
    csv_text = sb.download_export(request.path_params["export_id"], request.query_params["token"])
    # "replace": order fields may hold lone surrogates, which UTF-8 cannot encode.
    return Response(csv_text.encode("utf-8", "replace"), media_type="text/plain; charset=utf-8")


@api("exports")
async def delete_export(request: Request, sb: SandboxState) -> Response:
    sb.delete_export(request.path_params["export_id"])
    return Response(status_code=204)
