"""Rate limiting per app id with Voucherify's X-Rate-Limit-* headers."""

from __future__ import annotations

import math
import time

import httpx

from voucherify_ext.sandbox import ManualClock, Sandbox


def test_every_response_carries_rate_limit_headers(client: httpx.Client) -> None:
    for response in (
        client.get("/v1/orders"),
        client.get("/v1/orders/missing"),
        client.get("/v1/orders?limit=0"),
    ):
        assert int(response.headers["X-Rate-Limit-Limit"]) > 0
        assert int(response.headers["X-Rate-Limit-Remaining"]) >= 0


def test_budget_then_429_with_retry_headers(client: httpx.Client, sb: Sandbox) -> None:
    sb.set_rate_limit("3/min")
    remaining = [client.get("/v1/orders").headers["X-Rate-Limit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    response = client.get("/v1/orders")
    assert response.status_code == 429
    assert response.json() == {
        "code": 429,
        "message": "Too many requests",
        "details": "API calls limit reached",
    }
    assert response.headers["X-Rate-Limit-Limit"] == "3"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    retry_at = int(response.headers["X-Rate-Limit-Retry"])
    assert time.time() < retry_at <= math.ceil(time.time()) + 60
    assert sb.count_orders() == 0


def test_limits_are_per_app_id(client: httpx.Client, sb: Sandbox) -> None:
    sb.set_rate_limit("2/min")
    client.get("/v1/orders")
    client.get("/v1/orders")
    assert client.get("/v1/orders").status_code == 429
    other = httpx.get(sb.url + "/v1/orders", headers={"X-App-Id": "another-app", "X-App-Token": "x"})
    assert other.status_code == 401
    assert other.headers["X-Rate-Limit-Remaining"] == "1"


def test_window_reopens(client: httpx.Client, sb: Sandbox, clock: ManualClock) -> None:
    sb.set_rate_limit("2/s")
    assert [client.get("/v1/orders").status_code for _ in range(3)] == [200, 200, 429]
    clock.advance(0.5)
    refused = client.get("/v1/orders")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    clock.advance(0.5)  # the window opened by the first request is over
    assert client.get("/v1/orders").status_code == 200


def test_bearer_tokens_share_their_apps_budget(client: httpx.Client, sb: Sandbox) -> None:
    token = client.post("/v1/oauth/token", data={"grant_type": "client_credentials"}).json()["access_token"]
    sb.set_rate_limit("2/min")
    assert client.get("/v1/orders").status_code == 200
    bearer = {"Authorization": f"Bearer {token}"}
    assert httpx.get(sb.url + "/v1/orders", headers=bearer).status_code == 200
    assert httpx.get(sb.url + "/v1/orders", headers=bearer).status_code == 429
