"""``voucherify-orders orders sync FILE``, the real console script against a sandbox process:
the summary adds up to the file, each key ends with its last line's content, a rerun with the
checkpoint sends nothing already confirmed, failures give exit 1 and a table, keyless lines
exit 4 before anything is sent, and ``--estimate`` sends nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Cli, write_jsonl


def _summary(stdout: str) -> dict[str, str]:
    """The summary table's one row, by column name."""
    lines = [line for line in stdout.splitlines() if "│" in line or "┃" in line]
    header = [cell.strip() for cell in re.split("[┃]", lines[0]) if cell.strip()]
    row = [cell.strip() for cell in re.split("[│]", lines[1]) if cell.strip()]
    return dict(zip(header, row, strict=True))


def _posts(cli: Cli) -> int:
    return cli.requests("POST", "/v1/orders")


@settings(max_examples=5, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(keys=st.lists(st.integers(0, 6), min_size=1, max_size=25))
def test_a_sync_leaves_each_key_with_its_last_line_and_a_rerun_sends_nothing(
    cli: Cli, keys: list[int]
) -> None:
    cli.reset()
    records = [{"source_id": f"cli-sync-{k}", "amount": 100 + n} for n, k in enumerate(keys)]
    path = write_jsonl(cli.cwd / "orders.jsonl", records)
    checkpoint = cli.cwd / "sync.checkpoint"
    checkpoint.unlink(missing_ok=True)

    first = cli("--rate-limit", "50/s", "orders", "sync", str(path), "--checkpoint", str(checkpoint))
    assert first.returncode == 0, first.stderr
    summary = _summary(first.stdout)
    distinct = len(set(keys))
    assert summary["created"] == str(distinct)
    assert summary["updated"] == str(len(keys) - distinct)
    assert summary["failed"] == "0" and summary["skipped"] == "0"
    assert summary["requests"] == str(len(keys)) == str(_posts(cli))
    last = {r["source_id"]: r["amount"] for r in records}
    assert {o["source_id"]: o["amount"] for o in cli.orders()} == last

    again = cli("orders", "sync", str(path), "--checkpoint", str(checkpoint))
    assert again.returncode == 0, again.stderr
    assert _summary(again.stdout)["skipped"] == str(len(keys))
    assert _posts(cli) == len(keys)  # nothing confirmed was sent again


def test_a_failed_order_is_listed_and_exits_1(cli: Cli) -> None:
    path = write_jsonl(cli.cwd / "orders.jsonl", [{"source_id": f"fail-{n}", "amount": 1} for n in range(4)])
    cli.inject("status", method="POST", path="/v1/orders", status=400, times=1)
    result = cli("orders", "sync", str(path))
    assert result.returncode == 1, result.stderr
    summary = _summary(result.stdout)
    assert summary["failed"] == "1" and int(summary["created"]) == 3
    assert "Failed orders (1)" in result.stdout and "line " in result.stdout


def test_a_keyless_line_is_refused_before_anything_is_sent(cli: Cli) -> None:
    path = cli.cwd / "orders.jsonl"
    path.write_text(json.dumps({"source_id": "ok", "amount": 1}) + "\n" + json.dumps({"amount": 2}) + "\n")
    result = cli("orders", "sync", str(path))
    assert result.returncode == 4
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and f"{path}:2:" in errors[0] and "id or a source_id" in errors[0]
    assert _posts(cli) == 0


def test_estimate_prints_the_plan_and_sends_nothing(cli: Cli, tmp_path: Path) -> None:
    path = write_jsonl(cli.cwd / "orders.jsonl", [{"source_id": f"est-{n}", "amount": 1} for n in range(45)])
    result = cli("--rate-limit", "20/s", "orders", "sync", str(path), "--estimate")
    assert result.returncode == 0, result.stderr
    assert "45 order(s): 45 request(s), about 2 s at the rate budget" in result.stderr
    assert _posts(cli) == 0
