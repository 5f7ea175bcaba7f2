"""Exports: lifecycle, CSV contents against the stored orders, fields, order, filters, tokens."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

import httpx
import pytest

from voucherify_ext.sandbox import Sandbox


def run_export(
    client: httpx.Client, parameters: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[list[str]]]:
    body = {} if parameters is None else {"parameters": parameters}
    created = client.post("/v1/orders/export", json=body)
    assert created.status_code == 200, created.text
    export: dict[str, Any] = created.json()
    deadline = time.monotonic() + 5
    while export["status"] != "DONE" and time.monotonic() < deadline:
        time.sleep(0.02)
        export = client.get(f"/v1/exports/{export['id']}").json()
    assert export["status"] == "DONE"
    download = client.get(export["result"]["url"])
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/plain")
    return export, list(csv.reader(io.StringIO(download.text)))


def test_export_lifecycle_and_default_fields(client: httpx.Client, sb: Sandbox) -> None:
    sb.seed_orders(3)
    sb.state.export_delay = 0.3  # long enough to see every status even on a loaded machine
    try:
        created = client.post("/v1/orders/export", json={}).json()
    finally:
        sb.state.export_delay = 0.05
    assert created["status"] == "SCHEDULED" and created["result"] is None
    assert created["id"].startswith("exp_") and created["exported_object"] == "order"
    assert created["object"] == "export" and created["channel"] == "API"
    statuses = {created["status"]}
    deadline = time.monotonic() + 5
    export = created
    while export["status"] != "DONE" and time.monotonic() < deadline:
        export = client.get(f"/v1/exports/{created['id']}").json()
        statuses.add(export["status"])
        time.sleep(0.01)
    assert statuses == {"SCHEDULED", "IN_PROGRESS", "DONE"}
    url = export["result"]["url"]
    assert url.startswith(f"{sb.url}/v1/exports/{created['id']}?token=")
    rows = list(csv.reader(io.StringIO(client.get(url).text)))
    stored = sb.orders()
    assert rows == [["id", "source_id", "status"]] + [[o["id"], o["source_id"], o["status"]] for o in stored]


def test_export_fields_metadata_and_order(client: httpx.Client, sb: Sandbox) -> None:
    for i, (status, amount) in enumerate([("PAID", 500), ("CREATED", 100), ("PAID", 300)]):
        client.post(
            "/v1/orders",
            json={"source_id": f"e{i}", "status": status, "amount": amount, "metadata": {"pay": f"m{i}"}},
        )
    _, rows = run_export(
        client,
        {
            "fields": ["source_id", "amount", "total_amount", "metadata.pay", "created_at"],
            "order": "-created_at",
        },
    )
    assert rows[0] == ["source_id", "amount", "total_amount", "metadata.pay", "created_at"]
    assert [r[:4] for r in rows[1:]] == [
        ["e2", "300", "300", "m2"],
        ["e1", "100", "100", "m1"],
        ["e0", "500", "500", "m0"],
    ]
    created = {o["source_id"]: o["created_at"] for o in sb.orders()}
    assert [r[4] for r in rows[1:]] == [created["e2"], created["e1"], created["e0"]]
    _, by_status = run_export(client, {"fields": ["source_id", "status"], "order": "status"})
    assert [r[1] for r in by_status[1:]] == ["CREATED", "PAID", "PAID"]


def test_export_filters(client: httpx.Client, sb: Sandbox) -> None:
    for i in range(6):
        client.post(
            "/v1/orders",
            json={"source_id": f"f{i}", "status": "PAID" if i % 2 else "CREATED", "amount": i * 100},
        )
    stored = sb.orders()
    cut = stored[3]["created_at"]

    def ids(filters: dict[str, Any]) -> list[str]:
        _, rows = run_export(client, {"fields": ["source_id"], "filters": filters})
        return [r[0] for r in rows[1:]]

    assert ids({"status": {"conditions": {"$in": ["PAID"]}}}) == ["f1", "f3", "f5"]
    assert ids({"amount": {"conditions": {"$more_than": 200}}}) == ["f3", "f4", "f5"]
    assert ids({"amount": {"conditions": {"$less_than_equal": 100}}}) == ["f0", "f1"]
    assert ids({"created_at": {"conditions": {"$after": [cut]}}}) == ["f4", "f5"]
    assert ids({"created_at": {"conditions": {"$before": cut}}}) == ["f0", "f1", "f2"]
    both = {"status": {"conditions": {"$is": "PAID"}}, "amount": {"conditions": {"$more_than": 200}}}
    assert ids({"junction": "and", **both}) == ["f3", "f5"]
    assert ids({"junction": "or", **both}) == ["f1", "f3", "f4", "f5"]


def test_export_metadata_filter(client: httpx.Client) -> None:
    client.post("/v1/orders", json={"source_id": "m1", "metadata": {"region": "eu"}})
    client.post("/v1/orders", json={"source_id": "m2", "metadata": {"region": "us"}})
    _, rows = run_export(
        client, {"fields": ["source_id"], "filters": {"metadata.region": {"conditions": {"$is": "us"}}}}
    )
    assert rows == [["source_id"], ["m2"]]


@pytest.mark.parametrize("fields", [["id", "colour"], ["metadata."]])
def test_unknown_export_field_is_400_invalid_export_fields(client: httpx.Client, fields: list[str]) -> None:
    response = client.post("/v1/orders/export", json={"parameters": {"fields": fields}})
    assert response.status_code == 400
    assert response.json()["key"] == "invalid_export_fields"
    assert response.json()["message"] == "Invalid Export"


def test_download_needs_the_right_token(client: httpx.Client, sb: Sandbox) -> None:
    export, _ = run_export(client)
    url = export["result"]["url"]
    assert httpx.get(url).status_code == 200  # the token is the credential on the download host
    for bad in (url.rsplit("=", 1)[0] + "=wrong", url.split("?")[0] + "?token="):
        response = client.get(bad)
        assert response.status_code == 401
        assert response.json() == {"code": 401, "message": "Unauthorized", "key": "unauthorized"}


def test_get_and_delete_export(client: httpx.Client) -> None:
    export, _ = run_export(client)
    assert client.get(f"/v1/exports/{export['id']}").json()["id"] == export["id"]
    assert client.delete(f"/v1/exports/{export['id']}").status_code == 204
    for response in (client.get(f"/v1/exports/{export['id']}"), client.delete(f"/v1/exports/{export['id']}")):
        assert response.status_code == 404
        assert response.json()["resource_type"] == "export"
    assert client.get(export["result"]["url"]).status_code == 401


def test_export_csv_snapshot_matches_stored_orders_at_scale(client: httpx.Client, sb: Sandbox) -> None:
    sb.seed_orders(5000, metadata={"batch": "b1"})
    _, rows = run_export(client, {"fields": ["id", "source_id", "amount", "metadata.batch"]})
    assert len(rows) == 5001
    assert rows[1:] == [[o["id"], o["source_id"], str(o["amount"]), "b1"] for o in sb.orders()]
