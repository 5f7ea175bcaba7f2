"""Fault injection over real sockets: every kind, scripted and seeded, and the control plane."""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import pytest

from voucherify_ext.sandbox import Sandbox, serve


@pytest.mark.parametrize("status", [500, 502, 503])
def test_status_fault_fails_before_handling(raw: httpx.Client, sb: Sandbox, status: int) -> None:
    sb.inject("status", method="POST", path="/v1/orders", times=2, status=status)
    for _ in range(2):
        response = raw.post("/v1/orders", json={"source_id": "s"})
        assert response.status_code == status
        assert response.json()["code"] == status
        assert "X-Rate-Limit-Remaining" in response.headers
    assert sb.count_orders() == 0
    assert raw.post("/v1/orders", json={"source_id": "s"}).status_code == 200
    assert sb.count_orders("s") == 1


def test_429_fault_carries_rate_limit_headers(raw: httpx.Client, sb: Sandbox) -> None:
    sb.inject("status", status=429, path="/v1/orders")
    response = raw.get("/v1/orders")
    assert response.status_code == 429
    assert response.json() == {
        "code": 429,
        "message": "Too many requests",
        "details": "API calls limit reached",
    }
    assert response.headers["Retry-After"] == "1"
    assert int(response.headers["X-Rate-Limit-Retry"]) >= int(time.time())
    assert response.headers["X-Rate-Limit-Remaining"] == "0"
    assert raw.get("/v1/orders").status_code == 200


def test_drop_before_closes_the_connection_and_changes_nothing(raw: httpx.Client, sb: Sandbox) -> None:
    sb.inject("drop_before", method="POST", path="/v1/orders")
    with pytest.raises(httpx.RemoteProtocolError):
        raw.post("/v1/orders", json={"source_id": "never"})
    assert sb.count_orders() == 0
    assert sb.request_count("POST", "/v1/orders") == 0
    assert raw.post("/v1/orders", json={"source_id": "never"}).status_code == 200


def test_drop_after_loses_the_response_of_a_committed_write(raw: httpx.Client, sb: Sandbox) -> None:
    sb.inject("drop_after", method="POST", path="/v1/orders")
    with pytest.raises(httpx.RemoteProtocolError):
        raw.post("/v1/orders", json={"source_id": "lost-response"})
    assert sb.count_orders("lost-response") == 1
    assert sb.request_count("POST", "/v1/orders") == 1
    retry = raw.post("/v1/orders", json={"source_id": "lost-response"})
    assert retry.status_code == 200
    assert sb.count_orders("lost-response") == 1  # the upsert made the retry safe


def test_drop_after_on_import_commits_the_async_action(raw: httpx.Client, sb: Sandbox) -> None:
    sb.inject("drop_after", path="/v1/orders/import")
    with pytest.raises(httpx.RemoteProtocolError):
        raw.post("/v1/orders/import", json=[{"source_id": "i1"}])
    actions = raw.get("/v1/async-actions").json()["async_actions"]
    assert len(actions) == 1 and actions[0]["type"] == "ORDERS.IMPORT"


def test_latency_fault_and_global_latency(raw: httpx.Client, sb: Sandbox) -> None:
    sb.inject("latency", path="/v1/orders", delay_ms=300)
    start = time.perf_counter()
    assert raw.get("/v1/orders").status_code == 200
    assert time.perf_counter() - start >= 0.3
    assert sb.state.faults.pending() == 0  # consumed: the next request is not delayed
    sb.set_latency(150)
    start = time.perf_counter()
    raw.get("/v1/async-actions")
    assert time.perf_counter() - start >= 0.15
    with pytest.raises(httpx.ReadTimeout):
        sb.inject("latency", delay_ms=1000)
        raw.get("/v1/orders", timeout=0.3)


def test_truncate_cuts_the_body_below_its_content_length(sb: Sandbox) -> None:
    sb.seed_orders(20)
    sb.inject("truncate", path="/v1/orders")
    host, port = sb.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        auth = f"X-App-Id: {sb.app_id}\r\nX-App-Token: {sb.app_token}\r\n"
        request = f"GET /v1/orders HTTP/1.1\r\nHost: {host}\r\n{auth}\r\n"
        sock.sendall(request.encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    length = int(
        next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")).split(b":")[
            1
        ]
    )
    assert 0 < len(body) < length
    assert b"x-sandbox-fault" not in head.lower()
    sb.inject("truncate", path="/v1/orders")
    with pytest.raises(httpx.RemoteProtocolError), httpx.Client(base_url=sb.url, headers=sb.headers) as c:
        c.get("/v1/orders")


