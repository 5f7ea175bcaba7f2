"""Order inputs: dicts are checked against the spec's models before anything is sent."""

from __future__ import annotations

import pytest
from voucherify_client.models import OrdersCreateRequestBody, OrdersUpdateRequestBody

from voucherify_ext import ValidationError
from voucherify_ext.orders.inputs import to_model


def create(data: object, **kw: bool) -> OrdersCreateRequestBody:
    return to_model(data, OrdersCreateRequestBody, what="order", **kw)


def test_valid_dict_becomes_model() -> None:
    model = create(
        {
            "source_id": "s-1",
            "amount": 1000,
            "status": "PAID",
            "metadata": {"anything": {"goes": [1, 2]}},
            "customer": {"source_id": "c-1", "address": {"city": "Oslo"}, "metadata": {"x": 1}},
            "items": [{"quantity": 1, "price": 1000, "product": {"name": "p", "metadata": {"k": "v"}}}],
        }
    )
    assert isinstance(model, OrdersCreateRequestBody)
    assert model.source_id == "s-1"


@pytest.mark.parametrize(
    ("data", "path", "hint"),
    [
        ({"sourceid": "s-1"}, "sourceid", "source_id"),
        ({"source_id": "s", "amout": 1}, "amout", "amount"),
        ({"items": [{"quantity": 1}, {"quantty": 2}]}, "items[1].quantty", "quantity"),
        ({"items": [{"product": {"nmae": "x"}}]}, "items[0].product.nmae", "name"),
        ({"customer": {"emial": "a@b.c"}}, "customer.emial", "email"),
        ({"customer": {"address": {"cty": "Oslo"}}}, "customer.address.cty", "city"),
    ],
)
def test_unknown_keys_are_refused_with_their_path(data: dict[str, object], path: str, hint: str) -> None:
    with pytest.raises(ValidationError) as info:
        create(data)
    assert info.value.path == path
    assert repr(path) in str(info.value) and repr(hint) in str(info.value)
    assert "allow_unknown_fields" in str(info.value)


def test_opt_out_for_newer_fields() -> None:
    model = create({"source_id": "s", "brand_new_field": 1}, allow_unknown_fields=True)
    assert model.to_dict()["brand_new_field"] == 1


def test_metadata_is_free_form() -> None:
    create({"metadata": {"sourceid": 1, "nested": {"whatever": True}}})


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"amount": "1000"}, "amount"),
        ({"amount": True}, "amount"),
        ({"source_id": 12}, "source_id"),
        ({"items": [{"quantity": 1.5}]}, "items[0].quantity"),
    ],
)
def test_wrong_types_are_refused(data: dict[str, object], path: str) -> None:
    with pytest.raises(ValidationError) as info:
        create(data)
    assert info.value.path == path


@pytest.mark.parametrize("data", [{"status": 5}, {"items": "x"}, ["a"], "order", 5])
def test_malformed_input(data: object) -> None:
    with pytest.raises(ValidationError):
        create(data)


def test_model_instances_pass_through() -> None:
    model = OrdersCreateRequestBody(source_id="s")
    assert create(model) is model
    with pytest.raises(ValidationError, match="OrdersCreateRequestBody"):
        create(OrdersUpdateRequestBody())
