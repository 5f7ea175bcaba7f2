"""``orders export``: the CSV equals the sandbox's orders, for fields, --status and --since."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path
from typing import Any

from .conftest import Cli


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def when(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def expected(order: dict[str, Any], fields: list[str]) -> dict[str, str]:
    row = {}
    for field in fields:
        if field.startswith("metadata."):
            value = order["metadata"].get(field.removeprefix("metadata."))
        else:
            value = order[field]
        row[field] = "" if value is None else str(value)
    return row


def seed(cli: Cli) -> list[dict[str, Any]]:
    cli.seed(4, source_id_prefix="paid-", amount=1500, metadata={"tier": "gold"})
    cli.seed(3, source_id_prefix="gone-", status="CANCELED", amount=700)
    cli.seed(2, source_id_prefix="late-", status="PAID", amount=99)
    return cli.orders()


def test_export_writes_a_csv_equal_to_the_sandboxs_orders(cli: Cli, tmp_path: Path) -> None:
    orders = seed(cli)
    fields = ["id", "source_id", "status", "amount", "metadata.tier"]
    out = tmp_path / "orders.csv"
    args = [arg for field in [*fields, "created_at"] for arg in ("--field", field)]
    result = cli("orders", "export", *args, "--order", "created_at", "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = read_csv(out)
    assert list(rows[0]) == [*fields, "created_at"]
    assert [{k: r[k] for k in fields} for r in rows] == [expected(o, fields) for o in orders]
    assert [when(r["created_at"]) for r in rows] == [when(o["created_at"]) for o in orders]
    size = out.stat().st_size
    assert f"{size}/{size} bytes" in result.stderr  # the download bar, fed by on_progress, completed
    assert f"{size:,} bytes written to {out}" in result.stderr.replace("\n", "")


def test_export_filters_by_status_and_since(cli: Cli, tmp_path: Path) -> None:
    orders = seed(cli)
    out = tmp_path / "canceled.csv"
    by_status = cli("orders", "export", "--status", "CANCELED", "-o", str(out))
    assert by_status.returncode == 0, by_status.stderr
    rows = read_csv(out)
    assert list(rows[0]) == ["id", "source_id", "status"]  # the default fields
    canceled = [o for o in orders if o["status"] == "CANCELED"]
    assert sorted(r["id"] for r in rows) == sorted(o["id"] for o in canceled)

    since = orders[5]["created_at"]
    out = tmp_path / "since.csv"
    recent = cli(
        "orders", "export", "--since", since, "--status", "PAID", "--status", "CANCELED", "-o", str(out)
    )
    assert recent.returncode == 0, recent.stderr
    later = [o["id"] for o in orders if when(o["created_at"]) > when(since)]
    assert sorted(r["id"] for r in read_csv(out)) == sorted(later)
    assert len(later) == 3


def test_an_unknown_field_is_refused_before_anything_is_scheduled(cli: Cli, tmp_path: Path) -> None:
    result = cli("orders", "export", "--field", "colour", "-o", str(tmp_path / "x.csv"))
    assert result.returncode == 4
    assert "colour" in result.stderr
    assert cli.requests("POST", "/v1/orders/export") == 0
    assert not (tmp_path / "x.csv").exists()


def test_an_output_path_that_cannot_be_written_is_refused_before_scheduling(cli: Cli, tmp_path: Path) -> None:
    for output in (tmp_path, tmp_path / "missing" / "x.csv"):
        result = cli("orders", "export", "-o", str(output))
        assert result.returncode == 2 and "--output" in result.stderr
    assert cli.requests("POST", "/v1/orders/export") == 0
