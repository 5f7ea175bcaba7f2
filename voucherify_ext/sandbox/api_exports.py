"""The sandbox's exports operations: create, get, delete, and the CSV download by token.

``GET /v1/exports/{id}`` is both ``getExport`` (app keys) and, with ``?token=``, the download
that Voucherify's download host serves, authenticated by the export's own token.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from voucherify_ext.sandbox.api_params import base_url, json_body
from voucherify_ext.sandbox.exports import check_parameters
from voucherify_ext.sandbox.pipeline import api, handle
from voucherify_ext.sandbox.state import SandboxState
from voucherify_ext.sandbox.util import JSONResponse

__all__ = ["create_order_export", "delete_export", "get_export"]


@api("exports")
async def create_order_export(request: Request, sb: SandboxState) -> Response:
    parameters = check_parameters(await json_body(request), sb.spec)
    return JSONResponse(sb.create_export(parameters, base_url(request)))


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
