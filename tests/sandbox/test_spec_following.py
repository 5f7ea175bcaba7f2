"""The sandbox follows the spec, and the spec says what the real API says.

Two guards, both needed. What the sandbox enforces is read from the spec (:mod:`.spec_model`), so
a spec change reaches it with no code change: the property tests below patch random fields and
enum values into a copy of the spec and watch the sandbox accept, check, store and echo them. And
because the spec is now the sandbox's only source, an edit to the spec that drifts from Voucherify
would silently change the sandbox too: so the tables the sandbox derives are compared with the
real API's facts, written out here as literals from ``shared/reference/voucherify-api-facts.md``
(never read from the spec). Finally no module of the sandbox may keep its own copy of an enum.
"""

from __future__ import annotations

import ast
import copy
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import voucherify_ext.sandbox
from voucherify_ext.sandbox import SandboxConfig, SandboxState, values
from voucherify_ext.sandbox.__main__ import main as sandbox_main
from voucherify_ext.sandbox.app import routes
from voucherify_ext.sandbox.errors import SandboxError
from voucherify_ext.sandbox.orders import Echo
from voucherify_ext.sandbox.spec_model import DEFAULT_SPEC, IntParam, SpecError, load_model
from voucherify_ext.sandbox.validation import check_order

SANDBOX = Path(voucherify_ext.sandbox.__file__).resolve().parent
GENERATED_SPEC = SANDBOX.parents[1] / "generated" / "voucherify_client" / "openapi.json"
BASE: dict[str, Any] = json.loads(DEFAULT_SPEC.read_text(encoding="utf-8"))

# ---------------------------------------------------------------- the real API's facts (literals)

ORDER_STATUSES = ("CREATED", "PAID", "CANCELED", "FULFILLED")  # facts §3.1
ACTION_STATUSES = ("ENQUEUED", "IN_PROGRESS", "DONE", "FAILED")  # §5
OPERATION_STATUSES = ("SUCCESS", "FAILED", "UNKNOWN")  # §5
EXPORT_STATUSES = ("SCHEDULED", "IN_PROGRESS", "DONE", "ERROR")  # §6
EXPORTED_OBJECTS = (
    "voucher",
    "redemption",
    "customer",
    "publication",
    "order",
    "points_expiration",
    "voucher_transactions",
)  # §6, the exported_object values of POST /v1/exports
EXPORT_FIELDS = (
    "id",
    "source_id",
    "created_at",
    "updated_at",
    "status",
    "amount",
    "discount_amount",
    "items_discount_amount",
    "total_discount_amount",
    "total_amount",
    "customer_id",
    "referrer_id",
    "metadata",
)  # §6 fields[], plus metadata.<key> from the prose
EXPORT_ORDERS = ("created_at", "-created_at", "updated_at", "-updated_at", "status", "-status")
FILTER_FIELDS = {
    "created_at",
    "updated_at",
    "status",
    "source_id",
    "amount",
    "total_amount",
    "discount_amount",
    "total_discount_amount",
    "items_discount_amount",
}
OPERATORS = {
    *("$in", "$not_in", "$is", "$is_days_ago", "$is_days_in_future", "$is_not", "$has_value"),
    *("$is_unknown", "$contains", "$not_contain", "$starts_with", "$ends_with", "$more_than"),
    *("$less_than", "$more_than_ago", "$less_than_ago", "$more_than_future", "$less_than_future"),
    *("$more_than_equal", "$less_than_equal", "$after", "$before", "$count", "$count_less", "$count_more"),
}
ORDER_BASE = {  # §3.2 OrderBase, items aside
    "source_id": "string?",
    "status": "string",
    "amount": "integer",
    "initial_amount": "integer",
    "discount_amount": "integer",
    "metadata": "object",
    "items": "array",
}
EXTRA = {"referrer_id": "string?", "customer": "object", "referrer": "object"}
CUSTOMER = {
    **{k: "string" for k in ("id", "source_id", "name", "description", "email", "phone")},
    "birthday": "date",
    "birthdate": "date",
    "address": "object?",
    "metadata": "object",
}
ADDRESS = {k: "string" for k in ("city", "state", "line_1", "line_2", "country", "postal_code")}
ITEM = {
    **{k: "string" for k in ("sku_id", "product_id", "related_object", "source_id")},
    **{k: "integer" for k in ("quantity", "discount_quantity", "initial_quantity", "amount")},
    **{k: "integer" for k in ("discount_amount", "initial_amount", "price")},
    "product": "object",
    "sku": "object",
    "metadata": "object",
}
PRODUCT = {"id": "string", "source_id": "string", "override": "boolean", "name": "string"}
PRODUCT |= {"metadata": "object", "price": "number"}
SKU = {"id": "string", "source_id": "string", "override": "boolean", "sku": "string"}
SKU |= {"price": "number", "metadata": "object"}
BEYOND_SPEC = {("GET", "/v1/exports")}  # §2.10 List Exports: served although our spec lacks it
EXPORT_LIST_ORDERS = ("created_at", "-created_at", "status", "-status")  # §2.10, its `order`


