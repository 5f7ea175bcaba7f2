"""The paginator reads a list's envelope from any generated package's annotations: of the models
in ``Response[A | B | ...]``, the one with the ``data_ref`` field, whatever the error model is
called; ``item=`` is checked against the envelope's list field.

Packages are drawn: attrs models (as the generator writes them) with drawn names and fields, a
list function annotated with a drawn union of them.
"""

from __future__ import annotations

from typing import Any, Union

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from voucherify_client.types import Response

from voucherify_ext.errors import ConfigurationError
from voucherify_ext.pagination.paginator_base import _check_item, _envelope_type

FIELDS = ["object", "data_ref", "total", "code", "message", "customers", "products", "has_more"]
NAMES = ["Problem", "Error", "CustomersList", "ProductsPage", "ErrorBody", "Envelope"]


def _model(name: str, fields: list[str]) -> type[Any]:
    return attrs.make_class(name, {f: attrs.field(default=None) for f in fields})


def _list_fn(members: list[type[Any]]) -> Any:
    def sync_detailed(*, client: Any) -> Any: ...

    union = members[0] if len(members) == 1 else Union[tuple(members)]  # noqa: UP007 - built at run time
    sync_detailed.__annotations__ = {"client": Any, "return": Response[union]}
    return sync_detailed


@st.composite
def packages(draw: st.DrawFn) -> tuple[list[type[Any]], str]:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    members = [_model(n, draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True))) for n in names]
    return members, draw(st.sampled_from(["customers", "products", "data"]))


@settings(max_examples=300, deadline=None)
@given(drawn=packages())
def test_the_envelope_is_the_one_model_with_the_list_field(drawn: tuple[list[type[Any]], str]) -> None:
    members, data_ref = drawn
    having = [m for m in members if data_ref in {a.name for a in attrs.fields(m)}]
    fn = _list_fn(members)
    if len(having) == 1:
        assert _envelope_type(fn, data_ref) is having[0]
    else:
        with pytest.raises(
            ConfigurationError, match=rf"{len(having)} of its models .* have a '{data_ref}' field"
        ):
            _envelope_type(fn, data_ref)


def test_an_error_model_not_called_error_is_left_out() -> None:
    problem = _model("Problem", ["code", "message", "key"])
    listing = _model("CustomersList", ["object", "data_ref", "customers", "total"])
    assert _envelope_type(_list_fn([problem, listing]), "customers") is listing


@attrs.define
class Customer:
    id: str | None = None


@attrs.define
class Product:
    id: str | None = None


@attrs.define
class CustomersPage:
    customers: list[Customer] = attrs.field(factory=list)


def test_item_must_be_what_the_list_field_holds() -> None:
    _check_item(CustomersPage, "customers", Customer)
    _check_item(CustomersPage, "customers", None)
    with pytest.raises(ConfigurationError, match=r"item=Product but CustomersPage\.customers holds Customer"):
        _check_item(CustomersPage, "customers", Product)