def test_invalid_json_is_a_complete_response_after_the_write(raw: httpx.Client, sb: Sandbox) -> None:
    sb.inject("invalid_json", method="POST", path="/v1/orders")
    response = raw.post("/v1/orders", json={"source_id": "garbled"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert len(response.content) == int(response.headers["content-length"])
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert sb.count_orders("garbled") == 1


def test_html_error_page(raw: httpx.Client, sb: Sandbox) -> None:
    sb.inject("html", path="/v1/orders/*")
    response = raw.get("/v1/orders/anything")
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "<html>" in response.text


def test_faults_target_method_and_path_globs(raw: httpx.Client, sb: Sandbox) -> None:
    sb.inject("status", status=503, method="PUT", path="/v1/orders/*")
    assert raw.get("/v1/orders/x").status_code == 404
    assert raw.put("/v1/orders/x", json={}).status_code == 503
    assert raw.put("/v1/orders/x", json={}).status_code == 404


def _failures(sb: Sandbox, path: str, n: int) -> list[int]:
    with httpx.Client(base_url=sb.url, headers=sb.headers) as c:
        return [i for i in range(n) if c.get(path).status_code >= 500]


def test_random_faults_are_a_function_of_the_seed(sb: Sandbox) -> None:
    sb.set_fault_rate(0.3, kinds=["503"], seed=42)
    first = _failures(sb, "/v1/orders", 60)
    sb.reset()
    sb.set_fault_rate(0.3, kinds=["503"], seed=42)
    assert _failures(sb, "/v1/orders", 60) == first
    assert 5 < len(first) < 35
    sb.reset()
    sb.set_fault_rate(0.3, kinds=["503"], seed=43)
    assert _failures(sb, "/v1/orders", 60) != first


def test_concurrency_does_not_change_which_requests_fail(sb: Sandbox) -> None:
    paths = ["/v1/orders", "/v1/async-actions", "/v1/orders/a", "/v1/orders/b"]
    sb.set_fault_rate(0.25, kinds=["status"], seed=9)
    sequential = {p: len(_failures(sb, p, 30)) for p in paths}
    sb.reset()
    sb.set_fault_rate(0.25, kinds=["status"], seed=9)
    concurrent: dict[str, int] = {}

    def run(path: str) -> None:
        concurrent[path] = len(_failures(sb, path, 30))

    threads = [threading.Thread(target=run, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert concurrent == sequential


def test_every_random_kind_can_be_selected(sb: Sandbox) -> None:
    sb.set_fault_rate(1.0, kinds=["drop_before"], seed=1)
    with pytest.raises(httpx.RemoteProtocolError), httpx.Client(base_url=sb.url, headers=sb.headers) as c:
        c.get("/v1/orders")
    sb.set_fault_rate(1.0, kinds=["html", "invalid_json"], seed=1)
    with httpx.Client(base_url=sb.url, headers=sb.headers) as c:
        kinds = {("html" if c.get(f"/v1/orders/{i}").status_code == 502 else "json") for i in range(20)}
    assert kinds == {"html", "json"}


def test_fault_rate_and_kinds_from_start_up_options() -> None:
    with serve(fault_rate=1.0, faults="503", seed=3) as sandbox:
        assert httpx.get(sandbox.url + "/v1/orders", headers=sandbox.headers).status_code == 503
        sandbox.set_fault_rate(0.0)
        assert httpx.get(sandbox.url + "/v1/orders", headers=sandbox.headers).status_code == 200


def test_control_plane_over_http(sb: Sandbox, raw: httpx.Client) -> None:
    base = sb.url + "/_sandbox"
    assert httpx.post(base + "/seed", json={"count": 12, "source_id_prefix": "cp-"}).json()["count"] == 12
    assert httpx.get(base + "/orders", params={"source_id": "cp-3"}).json() == {"count": 1}
    listed = httpx.get(base + "/orders", params={"include": "orders", "source_id": "cp-3"}).json()
    assert listed["orders"][0]["source_id"] == "cp-3"
    fault = {"kind": "status", "status": 503, "method": "POST", "path": "/v1/orders", "times": 2}
    assert httpx.post(base + "/faults", json=fault).json() == {"pending": 2}
    assert [raw.post("/v1/orders", json={}).status_code for _ in range(3)] == [503, 503, 200]
    assert httpx.get(base + "/requests", params={"method": "POST", "path": "/v1/orders"}).json() == {
        "count": 3
    }
    assert httpx.put(base + "/rate-limit", json={"rate_limit": "1/min"}).json() == {"rate_limit": "1/min"}
    assert raw.get("/v1/orders").status_code == 200
    assert raw.get("/v1/orders").status_code == 429
    assert httpx.put(base + "/rate-limit", json={"rate_limit": None}).status_code == 200
    assert httpx.put(base + "/latency", json={"ms": 5}).json() == {"ms": 5.0}
    assert httpx.put(base + "/import-speed", json={"orders_per_second": 50}).json() == {
        "orders_per_second": 50.0
    }
    rate = httpx.put(base + "/fault-rate", json={"rate": 0.5, "kinds": ["503"], "seed": 4}).json()
    assert rate == {"rate": 0.5, "kinds": ["503"], "seed": 4}
    assert httpx.delete(base + "/faults").status_code == 204
    state = httpx.get(base + "/state").json()
    assert state["orders"] == 13 and state["fault_rate"] == 0.0 and state["latency_ms"] == 5.0
    assert httpx.post(base + "/faults", json={"kind": "nonsense"}).status_code == 400
    assert httpx.post(base + "/reset").status_code == 204
    assert httpx.get(base + "/state").json()["orders"] == 0


def test_proxy_answers_expect_100_continue(sb: Sandbox) -> None:
    host, port = sb.url.removeprefix("http://").split(":")
    body = json.dumps({"source_id": "curl-style"}).encode()
    head = (
        f"POST /v1/orders HTTP/1.1\r\nHost: {host}\r\n"
        f"X-App-Id: {sb.app_id}\r\nX-App-Token: {sb.app_token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(head.encode())
        assert sock.recv(1024).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    assert sb.count_orders("curl-style") == 1
