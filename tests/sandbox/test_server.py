"""The runners: the CLI, the state file, the bare ASGI app, and scale."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from voucherify_ext.sandbox import SandboxConfig, SandboxConnectionFault, create_app, serve
from voucherify_ext.sandbox.process import free_port

ROOT = Path(__file__).resolve().parents[2]


def _wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        try:
            httpx.get(url + "/_sandbox/state", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the sandbox did not come up")


def _start_cli(*args: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "voucherify_ext.sandbox", "--port", str(port), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    url = f"http://127.0.0.1:{port}"
    _wait_up(url, proc)
    return proc, url


def _stop(proc: subprocess.Popen[bytes]) -> str:
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err.decode()
    return err.decode()


def test_cli_serves_with_its_options_and_persists_state(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    creds = {"X-App-Id": "cli-app", "X-App-Token": "cli-secret-token"}
    proc, url = _start_cli(
        "--app-id",
        "cli-app",
        "--app-token",
        "cli-secret-token",
        "--rate-limit",
        "50/min",
        "--import-speed",
        "1000",
        "--seed",
        "5",
        "--latency-ms",
        "1",
        "--fault-rate",
        "0",
        "--state",
        str(state),
    )
    try:
        assert (
            httpx.get(
                url + "/v1/orders", headers={"X-App-Id": "sandbox-app-id", "X-App-Token": "sandbox-app-token"}
            ).status_code
            == 401
        )
        created = httpx.post(url + "/v1/orders", json={"source_id": "kept"}, headers=creds)
        assert created.status_code == 200
        assert created.headers["X-Rate-Limit-Limit"] == "50"
        assert httpx.get(url + "/_sandbox/state").json()["import_speed"] == 1000.0
    finally:
        log = _stop(proc)
    assert "cli-secret-token" not in log and "cli-app" in log
    assert state.exists()
    proc, url = _start_cli("--app-id", "cli-app", "--app-token", "cli-secret-token", "--state", str(state))
    try:
        again = httpx.get(url + "/v1/orders/kept", headers=creds)
        assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    finally:
        _stop(proc)


def test_cli_help_documents_every_option() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "voucherify_ext.sandbox", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    for option in (
        "--host",
        "--port",
        "--app-id",
        "--app-token",
        "--latency-ms",
        "--fault-rate",
        "--faults",
        "--rate-limit",
        "--import-speed",
        "--seed",
        "--state",
    ):
        assert option in out
    assert "sandbox-app-id" in out and "5000" in out


def test_cli_rejects_bad_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "voucherify_ext.sandbox", "--rate-limit", "lots"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 2 and "invalid rate limit" in result.stderr


def test_serve_persists_to_a_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with serve(state_file=state) as sandbox:
        sandbox.seed_orders(3)
        httpx.post(sandbox.url + "/v1/orders/import", json=[{"source_id": "imp"}], headers=sandbox.headers)
    with serve(state_file=state) as sandbox:
        assert sandbox.count_orders() == 4
        listing = httpx.get(sandbox.url + "/v1/async-actions", headers=sandbox.headers).json()
        assert len(listing["async_actions"]) == 1


async def test_bare_asgi_app_for_async_tests() -> None:
    app = create_app(SandboxConfig())
    transport = httpx.ASGITransport(app=app)
    headers = {"X-App-Id": "sandbox-app-id", "X-App-Token": "sandbox-app-token"}
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox", headers=headers) as client:
        created = (await client.post("/v1/orders", json={"source_id": "asgi"})).json()
        assert (await client.get("/v1/orders/asgi")).json()["id"] == created["id"]
        app.state.sandbox.faults.inject("drop_after", path="/v1/orders")
        with pytest.raises(SandboxConnectionFault):
            await client.post("/v1/orders", json={"source_id": "asgi-2"})
    assert app.state.sandbox.count_orders("asgi-2") == 1


@pytest.mark.slow
def test_holds_200k_orders_and_serves_pages_fast() -> None:
    with serve() as sandbox:
        start = time.perf_counter()
        sandbox.seed_orders(200_000)
        assert time.perf_counter() - start < 30
        assert sandbox.count_orders() == 200_000
        times = []
        with httpx.Client(base_url=sandbox.url, headers=sandbox.headers) as client:
            for page in (1, 50, 100):
                for order in ("created_at", "-created_at", "-updated_at"):
                    t = time.perf_counter()
                    body = client.get(
                        "/v1/orders", params={"limit": 100, "page": page, "order": order}
                    ).json()
                    times.append(time.perf_counter() - t)
                    assert len(body["orders"]) == 100 and body["total"] == 200_000
        assert statistics.median(times) < 0.1
