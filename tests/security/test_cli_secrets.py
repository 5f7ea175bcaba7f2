"""The console script, run for real with ``--debug`` against a sandbox in another process
started with a planted app token: neither its stdout nor its stderr (debug logs and tracebacks
included), nor the sandbox's own output, ever shows the app token or an export download token,
on success and on failure paths."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from voucherify_ext.sandbox.process import SandboxProcess as RunningSandbox
from voucherify_ext.sandbox.process import free_port, run_process

from .conftest import assert_no_secret, planted

APP_TOKEN = planted("cli-app-token")
APP_ID = "cli-app-id"
BIN = Path(sys.executable).parent
CLI = BIN / "voucherify-orders"

pytestmark = [
    pytest.mark.skipif(not CLI.exists(), reason="console script not installed in this venv"),
    pytest.mark.slow,
]


class SandboxProcess:
    """The sandbox in its own process, holding the planted token; its log is checked too."""

    def __init__(self, process: RunningSandbox) -> None:
        self.url = process.url
        assert process.log is not None
        self.log = process.log

    def control(self, method: str, path: str, body: object = None) -> httpx.Response:
        return httpx.request(method, self.url + path, json=body, timeout=10)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    log = tmp_path_factory.mktemp("cli-sandbox") / "sandbox.log"
    options = ("--app-id", APP_ID, "--app-token", APP_TOKEN, "--import-speed", "100000")
    with run_process(*options, log=log) as process:
        yield SandboxProcess(process)


def _run(sb_url: str, *args: str, stdin: str | None = None, token: str = APP_TOKEN, app_id: str = APP_ID):
    env = {
        **os.environ,
        "VOUCHERIFY_APP_ID": app_id,
        "VOUCHERIFY_APP_TOKEN": token,
        "VOUCHERIFY_API_URL": sb_url,
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    env.pop("VOUCHERIFY_CLUSTER", None)
    return subprocess.run(
        [str(CLI), "--debug-http", *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def test_cli_output_never_shows_a_secret(sandbox: SandboxProcess, tmp_path: Path) -> None:
    sb = sandbox
    outputs: list[str] = []
    lock = threading.Lock()

    def run(name: str, *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
        result = _run(kw.pop("url", sb.url), *args, **kw)  # type: ignore[arg-type]
        with lock:
            outputs.extend([result.stdout, result.stderr])
        return result

    # success paths, then the failure paths that need no fault, several processes at a time
    order = json.dumps({"source_id": "cli-1", "amount": 1200, "status": "PAID"})
    assert run("create", "orders", "create", "-", stdin=order).returncode == 0
    jsonl = tmp_path / "ok.jsonl"
    jsonl.write_text("".join(json.dumps({"source_id": f"imp-{i}", "amount": i}) + "\n" for i in range(5)))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"source_id": "x"}\n{oops\n')
    closed = f"http://127.0.0.1:{free_port()}"
    parallel: dict[str, tuple[int, tuple[str, ...], dict[str, str]]] = {
        "get": (0, ("orders", "get", "cli-1"), {}),
        "list": (0, ("orders", "list", "--limit", "5"), {}),
        "import": (0, ("orders", "import", str(jsonl)), {}),
        "export": (0, ("orders", "export", "-o", str(tmp_path / "out.csv")), {}),
        "404": (1, ("orders", "get", "missing"), {}),
        "401": (3, ("orders", "get", "cli-1"), {"app_id": "someone-else"}),
        "invalid input": (4, ("orders", "import", str(bad)), {}),
        "closed port": (5, ("--max-retries", "0", "orders", "get", "cli-1"), {"url": closed}),
        # a usage error while the token is on the command line
        "usage": (2, ("--app-token", APP_TOKEN, "orders", "get"), {}),
        "401 via option": (3, ("--app-id", "nobody", "--app-token", APP_TOKEN, "orders", "get", "x"), {}),
    }
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(run, name, *args, **kw) for name, (_, args, kw) in parallel.items()}
        results = {name: future.result() for name, future in futures.items()}
    for name, (code, _, _) in parallel.items():
        assert results[name].returncode == code, (name, results[name].stderr[-2000:])
    exported = results["export"]
    assert (tmp_path / "out.csv").read_text().count("\n") >= 7
    # the debug log really is on, the libraries' lines too (--debug-http: httpx and the client log)
    assert "voucherify" in exported.stderr and "HTTP Request" in exported.stderr

    # the export's download token, as the server issued it
    export_ids = set(re.findall(r"exp_[A-Za-z0-9]+", exported.stderr + exported.stdout))
    assert export_ids, "the export id was not shown"
    download_tokens = []
    for export_id in export_ids:
        got = httpx.get(
            f"{sb.url}/v1/exports/{export_id}", headers={"X-App-Id": APP_ID, "X-App-Token": APP_TOKEN}
        )
        url = got.json()["result"]["url"]
        download_tokens += urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["token"]
    assert download_tokens

    # failure paths with faults, one at a time (a fault applies to whoever asks next)
    sb.control("POST", "/_sandbox/faults", {"kind": "status", "status": 503, "times": 5, "method": "GET"})
    assert run("503", "--max-retries", "1", "orders", "get", "cli-1").returncode == 1
    sb.control("DELETE", "/_sandbox/faults")
    sb.control("POST", "/_sandbox/faults", {"kind": "truncate", "times": 5, "method": "GET"})
    assert run("truncated", "--max-retries", "1", "orders", "get", "cli-1").returncode == 5
    sb.control("DELETE", "/_sandbox/faults")
    sb.control("POST", "/_sandbox/faults", {"kind": "drop_after", "times": 1, "method": "POST"})
    dropped = run("drop after", "orders", "create", "-", stdin=json.dumps({"amount": 5}))
    assert dropped.returncode == 5 and "Outcome unknown" in dropped.stderr
    sb.control("DELETE", "/_sandbox/faults")
    sb.control("POST", "/_sandbox/faults", {"kind": "drop_before", "times": 5, "method": "GET"})
    assert run("drop before", "--max-retries", "1", "orders", "get", "cli-1").returncode == 5
    sb.control("DELETE", "/_sandbox/faults")

    sandbox_output = sb.log.read_text(errors="replace")
    assert_no_secret([*outputs, sandbox_output], [APP_TOKEN, *download_tokens])
    # tracebacks were printed on failures (--debug), and still hold no secret
    assert any("Traceback" in text for text in outputs)
