"""A team's tiny spec (team_spec.yaml) generated once per module by ``python -m voucherify_ext.codegen``.

The command runs as a subprocess with ``PATH`` emptied: the generator and ruff must be found
through the running interpreter, never as console scripts on ``PATH``.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TEAM_SPEC = HERE / "team_spec.yaml"
PACKAGE = "cg_team_client"


def codegen(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m voucherify_ext.codegen ARGS`` with nothing on PATH."""
    env = {**os.environ, "PATH": os.devnull}
    return subprocess.run(
        [sys.executable, "-m", "voucherify_ext.codegen", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=120,
    )


def import_package(out: Path, name: str) -> Iterator[ModuleType]:
    """Import ``out/name`` (and its models) for the test, then forget it."""
    sys.path.insert(0, str(out))
    try:
        importlib.import_module(name)
        yield importlib.import_module(f"{name}.models")
    finally:
        sys.path.remove(str(out))
        for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[module]


@pytest.fixture(scope="module")
def generated_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the command wrote ``cg_team_client/`` into (run from outside the checkout)."""
    out = tmp_path_factory.mktemp("out")
    run = codegen(TEAM_SPEC, "--package", PACKAGE, "--out", out, cwd=out)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip() == f"generated {out / PACKAGE}"
    return out


@pytest.fixture(scope="module")
def team_models(generated_out: Path) -> Iterator[ModuleType]:
    yield from import_package(generated_out, PACKAGE)
