"""Running the pinned generator and formatter, from the running interpreter's environment.

Both are found next to ``sys.executable``, never on ``PATH``: the generator is run as
``python -m openapi_python_client`` (no console script needed), ruff through
``ruff.find_ruff_bin()`` (the binary its wheel installed in this environment). The child
processes get a fixed hash seed and UTF-8 mode, ruff runs without a cache and without any
``RUFF_*`` variable, so nothing in the caller's environment or folder reaches the output.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from voucherify_ext.codegen.errors import CodegenError
from voucherify_ext.codegen.requirements import INSTALL
from voucherify_ext.codegen.settings import Settings

#: generator lines that carry no information about what went wrong
_NOISE = (
    "Generating ",
    "If you believe this was a mistake",
    "Error(s) encountered",
    "Warning(s) encountered",
)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUFF_")}
    env.update(PYTHONHASHSEED="0", PYTHONUTF8="1", PYTHONIOENCODING="utf-8")
    return env


def summary(output: str) -> str:
    """The generator's first problem in one line (its output spreads each over many)."""
    lines = [s for line in output.splitlines() if (s := line.strip()) and not s.startswith(_NOISE)]
    problems = sum(1 for s in lines if s.startswith("WARNING"))
    head = ": ".join(lines[:2]) or "no output"
    return head if problems <= 1 else f"{head} (and {problems - 1} more warnings)"


def run_generator(spec: Path, config: Path, templates: Path | None, out: Path) -> None:
    """openapi-python-client ``generate`` into ``out`` (which must not exist); warnings fail it."""
    command = [sys.executable, "-P", "-m", "openapi_python_client", "generate", "--path", str(spec)]
    command += ["--config", str(config), "--meta", "none", "--output-path", str(out), "--fail-on-warning"]
    if templates is not None:
        command += ["--custom-template-path", str(templates)]
    run = subprocess.run(command, capture_output=True, text=True, cwd=out.parent, env=_environment())
    if run.returncode != 0 or not out.is_dir():
        raise CodegenError(f"the generator refused {spec}: {summary(run.stdout + run.stderr)}")


def ruff_binary() -> str:
    from ruff import find_ruff_bin

    try:
        return str(find_ruff_bin())
    except FileNotFoundError:
        raise CodegenError(f"ruff's binary is not in this environment: {INSTALL}") from None


def format_package(package: Path, settings: Settings, workspace: Path) -> None:
    """Our pinned ruff with only ``ruff-generated.toml``: unused imports dropped, imports sorted, formatted.

    The configuration is copied into ``workspace`` (the folder ruff then takes as the project
    root) and the files are named one by one, so neither the settings' location, a ``.gitignore``
    nor ruff's default excludes (a package folder named ``dist`` or ``venv``) change what is formatted.
    """
    config = workspace / "ruff.toml"
    config.write_bytes(settings.ruff_config.read_bytes())
    files = [str(p) for p in sorted(package.rglob("*.py"))]
    ruff = ruff_binary()
    for step in (["check", "--fix-only"], ["format"]):
        command = [ruff, *step, "--config", str(config), "--no-cache", "--quiet", *files]
        run = subprocess.run(command, capture_output=True, text=True, cwd=workspace, env=_environment())
        if run.returncode != 0:
            detail = (run.stderr or run.stdout).strip().splitlines()
            raise CodegenError(f"ruff {step[0]} failed on the generated code: {detail[0] if detail else ''}")
