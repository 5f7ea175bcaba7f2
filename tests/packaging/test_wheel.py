"""The wheel ships both packages with their data and installs into a clean virtual environment."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

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
    assert run.stdout.strip() == "Voucherify Orders API 0.1.0"