def test_the_spec_derived_enums_and_limits_are_the_real_apis() -> None:
    spec = load_model()
    assert spec.order_statuses == ORDER_STATUSES
    assert spec.related_objects == ("product", "sku")
    assert spec.max_items == 500 and (spec.import_min, spec.import_max) == (1, 2000)
    assert spec.list_limit == IntParam(default=10, low=1, high=100)
    assert spec.list_page == IntParam(default=1, low=1, high=100)
    assert spec.async_actions_limit == IntParam(default=10, low=1, high=100)
    assert spec.list_sorts == ("created_at", "-created_at", "updated_at", "-updated_at")
    assert spec.enums["AsyncActionStatus"] == ACTION_STATUSES
    assert spec.enums["AsyncActionOperationStatus"] == OPERATION_STATUSES
    assert spec.enums["ExportStatus"] == EXPORT_STATUSES
    assert spec.enums["ExportedObject"] == EXPORTED_OBJECTS
    assert len(spec.enums["AsyncActionType"]) == 22 and "ORDERS.IMPORT" in spec.enums["AsyncActionType"]
    assert spec.grant_types == ("client_credentials",)
    assert spec.enums["headers.X-Rate-Limit-Type"] == (
        "api_calls",
        "bulk_api_calls",
        "api_calls_cycle",
        "webhook_calls",
    )


def test_the_spec_derived_export_tables_are_the_real_apis() -> None:
    spec = load_model()
    assert spec.export_fields == EXPORT_FIELDS and spec.export_field_templates == ("metadata.<key>",)
    assert spec.export_orders == EXPORT_ORDERS
    assert set(spec.filter_fields) == FILTER_FIELDS and spec.filter_field_templates == ("metadata.<key>",)
    assert spec.junctions == ("and", "or")
    assert spec.operators == OPERATORS
    assert spec.date_fields == {"created_at", "updated_at"}


def test_the_spec_derived_field_tables_are_the_real_apis() -> None:
    spec = load_model()
    assert spec.order_create.kinds() == {**ORDER_BASE, **EXTRA, "id": "string", "created_at": "date-time"}
    assert spec.order_update.kinds() == {**ORDER_BASE, **EXTRA, "created_at": "date-time"}
    assert spec.order_import_item.kinds() == {**ORDER_BASE, **EXTRA, "id": "string"}
    customer = spec.order_create.field("customer").shape
    assert customer is not None and customer.kinds() == CUSTOMER
    assert spec.order_create.field("referrer").shape is not None
    assert spec.order_create.field("referrer").shape.kinds() == CUSTOMER  # type: ignore[union-attr]
    address = customer.field("address").shape
    assert address is not None and address.kinds() == ADDRESS
    items = spec.order_create.field("items")
    assert items.max_items == 500 and items.items is not None and items.items.shape is not None
    item = items.items.shape
    assert item.kinds() == ITEM and item.field("related_object").enum == ("product", "sku")
    assert item.field("product").shape.kinds() == PRODUCT  # type: ignore[union-attr]
    assert item.field("sku").shape.kinds() == SKU  # type: ignore[union-attr]
    assert spec.order_create.field("status").enum == ORDER_STATUSES


