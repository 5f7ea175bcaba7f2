"""Docs cannot rot: every ```python block of README.md and docs/extending.md runs here against a
sandbox, in order, in one namespace per file (a block may use what an earlier block defined).

A block that needs a real Voucherify account carries ``# doctest: skip``; keep those few.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from voucherify_ext.sandbox import Sandbox, serve

ROOT = Path(__file__).resolve().parents[2]
SKIP = "# doctest: skip"
_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


class Block:
    def __init__(self, path: Path, language: str, code: str, line: int) -> None:
        self.path, self.language, self.code, self.line = path, language, code, line

    @property
    def skipped(self) -> bool:
        return SKIP in self.code

    def __repr__(self) -> str:
        return f"{self.path.name}:{self.line}"


def blocks(path: Path, language: str = "python") -> list[Block]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        if match.group(1) == language:
            line = text.count("\n", 0, match.start(2)) + 1
            found.append(Block(path, language, match.group(2), line))
    return found


def run_blocks(found: list[Block], namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    """Exec each block in one namespace; a failure names the file and line of its block."""
    namespace = {"__name__": "__docs__"} if namespace is None else namespace
    for block in found:
        if block.skipped:
            continue
        # Pad so tracebacks show the Markdown file's own line numbers.
        source = "\n" * (block.line - 1) + block.code
        code = compile(source, str(block.path), "exec")
        try:
            exec(code, namespace)
        except BaseException as exc:
            raise AssertionError(
                f"the python block at {block!r} failed: {type(exc).__name__}: {exc}"
            ) from exc
    return namespace


@pytest.fixture(scope="package")
def docs_sandbox() -> Iterator[Sandbox]:
    with serve(import_speed=1_000_000) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox_env(docs_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """VOUCHERIFY_* pointing at a clean sandbox, and a scratch working directory."""
    docs_sandbox.reset()
    docs_sandbox.clear_faults()
    return point_env_at(docs_sandbox, monkeypatch, tmp_path)


def point_env_at(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, cwd: Path) -> Sandbox:
    """VOUCHERIFY_* pointing at ``sandbox`` (the cluster and log settings removed), in ``cwd``."""
    for name in ("VOUCHERIFY_CLUSTER", "VOUCHERIFY_LOG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VOUCHERIFY_API_URL", sandbox.url)
    monkeypatch.setenv("VOUCHERIFY_APP_ID", sandbox.app_id)
    monkeypatch.setenv("VOUCHERIFY_APP_TOKEN", sandbox.app_token)
    monkeypatch.chdir(cwd)
    return sandbox
