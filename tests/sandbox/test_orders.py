"""Orders over real HTTP: upsert, computed fields, get/update by id or source_id, list bounds."""

from __future__ import annotations

import re

import httpx
import pytest

from voucherify_ext.sandbox import Sandbox

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_create_computes_fields_like_the_real_api(client: httpx.Client) -> None:
    body = {
        "source_id": "o-1",
        "status": "PAID",
        "customer": {"source_id": "cust-a", "name": "A"},
        "items": [
            {"source_id": "p1", "related_object": "product", "price": 250, "quantity": 4},
            {"amount": 900},
        ],
        "metadata": {"channel": "web"},
    }
    order = client.post("/v1/orders", json=body).json()
    assert re.fullmatch(r"ord_[0-9A-Za-z]{24}", order["id"])
    assert order["object"] == "order"
    assert [item["amount"] for item in order["items"]] == [1000, 900]
    assert all(item["object"] == "order_item" for item in order["items"])
    assert order["amount"] == 1900
    assert order["total_amount"] == 1900
    assert order["customer_id"].startswith("cust_")
    assert order["customer"] == {"id": order["customer_id"], "object": "customer"}
    assert ISO_MS.match(order["created_at"])
    assert order["updated_at"] is None
    assert order["metadata"] == {"channel": "web"}


def test_create_upserts_by_source_id_and_by_id(client: httpx.Client, sb: Sandbox) -> None:
    first = client.post("/v1/orders", json={"source_id": "dup", "amount": 100}).json()
    again = client.post("/v1/orders", json={"source_id": "dup", "amount": 300, "status": "PAID"}).json()
    assert again["id"] == first["id"]
    assert again["amount"] == 300 and again["status"] == "PAID"
    assert again["created_at"] == first["created_at"]
    assert again["updated_at"] is not None and ISO_MS.match(again["updated_at"])
    by_id = client.post("/v1/orders", json={"id": first["id"], "status": "FULFILLED"}).json()
    assert by_id["id"] == first["id"] and by_id["status"] == "FULFILLED" and by_id["amount"] == 300
    assert sb.count_orders("dup") == 1
    assert sb.count_orders() == 1


def test_same_customer_source_id_maps_to_one_customer(client: httpx.Client) -> None:
    a = client.post("/v1/orders", json={"customer": {"source_id": "bob"}}).json()
    b = client.post("/v1/orders", json={"customer": {"source_id": "bob"}}).json()
    c = client.post("/v1/orders", json={"customer": {"id": "cust_given"}}).json()
    assert a["customer_id"] == b["customer_id"]
    assert c["customer_id"] == "cust_given"


def test_get_and_update_by_id_or_source_id_with_partial_update(client: httpx.Client) -> None:
    created = client.post(
        "/v1/orders", json={"source_id": "s-9", "items": [{"price": 10, "quantity": 2}], "metadata": {"k": 1}}
    ).json()
    assert client.get(f"/v1/orders/{created['id']}").json() == created
    assert client.get("/v1/orders/s-9").json() == created
    updated = client.put("/v1/orders/s-9", json={"status": "CANCELED"}).json()
    assert updated["status"] == "CANCELED"
    assert updated["items"] == created["items"] and updated["metadata"] == {"k": 1}
    assert updated["amount"] == 20
    updated = client.put(f"/v1/orders/{created['id']}", json={"items": [{"price": 5, "quantity": 3}]}).json()
    assert updated["amount"] == 15 and updated["status"] == "CANCELED"
    assert client.get("/v1/orders/s-9").json()["amount"] == 15


