"""The export parameters that createOrderExport and getExport echo are typed for orders, and an
export of any other object (getExport returns any) still parses, its own filters kept as they came.

The payloads are drawn: every order-export filter key with drawn conditions, extra keys an order
(``metadata.<key>``) or another object may echo, any sort order string (the server echoes ``""``
when none was sent). The oracle is the round trip plus the types of what the user reads back.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from voucherify_client import models
from voucherify_client.types import Unset

from tests.spec.conftest import load_spec

SCHEMAS = load_spec()["components"]["schemas"]
TYPED_FILTERS = sorted(set(SCHEMAS["ExportParametersFilters"]["properties"]) - {"junction"})
OPERATORS = sorted(SCHEMAS["FiltersCondition"]["properties"])

scalars = st.one_of(st.text(max_size=8), st.integers(-(10**9), 10**9), st.booleans())
operands = st.one_of(scalars, st.lists(scalars, max_size=3))
conditions = st.dictionaries(st.sampled_from(OPERATORS), operands, min_size=1, max_size=3)
field_conditions = st.builds(lambda c: {"conditions": c}, conditions)
other_keys = st.one_of(
    st.builds(lambda k: f"metadata.{k}", st.text("abcdefgh_", min_size=1, max_size=8)),
    st.sampled_from(["campaign_id", "code", "voucher_type", "categories"]),
)
json_values = st.recursive(
    st.one_of(st.none(), scalars), lambda inner: st.lists(inner, max_size=2), max_leaves=4
)


@st.composite
def echoed_filters(draw: st.DrawFn) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(TYPED_FILTERS), unique=True)):
        filters[key] = draw(field_conditions)
    for key in draw(st.lists(other_keys, unique=True, max_size=2)):
        filters[key] = draw(st.one_of(field_conditions, json_values))
    if draw(st.booleans()):
        filters["junction"] = draw(st.sampled_from(["and", "or"]))
    return filters


@st.composite
def echoed_parameters(draw: st.DrawFn) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if draw(st.booleans()):
        params["order"] = draw(st.sampled_from(["", "-created_at", "status", "-code", "name"]))
    if draw(st.booleans()):
        params["fields"] = draw(st.lists(st.sampled_from(["id", "status", "code", "metadata.x"]), max_size=3))
    if draw(st.booleans()):
        params["response_format"] = "CSV"
    params["filters"] = draw(echoed_filters())
    return params


def _export(parameters: dict[str, Any], exported_object: str) -> dict[str, Any]:
    return {
        "id": "exp_1",
        "object": "export",
        "created_at": "2022-09-09T07:44:41.594000+00:00",
        "status": "SCHEDULED",
        "exported_object": exported_object,
        "parameters": parameters,
    }


def _check_typed(parameters: models.ExportParameters, sent: dict[str, Any]) -> None:
    filters = parameters.filters
    assert isinstance(filters, models.ExportParametersFilters)
    for key in TYPED_FILTERS:
        value = getattr(filters, key)
        if key in sent["filters"]:
            assert isinstance(value, models.FieldConditions)
            assert isinstance(value.conditions, models.FiltersCondition)
            assert value.conditions.to_dict() == sent["filters"][key]["conditions"]
        else:
            assert isinstance(value, Unset)
    if "junction" in sent["filters"]:
        assert filters.junction == sent["filters"]["junction"]
        assert isinstance(filters.junction, models.ExportParametersFiltersJunction)
    extra = {k: v for k, v in sent["filters"].items() if k not in TYPED_FILTERS and k != "junction"}
    assert filters.additional_properties == extra


@settings(max_examples=150, deadline=None)
@given(echoed_parameters(), st.sampled_from(["order", "voucher", "customer"]))
def test_get_export_echo_is_typed_for_any_exported_object(params: dict[str, Any], exported: str) -> None:
    body = _export(params, exported)
    export = models.Export.from_dict(body)
    assert export.to_dict() == body
    assert isinstance(export.parameters, models.ExportParameters)
    _check_typed(export.parameters, params)


@settings(max_examples=100, deadline=None)
@given(echoed_parameters())
def test_create_order_export_echo_is_typed(params: dict[str, Any]) -> None:
    body = _export(params, "order")
    scheduled = models.OrdersExportCreateResponseBody.from_dict(body)
    assert scheduled.to_dict() == body
    assert isinstance(scheduled.parameters, models.ExportParameters)
    _check_typed(scheduled.parameters, params)


def test_the_typed_keys_are_the_order_export_filters() -> None:
    """The echo types exactly what an order export may send (the request schema), no more."""
    request = set(SCHEMAS["ExportOrderFilters"]["properties"])
    assert set(SCHEMAS["ExportParametersFilters"]["properties"]) == request
    junction = SCHEMAS["ExportParametersFilters"]["properties"]["junction"]["enum"]
    assert junction == SCHEMAS["ExportOrderFilters"]["properties"]["junction"]["enum"]
