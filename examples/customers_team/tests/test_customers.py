"""The customers team's tests, on voucherify_ext's sandbox extended with their resource.

They run in a clean virtual environment where voucherify-orders is installed from its built wheel
and customers_client was generated from openapi/customers.yaml by that wheel's codegen command.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from customers_client.models import Customer, CustomersList, CustomerUpsert
from customers_client.types import Response
from customers_team import Customers
from hypothesis import given
from hypothesis import strategies as st

from voucherify_ext.sandbox import Sandbox
from voucherify_ext.toolkit import APIConnectionError, AuthenticationError, Voucherify


def _customers_posted(sandbox: Sandbox) -> int:
    return sandbox.request_count("POST", "/v1/customers")


def test_the_toolkit_is_the_installed_wheel_and_the_client_was_generated_with_its_templates() -> None:
    import voucherify_ext

    assert Path(voucherify_ext.__file__).is_relative_to(Path(sys.prefix))  # not a checkout
    assert "extensions" in Response.__annotations__  # our template: the transport's record rides along


@given(value=st.text(min_size=1).filter(lambda v: v not in ("customer",)))
def test_an_unknown_enum_value_parses_and_round_trips(value: str) -> None:
    customer = Customer.from_dict({"id": "cust_1", "object": value})
    assert customer.object_ == value and customer.to_dict() == {"id": "cust_1", "object": value}
    page = CustomersList.from_dict({"object": value, "data_ref": value, "customers": [], "total": 0})
    assert page.to_dict()["data_ref"] == value


def test_every_customer_is_listed_once_newest_first_with_prefetch(
    voucherify_client: Voucherify, voucherify_sandbox: Sandbox
) -> None:
    customers = Customers(voucherify_client)
    made = [customers.upsert(CustomerUpsert(source_id=f"c-{n}", name=f"Customer {n}")) for n in range(7)]
    with customers.iter(page_size=2, prefetch=3) as listed:
        ids = [customer.id for customer in listed]
    assert sorted(ids) == sorted(c.id for c in made) and len(ids) == len(set(ids))
    assert ids == [c.id for c in sorted(made, key=lambda c: (str(c.created_at), c.id), reverse=True)] or (
        len({c.created_at for c in made}) < len(made)  # same millisecond: any order among equals
    )
    assert voucherify_sandbox.request_count("GET", "/v1/customers") == 4  # 2+2+2+1


def test_a_bulk_update_is_waited_to_its_end(voucherify_client: Voucherify) -> None:
    customers = Customers(voucherify_client)
    seen: list[int] = []
    action = customers.update_in_bulk(
        [CustomerUpsert(source_id=f"bulk-{n}", email=f"{n}@example.com") for n in range(5)],
        on_progress=seen.append,
    )
    assert action.status == "DONE" and action.type_ == "CUSTOMERS.BULK_UPDATE"
    assert seen and seen[-1] == 100
    assert customers.get("bulk-3").email == "3@example.com"


def test_a_declared_upsert_is_sent_again_after_a_dropped_response(
    voucherify_client: Voucherify, voucherify_sandbox: Sandbox
) -> None:
    voucherify_sandbox.inject("drop_after", method="POST", path="/v1/customers")
    saved = Customers(voucherify_client).upsert(CustomerUpsert(source_id="c-drop", name="Ada"))
    assert saved.source_id == "c-drop"
    assert _customers_posted(voucherify_sandbox) == 2
    assert [c["source_id"] for c in voucherify_sandbox.resource_items("customers")] == [
        "c-drop"
    ]  # one, not two


def test_an_undeclared_post_is_sent_once_and_its_outcome_is_unknown(
    voucherify_client: Voucherify, voucherify_sandbox: Sandbox
) -> None:
    voucherify_sandbox.inject("drop_after", method="POST", path="/v1/customers/bulk/async")
    with pytest.raises(APIConnectionError) as bulk:
        Customers(voucherify_client).update_in_bulk([CustomerUpsert(source_id="b-1")])
    assert bulk.value.outcome_unknown
    assert voucherify_sandbox.request_count("POST", "/v1/customers/bulk/async") == 1

    voucherify_sandbox.inject("drop_after", method="POST", path="/v1/customers")
    with pytest.raises(APIConnectionError) as upsert:
        Customers(voucherify_client, upserts=()).upsert(CustomerUpsert(source_id="c-undeclared"))
    assert upsert.value.outcome_unknown
    assert _customers_posted(voucherify_sandbox) == 1


def test_wrong_credentials_are_refused(voucherify_sandbox: Sandbox) -> None:
    with (
        Voucherify(app_id="someone", app_token="wrong", base_url=voucherify_sandbox.url, max_retries=0) as vf,
        pytest.raises(AuthenticationError),
    ):
        Customers(vf).get("c-1")
