"""The wheel ships both packages with their data and installs into a clean virtual environment;
the version is written in one place (voucherify_ext/_version.py) and the metadata says the same.
The generator settings ride in the wheel (copied from openapi/ at build time), and in a clean
environment with the ``codegen`` extra, ``python -m voucherify_ext.codegen`` works with no
checkout around and writes the very bytes a checkout writes."""

from __future__ import annotations

import ast
import email.parser
import importlib.metadata
import os
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

from tests.codegen.conftest import TEAM_SPEC
from voucherify_ext._version import __version__
from voucherify_ext.codegen import build, tree

pytestmark = pytest.mark.wheel  # make test-wheel

ROOT = Path(__file__).resolve().parents[2]
DATA = "voucherify_ext/codegen/data/"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("voucherify_orders-*.whl")
    return built


def test_wheel_contains_both_typed_packages_and_the_spec(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "voucherify_client/py.typed" in names
    assert "voucherify_client/openapi.json" in names
    assert "voucherify_client/api/orders/list_orders.py" in names
    assert "voucherify_ext/py.typed" in names
    assert "voucherify_ext/sandbox/openapi.json" in names  # the sandbox's own spec copy
    assert not any(n.startswith(("generated/", "tests/")) for n in names)


def test_wheel_ships_the_generator_settings_as_they_are_in_openapi(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        shipped = {n[len(DATA) :]: archive.read(n) for n in archive.namelist() if n.startswith(DATA)}
    settings = ROOT / "openapi"
    expected = ["config.yaml", "ruff-generated.toml"]
    expected += [
        p.relative_to(settings).as_posix() for p in (settings / "templates").rglob("*") if p.is_file()
    ]
    assert sorted(shipped) == sorted(expected)
    assert all(shipped[name] == (settings / name).read_bytes() for name in expected)


def _install(env_dir: Path, *requirements: str) -> Path:
    """A clean venv with ``requirements``, at the lock's versions (pip's cache is reused).

    The venv gets no pip of its own: this environment's pip installs into it (``--python``),
    without compiling bytecode, which halves the time.
    """
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    lock = ROOT / "requirements" / "dev.txt"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-compile"]
    subprocess.run(
        [*pip, "--disable-pip-version-check", "-c", str(lock), *requirements], check=True, capture_output=True
    )
    return python


def _outside(python: Path, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the venv's python away from the checkout, with nothing on PATH (no console scripts)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = os.devnull
    return subprocess.run([str(python), *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def bare_python(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean virtual environment with the wheel alone (no extra)."""
    return _install(tmp_path_factory.mktemp("bare") / "venv", str(wheel))


@pytest.fixture(scope="module")
def codegen_python(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean virtual environment with ``wheel[codegen]``, installed once for the module."""
    return _install(tmp_path_factory.mktemp("codegen") / "venv", f"{wheel}[codegen]")


@pytest.mark.slow
def test_wheel_installs_and_imports_in_a_clean_venv(bare_python: Path, tmp_path: Path) -> None:
    python = bare_python
    probe = (
        "import importlib.resources as r, json, voucherify_client, voucherify_ext;"
        "spec = json.loads((r.files('voucherify_client') / 'openapi.json').read_text());"
        "from voucherify_client.api.orders import get_order;"
        "print(spec['info']['title'], voucherify_ext.__version__)"
    )
    run = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"Voucherify Orders API {__version__}"


def test_the_version_is_written_in_one_place() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "voucherify_ext/_version.py"
    assigned = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "voucherify_ext").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets)
    ]
    assert assigned == ["voucherify_ext/_version.py"]


def test_the_wheel_and_the_installed_package_carry_the_package_version(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))
    assert metadata["Name"] == "voucherify-orders"
    assert metadata["Version"] == __version__
    assert wheel.name.startswith(f"voucherify_orders-{__version__}-")
    # the environment the tests run in (`make venv` reinstalls when _version.py changes)
    assert importlib.metadata.version("voucherify-orders") == __version__


@pytest.mark.slow
def test_the_installed_wheel_generates_a_teams_client_as_a_checkout_does(
    codegen_python: Path, tmp_path: Path
) -> None:
    spec = tmp_path / "spec.yaml"  # the team's spec, away from this repository
    spec.write_bytes(TEAM_SPEC.read_bytes())
    args = ("-m", "voucherify_ext.codegen", spec, "--package", "team_client", "--out", tmp_path / "out")
    run = _outside(codegen_python, *args, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    # the settings came from the wheel, not from a checkout
    where = "from voucherify_ext.codegen import settings; print(settings.find_settings().root)"
    probe = _outside(codegen_python, "-c", where, cwd=tmp_path)
    assert probe.stdout.strip().endswith("site-packages/voucherify_ext/codegen/data"), (
        probe.stdout + probe.stderr
    )
    # the very bytes this checkout writes from openapi/
    with build.fresh(TEAM_SPEC, "team_client") as ours:
        assert tree.differences(ours, tmp_path / "out" / "team_client") == []
    check = _outside(codegen_python, *args, "--check", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    # and the generated client, in that environment, tolerates an unknown enum value
    use = (
        "from team_client.models import Customer\n"
        "c = Customer.from_dict({'id': 'c1', 'object': 'customer_v2', 'tier': 'platinum'})\n"
        "print(c.object_, c.tier, c.to_dict() == {'id': 'c1', 'object': 'customer_v2', 'tier': 'platinum'})"
    )
    used = _outside(codegen_python, "-c", use, cwd=tmp_path / "out")
    assert used.stdout.split() == ["customer_v2", "platinum", "True"], used.stderr


@pytest.mark.slow
def test_without_the_extra_the_command_names_it_in_one_line(bare_python: Path, tmp_path: Path) -> None:
    args = ("-m", "voucherify_ext.codegen", TEAM_SPEC, "--package", "team_client", "--out", tmp_path)
    run = _outside(bare_python, *args, cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert len(run.stderr.splitlines()) == 1 and "Traceback" not in run.stderr
    assert run.stderr.endswith('pip install "voucherify-orders[codegen]"\n'), run.stderr
