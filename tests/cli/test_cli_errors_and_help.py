"""Failures as one line + hint + the documented exit code; ``--help`` complete everywhere."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import typer.main

from voucherify_ext.cli import EXIT_CODES, build_app

from .conftest import CLI, Cli, write_jsonl


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def test_not_found_is_one_line_with_the_request_id_and_a_hint(cli: Cli) -> None:
    result = cli("orders", "get", "ord_missing")
    assert result.returncode == EXIT_CODES["api"] == 1
    lines = error_lines(result.stderr)
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("error: NotFoundError: 404") and "request_id=v-" in lines[0]
    assert lines[1].startswith("hint: ")
    assert result.stdout == ""


def test_debug_adds_the_traceback(cli: Cli) -> None:
    result = cli("--debug", "orders", "get", "ord_missing")
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "NotFoundError" in result.stderr
    assert "sandbox-app-token" not in result.stderr  # debug logs never show the secret


def test_a_server_error_after_retries_names_the_request_id_and_exits_1(cli: Cli) -> None:
    cli.inject("status", method="GET", path="/v1/orders/x", status=503, times=5)
    result = cli("--max-retries", "1", "orders", "get", "x")
    assert result.returncode == 1
    first = error_lines(result.stderr)[0]
    assert first.startswith("error: ServerError: 503") and "attempts=2" in first
    assert "Traceback" not in result.stderr


def test_wrong_credentials_exit_3(cli: Cli) -> None:
    result = cli("--app-token", "wrong", "orders", "get", "x")
    assert result.returncode == EXIT_CODES["config"] == 3
    assert "AuthenticationError: 401" in result.stderr and "hint:" in result.stderr
    assert "wrong" not in result.stderr


def test_missing_credentials_exit_3_and_name_the_variables(cli: Cli) -> None:
    result = cli("orders", "get", "x", env={"VOUCHERIFY_APP_ID": "", "VOUCHERIFY_APP_TOKEN": ""})
    assert result.returncode == 3
    assert "VOUCHERIFY_APP_ID" in result.stderr and "--sandbox" in result.stderr
    cluster = cli("--cluster", "mars", "orders", "get", "x", env={"VOUCHERIFY_API_URL": ""})
    assert cluster.returncode == 3
    assert (
        "unknown cluster 'mars'" in cluster.stderr and "hint: pass --cluster eu, us1 or as1" in cluster.stderr
    )


def test_no_server_exits_5(cli: Cli) -> None:
    result = cli("--base-url", "http://127.0.0.1:9", "--max-retries", "0", "orders", "get", "x")
    assert result.returncode == EXIT_CODES["network"] == 5
    assert error_lines(result.stderr)[0].startswith("error: APIConnectionError")
    assert "Traceback" not in result.stderr


def test_an_import_still_running_at_the_timeout_exits_6(cli: Cli, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "slow.jsonl", [{"source_id": f"s{i}", "amount": 1} for i in range(20)])
    cli.control.put("/_sandbox/import-speed", json={"orders_per_second": 1}).raise_for_status()
    try:
        result = cli("orders", "import", str(path), "--timeout", "0.5")
    finally:
        cli.control.put("/_sandbox/import-speed", json={"orders_per_second": 1_000_000})
    assert result.returncode == EXIT_CODES["job"] == 6
    assert "ImportTimeoutError" in result.stderr and "hint:" in result.stderr


def test_ctrl_c_exits_130_and_reports_what_was_sent(cli: Cli, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "many.jsonl", [{"source_id": f"m{i}", "amount": 1} for i in range(30)])
    cli.control.put("/_sandbox/import-speed", json={"orders_per_second": 1}).raise_for_status()
    try:
        proc = subprocess.Popen(
            [str(CLI), "orders", "import", str(path), "--chunk-size", "10"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli.env,
        )
        # Interrupt once the client polls the first chunk's action: it does so only after it
        # recorded the third chunk's action id (all chunks are sent before any is waited for),
        # and the imports then need ~30 s on the sandbox clock.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (
            cli.requests("POST", "/v1/orders/import") == 3
            and cli.control.get("/_sandbox/requests", params={"method": "GET"}).json()["count"] >= 1
        ):
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        cli.control.put("/_sandbox/import-speed", json={"orders_per_second": 1_000_000})
    assert proc.returncode == EXIT_CODES["interrupted"] == 130
    text = " ".join(stderr.split())
    assert "sent before it stopped: 3 chunk(s), 30 order(s) submitted" in text
    assert "interrupted" in text and "Traceback" not in text


def test_usage_errors_exit_2(cli: Cli) -> None:
    result = cli("orders", "import")
    assert result.returncode == 2
    assert "FILE" in result.stderr and "Traceback" not in result.stderr
    bad_date = cli("orders", "export", "--since", "yesterday", "-o", "x.csv")
    assert bad_date.returncode == 2 and "--since" in bad_date.stderr
    assert cli.requests("POST", "/v1/orders/export") == 0


def _commands() -> list[tuple[list[str], list[str]]]:
    """(command path, its option names), from the command tree itself."""
    found: list[tuple[list[str], list[str]]] = []

    def walk(command: object, path: list[str]) -> None:
        params = getattr(command, "params", [])
        options = [
            opt for p in params if p.param_type_name == "option" for opt in p.opts if opt.startswith("--")
        ]
        found.append((path, options))
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(build_app()), [])
    return found


COMMANDS = _commands()


def test_the_tree_holds_every_command_of_the_issue() -> None:
    paths = {" ".join(path) for path, _ in COMMANDS}
    expected = {"", "orders", "sandbox"} | {
        f"orders {c}" for c in ("get", "create", "update", "list", "import", "export")
    }
    assert expected <= paths


@pytest.mark.parametrize("chunk", range(3))
def test_help_lists_every_option_of_every_command(cli: Cli, chunk: int) -> None:
    mine = [c for i, c in enumerate(COMMANDS) if i % 3 == chunk and c[0] != ["sandbox"]]
    with ThreadPoolExecutor(len(mine)) as pool:
        results = list(pool.map(lambda c: cli(*c[0], "--help"), mine))
    for (path, options), result in zip(mine, results, strict=True):
        assert result.returncode == 0, (path, result.stderr)
        missing = [opt for opt in options if opt not in result.stdout]
        assert not missing, f"voucherify-orders {' '.join(path)} --help lacks {missing}"
        assert "Usage: voucherify-orders" in result.stdout


def test_sandbox_help_shows_the_sandbox_options(cli: Cli) -> None:
    result = cli("sandbox", "--help")
    assert result.returncode == 0
    for option in ("--port", "--host", "--fault-rate", "--rate-limit", "--import-speed", "--state"):
        assert option in result.stdout


def test_root_help_documents_the_exit_codes(cli: Cli) -> None:
    result = cli("--help")
    text = " ".join(result.stdout.split())
    for code in (0, 1, 2, 3, 4, 5, 6, 130):
        assert f"{code} " in text
    assert "VOUCHERIFY_APP_ID" in text


def test_without_the_cli_extra_the_command_says_what_to_install() -> None:
    code = "import sys; sys.modules['typer'] = None; from voucherify_ext.cli import main; sys.exit(main([]))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert "pip install 'voucherify-orders[cli]'" in result.stderr and "Traceback" not in result.stderr


_TREE_PROBE = """
import importlib, json, pkgutil, typer, typer.main, voucherify_ext.cli as cli

