"""The import-linter contracts in pyproject.toml hold, and they can fail.

``make lint`` runs ``lint-imports`` too; this test also plants one violation of each contract in
a copy of the package and checks that each is reported, so a contract that had silently stopped
matching anything (a renamed module, a layer spelt wrong) would be seen.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONTRACTS = len(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"])

#: (file, line planted at its end, the contract name that must then be broken)
PLANTS = [
    # a bottom-layer module importing one of a layer above it
    ("voucherify_ext/server_waits.py", "import voucherify_ext.validation", "voucherify_ext's layers"),
    # a cycle inside a package: the results import the driver that imports them
    (
        "voucherify_ext/imports/results.py",
        "import voucherify_ext.imports.plan",
        "no cycles between the modules",
    ),
    # the sandbox reaching into the client side
    ("voucherify_ext/sandbox/util.py", "import voucherify_ext.client", "the sandbox and the client side"),
    # the pure import state reaching the transport
    ("voucherify_ext/imports/chunker.py", "import voucherify_ext.http.exchange", "do no I/O"),
    # the generated client importing ours
    ("generated/voucherify_client/types.py", "import voucherify_ext.errors", "the generated client never"),
    # the build tool reaching into the client side (the layers allow it: codegen sits at the top)
    ("voucherify_ext/codegen/errors.py", "import voucherify_ext.http.exchange", "codegen is a build tool"),
]


def _lint(cwd: Path, pythonpath: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )


def test_the_import_contracts_hold() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.parametrize(("file", "line", "contract"), PLANTS, ids=[p[2] for p in PLANTS])
def test_each_contract_reports_a_planted_violation(
    tmp_path: Path, file: str, line: str, contract: str
) -> None:
    for part in ("voucherify_ext", "generated/voucherify_client"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with open(tmp_path / file, "a", encoding="utf-8") as f:
        f.write(f"\n{line}  # planted by the test\n")
    result = _lint(tmp_path, pythonpath=f"{tmp_path}{os.pathsep}{tmp_path / 'generated'}")
    assert result.returncode != 0, result.stdout[-3000:]
    broken = result.stdout.split("Broken contracts")[-1]
    # the contract the plant breaks, and only that one (a plant must not pass by breaking another)
    kept = CONTRACTS - 1
    assert contract in broken and f"Contracts: {kept} kept, 1 broken." in result.stdout, result.stdout[-3000:]
