"""Issue 16's acceptance for the live-order sync: kill an ``upsert_many`` run (a real SIGKILL of
its process, at a random point) and rerun it with the same checkpoint. The sandbox (its own
process) journals every createOrder that arrived; from it:

* no order the checkpoint confirmed before the kill is sent again (only those in flight may
  repeat), and
* each key's stored content is its last input (the input repeats keys; counting stored orders
  would prove nothing, create being an upsert).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from voucherify_ext.sandbox.process import SandboxProcess, run_process

CHILD = Path(__file__).with_name("child.py")
ORDERS = 240
KEYS = 40

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sandbox() -> Any:
    with run_process("--journal", "100000", "--latency-ms", "6") as process:
        yield process


def _input(path: Path, rng: random.Random) -> list[dict[str, Any]]:
    orders = []
    for index in range(ORDERS):
        key = rng.randrange(KEYS)
        name = {"source_id": f"web-{key}"} if key % 2 else {"id": f"ord_live_{key}"}
        orders.append({**name, "amount": 100 + index, "metadata": {"i": index}})
    path.write_text("".join(json.dumps(o) + "\n" for o in orders), encoding="utf-8")
    return orders


def _confirmed(checkpoint: Path) -> set[int]:
    """The indices the checkpoint confirms, read as a rerun reads it (a torn last line ignored)."""
    found = set()
    for raw in checkpoint.read_bytes().split(b"\n")[1:]:
        try:
            record = json.loads(raw)
        except ValueError:
            continue  # the torn last line of a killed writer
        found.add(record["i"])
    return found


def _journal(process: SandboxProcess) -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{process.url}/_sandbox/requests",
        params={"include": "journal", "method": "POST", "path": "/v1/orders"},
    ).json()
    assert answer["journal_dropped"] == 0
    entries: list[dict[str, Any]] = answer["journal"]
    return entries


def _child(process: SandboxProcess, data: Path, checkpoint: Path, mode: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen(
        [sys.executable, str(CHILD), process.url, str(data), str(checkpoint), mode],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _kill_after(proc: subprocess.Popen[bytes], checkpoint: Path, confirmations: int) -> None:
    """SIGKILL the run once the checkpoint holds ``confirmations`` records (a point mid-run)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None:
        if checkpoint.exists() and checkpoint.read_bytes().count(b"\n") > confirmations:
            break
        time.sleep(0.002)
    assert proc.poll() is None, (
        "the run ended before the kill: " + (proc.stdout.read() if proc.stdout else b"").decode()
    )
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)


@pytest.mark.parametrize(("mode", "seed"), [("sync", 1), ("sync", 2), ("async", 3), ("async", 4)])
def test_a_killed_run_resumes_without_resending_confirmed_orders(
    sandbox: SandboxProcess, tmp_path: Path, mode: str, seed: int
) -> None:
    rng = random.Random(seed)
    httpx.post(f"{sandbox.url}/_sandbox/reset")
    data, checkpoint = tmp_path / "orders.jsonl", tmp_path / "sync.ckpt"
    orders = _input(data, rng)

    first = _child(sandbox, data, checkpoint, mode)
    _kill_after(first, checkpoint, rng.randrange(10, ORDERS * 2 // 3))
    confirmed_before_kill = _confirmed(checkpoint)
    sent_before_kill = _journal(sandbox)
    assert 0 < len(confirmed_before_kill) < ORDERS

    second = _child(sandbox, data, checkpoint, mode)
    output, _ = second.communicate(timeout=60)
    assert second.returncode == 0, output.decode()

    journal = _journal(sandbox)
    assert journal[: len(sent_before_kill)] == sent_before_kill
    resent = [entry["body"]["metadata"]["i"] for entry in journal[len(sent_before_kill) :]]
    assert not set(resent) & confirmed_before_kill  # no confirmed order was sent again
    in_flight_at_kill = {e["body"]["metadata"]["i"] for e in sent_before_kill} - confirmed_before_kill
    repeated = set(resent) & {e["body"]["metadata"]["i"] for e in sent_before_kill}
    assert repeated <= in_flight_at_kill
    assert len(resent) == len(set(resent))  # the rerun sent each order once
    assert set(resent) | confirmed_before_kill == set(range(ORDERS))  # and every order got through
    assert _confirmed(checkpoint) == set(range(ORDERS))

    last: dict[str, dict[str, Any]] = {}
    for order in orders:
        last[order.get("id") or order["source_id"]] = order
    with httpx.Client(
        base_url=sandbox.url, headers={"X-App-Id": "sandbox-app-id", "X-App-Token": "sandbox-app-token"}
    ) as http:
        for key, order in last.items():
            stored = http.get(f"/v1/orders/{key}").json()
            assert (stored["amount"], stored["metadata"]) == (order["amount"], order["metadata"]), key