@pytest.mark.parametrize(("method", "body"), [("GET", None), ("PUT", {"status": "PAID"})])
def test_missing_order_is_404_with_the_real_error_body(
    client: httpx.Client, method: str, body: dict[str, str] | None
) -> None:
    response = client.request(method, "/v1/orders/ord_missing", json=body)
    assert response.status_code == 404
    error = response.json()
    assert error["code"] == 404 and error["key"] == "not_found"
    assert error["message"] == "Resource not found"
    assert error["details"] == "Cannot find order with id ord_missing"
    assert error["resource_id"] == "ord_missing" and error["resource_type"] == "order"
    assert re.fullmatch(r"v-[0-9a-f]{18}", error["request_id"])


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"items": [{"quantity": "two"}]}, "Property .items[0].quantity must be an integer"),
        ({"status": "LOST"}, "Property .status must be one of [CREATED, PAID, CANCELED, FULFILLED]"),
        ({"customer": {"email": 5}}, "Property .customer.email must be a string"),
        ({"items": [{}] * 501}, "Property .items cannot contain more than 500 elements"),
        ([], "Property . must be an object"),
    ],
)
def test_invalid_create_is_400_invalid_payload_naming_the_property(
    client: httpx.Client, body: object, details: str
) -> None:
    response = client.post("/v1/orders", json=body)
    assert response.status_code == 400
    assert response.json()["key"] == "invalid_payload"
    assert response.json()["details"] == details


def test_list_envelope_defaults_and_total(client: httpx.Client, sb: Sandbox) -> None:
    sb.seed_orders(25)
    page = client.get("/v1/orders").json()
    assert page["object"] == "list" and page["data_ref"] == "orders"
    assert page["total"] == 25
    assert len(page["orders"]) == 10
    assert len(client.get("/v1/orders", params={"limit": 100}).json()["orders"]) == 25
    assert (
        client.get("/v1/orders", params={"limit": 10, "page": 3}).json()["orders"][-1]["source_id"]
        == "seed-25"
    )
    assert client.get("/v1/orders", params={"limit": 10, "page": 4}).json()["orders"] == []


def test_list_sort_orders(client: httpx.Client, sb: Sandbox) -> None:
    sb.seed_orders(5)
    client.put("/v1/orders/seed-2", json={"status": "CANCELED"})

    def ids(order: str) -> list[str]:
        return [o["source_id"] for o in client.get("/v1/orders", params={"order": order}).json()["orders"]]

    assert ids("created_at") == ["seed-1", "seed-2", "seed-3", "seed-4", "seed-5"]
    assert ids("-created_at") == ["seed-5", "seed-4", "seed-3", "seed-2", "seed-1"]
    assert ids("-updated_at")[0] == "seed-2"
    assert ids("updated_at")[-1] == "seed-2"


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 101}, {"page": 0}, {"page": 101}, {"limit": "ten"}, {"order": "amount"}],
)
def test_list_out_of_bounds_is_400_invalid_query_params(
    client: httpx.Client, params: dict[str, str | int]
) -> None:
    response = client.get("/v1/orders", params=params)
    assert response.status_code == 400
    assert response.json()["key"] == "invalid_query_params"


def test_list_at_page_100_is_allowed(client: httpx.Client, sb: Sandbox) -> None:
    sb.seed_orders(1000)
    page = client.get("/v1/orders", params={"limit": 10, "page": 100}).json()
    assert [o["source_id"] for o in page["orders"]][-1] == "seed-1000"


def test_explicit_created_at_keeps_lists_sorted(client: httpx.Client, sb: Sandbox) -> None:
    sb.seed_orders(3)
    client.post("/v1/orders", json={"source_id": "old", "created_at": "2001-02-03T04:05:06.007Z"})
    client.post("/v1/orders", json={"source_id": "future", "created_at": "2999-01-01T00:00:00.000Z"})
    newest = client.post("/v1/orders", json={"source_id": "now"}).json()
    assert newest["created_at"] < "2999"
    order = [
        o["source_id"] for o in client.get("/v1/orders", params={"order": "created_at"}).json()["orders"]
    ]
    assert order == ["old", "seed-1", "seed-2", "seed-3", "now", "future"]
    assert client.get("/v1/orders/old").json()["created_at"] == "2001-02-03T04:05:06.007Z"
