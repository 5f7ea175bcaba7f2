"""The wheel ships both packages with their data and installs into a clean virtual environment;
the version is written in one place (voucherify_ext/_version.py) and the metadata says the same."""

from __future__ import annotations

import ast
import email.parser
import importlib.metadata
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

from voucherify_ext._version import __version__

ROOT = Path(__file__).resolve().parents[2]


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


@pytest.mark.slow
def test_wheel_installs_and_imports_in_a_clean_venv(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
    )
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
