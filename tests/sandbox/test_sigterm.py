"""``kill`` sends SIGTERM: the sandbox process saves ``--state`` on it, as on Ctrl-C."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import httpx

from voucherify_ext.sandbox.process import run_process

HEADERS = {"X-App-Id": "sandbox-app-id", "X-App-Token": "sandbox-app-token"}


def test_sigterm_saves_the_state(tmp_path: Path) -> None:
    """``kill`` sends SIGTERM: the sandbox saved --state on SIGINT only, and lost the data."""
    path = tmp_path / "state.json"
    with run_process("--state", str(path)) as sandbox:
        created = httpx.post(sandbox.url + "/v1/orders", json={"source_id": "termed"}, headers=HEADERS)
        assert created.status_code == 200
        imported = httpx.post(sandbox.url + "/v1/orders/import", json=[{"source_id": "i"}], headers=HEADERS)
        action_id = imported.json()["async_action_id"]
        sandbox.proc.send_signal(signal.SIGTERM)
        assert sandbox.proc.wait(15) == 0
    data = json.loads(path.read_text())
    assert [o["source_id"] for o, *_ in data["orders"]][:1] == ["termed"]
    assert [a["id"] for a in data["actions"]] == [action_id]


def test_sigterm_before_any_request_still_saves(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with run_process("--state", str(path)) as sandbox:
        sandbox.proc.terminate()
        assert sandbox.proc.wait(15) == 0
    assert json.loads(path.read_text())["orders"] == []
