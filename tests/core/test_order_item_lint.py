"""The order-item lint on ``create`` and ``update`` (issue 16, point 7), against the sandbox.

An item that names a product or SKU by ``source_id`` without ``related_object`` gets a
misleading 400 from Voucherify (voucherify-nodejs-sdk #98). Before sending, the client warns
(:class:`OrderItemWarning`, at the caller's line, naming the items' paths) and still sends the
order; ``strict=True`` refuses it with a :class:`ValidationError` naming the path, and the
sandbox receives no request."""

from __future__ import annotations

import copy
import pickle
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from voucherify_client.models import OrderItem, OrderItemRelatedObject, OrdersCreateRequestBody

from tests.core.item_shapes import ITEMS, expected_paths
from voucherify_ext import AsyncVoucherify, OrderItemWarning, ValidationError, Voucherify
from voucherify_ext.item_lint import unlinked_items
from voucherify_ext.sandbox import Sandbox
from voucherify_ext.validation import OrderValidator

ORDERS = "/v1/orders"
ISSUE_98 = {"product_id": "prod_0a1b2c", "quantity": 1, "price": 2000, "source_id": "P-1"}


def item_warnings(caught: list[warnings.WarningMessage]) -> list[warnings.WarningMessage]:
    return [w for w in caught if isinstance(w.message, OrderItemWarning)]


@pytest.fixture
def vf(make_vf: Callable[..., Voucherify]) -> Voucherify:
    return make_vf()


@pytest.fixture
def avf(make_avf: Callable[..., AsyncVoucherify]) -> AsyncVoucherify:
    return make_avf()


# ------------------------------------------------------------------ the rule, on every shape


@given(items=ITEMS)
@example(items=[ISSUE_98])
@example(items=[{"product": {"source_id": "P"}}, {"sku": {"source_id": "S"}, "related_object": "sku"}])
@example(items=[{"product_id": "prod_1"}, {"sku_id": "sku_1", "sku": {"id": "sku_1"}}, {"amount": 5}])
def test_unlinked_items_are_exactly_those_naming_by_source_id_without_related_object(
    items: list[dict[str, Any]],
) -> None:
    assert unlinked_items({"items": items}) == expected_paths(items)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=ITEMS, strict=st.booleans())
@example(items=[{"amount": 100}, ISSUE_98], strict=False)
@example(items=[{"amount": 100}, ISSUE_98], strict=True)
def test_create_reports_exactly_the_items_that_need_related_object(
    vf: Voucherify, sandbox: Sandbox, items: list[dict[str, Any]], strict: bool
) -> None:
    order = {"items": items}
    expected = expected_paths(items)
    before = sandbox.request_count("POST", ORDERS)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if strict and expected:
            with pytest.raises(ValidationError) as refused:
                vf.orders.create(copy.deepcopy(order), strict=True)
            assert refused.value.path == expected[0]
            assert all(path in str(refused.value) for path in expected[:5])
            assert "nothing was sent" in str(refused.value)
            assert sandbox.request_count("POST", ORDERS) == before  # refused before sending
        else:
            created = vf.orders.create(copy.deepcopy(order), strict=strict)
            assert sandbox.request_count("POST", ORDERS) == before + 1  # a warning does not stop it
            assert len(created.items or []) == len(items)
    found = item_warnings(caught)
    if expected and not strict:
        (warning,) = found
        assert isinstance(warning.message, OrderItemWarning)
        assert warning.message.paths == tuple(expected)
        assert (warning.message.location, warning.message.line, warning.message.index) == (None, None, None)
        assert warning.filename == __file__, "the warning points at the caller's line"
    else:
        assert found == []


def test_the_issue_98_order_warns_at_the_callers_line_and_is_sent(vf: Voucherify, sandbox: Sandbox) -> None:
    with pytest.warns(OrderItemWarning, match=r"items\[1\] names a product or SKU by source_id") as caught:
        vf.orders.create({"source_id": "o-98", "items": [{"amount": 100}, ISSUE_98]})
    assert [w.lineno for w in caught] == [caught[0].lineno] and caught[0].filename == __file__
    assert sandbox.count_orders("o-98") == 1


def test_a_generated_model_is_linted_too(vf: Voucherify, sandbox: Sandbox) -> None:
    body = OrdersCreateRequestBody(source_id="o-m", items=[OrderItem(source_id="P-1", quantity=1)])
    with pytest.raises(ValidationError) as refused:
        vf.orders.create(body, strict=True)
    assert refused.value.path == "items[0]"
    linked = OrdersCreateRequestBody(
        source_id="o-m", items=[OrderItem(source_id="P-1", related_object=OrderItemRelatedObject.PRODUCT)]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", OrderItemWarning)
        vf.orders.create(linked, strict=True)
    assert sandbox.count_orders("o-m") == 1


def test_update_warns_or_refuses_the_same_way(vf: Voucherify, sandbox: Sandbox) -> None:
    vf.orders.create({"source_id": "o-u", "amount": 100})
    changes = {"items": [{"sku": {"source_id": "S-1"}, "quantity": 2}]}
    with pytest.raises(ValidationError) as refused:
        vf.orders.update("o-u", changes, strict=True)
    assert refused.value.path == "items[0]"
    assert sandbox.request_count("PUT") == 0
    with pytest.warns(OrderItemWarning) as caught:
        vf.orders.update("o-u", changes)
    assert caught[0].filename == __file__
    assert sandbox.request_count("PUT") == 1


async def test_the_async_client_warns_at_the_awaiting_line_and_refuses_with_strict(
    avf: AsyncVoucherify, sandbox: Sandbox
) -> None:
    async with avf:
        with pytest.warns(OrderItemWarning) as caught:
            await avf.orders.create({"source_id": "o-a", "items": [ISSUE_98]})
        assert caught[0].filename == __file__
        assert sandbox.count_orders("o-a") == 1
        before = sandbox.request_count("POST", ORDERS)
        with pytest.raises(ValidationError, match=r"items\[0\]"):
            await avf.orders.create({"source_id": "o-b", "items": [ISSUE_98]}, strict=True)
        with pytest.raises(ValidationError, match=r"items\[0\]"):
            await avf.orders.update("o-a", {"items": [ISSUE_98]}, strict=True)
        assert sandbox.request_count("POST", ORDERS) == before and sandbox.request_count("PUT") == 0


# ------------------------------------------------------------------ the import's validator


@given(items=ITEMS)
def test_a_strict_validator_names_the_first_items_that_need_related_object(
    items: list[dict[str, Any]],
) -> None:
    order = {"source_id": "o-1", "items": items}
    lenient = OrderValidator()
    strict = OrderValidator(strict=True)
    assert lenient.check(order) is None
    expected = expected_paths(items)
    problem = strict.check(order)
    if not expected:
        assert problem is None
    else:
        assert problem is not None
        assert [part.split(":", 1)[0] for part in problem.split("; ")] == expected[:3]


def test_the_warning_pickles_with_its_fields() -> None:
    warning = OrderItemWarning("m", paths=["items[1]"], location="a.jsonl:3", line=3, index=2)
    back = pickle.loads(pickle.dumps(warning))
    assert (type(back), str(back), back.paths, back.location, back.line, back.index, back.more) == (
        OrderItemWarning,
        "m",
        ("items[1]",),
        "a.jsonl:3",
        3,
        2,
        0,
    )
    assert issubclass(OrderItemWarning, UserWarning)
