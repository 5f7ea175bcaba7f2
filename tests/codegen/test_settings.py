"""Where the settings come from, what the ``codegen`` extra pins, and what the package imports."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.codegen.conftest import ROOT
from voucherify_ext.codegen import canonical_json, requirements, settings

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = dict(
    line.split("==", 1)
    for line in (ROOT / "requirements" / "dev.txt").read_text(encoding="utf-8").splitlines()
    if "==" in line and not line.startswith("#")
)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_a_checkout_reads_openapi_itself_and_holds_no_copy() -> None:
    assert settings.find_settings().root == ROOT / "openapi"
    assert not settings.PACKAGED.exists()  # the wheel gets data/ at build time; the repository never
    tracked = subprocess.run(
        ["git", "ls-files", "voucherify_ext/codegen"], cwd=ROOT, capture_output=True, text=True
    )
    assert not [f for f in tracked.stdout.splitlines() if "/data/" in f]


def test_the_first_complete_settings_folder_wins(tmp_path: Path) -> None:
    half = tmp_path / "half"
    (half / "templates").mkdir(parents=True)
    (half / "config.yaml").write_text("{}")  # no ruff-generated.toml: incomplete, skipped
    assert settings.find_settings(half, ROOT / "openapi").root == ROOT / "openapi"


def test_the_extra_pins_exactly_what_the_lock_pins() -> None:
    extra = PYPROJECT["project"]["optional-dependencies"]["codegen"]
    pins = dict(r.split("==", 1) for r in extra)
    assert len(pins) == len(extra), "every codegen requirement is an exact pin"
    lock = {_normal(name): version for name, version in LOCK.items()}
    assert {_normal(n): v for n, v in pins.items()} == {_normal(n): lock[_normal(n)] for n in pins}
    assert {"openapi-python-client", "ruff"} <= {_normal(n) for n in pins}
    # the installed metadata (what the command checks against) says the same
    assert {_normal(n): v for n, v in requirements.pins().items()} == {_normal(n): v for n, v in pins.items()}


def test_importing_codegen_loads_nothing_of_the_client_side_nor_the_tools() -> None:
    probe = (
        "import sys, voucherify_ext.codegen\n"
        "tools = ('voucherify', 'openapi_python_client', 'ruamel', 'jinja2')\n"
        "own = 'voucherify_ext.codegen'\n"
        "print(sorted(m for m in sys.modules if m.startswith(tools) and not m.startswith(own)))"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert run.stdout.strip() == "['voucherify_ext', 'voucherify_ext._version']"


TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cn")), max_size=8)  # YAML-printable
JSON_SCALARS = st.none() | st.booleans() | st.integers() | TEXT
DOCUMENTS = st.dictionaries(
    TEXT.filter(bool),
    st.recursive(
        JSON_SCALARS,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
        max_leaves=10,
    ),
    max_size=5,
)


@given(document=DOCUMENTS, seed=st.randoms())
def test_canonical_json_is_independent_of_key_order_and_keeps_the_document(
    tmp_path_factory: pytest.TempPathFactory, document: dict[str, object], seed: random.Random
) -> None:
    document = {**document, "openapi": "3.1.0"}
    items = list(document.items())
    seed.shuffle(items)
    spec = tmp_path_factory.mktemp("spec") / "spec.yaml"
    spec.write_text(json.dumps(dict(items), ensure_ascii=False), encoding="utf-8")  # JSON is YAML too
    text = canonical_json(spec)
    assert text == json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    assert json.loads(text) == document


def test_yaml_keys_json_cannot_name_are_spelt_as_json_spells_them(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: 3.1.0\nresponses:\n  200: {description: ok}\n  default: {}\nwhen: 2026-12-02\n")
    assert json.loads(canonical_json(spec)) == {
        "openapi": "3.1.0",
        "responses": {"200": {"description": "ok"}, "default": {}},
        "when": "2026-12-02",
    }
