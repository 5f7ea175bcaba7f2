"""The spec is valid OpenAPI, keeps the project's rules, and its examples fit its schemas."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from typing import Any

import pytest
from openapi_spec_validator import validate

from tests.spec.conftest import ROOT, iter_examples, load_spec, pointer

sys.path.insert(0, str(ROOT / "scripts"))
import validate_spec


def test_spec_is_valid_openapi(spec: dict[str, Any]) -> None:
    validate(spec)


def test_project_rules_hold(spec: dict[str, Any]) -> None:
    assert validate_spec.project_problems(spec) == []


def test_project_rules_catch_a_duplicate_title(spec: dict[str, Any]) -> None:
    broken = copy.deepcopy(spec)
    broken["components"]["schemas"]["OrderStatus"]["title"] = "OrderItem"
    assert any("title 'OrderItem'" in p for p in validate_spec.project_problems(broken))


def test_validate_spec_script_passes() -> None:
    run = subprocess.run([sys.executable, "scripts/validate_spec.py"], cwd=ROOT, capture_output=True)
    assert run.returncode == 0, run.stderr


EXPECTED_OPERATIONS = {
    ("get", "/v1/orders"): "listOrders",
    ("post", "/v1/orders"): "createOrder",
    ("get", "/v1/orders/{orderId}"): "getOrder",
    ("put", "/v1/orders/{orderId}"): "updateOrder",
    ("post", "/v1/orders/import"): "importOrders",
    ("post", "/v1/orders/export"): "createOrderExport",
    ("get", "/v1/async-actions/{asyncActionId}"): "getAsyncAction",
    ("get", "/v1/async-actions"): "listAsyncActions",
    ("get", "/v1/exports/{exportId}"): "getExport",
    ("delete", "/v1/exports/{exportId}"): "deleteExport",
    ("post", "/v1/oauth/token"): "createOAuthToken",
}


def test_operations_are_the_ones_users_know(spec: dict[str, Any]) -> None:
    found = {
        (method, path): op["operationId"]
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method != "parameters"
    }
    assert found == EXPECTED_OPERATIONS


def test_security_is_app_keys_together_or_oauth(spec: dict[str, Any]) -> None:
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters" or op["operationId"] == "createOAuthToken":
                continue
            security = op["security"]
            assert {"X-App-Id": [], "X-App-Token": []} in security, (method, path)
            oauth = [s for s in security if "X-Voucherify-OAuth" in s]
            # one alternative per scope: "api" OR the resource scope, never both at once
            assert all(len(s["X-Voucherify-OAuth"]) == 1 for s in oauth)
            assert {"X-Voucherify-OAuth": ["api"]} in security


def test_limits_live_in_the_schema(spec: dict[str, Any]) -> None:
    params = spec["components"]["parameters"]
    assert params["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}
    assert params["page"]["schema"]["maximum"] == 100
    schemas = spec["components"]["schemas"]
    assert schemas["OrderBase"]["properties"]["items"]["maxItems"] == 500
    assert schemas["OrdersImportCreateRequestBody"]["maxItems"] == 2000


def test_download_is_described_for_ext(spec: dict[str, Any]) -> None:
    download = spec["x-export-download"]
    assert download["hosts"] == {
        "api.voucherify.io": "download.voucherify.io",
        "us1.api.voucherify.io": "us1.download.voucherify.io",
        "as1.api.voucherify.io": "as1.download.voucherify.io",
    }
    token = next(p for p in download["parameters"] if p["name"] == "token")
    assert token["in"] == "query" and token["required"] is True
    assert "text/plain" in download["responses"]["200"]["content"]


def test_rate_limit_headers_are_declared(spec: dict[str, Any]) -> None:
    assert {"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Retry", "Retry-After"} <= set(
        spec["components"]["headers"]
    )
    too_many = spec["components"]["responses"]["TooManyRequests"]["headers"]
    assert {"Retry-After", "X-Rate-Limit-Retry"} <= set(too_many)


EXAMPLES = list(iter_examples(load_spec()))


def test_the_seed_examples_are_in_the_spec_verbatim(spec: dict[str, Any]) -> None:
    # a copy of shared/seed/OrdersApi.md, the published JavaScript SDK page for these endpoints
    seed = (ROOT / "tests" / "data" / "OrdersApi.seed.md").read_text(encoding="utf-8")
    bodies = [json.loads(m) for m in re.findall(r"'orders\w*': (\[.*\]|\{.*\}) //", seed)]
    assert len(bodies) == 4, "the seed page has four request bodies"
    in_spec = [value for label, _, value in EXAMPLES if label.endswith("requestBody seed")]
    for body in bodies:
        assert body in in_spec


@pytest.mark.parametrize(("label", "ptr", "value"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_example_validates_against_its_schema(validator_for: Any, label: str, ptr: str, value: Any) -> None:
    errors = sorted(validator_for(ptr).iter_errors(value), key=str)
    assert not errors, f"{label}: {errors[0].message} at {list(errors[0].absolute_path)}"


def test_validator_rejects_what_the_spec_forbids(validator_for: Any) -> None:
    """The example check is not vacuous: a wrong type, a bad enum and a cap are all caught."""
    item = validator_for(pointer("components", "schemas", "OrdersImportCreateRequestBodyItem"))
    assert not item.is_valid({"source_id": "a", "amount": "12"})
    assert not item.is_valid({"source_id": "a", "items": [{"amount": 1}] * 501})
    body = validator_for(pointer("components", "schemas", "OrdersImportCreateRequestBody"))
    assert not body.is_valid([])
    assert not body.is_valid([{"source_id": "x"}] * 2001)
    fields = validator_for(pointer("components", "schemas", "ExportOrderField"))
    assert fields.is_valid("metadata.payment_mean")
    assert not fields.is_valid("password")


def test_request_items_do_not_require_object(validator_for: Any) -> None:
    item = validator_for(pointer("components", "schemas", "OrderItem"))
    assert item.is_valid({"price": 900, "quantity": 2})


def test_import_failures_are_an_array_with_nullable_source_id(validator_for: Any) -> None:
    result = validator_for(pointer("components", "schemas", "OrdersImportResult"))
    assert result.is_valid({"failed": [{"source_id": None, "reason": "Internal error"}]})
    assert not result.is_valid({"failed": {"source_id": "a", "reason": "x"}})


def test_export_user_id_is_nullable(validator_for: Any) -> None:
    export = validator_for(pointer("components", "schemas", "OrdersExportCreateResponseBody"))
    assert export.is_valid(
        {
            "id": "exp_1",
            "object": "export",
            "created_at": "2022-09-09T07:44:41.594Z",
            "status": "SCHEDULED",
            "exported_object": "order",
            "user_id": None,
            "result": None,
        }
    )


def test_filters_accept_scalars_and_arrays(validator_for: Any) -> None:
    filters = validator_for(pointer("components", "schemas", "ExportOrderFilters"))
    assert filters.is_valid({"status": {"conditions": {"$in": ["PAID"]}}})
    assert filters.is_valid({"amount": {"conditions": {"$more_than": 100000}}})
    assert filters.is_valid({"metadata.region": {"conditions": {"$is": "EU"}}})
