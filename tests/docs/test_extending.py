"""docs/extending.md, proven: every code block of the page runs here.

Case A (an endpoint added to this spec): the page's YAML is added to a copy of the spec, the
page's ``make generate`` is what it runs (``scripts/generate.py``, here with ``--spec`` and
``--output`` pointing at the copy), and the Python blocks run against the bundled sandbox, which
serves ``GET /v1/exports``. The fresh package is generated under another name
(``voucherify_client_ext_demo``) so it can sit next to the installed ``voucherify_client``; the
blocks' ``voucherify_client`` imports are pointed at it.

Case B (another repository): the page's shell block runs the codegen command on the customers
example's spec, the sandbox is served with the page's extension, the toolkit block runs against
it, the TOML blocks are the example's own configuration, and the page's test function runs with
the fixtures' objects. (``scripts/check_example.py`` builds the whole example from the wheel;
``tests/examples`` runs it.)
"""

from __future__ import annotations

import importlib
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from voucherify_ext import Voucherify
from voucherify_ext.sandbox import Sandbox, SandboxExtension, serve

from .conftest import ROOT, Block, blocks, point_env_at, run_blocks

PAGE = ROOT / "docs" / "extending.md"
PACKAGE = "voucherify_client_ext_demo"
EXAMPLE = ROOT / "examples" / "customers_team"


def _case(found: list[Block], case: str) -> list[Block]:
    """The blocks of section ``## A.`` or ``## B.`` of the page."""
    text = PAGE.read_text(encoding="utf-8")
    a = text.count("\n", 0, text.index("\n## A. ")) + 1
    b = text.count("\n", 0, text.index("\n## B. ")) + 1
    return [blk for blk in found if (a < blk.line < b if case == "A" else blk.line > b)]


def test_every_block_of_the_page_is_run_by_this_test() -> None:
    languages = {blk.language for blk in blocks(PAGE, "")}  # the empty fence language
    fenced = re.findall(r"^```(\w*)", PAGE.read_text(encoding="utf-8"), re.MULTILINE)
    opened = fenced[::2]  # every other fence opens a block
    assert set(opened) <= {"python", "yaml", "sh", "toml"}, opened
    assert not languages - {""}
    counts = {lang: len(blocks(PAGE, lang)) for lang in ("python", "yaml", "sh", "toml")}
    assert counts == {"python": 6, "yaml": 1, "sh": 2, "toml": 2}, counts  # each one used below


