"""The README, docs/ and examples/ import only the public paths that docs/ARCHITECTURE.md lists,
and every listed path exists and exports what it says (so the list cannot go stale either way)."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from apidiff import public_paths as table  # noqa: E402  (one reader of the table, shared with make api-diff)

ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
FENCE = re.compile(r"```[a-z]*\n(.*?)```", re.S)
IMPORT = re.compile(r"^\s*(?:from\s+(voucherify_ext[\w.]*)\s+import|import\s+(voucherify_ext[\w.]*))", re.M)


def public_paths() -> dict[str, list[str]]:
    """The "Public paths" table: each path, and the names its row says it gives."""
    return table.public_paths(ARCHITECTURE)


def _sources() -> list[Path]:
    docs = [
        p for p in sorted((ROOT / "docs").glob("*.md")) if p.name not in {"ARCHITECTURE.md", "CONTRACTS.md"}
    ]
    return [ROOT / "README.md", *docs, *sorted((ROOT / "examples").glob("*.py"))]


def imported_paths(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    code = text if path.suffix == ".py" else "\n".join(FENCE.findall(text))
    return {m.group(1) or m.group(2) for m in IMPORT.finditer(code)}


def test_the_list_is_read() -> None:
    paths = public_paths()
    assert {
        "voucherify_ext",
        "voucherify_ext.errors",
        "voucherify_ext.pagination",
        "voucherify_ext.responses",
    } <= set(paths)


@pytest.mark.parametrize("source", _sources(), ids=lambda p: p.name)
def test_docs_and_examples_import_only_public_paths(source: Path) -> None:
    assert imported_paths(source) - set(public_paths()) == set()


def test_the_check_sees_an_internal_import(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("text\n```python\nfrom voucherify_ext.http.retry_core import start\n```\n")
    assert imported_paths(page) - set(public_paths()) == {"voucherify_ext.http.retry_core"}


@pytest.mark.parametrize("path", sorted(public_paths()))
def test_each_public_path_gives_what_its_row_says(path: str) -> None:
    module = importlib.import_module(path)
    missing = [
        name for name in public_paths()[path] if not name.startswith("pytest") and not hasattr(module, name)
    ]
    assert missing == [], f"{path} lacks {missing}"
