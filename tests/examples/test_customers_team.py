"""examples/customers_team, another team's repository in miniature: built from scratch from our
wheel (``scripts/check_example.py``: a clean virtual environment, the wheel's codegen command,
``mypy --strict``, the team's tests on the extended sandbox), and held to the rule that its own
code needs no escape hatch from the type checker."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "customers_team"
#: what would let the team's code pass mypy without its types being right
ESCAPES = re.compile(r"type:\s*ignore|\bcast\(|\bAny\b|typing\.cast")


def _own_code() -> list[Path]:
    return sorted(p for p in EXAMPLE.rglob("*.py") if "generated" not in p.relative_to(EXAMPLE).parts)


def test_the_examples_own_code_has_no_type_checker_escape() -> None:
    files = _own_code()
    assert {p.relative_to(EXAMPLE).as_posix() for p in files} >= {
        "customers_team/customers.py",
        "customers_team/sandbox.py",
        "tests/test_customers.py",
    }
    found = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
        for p in files
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if ESCAPES.search(line)
    ]
    assert found == []


def test_the_escape_scan_finds_each_escape(tmp_path: Path) -> None:
    for line in ("x = 1  # type: ignore[assignment]", "y = cast(int, x)", "def f(a: Any) -> None: ..."):
        assert ESCAPES.search(line), line
    assert not ESCAPES.search("anything = many(1)")


@pytest.mark.wheel  # make test-wheel
@pytest.mark.slow  # handed out first under xdist (tests/conftest.py): the longest test of make test-wheel
@pytest.mark.timeout(900)  # pip, codegen, mypy --strict and the team's tests: 2-4 minutes on a loaded machine
def test_the_example_builds_type_checks_and_passes_from_the_built_wheel() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_example.py")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for step in (
        "generate customers_client (codegen)",
        "mypy --strict",
        "the team's tests on the extended sandbox",
    ):
        assert step in out, out
    assert re.search(r"\b\d+ passed\b", out) and "failed" not in out.lower(), out