def test_today_nothing_is_echoed_beyond_what_the_sandbox_computes() -> None:
    """Today's request and response share only fields that build_order sets itself (so none is
    copied as sent); on the item, the references and nested objects are copied as sent."""
    echo = Echo.from_spec(load_model())
    assert set(echo.order) == {
        *("amount", "created_at", "discount_amount", "id", "initial_amount"),
        *("items", "metadata", "referrer_id", "source_id", "status"),
    }
    assert set(echo.item) == {
        *("discount_quantity", "metadata", "product", "product_id"),
        *("related_object", "sku", "sku_id", "source_id"),
    }


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def test_the_sandbox_serves_the_specs_operations_and_beyond_them_only_the_named_exceptions() -> None:
    """The one documented exception (``values.BEYOND_SPEC``: List Exports, docs/extending.md's
    example) is named here too; its values, which no spec checks, are the real API's."""
    served = {
        (method, _shape(route.path))
        for route in routes()
        if not route.path.startswith("/_sandbox")
        for method in route.methods or ()
        if method != "HEAD"
    }
    verbs = {"get", "put", "post", "delete", "patch"}
    in_spec = {(m.upper(), _shape(path)) for path, ops in BASE["paths"].items() for m in ops if m in verbs}
    assert in_spec <= served
    assert served - in_spec == BEYOND_SPEC == set(values.BEYOND_SPEC)
    assert (
        values.EXPORT_LIST_SORTS == EXPORT_LIST_ORDERS
        and values.DEFAULT_EXPORT_LIST_SORT in EXPORT_LIST_ORDERS
    )
    assert values.EXPORTS_DATA_REF == "exports"


def test_the_sandbox_copy_is_the_generated_clients_spec() -> None:
    """``make check-generated`` keeps them equal; this says why the sandbox may read its own."""
    assert DEFAULT_SPEC.read_bytes() == GENERATED_SPEC.read_bytes()


# ---------------------------------------------------------------- no hand-written copies


def _property_names(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            found |= set(node["properties"])
        for value in node.values():
            found |= _property_names(value)
    elif isinstance(node, list):
        for value in node:
            found |= _property_names(value)
    return found


def _enum_sets(node: Any) -> list[frozenset[str]]:
    found: list[frozenset[str]] = []
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list) and len(node["enum"]) > 1:
            found.append(frozenset(map(str, node["enum"])))
        if isinstance(node.get("properties"), dict) and len(node["properties"]) > 2:
            found.append(frozenset(node["properties"]))
        for value in node.values():
            found += _enum_sets(value)
    elif isinstance(node, list):
        for value in node:
            found += _enum_sets(value)
    return found


def _copies(source: str, spec: dict[str, Any]) -> list[str]:
    """Hand-written copies of what the spec defines, in ``source``: a collection of strings equal
    to a spec enum's values or to a schema's property names (or the export pattern's names); a
    single value of a many-valued enum that is no property name (``"PAID"``, ``"DONE"``; a field
    name such as ``"status"`` is not a copy); a module constant holding one of the spec's limits."""
    defined = [spec["components"], spec["paths"]]  # not ``servers``: its cluster enum names hosts
    sets = set(_enum_sets(defined)) | {frozenset(load_model().export_fields)}
    names = _property_names(spec)
    values = {v for s in _enum_sets(defined) if not s <= names for v in s} - names
    limits = {spec_value for key in ("maxItems", "minItems", "maximum") for spec_value in _numbers(spec, key)}
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            strings = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if len(strings) > 1 and len(strings) == len(node.elts) and frozenset(strings) in sets:
                found.append(f"line {node.lineno}: {sorted(strings)}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in values:
            found.append(f"line {node.lineno}: {node.value!r}")
    tree = ast.parse(source)
    for stmt in tree.body:
        value = (
            stmt.value.value
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant)
            else None
        )
        if isinstance(value, int) and value in limits and value > 1:
            found.append(f"line {stmt.lineno}: {ast.unparse(stmt)}")
    return found


