"""The generated client: in sync with the spec, complete, typed, and tolerant of new server data."""

from __future__ import annotations

import datetime
import importlib
import re
import subprocess
import sys
import typing
from typing import Any

import httpx
import pytest
from dateutil.parser import isoparse
from openapi_python_client.strings import snake_case
from voucherify_client import AuthenticatedClient, models

from tests.spec.conftest import ROOT, iter_examples, load_spec
from tests.spec.test_spec import EXPECTED_OPERATIONS

ISO_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def normalize(value: Any) -> Any:
    """Compare datetimes by value, not by spelling (`.594Z` == `.594000+00:00`)."""
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if isinstance(value, str) and ISO_DATETIME.match(value):
        return isoparse(value)
    return value


def test_generated_is_in_sync_with_the_spec() -> None:
    run = subprocess.run(
        [sys.executable, "scripts/generate.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr


def _operation_module(spec: dict[str, Any], op_id: str) -> Any:
    for item in spec["paths"].values():
        for method, op in item.items():
            if method != "parameters" and op["operationId"] == op_id:
                tag = op["tags"][0].lower().replace(" ", "_")
                return importlib.import_module(f"voucherify_client.api.{tag}.{snake_case(op_id)}")
    raise LookupError(op_id)


SUCCESS_MODELS = {
    "listOrders": models.OrdersListResponseBody,
    "createOrder": models.OrdersCreateResponseBody,
    "getOrder": models.OrdersGetResponseBody,
    "updateOrder": models.OrdersUpdateResponseBody,
    "importOrders": models.OrdersImportCreateResponseBody,
    "createOrderExport": models.OrdersExportCreateResponseBody,
    "getAsyncAction": models.AsyncActionGetResponseBody,
    "listAsyncActions": models.AsyncActionsListResponseBody,
    "getExport": models.Export,
    "deleteExport": Any,  # 204: no body
    "createOAuthToken": models.OAuthToken,
}


@pytest.mark.parametrize("op_id", sorted(EXPECTED_OPERATIONS.values()))
def test_every_operation_is_generated_with_typed_responses(spec: dict[str, Any], op_id: str) -> None:
    module = _operation_module(spec, op_id)
    for fn in ("sync", "sync_detailed", "asyncio", "asyncio_detailed"):
        assert callable(getattr(module, fn, None)), f"{op_id}: no {fn}"
    returns = typing.get_type_hints(module.sync_detailed)["return"]
    parsed = typing.get_args(returns)[0]  # Response[<union>]
    members = set(typing.get_args(parsed))
    assert models.Error in members
    assert SUCCESS_MODELS[op_id] in members


@pytest.mark.parametrize("status", [400, 401, 429, 500, 503])
def test_declared_errors_parse_into_the_error_model(spec: dict[str, Any], status: int) -> None:
    module = _operation_module(spec, "listOrders")
    body = {"code": status, "key": "some_key", "message": "m", "request_id": "v-1"}
    client = AuthenticatedClient(base_url="http://sandbox.test", token="")
    parsed = module._parse_response(client=client, response=httpx.Response(status, json=body))
    assert isinstance(parsed, models.Error)
    assert (parsed.code, parsed.key, parsed.request_id) == (status, "some_key", "v-1")


ROUND_TRIP = {
    "createOrder requestBody seed": models.OrdersCreateRequestBody,
    "updateOrder requestBody seed": models.OrdersUpdateRequestBody,
    "createOrderExport requestBody seed": models.OrdersExportCreateRequestBody,
    "createOrderExport 200 scheduled": models.OrdersExportCreateResponseBody,
    "createOrderExport 200 echoed-defaults": models.OrdersExportCreateResponseBody,
    "getExport 200 order-done": models.Export,
    "getExport 200 voucher-export": models.Export,
    "importOrders 200 queued": models.OrdersImportCreateResponseBody,
    "getAsyncAction 200 orders-import": models.AsyncActionGetResponseBody,
    "response BadRequest invalid-payload": models.Error,
    "response Unauthorized unauthorized": models.Error,
    "response NotFound not-found": models.Error,
    "response TooManyRequests too-many": models.Error,
}
ALL_EXAMPLES = {label: value for label, _, value in iter_examples(load_spec())}


@pytest.mark.parametrize("label", sorted(ROUND_TRIP))
def test_examples_round_trip_through_generated_models(label: str) -> None:
    value = ALL_EXAMPLES[label]
    model = ROUND_TRIP[label].from_dict(value)
    assert normalize(model.to_dict()) == normalize(value)


def test_every_body_example_is_round_tripped() -> None:
    """A new example in the spec joins ROUND_TRIP (or the tests below), so none goes unparsed."""
    elsewhere = {"importOrders requestBody seed"}  # an array: round-tripped order by order below
    bodies = {label for label in ALL_EXAMPLES if not label.startswith("schema ")}
    assert bodies - elsewhere == set(ROUND_TRIP)


def test_import_example_round_trips_order_by_order() -> None:
    orders = ALL_EXAMPLES["importOrders requestBody seed"]
    assert len(orders) == 7
    for order in orders:
        item = models.OrdersImportCreateRequestBodyItem.from_dict(order)
        assert normalize(item.to_dict()) == normalize(order)


def test_import_result_parses_from_the_async_action() -> None:
    action = models.AsyncActionGetResponseBody.from_dict(ALL_EXAMPLES["getAsyncAction 200 orders-import"])
    assert isinstance(action.result, models.AsyncActionResult)
    result = models.OrdersImportResult.from_dict(action.result.to_dict())
    assert result.failed_count == 1
    assert isinstance(result.failed, list) and result.failed[0].source_id is None


SERVER_ORDER = {
    "id": "ord_1",
    "source_id": "s-1",
    "status": "REFUNDED",  # not in the spec's enum (yet)
    "amount": 1000,
    "created_at": "2026-11-28T10:00:00.000Z",
    "updated_at": None,
    "object": "order",
    "items": [{"object": "order_item", "amount": 1000, "related_object": "bundle", "brand_new": 1}],
    "loyalty_points": {"earned": 5},  # a field the spec does not know
}


def test_unknown_enum_values_and_fields_parse_and_are_kept() -> None:
    order = models.OrdersGetResponseBody.from_dict(SERVER_ORDER)
    assert order.status == "REFUNDED"
    assert isinstance(order.status, models.OrderStatus)
    assert order.status is not models.OrderStatus.PAID
    assert order.additional_properties["loyalty_points"] == {"earned": 5}
    assert order.items[0].related_object == "bundle"  # type: ignore[index]
    assert order.created_at == datetime.datetime(2026, 11, 28, 10, tzinfo=datetime.UTC)
    assert normalize(order.to_dict()) == normalize(SERVER_ORDER)


def test_known_enum_values_are_still_the_members() -> None:
    assert models.OrderStatus("PAID") is models.OrderStatus.PAID
    with pytest.raises(ValueError):
        models.OrderStatus(42)  # type: ignore[arg-type]


def test_parsed_enum_fields_are_the_members_and_bad_values_still_fail() -> None:
    # openapi/templates/property_templates/enum_property.py.jinja looks known values up first
    order = models.OrdersGetResponseBody.from_dict({**SERVER_ORDER, "status": "PAID"})
    assert order.status is models.OrderStatus.PAID
    assert order.object_ is models.OrderCalculatedObject.ORDER
    with pytest.raises(ValueError):
        models.OrdersGetResponseBody.from_dict({**SERVER_ORDER, "status": 42})
    with pytest.raises(TypeError):  # unhashable: typed as a malformed response by ext
        models.OrdersGetResponseBody.from_dict({**SERVER_ORDER, "status": ["PAID"]})


def test_no_model_imports_inside_functions_and_the_models_import_cleanly() -> None:
    # openapi/templates/model.py.jinja hoists the nested-model imports upstream defers to every
    # call; that is only safe while no two models import each other. Any import goes through
    # models/__init__ first, so one fresh interpreter importing it reveals a cycle.
    package = ROOT / "generated" / "voucherify_client" / "models"
    offenders = [p.name for p in package.glob("*.py") if "noqa: PLC0415" in p.read_text(encoding="utf-8")]
    assert offenders == []
    names = sorted(p.stem for p in package.glob("*.py") if p.stem != "__init__")
    script = (
        "import sys, voucherify_client.models\n"
        "missing = [n for n in sys.argv[1:] if 'voucherify_client.models.' + n not in sys.modules]\n"
        "assert not missing, missing\n"
    )
    run = subprocess.run([sys.executable, "-c", script, *names], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-1000:]


def test_package_data_ships_with_the_generated_package() -> None:
    package = ROOT / "generated" / "voucherify_client"
    assert (package / "py.typed").exists()
    assert (package / "openapi.json").read_text().startswith("{")
