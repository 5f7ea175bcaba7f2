"""What goes wrong is said in one line on stderr with exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.codegen.conftest import PACKAGE, TEAM_SPEC, codegen
from voucherify_ext.codegen import CodegenError, requirements

PREFIX = "python -m voucherify_ext.codegen: error: "


def _spec(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


CASES = {
    "no such file": (lambda tmp: tmp / "nope.yaml", "cannot read the spec"),
    "not YAML": (lambda tmp: _spec(tmp, "bad.yaml", "openapi: [\n"), "is not valid YAML at line 2"),
    "not JSON": (lambda tmp: _spec(tmp, "bad.json", '{"openapi": '), "is not valid JSON"),
    "not OpenAPI": (lambda tmp: _spec(tmp, "other.yaml", "hello: 1\n"), "is not an OpenAPI document"),
    "invalid OpenAPI": (
        lambda tmp: _spec(tmp, "broken.yaml", "openapi: 3.1.0\ninfo: {}\npaths: {}\n"),
        "the generator refused",
    ),
    "generator warning": (
        # a content type the generator cannot handle: it warns and leaves the operation out
        lambda tmp: _spec(
            tmp, "xml.yaml", TEAM_SPEC.read_text().replace("application/json:", "application/xml:")
        ),
        "(Unsupported content_type application/xml)",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_spec_is_one_line_and_exit_2(tmp_path: Path, case: str) -> None:
    make, expected = CASES[case]
    run = codegen(make(tmp_path), "--package", PACKAGE, "--out", tmp_path / "out")
    assert run.returncode == 2, run.stdout + run.stderr
    assert len(run.stderr.splitlines()) == 1 and run.stderr.startswith(PREFIX), run.stderr
    assert expected in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()  # nothing half-written


@pytest.mark.parametrize("name", ["1team", "team-client", "class", "tëam"])
def test_a_package_name_that_cannot_be_imported_is_refused(tmp_path: Path, name: str) -> None:
    run = codegen(TEAM_SPEC, "--package", name, "--out", tmp_path)
    assert run.returncode == 2 and run.stderr.startswith(PREFIX) and len(run.stderr.splitlines()) == 1
    assert "is not a Python package name" in run.stderr


def test_a_folder_it_did_not_write_is_never_replaced(tmp_path: Path) -> None:
    mine = tmp_path / PACKAGE
    mine.mkdir()
    (mine / "code.py").write_text("precious = True\n")
    run = codegen(TEAM_SPEC, "--package", PACKAGE, "--out", tmp_path)
    assert run.returncode == 2 and "was not written by voucherify_ext.codegen" in run.stderr
    assert sorted(p.name for p in mine.iterdir()) == ["code.py"]


def test_a_missing_or_other_version_of_a_pinned_tool_names_the_extra() -> None:
    with pytest.raises(CodegenError, match=r"no-such-generator is not installed.*" + r'\[codegen\]"'):
        requirements.verify({"no-such-generator": "1.0"})
    with pytest.raises(
        CodegenError, match=r"openapi-python-client 0\.29\.1 is installed but codegen pins 0\.0\.1"
    ):
        requirements.verify({"openapi-python-client": "0.0.1"})
    requirements.verify()  # this environment has exactly the pinned tools


def test_the_pins_are_read_from_exact_requirements_of_the_extra_only() -> None:
    lines = [
        "openapi-python-client==0.29.1; extra == 'codegen'",
        'ruff==0.17.5 ; extra == "codegen"',
        "ruff==0.17.5; extra == 'dev'",
        "httpx<0.29,>=0.28",
    ]
    assert requirements.pins(lines) == {"openapi-python-client": "0.29.1", "ruff": "0.17.5"}
    with pytest.raises(CodegenError, match="names no exact codegen pins"):
        requirements.pins(["ruff>=0.17; extra == 'codegen'"])
