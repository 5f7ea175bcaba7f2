"""Forward compatibility for every field, proven from the spec (issue 14).

The promise (openapi/README.md): a response carrying an enum value or a field that the spec
does not know yet parses, keeps it, and serializes it back unchanged. Here the sites come from
the spec, not from a list: every response body of every operation (error bodies included) is
walked (``tests/spec/fwdcompat_schema.py``) to every enum, at any depth, in arrays, in
``oneOf``/``anyOf`` branches, and to every object. Each site is a test case; for each,
hypothesis draws a valid payload that reaches it (``fwdcompat_payloads.py``: the rest of the
payload, optional fields, union branches and array lengths drawn), then an unknown enum value
or an unknown field at one or more of the site's places. The oracle, for the mutated payload d:

1. ``Model.from_dict(d).to_dict() == d``, compared strictly (an int stays an int) except that a
   ``date-time`` may come back in ``isoformat()`` spelling (``fwdcompat_payloads.mismatches``
   says why), where Model is what the generated ``_parse_response`` returns for the status;
2. every value parsed into the same Python type as in the unmutated payload (so no union fell
   back to another branch, e.g. ``Export.result`` to a raw dict);
3. the façade returns it: the body served by a mock transport, the user's call (sync and
   async) gives back d, or for an error status raises a ``VoucherifyError`` carrying d.

Two more tests prove the walk cannot skip silently: the enums and objects found by a crawler
that knows nothing of JSON Schema are exactly the walked sites, and every enum in the document
is either in a response body or only in requests, parameters, headers and servers.
"""

from __future__ import annotations

import asyncio
import importlib
import re
from collections.abc import Callable
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_python_client.strings import snake_case
from voucherify_client import AuthenticatedClient

from tests.spec.conftest import SPEC_PATH, load_spec
from tests.spec.fwdcompat_facade import FACADE, Server, async_client, sync_client
from tests.spec.fwdcompat_payloads import Builder, Loc, mismatches, mutate, shape, without
from tests.spec.fwdcompat_schema import (
    Body,
    Schemas,
    Site,
    crawl,
    escape,
    is_enum,
    is_object,
    response_bodies,
    sites,
)
from voucherify_ext import Voucherify
from voucherify_ext.errors import VoucherifyError

SPEC = load_spec()
SCHEMAS = Schemas(SPEC)
BODIES = response_bodies(SPEC)
SITES = [site for body in BODIES for site in sites(SCHEMAS, body)]
PARSE_CLIENT = AuthenticatedClient(base_url="http://spec.test", token="")
EXAMPLES = 4


def _module(op_id: str) -> Any:
    for item in SPEC["paths"].values():
        for method, op in item.items():
            if method != "parameters" and op["operationId"] == op_id:
                tag = op["tags"][0].lower().replace(" ", "_")
                return importlib.import_module(f"voucherify_client.api.{tag}.{snake_case(op_id)}")
    raise LookupError(op_id)


def _status(body: Body, draw: Callable[[st.SearchStrategy[Any]], Any]) -> int:
    if re.fullmatch(r"\dXX", body.status):
        low = int(body.status[0]) * 100
        return int(draw(st.integers(low, low + 99)))
    return int(body.status)


@attrs.frozen
class Case:
    """A payload that reaches the site, the same payload mutated there, and the status to serve."""

    payload: Any
    mutated: Any
    changes: list[tuple[Loc, Any]]
    datetimes: set[Loc]
    status: int


@st.composite
def cases(draw: Callable[[st.SearchStrategy[Any]], Any], site: Site) -> Case:
    builder = Builder(draw)
    payload = builder.build(SCHEMAS.node(site.body.schema, site.body.pointer), (), site.steps)
    assert builder.targets, "the payload does not reach the site"
    mutated, changes = mutate(builder, site, payload)
    return Case(payload, mutated, changes, builder.datetimes, _status(site.body, draw))


def _parse(body: Body, status: int, payload: Any) -> Any:
    response = httpx.Response(status, json=payload)
    return _module(body.op_id)._parse_response(client=PARSE_CLIENT, response=response)


@pytest.fixture(scope="module")
def server() -> Server:
    return Server(SPEC, SCHEMAS)


@pytest.fixture(scope="module")
def vf(server: Server) -> Any:
    with sync_client(server) as client:
        yield client


def _api_error(error: BaseException) -> Any:
    """The error of the response: ``error`` or the one it chains (an import names its chunk)."""
    while not hasattr(error, "status_code") and error.__cause__ is not None:
        error = error.__cause__
    return error


