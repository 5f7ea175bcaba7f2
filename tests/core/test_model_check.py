"""``voucherify_ext.model_check``: one type-checker behind both directions (the orders input
checks and ``responses.check_model``), reached only through its public names."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from voucherify_client.models import OrdersCreateRequestBody

from voucherify_ext import APIResponseError, ValidationError
from voucherify_ext.model_check import Mismatch, first_mismatch, model_fields
from voucherify_ext.orders.inputs import to_model
from voucherify_ext.responses import check_model

PACKAGE = Path(__file__).resolve().parents[2] / "voucherify_ext"

#: the modules of the façade's interfaces: nothing outside each may import its private names
INTERFACES = {
    "voucherify_ext.model_check",
    "voucherify_ext.responses",
    "voucherify_ext.orders.inputs",
    "voucherify_ext.http.builders",
    "voucherify_ext.client",
    "voucherify_ext.client.base",
}


def private_imports(root: Path, modules: set[str]) -> list[str]:
    """``file: module.name`` for each private name of ``modules`` imported or read as an
    attribute of the imported module by a file under ``root`` that is not that module."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases: dict[str, str] = {}  # local name -> one of ``modules``
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if node.module in modules and alias.name.startswith("_"):
                        found.append(f"{path.name}: {full}")
                    if full in modules:
                        aliases[alias.asname or alias.name] = full
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in modules and alias.asname:
                        aliases[alias.asname] = alias.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{path.name}: {aliases[node.value.id]}.{node.attr}")
    return found


def test_no_module_reaches_into_the_private_names_of_an_interface() -> None:
    assert private_imports(PACKAGE, INTERFACES) == []


def test_the_scan_sees_a_private_import(tmp_path: Path) -> None:
    # what orders.py did before the checker had its own module
    (tmp_path / "orders.py").write_text(
        "from voucherify_ext.responses import _check_fields, _hints, acall\n"
        "from voucherify_ext import responses as r\n"
        "r._Mismatch\n"
    )
    assert private_imports(tmp_path, INTERFACES) == [
        "orders.py: voucherify_ext.responses._check_fields",
        "orders.py: voucherify_ext.responses._hints",
        "orders.py: voucherify_ext.responses._Mismatch",
    ]


# -- the same checker both ways ------------------------------------------------------------------

IDS = st.text(alphabet="abcdefghij0123456789-", min_size=1, max_size=8)
VALID = st.fixed_dictionaries(
    {
        "source_id": IDS,
        "amount": st.integers(0, 10**6),
        "items": st.lists(
            st.fixed_dictionaries({"quantity": st.integers(0, 9), "price": st.integers(0, 999)}),
            min_size=1,
            max_size=3,
        ),
    }
)
NOT_AN_INT = st.text(max_size=5) | st.booleans() | st.lists(st.integers(), max_size=2) | st.floats()
NOT_A_STR = st.integers() | st.booleans() | st.lists(st.text(max_size=2), max_size=2)


@st.composite
def one_wrong_field(draw: st.DrawFn) -> tuple[dict[str, Any], str, Any]:
    """A valid order body with one field given a value of the wrong type: (body, path, value)."""
    body = draw(VALID)
    index = draw(st.integers(0, len(body["items"]) - 1))
    path = draw(st.sampled_from(["amount", "source_id", "items[].quantity", "items[].price"]))
    value = draw(NOT_A_STR if path == "source_id" else NOT_AN_INT)
    if path.startswith("items"):
        field = path.rsplit(".", 1)[1]
        body["items"][index][field] = value
        path = f"items[{index}].{field}"
    else:
        body[path] = value
    return body, path, value


@settings(max_examples=200, deadline=None)
@given(case=one_wrong_field())
def test_inputs_and_responses_name_the_same_field(case: tuple[dict[str, Any], str, Any]) -> None:
    body, path, value = case
    with pytest.raises(ValidationError) as refused:
        to_model(body, OrdersCreateRequestBody, what="order")
    parsed = OrdersCreateRequestBody.from_dict(body)  # the generated parse checks no types
    with pytest.raises(APIResponseError) as unwrapped:
        check_model(parsed)
    mismatch = first_mismatch(parsed)
    assert mismatch is not None
    assert (refused.value.path, unwrapped.value.field, mismatch.path) == (path, path, path)
    assert mismatch.got == type(value).__name__
    assert str(mismatch) in str(refused.value)
    assert str(mismatch) in str(unwrapped.value)


@settings(max_examples=50, deadline=None)
@given(body=VALID)
def test_a_valid_body_has_no_mismatch(body: dict[str, Any]) -> None:
    model = to_model(body, OrdersCreateRequestBody, what="order")
    assert first_mismatch(model) is None
    check_model(model)


def test_a_mismatch_keeps_no_value_and_the_error_chains_nothing() -> None:
    secret = "sk_live_do-not-leak-0123456789"
    with pytest.raises(ValidationError) as refused:
        to_model({"source_id": "s", "amount": secret}, OrdersCreateRequestBody, what="order")
    error = refused.value
    # the wrong value is the caller's own data: it is not copied into the error, nor kept by
    # an exception chained to it (the checker's internal one held it as ``.value``)
    assert error.__context__ is None and error.__cause__ is None
    assert secret not in repr(vars(error)) and secret not in str(error)
    mismatch = first_mismatch(OrdersCreateRequestBody.from_dict({"amount": secret}))
    assert mismatch == Mismatch(path="amount", expected="int", got="str")
    assert all(isinstance(getattr(mismatch, f.name), str) for f in attrs.fields(Mismatch))


def test_model_fields_gives_attribute_json_key_and_annotation() -> None:
    fields = {name: (key, hint) for name, key, hint in model_fields(OrdersCreateRequestBody)}
    assert fields["source_id"][0] == "source_id"
    assert "additional_properties" in fields
    assert model_fields(OrdersCreateRequestBody) is model_fields(OrdersCreateRequestBody)  # cached
