"""Test the dependency ranges of pyproject.toml at one end: a fresh virtual environment with the
project's runtime dependencies and extras at their newest allowed versions (``latest``, uv's
``--resolution highest``) or their lowest allowed ones (``lowest``, ``--resolution lowest-direct``),
the test tools at the lock's exact versions, the versions it resolved printed, then the CLI, docs
and core tests.

    python scripts/range_env.py latest [pytest args]    # make test-latest
    python scripts/range_env.py lowest [pytest args]    # make test-lowest

The ``codegen`` extra is left out: it is pinned exactly (``==``), so both ends are the lock, which
``make test`` runs; the one test that needs it is deselected. uv comes from the lock
(requirements/dev.txt, installed into .venv by ``make venv``) and uses the package index pip is
configured with here (``UV_INDEX_URL``, else ``PIP_INDEX_URL``, else pip's ``index-url``, else
uv's default, PyPI). docs/testing.md, "The dependency ranges at both ends".
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "dev.txt"
UV = ROOT / ".venv" / "bin" / "uv"
EXTRAS = ("cli", "sandbox", "otel")  # codegen is pinned exactly: both its ends are the lock
RESOLUTION = {"latest": "highest", "lowest": "lowest-direct"}
# What the CLI, docs and core tests run with, at the lock's exact versions at both ends
TEST_TOOLS = (
    "pytest",
    "pytest-asyncio",
    "pytest-xdist",
    "pytest-timeout",
    "hypothesis",
    "respx",
    "PyYAML",
    "opentelemetry-sdk",  # docs/observability.md's example records spans with it
)
# The CLI, docs and core tests that exercise what the dependencies do for us (typer and rich:
# help, errors, tables and progress; httpx: the transport; attrs and python-dateutil: the models;
# jsonschema-rs: validation; filelock: the state lock; starlette and uvicorn: the sandbox;
# opentelemetry: spans). A focused set, so that each end stays within its CI budget (about a
# minute with the environment); make test runs everything on the lock, and the
# rest uses the same dependencies through the same calls these make. Of the CLI's command
# tests only what typer, rich and filelock shape is here (a usage error, the exit-code help,
# JSON and table output, the state file; the README's CLI session shows the import's progress
# bar): the others are our own exit paths and checks, the same at both ends.
TESTS = (
    "tests/cli/test_cli_help_golden.py",
    "tests/cli/test_cli_errors_and_help.py::test_usage_errors_exit_2",
    "tests/cli/test_cli_errors_and_help.py::test_root_help_documents_the_exit_codes",
    "tests/cli/test_cli_orders.py::test_create_from_stdin_get_and_update_from_a_file",
    "tests/cli/test_cli_orders.py::test_list_all_and_table",
    "tests/cli/test_cli_orders.py::test_global_sandbox_flag_keeps_state_between_runs_with_a_state_file",
    "tests/cli/test_cli_state_lock.py",
    "tests/docs/test_readme.py",
    "tests/docs/test_observability_docs.py",
    "tests/core/test_core_client.py",
    "tests/core/test_core_transport.py",
    "tests/core/test_core_errors.py",
    "tests/core/test_core_sandbox.py",
    "tests/core/test_raw_responses.py",
)
DESELECT: tuple[str, ...] = ()


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return canonical(match.group(0))


def lock_pins(names: tuple[str, ...]) -> list[str]:
    pins = {}
    for line in LOCK.read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            pins[requirement_name(line)] = line.strip()
    missing = [name for name in names if canonical(name) not in pins]
    if missing:
        raise SystemExit(f"not in {LOCK.relative_to(ROOT)}: {', '.join(missing)}")
    return [pins[canonical(name)] for name in names]


def runtime_requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in EXTRAS:
        requirements += project["optional-dependencies"][extra]
    return list(dict.fromkeys(requirements))  # cli repeats sandbox's


def index_env() -> dict[str, str]:
    env = dict(os.environ)
    if "UV_INDEX_URL" not in env and "UV_DEFAULT_INDEX" not in env:
        url = env.get("PIP_INDEX_URL")
        if not url:
            listed = subprocess.run(
                [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, check=False
            ).stdout
            found = re.search(r"^[^=\n]*[.:]index-url='([^']+)'", listed, re.MULTILINE)
            url = found.group(1) if found else None
        if url:
            env["UV_INDEX_URL"] = url
    env.setdefault("UV_NATIVE_TLS", "1")  # the system's certificates, as pip here uses
    return env


def run(argv: list[str], env: dict[str, str] | None = None) -> None:
    print("+", " ".join(argv), flush=True)
    done = subprocess.run(argv, cwd=ROOT, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(done.returncode)


def installed(python: Path, env: dict[str, str]) -> dict[str, str]:
    frozen = subprocess.run(
        [str(UV), "pip", "freeze", "--python", str(python)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    ).stdout
    versions = {}
    for line in frozen.splitlines():
        if "==" in line:
            name, version = line.split("==", 1)
            versions[canonical(name)] = version.strip()
    return versions


def print_versions(end: str, versions: dict[str, str]) -> None:
    requirements = runtime_requirements()
    width = max(len(r) for r in requirements)
    print(f"\n{end}: the runtime dependencies and extras ({', '.join(EXTRAS)}) resolved to")
    for requirement in requirements:
        print(f"  {requirement:<{width}}  {versions.get(requirement_name(requirement), 'MISSING')}")
    others = sorted(set(versions) - {requirement_name(r) for r in requirements})
    beside = ", ".join(f"{name}=={versions[name]}" for name in others)
    print(f"  and, beside them: {beside}\n", flush=True)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in RESOLUTION:
        raise SystemExit(f"usage: {Path(__file__).name} latest|lowest [pytest args]")
    end, pytest_args = argv[0], argv[1:]
    if not UV.exists():
        raise SystemExit(f"{UV.relative_to(ROOT)} is missing: run make venv (uv is in the lock)")
    started = time.monotonic()
    venv = ROOT / f".venv-{end}"
    shutil.rmtree(venv, ignore_errors=True)
    env = index_env()
    run([str(UV), "venv", "--quiet", "--python", sys.executable, str(venv)], env)
    python = venv / "bin" / "python"
    install = [str(UV), "pip", "install", "--quiet", "--compile-bytecode", "--python", str(python)]
    install += ["--resolution", RESOLUTION[end]]
    run([*install, "-e", f".[{','.join(EXTRAS)}]", *lock_pins(TEST_TOOLS)], env)
    print_versions(end, installed(python, env))
    print(f"environment ready in {time.monotonic() - started:.0f} s", flush=True)
    deselect = [f"--ignore={path}" for path in DESELECT]
    run([str(python), "-m", "pytest", "-m", "not wheel", *deselect, *TESTS, *pytest_args])
    print(f"test-{end}: {time.monotonic() - started:.0f} s in all", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
