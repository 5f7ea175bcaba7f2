"""Imports as queued ORDERS.IMPORT async actions, and the async-actions endpoints."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from voucherify_ext.sandbox import Sandbox


def wait_done(client: httpx.Client, action_id: str, timeout: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        action: dict[str, Any] = client.get(f"/v1/async-actions/{action_id}").json()
        if action["status"] == "DONE" or time.monotonic() > deadline:
            return action
        time.sleep(0.02)


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"source_id": "x"}, "Property . must be an array"),
        ([], "Property . must contain at least 1 element"),
        ([{"source_id": f"o{i}"} for i in range(2001)], "Property . cannot contain more than 2000 elements"),
        ([{"source_id": "a"}, {"amount": "1"}], "Property [1].amount must be an integer"),
    ],
)
def test_invalid_import_body_is_400_invalid_payload(client: httpx.Client, body: object, details: str) -> None:
    response = client.post("/v1/orders/import", json=body)
    assert response.status_code == 400
    assert response.json()["key"] == "invalid_payload"
    assert response.json()["details"] == details


def test_import_reports_invalid_orders_and_imports_the_rest(client: httpx.Client, sb: Sandbox) -> None:
    orders: list[dict[str, Any]] = [{"source_id": f"imp-{i}", "amount": 100 + i} for i in range(5)]
    orders.append({"source_id": "too-many-items", "items": [{"amount": 1}] * 501})
    orders.append({"source_id": "negative", "items": [{"price": 100, "quantity": -1}]})
    response = client.post("/v1/orders/import", json=orders)
    assert response.status_code == 200
    action_id = response.json()["async_action_id"]
    assert action_id.startswith("aa_")
    action = wait_done(client, action_id)
    assert action["status"] == "DONE" and action["progress"] == 100
    assert action["type"] == "ORDERS.IMPORT" and action["operation_status"] == "SUCCESS"
    result = action["result"]
    assert result["done_count"] == 5 and result["failed_count"] == 2
    assert result["message"] == "5 order(s) imported successfully, 2 failed."
    assert [f["source_id"] for f in result["failed"]] == ["too-many-items", "negative"]
    assert "500" in result["failed"][0]["reason"] and "quantity" in result["failed"][1]["reason"]
    assert sb.count_orders() == 5
    assert client.get("/v1/orders/imp-3").json()["amount"] == 103


def test_import_upserts_by_source_id(client: httpx.Client, sb: Sandbox) -> None:
    client.post("/v1/orders", json={"source_id": "same", "amount": 1})
    action = wait_done(
        client,
        client.post("/v1/orders/import", json=[{"source_id": "same", "amount": 2}]).json()["async_action_id"],
    )
    assert action["result"]["done_count"] == 1
    assert sb.count_orders("same") == 1
    assert client.get("/v1/orders/same").json()["amount"] == 2


def test_queued_imports_run_one_at_a_time_in_order(client: httpx.Client, sb: Sandbox) -> None:
    sb.set_import_speed(50)  # 20 orders take 0.4 s: wide margins on a loaded machine
    ids = [
        client.post("/v1/orders/import", json=[{"source_id": f"q{n}-{i}"} for i in range(20)]).json()[
            "async_action_id"
        ]
        for n in range(3)
    ]
    statuses = [client.get(f"/v1/async-actions/{i}").json()["status"] for i in ids]
    assert statuses[0] in ("ENQUEUED", "IN_PROGRESS")
    assert statuses[2] == "ENQUEUED"
    seen_progress: set[int] = set()
    finished: list[str] = []
    deadline = time.monotonic() + 10
    while len(finished) < 3 and time.monotonic() < deadline:
        for action_id in ids:
            action = client.get(f"/v1/async-actions/{action_id}").json()
            seen_progress.add(action["progress"])
            snapshot = client.get("/v1/async-actions", params={"limit": 3}).json()["async_actions"]
            assert sum(a["status"] == "IN_PROGRESS" for a in snapshot) <= 1
            if action["status"] == "DONE" and action_id not in finished:
                finished.append(action_id)
        time.sleep(0.01)
    assert finished == ids
    assert any(0 < p < 100 for p in seen_progress)
    done = [client.get(f"/v1/async-actions/{i}").json() for i in ids]
    assert done[0]["updated_at"] <= done[1]["updated_at"] <= done[2]["updated_at"]
    assert sb.count_orders() == 60


def test_get_missing_async_action_is_404(client: httpx.Client) -> None:
    response = client.get("/v1/async-actions/aa_missing")
    assert response.status_code == 404
    assert response.json()["resource_type"] == "async_action"
    assert response.json()["key"] == "not_found"


def test_list_async_actions_newest_first_with_limit_end_date_and_no_result(client: httpx.Client) -> None:
    ids = [
        client.post("/v1/orders/import", json=[{"source_id": f"l{i}"}]).json()["async_action_id"]
        for i in range(5)
    ]
    listing = client.get("/v1/async-actions", params={"limit": 3}).json()
    assert listing["object"] == "list" and listing["data_ref"] == "async_actions"
    assert [a["id"] for a in listing["async_actions"]] == ids[::-1][:3]
    assert listing["has_more"] is True
    assert all("result" not in a for a in listing["async_actions"])
    rest = client.get(
        "/v1/async-actions", params={"limit": 3, "end_date": listing["async_actions"][-1]["created_at"]}
    ).json()
    assert [a["id"] for a in rest["async_actions"]] == ids[1::-1]
    assert rest["has_more"] is False
    assert client.get("/v1/async-actions", params={"end_date": "2000-01-01"}).json()["async_actions"] == []
    bad = client.get("/v1/async-actions", params={"end_date": "yesterday"})
    assert bad.status_code == 400 and bad.json()["key"] == "invalid_query_params"
    assert client.get("/v1/async-actions", params={"limit": 101}).status_code == 400
