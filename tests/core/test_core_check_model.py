"""The response type check (``responses.check_model``): what it catches and what it lets through
on a realistic 100-order page, the path it names, and what it costs next to the generated parse."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from voucherify_client.models import OrdersGetResponseBody, OrdersListResponseBody

from voucherify_ext import APIResponseError
from voucherify_ext.responses import check_model


def order(n: int) -> dict[str, Any]:
    return {
        "id": f"ord_{n:024d}",
        "source_id": f"web-{n}",
        "created_at": "2026-11-28T23:31:48.065Z",
        "updated_at": None,
        "status": "PAID",
        "amount": 4200,
        "initial_amount": 4200,
        "discount_amount": 0,
        "items_discount_amount": 0,
        "total_discount_amount": 0,
        "total_amount": 4200,
        "applied_discount_amount": 0,
        "items_applied_discount_amount": 0,
        "total_applied_discount_amount": 0,
        "items": [
            {
                "object": "order_item",
                "related_object": "sku",
                "source_id": f"sku-{j}",
                "quantity": 2,
                "initial_quantity": 2,
                "amount": 1400,
                "discount_amount": 0,
                "applied_discount_amount": 0,
                "initial_amount": 1400,
                "subtotal_amount": 1400,
                "price": 700,
                "product": {"name": f"Product {j}", "price": 700, "metadata": {"color": "red"}},
                "metadata": {"line": j},
            }
            for j in range(3)
        ],
        "metadata": {"channel": "web", "campaign": "spring", "priority": n % 3, "gift": False},
        "customer_id": f"cust_{n:024d}",
        "referrer_id": None,
        "object": "order",
        "customer": {"id": f"cust_{n:024d}", "object": "customer"},
    }


PAGE: dict[str, Any] = {
    "object": "list",
    "data_ref": "orders",
    "orders": [order(n) for n in range(100)],
    "total": 100,
}


def field_of(body: dict[str, Any], model: type[Any] = OrdersListResponseBody) -> str | None:
    try:
        check_model(model.from_dict(body))
    except APIResponseError as exc:
        assert exc.field is not None and exc.field in str(exc)
        return exc.field
    return None


def test_a_good_page_passes() -> None:
    assert field_of(PAGE) is None


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("total",), "100", "total"),
        (("total",), True, "total"),  # bool is not a JSON integer
        (("orders", 57, "amount"), "4200", "orders[57].amount"),
        (("orders", 57, "amount"), None, "orders[57].amount"),  # not nullable
        (("orders", 3, "source_id"), 5, "orders[3].source_id"),
        (("orders", 99, "items", 2, "quantity"), "2", "orders[99].items[2].quantity"),
        (("orders", 0, "items", 1, "product", "name"), 7, "orders[0].items[1].product.name"),
        (("orders", 0, "customer", "id"), 1, "orders[0].customer.id"),
    ],
)
def test_wrong_types_are_caught_with_their_path(path: tuple[Any, ...], value: Any, field: str) -> None:
    body = copy.deepcopy(PAGE)
    target: Any = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    try:
        model = OrdersListResponseBody.from_dict(body)
    except (TypeError, ValueError, AttributeError, KeyError):
        pytest.skip("the generated parser itself refuses this value")
    with pytest.raises(APIResponseError) as info:
        check_model(model)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("orders", 0, "updated_at"), None),  # nullable
        (("orders", 0, "referrer_id"), "cust_1"),
        (("orders", 0, "status"), "REFUNDED"),  # an enum value newer than the spec
        (("orders", 0, "items", 0, "product", "price"), 7.5),  # number: float or int
        (("orders", 0, "metadata"), {"anything": [1, {"x": None}]}),  # free-form
        (("orders", 0, "brand_new_field"), {"x": 1}),  # unknown fields are kept, not checked
    ],
)
def test_what_the_spec_allows_passes(path: tuple[Any, ...], value: Any) -> None:
    body = copy.deepcopy(PAGE)
    target: Any = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    assert field_of(body) is None


def test_typed_additional_properties_are_checked() -> None:
    body = {**order(1), "redemptions": {"r_1": {"stacked": "no"}}}
    assert field_of(body, OrdersGetResponseBody) == "redemptions.r_1.stacked"
