"""Walks every operation of the spec, success and error paths, validating each response."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from voucherify_ext.sandbox import ManualClock, Sandbox

from .conftest import SpecValidator

EXPECTED = {
    ("listOrders", "200"),
    ("listOrders", "400"),
    ("listOrders", "401"),
    ("listOrders", "429"),
    ("listOrders", "5XX"),
    ("createOrder", "200"),
    ("createOrder", "400"),
    ("createOrder", "401"),
    ("createOrder", "5XX"),
    ("getOrder", "200"),
    ("getOrder", "404"),
    ("getOrder", "401"),
    ("updateOrder", "200"),
    ("updateOrder", "400"),
    ("updateOrder", "404"),
    ("importOrders", "200"),
    ("importOrders", "400"),
    ("importOrders", "429"),
    ("createOrderExport", "200"),
    ("createOrderExport", "400"),
    ("listAsyncActions", "200"),
    ("listAsyncActions", "400"),
    ("getAsyncAction", "200"),
    ("getAsyncAction", "404"),
    ("getExport", "200"),
    ("getExport", "404"),
    ("getExport", "5XX"),
    ("deleteExport", "204"),
    ("deleteExport", "404"),
    ("createOAuthToken", "200"),
    ("createOAuthToken", "400"),
    ("createOAuthToken", "401"),
    ("downloadExport", "200"),
    ("downloadExport", "401"),
}


def test_every_operation_and_status_validates_against_the_spec(
    sb: Sandbox, spec: dict[str, Any], clock: ManualClock
) -> None:
    validator = SpecValidator(spec)

    def check(response: httpx.Response) -> None:
        response.read()
        validator.validate(response)

    with httpx.Client(base_url=sb.url, headers=sb.headers, event_hooks={"response": [check]}) as c:
        anon = {"X-App-Id": "", "X-App-Token": ""}
        order = c.post(
            "/v1/orders",
            json={
                "source_id": "w1",
                "customer": {"source_id": "c"},
                "referrer": {"source_id": "r"},
                "items": [
                    {"product_id": "prod_1", "price": 3, "quantity": 2, "product": {"name": "p", "price": 3}},
                    {"sku_id": "sku_1", "sku": {"sku": "s", "price": 1}, "amount": 9},
                ],
            },
        ).json()
        c.post("/v1/orders", json={"items": [{"quantity": "x"}]})
        c.post("/v1/orders", json={}, headers=anon)
        c.get("/v1/orders", params={"limit": 100, "order": "-updated_at"})
        c.get("/v1/orders", params={"page": 0})
        c.get("/v1/orders", headers=anon)
        c.get(f"/v1/orders/{order['id']}")
        c.get("/v1/orders/w1", headers=anon)
        c.get("/v1/orders/nope")
        c.put("/v1/orders/w1", json={"status": "PAID", "metadata": {"a": [1, 2]}})
        c.put("/v1/orders/w1", json={"status": 1})
        c.put("/v1/orders/nope", json={})
        action = c.post(
            "/v1/orders/import", json=[{"source_id": "i1", "items": [{"quantity": -1}]}, {"source_id": "i2"}]
        ).json()
        c.post("/v1/orders/import", json=[])
        c.get("/v1/async-actions", params={"limit": 5})
        c.get("/v1/async-actions", params={"end_date": "never"})
        clock.advance(0.05)  # the import of two orders is done
        c.get(f"/v1/async-actions/{action['async_action_id']}")
        c.get("/v1/async-actions/aa_nope")
        export = c.post(
            "/v1/orders/export",
            json={
                "parameters": {
                    "fields": ["id", "metadata", "metadata.a"],
                    "order": "status",
                    "filters": {"junction": "or", "status": {"conditions": {"$in": ["PAID"]}}},
                }
            },
        ).json()
        c.post("/v1/orders/export", json={"parameters": {"fields": ["nope"]}})
        c.post("/v1/orders/export", json={"parameters": {"order": "nope"}})
        clock.advance(0.15)  # the export is done (after twice its 0.05 s delay)
        done = c.get(f"/v1/exports/{export['id']}").json()
        c.get(done["result"]["url"])
        c.get(f"/v1/exports/{export['id']}", params={"token": "bad"})
        c.get("/v1/exports/exp_nope")
        c.delete(f"/v1/exports/{export['id']}")
        c.delete(f"/v1/exports/{export['id']}")
        c.post("/v1/oauth/token", data={"grant_type": "client_credentials", "scope": "api"})
        c.post("/v1/oauth/token", data={"grant_type": "nope"})
        c.post("/v1/oauth/token", data={"grant_type": "client_credentials"}, headers=anon)
        for path, method, status in (
            ("/v1/orders", "GET", 500),
            ("/v1/orders", "POST", 503),
            ("/v1/exports/exp_x", "GET", 502),
        ):
            sb.inject("status", method=method, path=path, status=status)
            c.request(method, path, json={} if method == "POST" else None)
        sb.inject("status", method="POST", path="/v1/orders/import", status=429)
        c.post("/v1/orders/import", json=[{"source_id": "x"}])
        sb.set_rate_limit("1/min")
        c.get("/v1/orders")
        c.get("/v1/orders")
    seen = {(op, status) for op, status, _ in validator.checked}
    assert seen >= EXPECTED, sorted(EXPECTED - seen)


def test_validator_rejects_a_response_the_spec_does_not_allow(spec_validator: SpecValidator) -> None:
    request = httpx.Request("GET", "http://sandbox/v1/orders")
    bad_body = httpx.Response(
        200,
        json={"object": "list", "orders": [{"id": 5}]},
        request=request,
        headers={"X-Rate-Limit-Limit": "1", "X-Rate-Limit-Remaining": "0"},
    )
    with pytest.raises(AssertionError, match="data_ref"):
        spec_validator.validate(bad_body)
    undeclared = httpx.Response(418, json={"code": 418, "message": "teapot"}, request=request)
    with pytest.raises(AssertionError, match="not declared"):
        spec_validator.validate(undeclared)
    no_headers = httpx.Response(
        200, json={"object": "list", "data_ref": "orders", "orders": [], "total": 0}, request=request
    )
    with pytest.raises(AssertionError, match="X-Rate-Limit"):
        spec_validator.validate(no_headers)
