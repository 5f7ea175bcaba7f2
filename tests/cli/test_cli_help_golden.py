"""The CLI's help and usage errors read the same whatever versions of typer, click and rich the
dependency ranges allow: the console script's output compared with golden files taken on the lock
(requirements/dev.txt). ``make test`` checks them on the lock, ``make test-latest`` and
``make test-lowest`` at both ends of the ranges (docs/testing.md, "The dependency ranges at both
ends"). After a deliberate change of the help, rewrite them: ``UPDATE_GOLDEN=1 pytest`` this file.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .conftest import CLI

GOLDEN = Path(__file__).parent / "golden"
# name of the golden file -> the command line; usage errors exit 2 before any request
COMMANDS = {
    "help": ["--help"],
    "orders-help": ["orders", "--help"],
    **{f"orders-{name}-help": ["orders", name, "--help"] for name in ("get", "create", "update", "list")},
    **{f"orders-{name}-help": ["orders", name, "--help"] for name in ("import", "export")},
    "error-bad-choice": ["orders", "list", "--format", "xml"],
    "error-out-of-range": ["orders", "list", "--limit", "0"],
    "error-no-such-command": ["orders", "nope"],
    "error-missing-argument": ["orders", "get"],
}


def run(args: list[str], tmp_path: Path) -> str:
    assert CLI is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VOUCHERIFY_", "FORCE_COLOR"))}
    env.update(COLUMNS="100", NO_COLOR="1", TERM="dumb")
    done = subprocess.run([CLI, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    return f"$ voucherify-orders {' '.join(args)}\nexit {done.returncode}\n{done.stdout}{done.stderr}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_and_usage_errors_read_as_on_the_lock(name: str, tmp_path: Path) -> None:
    got = run(COMMANDS[name], tmp_path)
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(got)
    assert "Traceback" not in got
    assert got == path.read_text(), f"{name}: the CLI's output differs from {path.name} (taken on the lock)"


def test_every_golden_file_belongs_to_a_command() -> None:
    assert {path.stem for path in GOLDEN.glob("*.txt")} == set(COMMANDS)