def _numbers(node: Any, key: str) -> set[int]:
    found: set[int] = set()
    if isinstance(node, dict):
        if isinstance(node.get(key), int):
            found.add(node[key])
        for value in node.values():
            found |= _numbers(value, key)
    elif isinstance(node, list):
        for value in node:
            found |= _numbers(value, key)
    return found


# Lines the sandbox held before it followed the spec (main at 6f60d7c): the checker must see them.
BEFORE = """
ORDER_STATUSES = ("CREATED", "PAID", "CANCELED", "FULFILLED")
RELATED_OBJECTS = ("product", "sku")
MAX_ITEMS = 500
MAX_IMPORT = 2000
ORDER_SORTS = ("created_at", "-created_at", "updated_at", "-updated_at")
ORDERS = ("created_at", "-created_at", "updated_at", "-updated_at", "status", "-status")
FIELDS = frozenset({"id", "source_id", "created_at", "updated_at", "status", "amount",
    "discount_amount", "items_discount_amount", "total_discount_amount", "total_amount",
    "customer_id", "referrer_id", "metadata"})
def status(self):
    return "ENQUEUED"
out = {"type": "ORDERS.IMPORT"}
if junction not in ("and", "or"):
    pass
"""


def test_the_copy_checker_sees_the_copies_the_sandbox_had() -> None:
    lines = {int(f.split(":")[0].removeprefix("line ")) for f in _copies(BEFORE, BASE)}
    assert lines == {2, 3, 4, 5, 6, 7, 8, 12, 13, 14}
    assert (
        _copies('status = "status"\nfor key in ("product", "sku_id"): pass\nMAX_TOKENS = 1000\n', BASE) == []
    )


def test_no_module_of_the_sandbox_keeps_a_copy_of_what_the_spec_defines() -> None:
    """``values.py`` names the values the sandbox emits by its own rules (each checked against the
    spec at start); everything else reads the spec."""
    modules = sorted(p for p in SANDBOX.glob("*.py") if p.name != "values.py")
    assert len(modules) > 25
    offenders = {p.name: found for p in modules if (found := _copies(p.read_text(encoding="utf-8"), BASE))}
    assert offenders == {}


# ---------------------------------------------------------------- a patched spec is followed

_counter = itertools.count()
names = st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True).filter(
    lambda n: n not in _property_names(BASE) and n != "junction"
)
typed_values = st.sampled_from(
    [
        ("string", st.text(max_size=8), 5),
        ("integer", st.integers(-(2**40), 2**40), "x"),
        ("boolean", st.booleans(), "yes"),
        ("number", st.floats(allow_nan=False, allow_infinity=False, width=32), "1"),
        ("object", st.dictionaries(st.text(max_size=4), st.integers(), max_size=3), [1]),
    ]
)
statuses = st.from_regex(r"[A-Z][A-Z_]{1,10}", fullmatch=True).filter(lambda s: s not in ORDER_STATUSES)
MESSAGES = {
    "string": "must be a string",
    "integer": "must be an integer",
    "boolean": "must be a boolean",
    "number": "must be a number",
    "object": "must be an object",
}


def _patched_state(tmp: Path, field: str, kind: str, status: str) -> SandboxState:
    spec = copy.deepcopy(BASE)
    schemas = spec["components"]["schemas"]
    schemas["OrderStatus"]["enum"].append(status)
    schemas["OrderBase"]["properties"][field] = {"type": kind}
    schemas["OrderCalculated"]["properties"][field] = {"type": kind}
    path = tmp / f"spec-{next(_counter)}.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return SandboxState(SandboxConfig(spec=path))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=names, typed=typed_values, data=st.data(), status=statuses)
