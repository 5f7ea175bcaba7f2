"""The sandbox's OAuth operation: tokens of a grant type the spec names (``client_credentials``)
for scopes, form or JSON body."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from voucherify_ext.sandbox.errors import invalid_payload
from voucherify_ext.sandbox.pipeline import api
from voucherify_ext.sandbox.state import SandboxState
from voucherify_ext.sandbox.util import JSONResponse

__all__ = ["create_oauth_token"]


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
    grant_types = sb.spec.grant_types
    if fields.get("grant_type") not in grant_types:
        raise invalid_payload(f"Property .grant_type must be one of [{', '.join(grant_types)}]")
    scope = fields.get("scope", "api")
    if not isinstance(scope, str):
        raise invalid_payload("Property .scope must be a string")
    return JSONResponse(sb.issue_token(scope, sb.clock()))
