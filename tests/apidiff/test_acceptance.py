"""Acceptance (issue 14): the real ``make api-diff`` on a temporary copy of the repository.

Renaming an order field and regenerating fails with a report naming the field as breaking;
bumping the version and adding the CHANGELOG entry makes it pass; an optional field passes,
listed as additive. (That the tree as it is passes, ``make test`` shows: it runs
``make api-diff`` first.) The copy shares this checkout's virtual environment (``.venv`` links to it,
and ``make -o`` keeps make from reinstalling it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from apidiff.gate import needed

ROOT = Path(__file__).resolve().parents[2]
IGNORE = shutil.ignore_patterns(
    ".venv*",
    ".git",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    "*.egg-info",
    "dist",
    "build",
)
FIELD = "#/components/schemas/OrderCalculated/properties/total_amount"
pytestmark = pytest.mark.slow


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=IGNORE)
    (copy / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return copy


def make(repo: Path, target: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", target],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def set_version(repo: Path, version: str) -> None:
    path = repo / "voucherify_ext" / "_version.py"
    path.write_text(
        re.sub(r'__version__ = "[^"]+"', f'__version__ = "{version}"', path.read_text()), encoding="utf-8"
    )


def section(report: str, heading: str) -> str:
    """One group of the report (``BREAKING``, ``ADDITIVE``, ...), up to the next blank line."""
    match = re.search(rf"^{heading} \(\d+\)\n(.*?)(?:\n\n|\Z)", report, re.M | re.S)
    return match.group(1) if match else ""


def test_a_renamed_order_field_fails_until_versioned(repo: Path) -> None:
    baseline = (repo / "openapi" / "baseline" / "VERSION").read_text().strip()
    set_version(repo, baseline)
    edit(
        repo / "openapi" / "voucherify-orders.yaml",
        "        total_amount: {type: integer, description: Amount after",
        "        grand_total: {type: integer, description: Amount after",
    )
    assert make(repo, "generate").returncode == 0
    failed = make(repo, "api-diff")
    assert failed.returncode != 0
    breaking = section(failed.stdout, "BREAKING")
    assert f"`{FIELD}`" in breaking and "`voucherify_client.models.OrderCalculated.total_amount`" in breaking
    assert "breaking: field 'total_amount' removed" in breaking
    assert "grand_total" in section(failed.stdout, "ADDITIVE")
    want = ".".join(map(str, needed(baseline)))
    assert f"needs at least {want}" in failed.stdout and f"does not name `{FIELD}`" in failed.stdout

    set_version(repo, want)
    still = make(repo, "api-diff")
    assert (
        still.returncode != 0
        and "needs at least" not in still.stdout
        and f"does not name `{FIELD}`" in still.stdout
    )

    edit(
        repo / "CHANGELOG.md",
        "## Unreleased\n\n",
        f"## Unreleased\n\n- **Breaking:** `{FIELD}` is now `grand_total`.\n\n",
    )
    passed = make(repo, "api-diff")
    assert passed.returncode == 0, passed.stdout
    assert "api-diff: OK (versioned" in passed.stdout


def test_a_new_optional_order_field_passes_as_additive(repo: Path) -> None:
    edit(
        repo / "openapi" / "voucherify-orders.yaml",
        "        total_amount: {type: integer, description: Amount after",
        "        zz_note: {type: string}\n        total_amount: {type: integer, description: Amount after",
    )
    assert make(repo, "generate").returncode == 0
    result = make(repo, "api-diff")
    assert result.returncode == 0, result.stdout
    additive = section(result.stdout, "ADDITIVE")
    assert "`#/components/schemas/OrderCalculated/properties/zz_note`" in additive
    assert "`voucherify_client.models.OrderCalculated.zz_note`" in additive


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_a_missing_or_corrupt_baseline_fails_in_one_line(repo: Path, damage: str) -> None:
    dump = repo / "openapi" / "baseline" / "python-api.json"
    if damage == "missing":
        dump.unlink()
    else:
        dump.write_text('{"voucherify_ext": [1, 2', encoding="utf-8")
    result = subprocess.run([sys.executable, "scripts/api_diff.py"], cwd=repo, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"api-diff: BaselineError: baseline {damage}")
