"""README.md's examples, run against the sandbox: the Python blocks in order, then the CLI
session of "The command line" as its shell block spells it."""

from __future__ import annotations

import csv
import json
import logging
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from voucherify_ext.sandbox import Sandbox

from .conftest import ROOT, blocks, run_blocks

README = ROOT / "README.md"


def test_readme_has_the_sections_a_new_user_needs() -> None:
    text = README.read_text(encoding="utf-8")
    first_code = text.index("```")
    assert (
        text[first_code:].startswith("```sh\nmake demo")
        and "make test" in text[first_code : first_code + 200]
    )
    for heading in (
        "## Install", "## Quick start", "## Configuration", "## Retries", "## Errors", "## Logging",
        "## Pagination", "## Import and export", "## The command line", "## The sandbox and pytest fixtures",
        "## Regenerating", "## Layout",
    ):  # fmt: skip
        assert f"\n{heading}" in text, heading
    assert "[benchmarks/RESULTS.md](benchmarks/RESULTS.md)" in text
    for link in ("docs/client.md", "docs/pagination.md", "docs/jobs.md", "docs/sandbox.md", "docs/cli.md",
                 "docs/testing.md", "docs/extending.md"):  # fmt: skip
        assert f"]({link}" in text and (ROOT / link).exists(), link


def test_no_block_is_skipped() -> None:
    found = blocks(README)
    assert len(found) >= 10
    skipped = [b for b in found if b.skipped]
    assert skipped == [], "every README block runs: one that needs a real account prints instead of sending"


def test_every_python_block_runs_against_the_sandbox(
    sandbox_env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    logger = logging.getLogger("voucherify")
    level = logger.level
    try:
        run_blocks(blocks(README))
    finally:
        logger.setLevel(level)
    out = capsys.readouterr().out
    assert "404 not_found" in out and "request_id=v-" in out  # the errors block printed the error
    assert "3 attempts" in out  # the sandbox block saw the injected 503s retried
    assert Path("orders.csv").exists() and Path("paid-orders.csv").exists()
    with open("orders.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["source_id"] for r in rows} >= {f"hist-{n}" for n in range(300)}


def test_the_cli_session_imports_a_jsonl_file_and_exports_it_back(
    sandbox_env: Sandbox, tmp_path: Path
) -> None:
    session = next(b for b in blocks(README, "sh") if "orders import" in b.code)
    commands = [shlex.split(line, comments=True) for line in session.code.splitlines()]
    commands = [c for c in commands if c[:2] == ["voucherify-orders", "orders"]]
    assert [c[2] for c in commands] == ["import", "export", "list"]
    exports = [line for line in session.code.splitlines() if line.startswith("export VOUCHERIFY_")]
    assert exports and all(f"VOUCHERIFY_{v}=" in exports[0] for v in ("API_URL", "APP_ID", "APP_TOKEN"))
    assert f"VOUCHERIFY_APP_ID={sandbox_env.app_id} " in exports[0]
    assert f"VOUCHERIFY_APP_TOKEN={sandbox_env.app_token}" in exports[0]

    records = [{"source_id": f"cli-{n}", "amount": n, "status": "PAID"} for n in range(40)]
    (tmp_path / "orders.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    cli = shutil.which("voucherify-orders", path=str(Path(sys.executable).parent))
    assert cli is not None
    for command in commands:
        result = subprocess.run([cli, *command[1:]], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, (command, result.stderr)
    with open(tmp_path / "orders.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["source_id"], int(r["amount"])) for r in rows] == [
        (r["source_id"], r["amount"]) for r in records
    ]
    assert {r["id"] for r in rows} == {o["id"] for o in sandbox_env.orders()}
