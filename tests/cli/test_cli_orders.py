"""get / create / update / list through the real console script."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Cli, jsonl


def test_create_from_stdin_get_and_update_from_a_file(cli: Cli, tmp_path: Path) -> None:
    order = {"source_id": "web-1", "amount": 2500, "status": "PAID", "metadata": {"channel": "web"}}
    created = cli("orders", "create", "-", input=json.dumps(order))
    assert created.returncode == 0, created.stderr
    body = json.loads(created.stdout)
    assert body["source_id"] == "web-1" and body["amount"] == 2500 and body["id"].startswith("ord_")

    again = cli("orders", "create", "-", input=json.dumps({**order, "amount": 3000}))
    assert json.loads(again.stdout)["id"] == body["id"], "a create with a source_id is an upsert"
    assert [o["amount"] for o in cli.orders()] == [3000]

    got = cli("orders", "get", "web-1")
    assert got.returncode == 0 and json.loads(got.stdout)["id"] == body["id"]

    changes = tmp_path / "cancel.json"
    changes.write_text('{"status": "CANCELED"}', encoding="utf-8")
    updated = cli("orders", "update", body["id"], str(changes))
    assert updated.returncode == 0, updated.stderr
    assert json.loads(updated.stdout)["status"] == "CANCELED"
    assert cli.orders()[0]["status"] == "CANCELED"


def test_invalid_json_is_refused_before_sending_with_exit_4(cli: Cli) -> None:
    result = cli("orders", "create", "-", input='{"source_id": "x",\n "amount": }')
    assert result.returncode == 4
    assert "<stdin>:2:" in result.stderr and "invalid JSON" in result.stderr
    assert cli.requests("POST", "/v1/orders") == 0


def test_an_unknown_field_is_refused_with_the_key_path(cli: Cli) -> None:
    result = cli("orders", "create", "-", input='{"sourceid": "x", "amount": 1}')
    assert result.returncode == 4
    assert "sourceid" in result.stderr
    assert cli.requests("POST", "/v1/orders") == 0


def test_list_streams_json_lines_oldest_first_with_a_limit(cli: Cli) -> None:
    cli.seed(25)
    result = cli("orders", "list", "--limit", "12", "--page-size", "5")
    assert result.returncode == 0, result.stderr
    lines = jsonl(result.stdout)
    assert [o["source_id"] for o in lines] == [o["source_id"] for o in cli.orders()[:12]]
    assert cli.requests("GET", "/v1/orders") == 3  # 5 + 5 + 2: nothing fetched beyond the limit

    newest = jsonl(cli("orders", "list", "--limit", "1", "--order", "-created_at").stdout)
    assert newest[0]["source_id"] == cli.orders()[-1]["source_id"]


def test_list_all_and_table(cli: Cli) -> None:
    cli.seed(130)
    every = cli("orders", "list", "--all")
    assert every.returncode == 0
    assert len(jsonl(every.stdout)) == 130
    table = cli("orders", "list", "--limit", "3", "--format", "table")
    assert table.returncode == 0
    ids = [o["id"] for o in cli.orders()[:3]]
    assert all(i in table.stdout for i in ids), table.stdout  # ids are never cut short
    assert "source_id" in table.stdout and "status" in table.stdout


def test_list_past_the_ceiling_prints_what_it_reached_then_points_to_export(cli: Cli) -> None:
    cli.seed(1005)
    result = cli("orders", "list", "--all", "--page-size", "10")
    assert result.returncode == 1
    assert len(jsonl(result.stdout)) == 1000  # 100 pages of 10
    error = result.stderr.strip().splitlines()
    assert error[0].startswith("error: PaginationLimitError:") and "page 100" in error[0]
    assert "orders export" in result.stderr


def test_bad_format_is_a_usage_error(cli: Cli) -> None:
    result = cli("orders", "list", "--format", "xml")
    assert result.returncode == 2
    assert "--format" in result.stderr


def test_limit_and_all_together_are_a_usage_error(cli: Cli) -> None:
    result = cli("orders", "list", "--limit", "2", "--all")
    assert result.returncode == 2
    assert "--limit and --all exclude each other" in result.stderr


def test_global_sandbox_flag_keeps_state_between_runs_with_a_state_file(cli: Cli, tmp_path: Path) -> None:
    state = str(tmp_path / "sandbox.json")
    no_account = {"VOUCHERIFY_API_URL": "", "VOUCHERIFY_APP_ID": "", "VOUCHERIFY_APP_TOKEN": ""}
    order = json.dumps({"source_id": "kept", "amount": 5})
    created = cli("--sandbox", "--sandbox-state", state, "orders", "create", "-", input=order, env=no_account)
    assert created.returncode == 0, created.stderr
    got = cli("--sandbox", "--sandbox-state", state, "orders", "get", "kept", env=no_account)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["id"] == json.loads(created.stdout)["id"]
    assert cli.orders() == []  # nothing reached the other sandbox