# -- case A --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The spec plus the page's YAML, generated into a fresh package as ``make generate`` would;
    returns its parent."""
    work = tmp_path_factory.mktemp("extending")
    (addition,) = [yaml.safe_load(b.code) for b in blocks(PAGE, "yaml")]
    spec = yaml.safe_load((ROOT / "openapi" / "voucherify-orders.yaml").read_text(encoding="utf-8"))
    assert not set(addition["paths"]) & set(spec["paths"]), "the page must add a path the spec lacks"
    schemas = addition["components"]["schemas"]
    assert not set(schemas) & set(spec["components"]["schemas"])
    spec["paths"].update(addition["paths"])
    spec["components"]["schemas"].update(schemas)
    spec_path = work / "voucherify-orders.yaml"
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")

    (make,) = _case(blocks(PAGE, "sh"), "A")
    assert [line.split("#")[0].strip() for line in make.code.splitlines() if line.split("#")[0].strip()] == [
        "make generate"
    ]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^generate: .*\n\t\$\(PY\) scripts/generate\.py\n", makefile, re.MULTILINE)
    from voucherify_ext.codegen import generate

    generate(spec_path, package=PACKAGE, out=work / "src")
    return work / "src"


def test_generation_writes_what_the_page_says(generated: Path) -> None:
    package = generated / PACKAGE
    for name in (
        "api/exports/list_exports.py",
        "models/exports_list_response_body.py",
        "models/parameter_order_list_exports.py",
    ):
        assert (package / name).is_file(), name
    assert "def sync_detailed(" in (package / "api/exports/list_exports.py").read_text(encoding="utf-8")


def _forget(package: str) -> None:
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]


def test_the_python_blocks_of_case_a_run_on_the_bundled_sandbox(
    generated: Path, sandbox_env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.syspath_prepend(str(generated))
    importlib.invalidate_caches()
    found = _case(blocks(PAGE), "A")
    assert len(found) == 3 and not any(b.skipped for b in found)
    for block in found:
        block.code = block.code.replace("from voucherify_client.", f"from {PACKAGE}.")
    try:
        namespace = run_blocks(found)
    finally:
        _forget(PACKAGE)
    listed = namespace["listed"]
    assert len(listed) == 3  # the three exports the block scheduled, across two pages of 2
    assert sandbox_env.request_count("GET", "/v1/exports") >= 2 + 3  # 2 pages, then 3 of 1
    out = capsys.readouterr().out
    assert "DONE" in out and "aa_" in out  # the waiter saw the import's async action finish
    assert sandbox_env.count_orders() == 5


# -- case B --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def customers_generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page's codegen commands, run as written in a copy of the example; returns the folder
    the package was generated into."""
    project = tmp_path_factory.mktemp("customers") / "customers_team"
    (project / "openapi").mkdir(parents=True)
    (project / "openapi" / "customers.yaml").write_bytes(
        (EXAMPLE / "openapi" / "customers.yaml").read_bytes()
    )
    (install,) = _case(blocks(PAGE, "sh"), "B")
    commands: list[list[str]] = []
    for line in install.code.splitlines():
        command = line.split("#")[0].strip()
        if command.startswith("pip install"):
            assert shlex.split(command)[2] == "./voucherify-orders[codegen]"  # the extra this venv has
        elif command:
            commands.append(shlex.split(command))
    assert [c[:3] for c in commands] == [["python", "-m", "voucherify_ext.codegen"]] * 2
    for argv in commands:
        done = subprocess.run(
            [sys.executable, *argv[1:]], cwd=project, capture_output=True, text=True, timeout=180
        )
        assert done.returncode == 0, done.stdout + done.stderr
    return project / "generated"


def test_the_toml_blocks_are_the_examples_own_configuration() -> None:
    example = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    for block in blocks(PAGE, "toml"):
        for section, values in tomllib.loads(block.code)["tool"].items():
            table = values.get("ini_options", values) if section == "pytest" else values
            mine = (
                example[section].get("ini_options", example[section])
                if section == "pytest"
                else example[section]
            )
            assert {k: mine.get(k) for k in table} == table, section


@pytest.fixture
def customers_sandbox(
    customers_generated: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Sandbox]:
    """The page's extension block, served; VOUCHERIFY_* pointing at it."""
    (extension_block,) = [b for b in _case(blocks(PAGE), "B") if "SandboxExtension(" in b.code]
    extension = run_blocks([extension_block])["EXTENSION"]
    assert isinstance(extension, SandboxExtension)
    with serve(extensions=[extension], import_speed=1_000_000) as sandbox:
        point_env_at(sandbox, monkeypatch, tmp_path)
        monkeypatch.syspath_prepend(str(customers_generated))
        importlib.invalidate_caches()
        try:
            yield sandbox
        finally:
            _forget("customers_client")


def test_the_python_blocks_of_case_b_run_on_the_extended_sandbox(
    customers_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    found = [b for b in _case(blocks(PAGE), "B") if "SandboxExtension(" not in b.code]
    toolkit, test_function = found
    namespace: dict[str, Any] = run_blocks([toolkit])
    out = capsys.readouterr().out
    assert out.startswith("True CUSTOMERS.BULK_UPDATE DONE ['0@example.com', '1@example.com']"), out
    assert len(customers_sandbox.resource_items("customers")) == 6  # ada and the five of the bulk call

    run_blocks([test_function], namespace)
    customers_sandbox.reset()  # what the voucherify_sandbox fixture does before each test
    with Voucherify() as vf:
        namespace["test_a_dropped_upsert_is_sent_again"](vf, customers_sandbox)
    assert [c["source_id"] for c in customers_sandbox.resource_items("customers")] == ["grace"]