def test_a_field_and_a_status_added_to_the_spec_are_checked_stored_and_echoed(
    tmp_path: Path, field: str, typed: tuple[str, Any, Any], data: st.DataObject, status: str
) -> None:
    kind, values, wrong = typed
    first, second = data.draw(values), data.draw(values)
    state = _patched_state(tmp_path, field, kind, status)
    created = state.create_order({"source_id": "o-1", "status": status, field: first})
    assert created[field] == first and created["status"] == status
    assert state.get_order("o-1")[field] == first
    kept = state.update_order("o-1", {"status": "PAID"})
    assert kept[field] == first  # an update that leaves the field out keeps it
    changed = state.update_order("o-1", {field: second})
    assert changed[field] == second and changed["status"] == "PAID"
    assert state.list_orders(10, 1, "created_at")[0][0][field] == second
    with pytest.raises(SandboxError) as bad:
        check_order({field: wrong}, state.spec.order_create, state.spec.max_items)
    assert bad.value.details == f"Property .{field} {MESSAGES[kind]}"
    with pytest.raises(SandboxError) as unknown:
        check_order({"status": status + "X"}, state.spec.order_create, state.spec.max_items)
    assert unknown.value.details is not None and unknown.value.details.endswith(
        f"must be one of [{', '.join(ORDER_STATUSES)}, {status}]"
    )


def test_a_field_the_response_does_not_define_is_not_echoed(tmp_path: Path) -> None:
    spec = copy.deepcopy(BASE)
    spec["components"]["schemas"]["OrderBase"]["properties"]["request_only"] = {"type": "string"}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    state = SandboxState(SandboxConfig(spec=path))
    assert "request_only" not in state.create_order({"request_only": "x"})


def test_a_spec_without_a_value_the_sandbox_emits_is_refused_at_start(tmp_path: Path) -> None:
    spec = copy.deepcopy(BASE)
    spec["components"]["schemas"]["AsyncActionStatus"]["enum"].remove("DONE")
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(SpecError, match="'DONE', which AsyncActionStatus no longer has"):
        SandboxState(SandboxConfig(spec=path))


def test_the_command_line_refuses_a_spec_it_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sandbox_main(["--spec", str(tmp_path / "missing.json")]) == 2
    assert "missing.json" in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"openapi": "3.1.0"}), encoding="utf-8")
    assert sandbox_main(["--spec", str(broken)]) == 2
    assert "OrdersCreateRequestBody" in capsys.readouterr().err


@settings(max_examples=200, deadline=None)
@example(name="metadata.a\n")
@example(name="status\n")
@example(name="metadata.a\nb")
@given(
    name=st.one_of(
        st.sampled_from(sorted(FILTER_FIELDS | {"id", "customer_id", "metadata", "metadata.", "junk"})),
        st.builds(lambda key: f"metadata.{key}", st.text(max_size=5)),
        st.text(max_size=12),
    )
)
def test_an_export_filters_on_the_fields_the_real_api_names(name: str) -> None:
    """The filter names come from ``ExportOrderFilters``; the oracle is the facts' list (§6):
    the nine order fields and ``metadata.<key>``."""
    from voucherify_ext.sandbox.exports import check_parameters

    body = {"parameters": {"filters": {name: {"conditions": {"$is": "x"}}}}}
    allowed = name in FILTER_FIELDS or (
        name.startswith("metadata.") and len(name) > 9 and "\n" not in name[9:]
    )
    if name == "junction":
        return  # the junction is no field (checked for its own values)
    try:
        check_parameters(body, load_model())
    except SandboxError as exc:
        assert not allowed and exc.details == f"Property .parameters.filters.{name} is not allowed; " + (
            "filter on amount, created_at, discount_amount, items_discount_amount, source_id, status, "
            "total_amount, total_discount_amount, updated_at, metadata.<key>"
        )
    else:
        assert allowed
