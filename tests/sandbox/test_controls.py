"""Control-plane additions: reset restores speeds, faults that match the query string,
``short_page``, ``X-Rate-Limit-Retry`` on the last allowed call, counting delayed requests on
arrival, and expiring OAuth tokens."""

from __future__ import annotations

import math
import threading
import time

import httpx
import pytest

from voucherify_ext.sandbox import DEFAULT_IMPORT_SPEED, Sandbox


def test_reset_restores_the_configured_import_speed_and_export_delay(sb: Sandbox) -> None:
    configured = sb.state.config.export_delay
    sb.set_import_speed(1)
    sb.state.export_delay = 5.0
    sb.reset()
    assert sb.state.import_speed == DEFAULT_IMPORT_SPEED
    assert sb.state.export_delay == configured


@pytest.mark.parametrize(
    ("path", "query"),
    [("/v1/orders?page=3", None), ("/v1/orders", {"page": 3}), ("/v1/*", "page=3"), (None, {"page": "3"})],
)
def test_a_fault_can_target_query_parameters(
    raw: httpx.Client, sb: Sandbox, path: str | None, query: object
) -> None:
    sb.inject("status", method="GET", path=path, query=query, status=503)  # type: ignore[arg-type]
    assert raw.get("/v1/orders", params={"page": 1}).status_code == 200
    assert raw.get("/v1/orders", params={"limit": 3, "page": 2}).status_code == 200
    assert (
        raw.get("/v1/orders", params={"limit": 3, "page": 3}).status_code == 503
    )  # other params may come too
    assert raw.get("/v1/orders", params={"page": 3}).status_code == 200  # consumed
    assert sb.state.faults.pending() == 0


def test_short_page_keeps_total(client: httpx.Client, sb: Sandbox) -> None:
    sb.seed_orders(30)
    sb.inject("short_page", path="/v1/orders?page=2")
    sb.inject("short_page", path="/v1/orders?page=3", items=0)
    pages = [client.get("/v1/orders", params={"limit": 10, "page": n}).json() for n in (1, 2, 3)]
    assert [len(p["orders"]) for p in pages] == [10, 5, 0]  # half by default; or as many as asked
    assert [p["total"] for p in pages] == [30, 30, 30]  # ... while total says there is more
    assert pages[1]["orders"][0]["source_id"] == "seed-11"
    with pytest.raises(ValueError, match="short_page"):
        sb.inject("status", items=1)


def test_the_last_allowed_call_says_when_calls_are_allowed_again(client: httpx.Client, sb: Sandbox) -> None:
    sb.set_rate_limit("2/min")
    first, last = client.get("/v1/orders"), client.get("/v1/orders")
    assert first.headers["X-Rate-Limit-Remaining"] == "1" and "X-Rate-Limit-Retry" not in first.headers
    assert last.status_code == 200 and last.headers["X-Rate-Limit-Remaining"] == "0"
    retry_at = int(last.headers["X-Rate-Limit-Retry"])
    assert time.time() < retry_at <= math.ceil(time.time()) + 60
    assert "Retry-After" not in last.headers  # only a refusal says how long to wait
    refused = client.get("/v1/orders")
    assert refused.status_code == 429 and refused.headers["X-Rate-Limit-Retry"] == str(retry_at)


def test_a_delayed_request_is_counted_when_it_arrives(raw: httpx.Client, sb: Sandbox) -> None:
    sb.inject("latency", path="/v1/orders", delay_ms=600)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (raw.get("/v1/orders"), done.set()))
    worker.start()
    deadline = time.monotonic() + 0.4
    while sb.request_count("GET", "/v1/orders") == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert sb.request_count("GET", "/v1/orders") == 1 and not done.is_set()  # counted, still delayed
    worker.join(5)
    assert done.is_set() and sb.request_count("GET", "/v1/orders") == 1


def test_drop_before_is_still_not_counted(raw: httpx.Client, sb: Sandbox) -> None:
    sb.inject("drop_before", path="/v1/orders")
    with pytest.raises(httpx.TransportError):
        raw.get("/v1/orders")
    assert sb.request_count("GET", "/v1/orders") == 0


def test_expire_tokens_revokes_every_bearer_token(client: httpx.Client, sb: Sandbox) -> None:
    form = {"grant_type": "client_credentials", "scope": "api"}
    tokens = [client.post("/v1/oauth/token", data=form).json()["access_token"] for _ in range(2)]
    bearer = [{"Authorization": f"Bearer {t}"} for t in tokens]
    assert all(httpx.get(sb.url + "/v1/orders", headers=h).status_code == 200 for h in bearer)
    assert sb.expire_tokens() == 2
    assert all(httpx.get(sb.url + "/v1/orders", headers=h).status_code == 401 for h in bearer)
    fresh = {"Authorization": f"Bearer {client.post('/v1/oauth/token', data=form).json()['access_token']}"}
    assert httpx.get(sb.url + "/v1/orders", headers=fresh).status_code == 200
    assert httpx.post(sb.url + "/_sandbox/expire-tokens").json() == {"expired": 1}  # over HTTP too
    assert httpx.get(sb.url + "/v1/orders", headers=fresh).status_code == 401
    assert client.get("/v1/orders").status_code == 200  # app keys are not tokens


def test_reading_exports_actions_and_issued_secrets_and_rotating_a_download_token(
    client: httpx.Client, sb: Sandbox
) -> None:
    form = {"grant_type": "client_credentials", "scope": "api"}
    bearer = client.post("/v1/oauth/token", data=form).json()["access_token"]
    assert sb.oauth_tokens() == [bearer]
    client.post("/v1/orders/import", json=[{"source_id": "imp-1", "amount": 1}]).raise_for_status()
    assert sb.async_action_count() == 1
    sb.state.export_delay = 0.0
    export = client.post("/v1/orders/export", json={"parameters": {"fields": ["id"]}}).json()
    assert sb.export_ids() == [export["id"]]
    url = client.get(f"/v1/exports/{export['id']}").json()["result"]["url"]
    assert sb.export_tokens() == [httpx.URL(url).params["token"]]
    assert httpx.get(url).status_code == 200
    sb.rotate_export_token(export["id"])
    assert httpx.get(url).status_code == 401
    assert sb.export_tokens() != [httpx.URL(url).params["token"]]
