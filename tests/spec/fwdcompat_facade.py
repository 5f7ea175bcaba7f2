"""The façade, served a given body by a mock transport, for the forward-compatibility test.

``Server`` is an ``httpx.MockTransport`` handler: the operation under test answers with the
status and body given, every other operation (an export's creation before ``getExport``) with
its smallest valid success body (``smallest``). ``FACADE`` maps each operation id to the
façade call a user makes, sync and async, and to what of its result is compared with the body:

* most calls return the model: its ``to_dict()`` is compared with the whole body;
* ``vf.orders.iter_pages()`` yields pages of orders: the first page's items are compared with
  the body's orders (less repeated ids, which the paginator drops: see ``Page``);
* ``importOrders`` (``vf.orders.import_orders(wait=False)``) gives the action's id;
* ``deleteExport`` and ``createOAuthToken`` have no façade method that returns the body, so the
  generated ``sync_detailed``/``asyncio_detailed`` go through ``vf.client`` with ``call`` /
  ``unwrap`` (``voucherify_ext.responses``), as the façade's own calls do.

An error status must raise a ``VoucherifyError`` with that status and the body in ``.body``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from voucherify_client.api.exports import delete_export
from voucherify_client.api.oauth import create_o_auth_token
from voucherify_client.models import OAuthToken, OAuthTokenRequestBody, OAuthTokenRequestBodyGrantType

from tests.spec.fwdcompat_payloads import Loc
from tests.spec.fwdcompat_schema import JSON_BODY, Node, Schemas, escape
from voucherify_ext import AsyncVoucherify, Voucherify
from voucherify_ext.responses import acall, call, unwrap

API = "https://api.voucherify.io"


def smallest(node: Node) -> Any:
    """The smallest valid value: required fields only, the first enum value and union branch."""
    if node.kind == "object":
        return {name: smallest(child) for name, child in node.properties if name in node.required}
    if node.kind == "array":
        assert node.items is not None
        return [smallest(node.items) for _ in range(node.min_items)]
    if node.kind == "union":
        return smallest(node.branches[0])
    if node.kind == "enum":
        return node.enum[0]
    if node.kind == "any" or not node.types:
        return None
    kind = node.types[0]
    if kind == "string":
        return "2026-01-01T00:00:00+00:00" if node.format == "date-time" else "x1"
    return {"integer": 1, "number": 1, "boolean": True}[kind]


class Server:
    def __init__(self, spec: dict[str, Any], schemas: Schemas) -> None:
        self.routes: list[tuple[str, re.Pattern[str], str]] = []
        self.fillers: dict[str, Any] = {}
        for path, item in spec["paths"].items():
            pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
            for method, op in item.items():
                if method == "parameters":
                    continue
                self.routes.append((method.upper(), pattern, op["operationId"]))
                ok = op["responses"].get("200", {}).get("content", {}).get(JSON_BODY)
                if ok is not None:
                    ptr = "#/paths/" + "/".join(escape(p) for p in (path, method, "responses", "200"))
                    node = schemas.node(ok["schema"], f"{ptr}/content/{escape(JSON_BODY)}/schema")
                    self.fillers[op["operationId"]] = smallest(node)
        self.answer: tuple[str, int, Any] | None = None
        self.served = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        op_id = next(o for m, p, o in self.routes if m == request.method and p.match(request.url.path))
        assert self.answer is not None
        target, status, body = self.answer
        if op_id == target:
            self.served += 1
            return httpx.Response(status, json=body)
        if op_id not in self.fillers:
            return httpx.Response(204)
        return httpx.Response(200, json=self.fillers[op_id])


def _no_wait(seconds: float) -> None:
    return None


async def _ano_wait(seconds: float) -> None:
    return None


def sync_client(server: Server) -> Voucherify:
    transport = httpx.MockTransport(server)
    return Voucherify(
        app_id="id", app_token="tok", base_url=API, http_transport=transport, max_retries=0, sleep=_no_wait
    )


def async_client(server: Server) -> AsyncVoucherify:
    transport = httpx.MockTransport(server)
    return AsyncVoucherify(
        app_id="id", app_token="tok", base_url=API, http_transport=transport, max_retries=0
    )


def _first_page(pages: Any) -> Any:
    with pages:
        return next(iter(pages))


async def _afirst_page(pages: Any) -> Any:
    async with pages:
        return await anext(aiter(pages))


def _orders(page: Any) -> dict[str, Any]:
    return {"orders": [item.to_dict() for item in page.items], "total": page.total}


def _unrepeated(body: dict[str, Any], datetimes: set[Loc]) -> tuple[Any, set[Loc]]:
    """What the first page of ``iter_pages`` holds for ``body``: its orders, a repeated id
    dropped (and the date-time locations moved with the orders kept)."""
    seen: set[object] = set()
    kept: list[int] = []
    for i, order in enumerate(body["orders"]):
        key = order.get("id")
        if isinstance(key, str | int):
            if key in seen:
                continue
            seen.add(key)
        kept.append(i)
    moved = {("orders", kept.index(int(loc[1])), *loc[2:]) for loc in datetimes if loc[1] in kept}
    return {"orders": [body["orders"][i] for i in kept], "total": body["total"]}, moved


def _import(result: Any) -> dict[str, Any]:
    (action_id,) = result.async_action_ids
    return {"async_action_id": action_id}


TOKEN_BODY = OAuthTokenRequestBody(grant_type=OAuthTokenRequestBodyGrantType.CLIENT_CREDENTIALS)
Sync = Callable[[Voucherify], Any]
Async = Callable[[AsyncVoucherify], Awaitable[Any]]


async def _aexport(avf: AsyncVoucherify) -> Any:
    return await (await avf.orders.export(wait=False)).refresh()


async def _atoken(avf: AsyncVoucherify) -> Any:
    return unwrap(
        await acall(create_o_auth_token.asyncio_detailed, client=avf.client, body=TOKEN_BODY), OAuthToken
    )


async def _adelete(avf: AsyncVoucherify) -> Any:
    return unwrap(await acall(delete_export.asyncio_detailed, "exp_1", client=avf.client), type(None))


def _plain(result: Any) -> Any:
    return result.to_dict()


def _same(body: Any, datetimes: set[Loc]) -> tuple[Any, set[Loc]]:
    return body, datetimes


def _action_id(body: Any, datetimes: set[Loc]) -> tuple[Any, set[Loc]]:
    return {"async_action_id": body["async_action_id"]}, set()


Expect = Callable[[Any, set[Loc]], tuple[Any, set[Loc]]]
#: operation id -> (sync call, async call, what of the result to compare, what of the body
#: (and its date-time locations) it is compared with)
FACADE: dict[str, tuple[Sync, Async, Callable[[Any], Any], Expect]] = {
    "listOrders": (
        lambda vf: _first_page(vf.orders.iter_pages(page_size=100, on_drift="ignore")),
        lambda avf: _afirst_page(avf.orders.iter_pages(page_size=100, on_drift="ignore")),
        _orders,
        _unrepeated,
    ),
    "createOrder": (
        lambda vf: vf.orders.create({"source_id": "s-1"}),
        lambda avf: avf.orders.create({"source_id": "s-1"}),
        _plain,
        _same,
    ),
    "getOrder": (lambda vf: vf.orders.get("ord_1"), lambda avf: avf.orders.get("ord_1"), _plain, _same),
    "updateOrder": (
        lambda vf: vf.orders.update("ord_1", {"status": "PAID"}),
        lambda avf: avf.orders.update("ord_1", {"status": "PAID"}),
        _plain,
        _same,
    ),
    "importOrders": (
        lambda vf: vf.orders.import_orders([{"source_id": "s-1"}], wait=False, commit_horizon=0.0),
        lambda avf: avf.orders.import_orders([{"source_id": "s-1"}], wait=False, commit_horizon=0.0),
        _import,
        _action_id,
    ),
    "createOrderExport": (
        lambda vf: vf.orders.export(wait=False).export,
        lambda avf: _attr(avf.orders.export(wait=False), "export"),
        _plain,
        _same,
    ),
    "getExport": (lambda vf: vf.orders.export(wait=False).refresh(), _aexport, _plain, _same),
    "getAsyncAction": (
        lambda vf: vf.async_actions.get("aa_1"),
        lambda avf: avf.async_actions.get("aa_1"),
        _plain,
        _same,
    ),
    "listAsyncActions": (
        lambda vf: vf.async_actions.list_page(),
        lambda avf: avf.async_actions.list_page(),
        _plain,
        _same,
    ),
    "deleteExport": (
        lambda vf: unwrap(call(delete_export.sync_detailed, "exp_1", client=vf.client), type(None)),
        _adelete,
        _plain,
        _same,
    ),
    "createOAuthToken": (
        lambda vf: unwrap(
            call(create_o_auth_token.sync_detailed, client=vf.client, body=TOKEN_BODY), OAuthToken
        ),
        _atoken,
        _plain,
        _same,
    ),
}


async def _attr(awaitable: Awaitable[Any], name: str) -> Any:
    return getattr(await awaitable, name)
