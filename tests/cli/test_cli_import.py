"""``orders import``: progress, summary, exit codes, invalid lines, failures, resume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import Cli, write_jsonl


def records(count: int, prefix: str = "imp-") -> list[dict[str, Any]]:
    return [
        {"source_id": f"{prefix}{i}", "status": "PAID", "amount": 100 * (i + 1), "metadata": {"n": i}}
        for i in range(count)
    ]


def test_import_shows_progress_and_a_summary_and_stores_every_order(cli: Cli, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "orders.jsonl", records(5))
    result = cli("orders", "import", str(path), "--chunk-size", "2")
    assert result.returncode == 0, result.stderr
    assert "orders submitted" in result.stderr and "5/5" in result.stderr
    assert "chunks done" in result.stderr and "3/3" in result.stderr
    summary = result.stdout
    assert "Import" in summary and "total" in summary
    assert summary.count("aa_") == 3 and summary.count("DONE") == 3
    assert sorted(o["source_id"] for o in cli.orders()) == [f"imp-{i}" for i in range(5)]


def test_a_bad_line_exits_4_naming_the_file_and_line_and_sends_nothing(cli: Cli, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "bad.jsonl", records(2), extra_lines=('{"source_id": "x", "amount": "twelve"}',)
    )
    result = cli("orders", "import", str(path))
    assert result.returncode == 4
    assert f"{path}:3:" in result.stderr and "amount" in result.stderr
    assert "nothing was sent" in result.stderr
    assert "Traceback" not in result.stderr
    assert cli.requests("POST", "/v1/orders/import") == 0
    assert cli.orders() == []


def test_skip_imports_the_valid_lines_lists_the_skipped_ones_and_exits_1(cli: Cli, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "some-bad.jsonl", records(3), extra_lines=("{not json",))
    result = cli("orders", "import", path.name, "--on-invalid", "skip")
    assert result.returncode == 1
    assert "Invalid records skipped (1)" in result.stdout and "some-bad.jsonl:4" in result.stdout
    assert len(cli.orders()) == 3


def test_orders_the_api_refuses_are_listed_and_exit_1(cli: Cli, tmp_path: Path) -> None:
    refused = {"source_id": "neg-qty", "items": [{"source_id": "sku", "quantity": -1, "price": 10}]}
    path = write_jsonl(tmp_path / "orders.jsonl", [*records(2), refused])
    result = cli("orders", "import", str(path))
    assert result.returncode == 1
    assert "Failed orders (1)" in result.stdout and "neg-qty" in result.stdout
    assert len(cli.orders()) == 2


def test_a_checkpoint_resumes_without_sending_recorded_chunks_again(cli: Cli, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "orders.jsonl", records(6))
    checkpoint = tmp_path / "orders.checkpoint"
    first = cli("orders", "import", str(path), "--chunk-size", "2", "--checkpoint", str(checkpoint))
    assert first.returncode == 0, first.stderr
    assert cli.requests("POST", "/v1/orders/import") == 3

    # As if the process had died before the last chunk was sent: drop its records.
    lines = checkpoint.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if json.loads(line).get("chunk") != 3]
    assert len(kept) < len(lines)
    checkpoint.write_text("\n".join(kept) + "\n", encoding="utf-8")

    second = cli("orders", "import", str(path), "--chunk-size", "2", "--checkpoint", str(checkpoint))
    assert second.returncode == 0, second.stderr
    assert cli.requests("POST", "/v1/orders/import") == 4  # only chunk 3 went out again
    assert second.stdout.count("(resumed)") == 2
    assert len(cli.orders()) == 6

    other = write_jsonl(tmp_path / "other.jsonl", records(6, prefix="other-"))
    mismatch = cli("orders", "import", str(other), "--chunk-size", "2", "--checkpoint", str(checkpoint))
    assert mismatch.returncode == 4
    assert "CheckpointMismatchError" in mismatch.stderr and "new --checkpoint" in mismatch.stderr


def test_a_missing_file_exits_4_in_one_line(cli: Cli) -> None:
    result = cli("orders", "import", "nowhere.jsonl")
    assert result.returncode == 4
    assert result.stderr.startswith("error: ValidationError: nowhere.jsonl: no such file")


def test_an_item_without_related_object_warns_in_one_line_and_strict_refuses_it(
    cli: Cli, tmp_path: Path
) -> None:
    unlinked = {
        "source_id": "imp-x",
        "amount": 500,
        "items": [{"source_id": "SHIRT-M", "quantity": 1, "price": 500}],
    }
    path = write_jsonl(tmp_path / "items.jsonl", [*records(2), unlinked])
    strict = cli("orders", "import", str(path), "--strict")
    assert strict.returncode == 4
    assert f"{path}:3: invalid order: items[0]: names a product or SKU by source_id" in strict.stderr
    assert cli.requests("POST", "/v1/orders/import") == 0
    result = cli("orders", "import", str(path))
    assert result.returncode == 0, result.stderr
    assert f"warning: {path}:3: order item items[0] names a product or SKU" in result.stderr
    assert "OrderItemWarning" not in result.stderr and "Traceback" not in result.stderr
    assert sorted(o["source_id"] for o in cli.orders()) == ["imp-0", "imp-1", "imp-x"]
