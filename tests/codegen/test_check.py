"""``--check`` and ``check()``: empty for a fresh package, and every kind of staleness is named."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.codegen.conftest import PACKAGE, TEAM_SPEC, codegen
from voucherify_ext.codegen import check, generate


@pytest.fixture
def copy(generated_out: Path, tmp_path: Path) -> Path:
    """A copy of the generated package that a test may edit (the module's own stays untouched)."""
    shutil.copytree(generated_out / PACKAGE, tmp_path / PACKAGE)
    return tmp_path


def test_a_fresh_package_is_up_to_date_byte_for_byte(generated_out: Path) -> None:
    # a second generation, in another process and folder, writes the same bytes
    run = codegen(TEAM_SPEC, "--package", PACKAGE, "--out", generated_out, "--check")
    assert (run.returncode, run.stderr) == (0, ""), run.stdout
    assert run.stdout.strip() == f"{generated_out / PACKAGE} is up to date with {TEAM_SPEC}"


def test_hand_edits_and_added_or_removed_files_are_listed(copy: Path) -> None:
    package = copy / PACKAGE
    with open(package / "models" / "customer_tier.py", "a", encoding="utf-8") as f:
        f.write("# a hand edit\n")
    (package / "models" / "customer_object.py").unlink()
    (package / "notes.txt").write_text("mine\n")
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"ignored")
    found = check(TEAM_SPEC, package=PACKAGE, out=copy)
    assert found == [
        "missing: models/customer_object.py",
        "stale: models/customer_tier.py",
        "extra: notes.txt",
    ]
    run = codegen(TEAM_SPEC, "--package", PACKAGE, "--out", copy, "--check")
    assert run.returncode == 1, run.stdout + run.stderr
    first, *listed = run.stdout.splitlines()
    assert first.startswith(f"{package} is stale; regenerate with: python -m voucherify_ext.codegen ")
    assert [line.strip() for line in listed] == found


def test_a_changed_spec_makes_the_package_stale_until_regenerated(copy: Path, tmp_path: Path) -> None:
    spec = tmp_path / "team_spec.yaml"
    spec.write_text(
        TEAM_SPEC.read_text().replace("[bronze, silver, gold]", "[bronze, silver, gold, platinum]")
    )
    assert check(spec, package=PACKAGE, out=copy) == ["stale: models/customer_tier.py", "stale: openapi.json"]
    assert generate(spec, package=PACKAGE, out=copy) == copy / PACKAGE
    assert 'PLATINUM = "platinum"' in (copy / PACKAGE / "models" / "customer_tier.py").read_text()
    assert not list(copy.glob(f".{PACKAGE}-codegen-*"))  # the staging folder is gone


def test_a_package_never_generated_is_missing_as_a_whole(tmp_path: Path) -> None:
    assert check(TEAM_SPEC, package=PACKAGE, out=tmp_path) == [f"missing: {PACKAGE}/ (the whole package)"]


def test_the_python_example_of_docs_codegen_md_runs(tmp_path: Path) -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "codegen.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```python\n(.*?)```", page, re.S)
    namespace: dict[str, Any] = {}
    exec(compile(block, "docs/codegen.md", "exec"), namespace)
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(TEAM_SPEC.read_bytes())
    out = tmp_path / "src"
    assert namespace["regenerate_if_stale"](spec, out) == out / "customers_client"
    assert namespace["regenerate_if_stale"](spec, out) is None  # fresh now: checked, not rewritten
    with pytest.raises(SystemExit, match="cannot read the spec"):
        namespace["regenerate_if_stale"](tmp_path / "nope.yaml", out)