def _facade(server: Server, vf: Voucherify, body: Body, status: int, sent: Any, datetimes: set[Any]) -> None:
    sync_call, async_call, of_result, expect = FACADE[body.op_id]
    server.answer = (body.op_id, status, sent)

    async def run_async() -> Any:
        async with async_client(server) as avf:
            return await async_call(avf)

    for run in (lambda: sync_call(vf), lambda: asyncio.run(run_async())):
        served = server.served
        if status >= 400:
            with pytest.raises(VoucherifyError) as raised:
                run()
            error = _api_error(raised.value)
            assert error.status_code == status
            assert mismatches(sent, error.body, set()) == []
        else:
            expected, where = expect(sent, datetimes)
            assert mismatches(expected, of_result(run()), where) == []
        assert server.served > served, "the façade never asked for the body under test"


@pytest.mark.parametrize("site", SITES, ids=lambda site: site.id)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_an_unknown_value_or_field_parses_at_every_site(
    site: Site, data: st.DataObject, server: Server, vf: Voucherify
) -> None:
    case = data.draw(cases(site))
    status, payload, mutated = case.status, case.payload, case.mutated
    before, parsed = _parse(site.body, status, payload), _parse(site.body, status, mutated)
    assert type(parsed) is type(before)
    assert mismatches(mutated, type(parsed).from_dict(mutated).to_dict(), case.datetimes) == []

    expected_shape = shape(before, payload)
    got_shape = shape(parsed, mutated)
    if site.kind == "object":
        for loc, _ in case.changes:
            got_shape = without(got_shape, loc)
    assert got_shape == expected_shape, "a value parsed into another type (another union branch)"

    _facade(server, vf, site.body, status, mutated, case.datetimes)


def test_the_walk_reaches_every_enum_and_object_of_every_response_body() -> None:
    enums = set().union(*(crawl(SPEC, b.schema, b.pointer, is_enum) for b in BODIES))
    objects = set().union(*(crawl(SPEC, b.schema, b.pointer, is_object) for b in BODIES))
    walked_enums = {s.node.pointer for s in SITES if s.kind == "enum"}
    walked_objects = {p for s in SITES if s.kind == "object" for p in s.node.pointer.split("+")}
    assert enums and enums == walked_enums
    assert objects and objects == walked_objects
    ops = {
        op["operationId"] for item in SPEC["paths"].values() for m, op in item.items() if m != "parameters"
    }
    assert {s.body.op_id for s in SITES} == ops  # every operation has a body (deleteExport: its errors)


def test_every_enum_of_the_spec_is_in_a_response_body_or_only_sent() -> None:
    everything = crawl(SPEC, SPEC, "#", is_enum)
    # the crawler sees every `enum:` the file spells
    assert len(everything) == len(re.findall(r"(?:^|[\s{,])enum:", SPEC_PATH.read_text(encoding="utf-8")))
    in_bodies = set().union(*(crawl(SPEC, b.schema, b.pointer, is_enum) for b in BODIES))
    sent: set[str] = set()
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            at = f"#/paths/{escape(path)}/{method}"
            if method == "parameters":
                sent |= crawl(SPEC, op, at, is_enum)
                continue
            sent |= crawl(SPEC, op.get("requestBody", {}), f"{at}/requestBody", is_enum)
            sent |= crawl(SPEC, op.get("parameters", []), f"{at}/parameters", is_enum)
            for status, response in op["responses"].items():
                sent |= crawl(SPEC, response.get("headers", {}), f"{at}/responses/{status}/headers", is_enum)
    for part in ("headers", "parameters", "requestBodies"):
        sent |= crawl(SPEC, SPEC["components"].get(part, {}), f"#/components/{part}", is_enum)
    for name, response in SPEC["components"]["responses"].items():
        sent |= crawl(SPEC, response.get("headers", {}), f"#/components/responses/{name}/headers", is_enum)
    sent |= crawl(SPEC, SPEC.get("servers", []), "#/servers", is_enum)
    unplaced = sorted(everything - in_bodies - sent)
    assert unplaced == [], "enums in no response body and in no request: which schema uses them?"


@pytest.mark.parametrize(
    ("op_id", "where"),
    [
        ("getExport", ".status"),
        ("createOrderExport", ".status"),
        ("getAsyncAction", ".status"),
        ("listAsyncActions", ".async_actions[].status"),
        ("listOrders", ".orders[].items[].related_object"),
        ("getExport", ".result|0"),
    ],
)
def test_the_sites_issue_14_names_are_walked(op_id: str, where: str) -> None:
    found = {s.kind for s in SITES if s.body.op_id == op_id and s.body.status == "200" and s.where == where}
    assert found, f"{op_id} {where} is not a site"