def walk(command, path):
    yield " ".join(path)
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from walk(sub, [*path, name])

first = cli.build_app()  # before any command module was imported by the test
names = [m.name for m in pkgutil.iter_modules(cli.__path__, "voucherify_ext.cli.")]
modules = [importlib.import_module(name) for name in names]
held = [f"{m.__name__}.{k}" for m in modules for k, v in vars(m).items() if isinstance(v, typer.Typer)]
second = cli.build_app()
print(json.dumps({
    "modules": names,
    "held": held,
    "new_each_time": first is not second,
    "first": list(walk(typer.main.get_command(first), [])),
    "second": list(walk(typer.main.get_command(second), [])),
}))
"""


def test_the_tree_is_built_in_one_place_and_importing_registers_nothing() -> None:
    """In a fresh interpreter, ``build_app()`` alone gives the whole tree (no module has to be
    imported first for its commands to appear), no module of the CLI holds a command tree of
    its own, and each call builds a new tree with the same commands."""
    run = subprocess.run([sys.executable, "-c", _TREE_PROBE], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert {"voucherify_ext.cli.app", "voucherify_ext.cli.orders", "voucherify_ext.cli.bulk"} <= set(
        seen["modules"]
    )
    assert seen["held"] == []
    assert seen["new_each_time"]
    orders = [f"orders {c}" for c in ("create", "export", "get", "import", "list", "sync", "update")]
    assert seen["first"] == seen["second"] == ["", "orders", *orders, "sandbox"]
