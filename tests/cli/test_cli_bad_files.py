"""Local files the CLI cannot use (issue 11): a latin-1 CSV or JSON file, JSON nested deeper than
the parser's recursion limit. Documented: one error line and a hint, exit code 4, nothing sent;
before, each printed a traceback and exited 1."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from voucherify_ext.cli import EXIT_CODES

from .conftest import Cli

DEEP = '{"source_id": "deep-1", "metadata": {"x": ' + "[" * 5000 + "]" * 5000 + "}}"


def one_line_exit_4(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert result.returncode == EXIT_CODES["input"] == 4, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert any(line.startswith("hint: ") for line in result.stderr.splitlines()), result.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    return errors[0]


def test_a_latin1_csv_import_exits_4_naming_file_and_line(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes("source_id,amount,metadata.name\na,1,Ann\nb,2,Jos\xe9\n".encode("latin-1"))
    one_line_exit_4(
        cli("orders", "import", str(path)),
        "ImportValidationError",
        f"{path}:3:",
        "not UTF-8 text (byte 0xe9",
        "nothing was sent",
    )
    assert cli.requests("POST", "/v1/orders/import") == 0


def test_a_too_deep_jsonl_import_exits_4_naming_file_and_line(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_text('{"source_id": "ok-1"}\n' + DEEP + "\n", encoding="utf-8")
    one_line_exit_4(cli("orders", "import", str(path)), f"{path}:2:", "nested too deeply")
    assert cli.requests("POST", "/v1/orders/import") == 0


@pytest.mark.parametrize("via", ["file", "stdin"])
def test_a_too_deep_json_order_exits_4(cli: Cli, tmp_path: Path, via: str) -> None:
    path = tmp_path / "order.json"
    path.write_text(DEEP, encoding="utf-8")
    args, stdin = (
        (("orders", "create", str(path)), None) if via == "file" else (("orders", "create", "-"), DEEP)
    )
    result = cli(*args, input=stdin)
    one_line_exit_4(result, "InputTooDeepError", "nested too deeply")
    assert cli.requests("POST", "/v1/orders") == 0


def test_a_latin1_json_order_exits_4_naming_line_and_column(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "order.json"
    path.write_bytes('{"source_id": "a",\n "metadata": {"name": "Jos\xe9"}}'.encode("latin-1"))
    one_line_exit_4(cli("orders", "create", str(path)), f"{path}:2:27:", "not UTF-8 text (byte 0xe9)")
    assert cli.requests("POST", "/v1/orders") == 0


def test_metadata_the_encoder_refuses_exits_4_naming_the_key(cli: Cli, tmp_path: Path) -> None:
    # Python's JSON reader accepts NaN; the request body cannot carry it
    result = cli("orders", "create", "-", input='{"source_id": "n-1", "metadata": {"ratio": NaN}}')
    one_line_exit_4(result, "metadata.ratio", "not valid JSON")
    assert cli.requests("POST", "/v1/orders") == 0
