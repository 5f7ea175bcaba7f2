"""docs/pagination.md, sections "Changed-since reads" and "Single pages", proven: each of their
code blocks runs here, in order, against a loopback sandbox the environment points at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from voucherify_ext.sandbox import Sandbox, serve

from .conftest import ROOT, Block, blocks, point_env_at, run_blocks

PAGE = ROOT / "docs" / "pagination.md"
SECTIONS = ("## Changed-since reads", "## Single pages")


def _section_blocks() -> list[Block]:
    text = PAGE.read_text(encoding="utf-8")
    start = text.count("\n", 0, text.index("\n" + SECTIONS[0])) + 1
    end = text.count("\n", 0, text.index("\n## ", text.index("\n" + SECTIONS[1]) + 1)) + 1
    return [blk for blk in blocks(PAGE) if start < blk.line < end]


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Sandbox]:
    with serve() as sb:
        yield point_env_at(sb, monkeypatch, tmp_path)


def test_the_sections_have_their_blocks() -> None:
    assert len(_section_blocks()) == 3


def test_the_blocks_run(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    sandbox.seed_orders(1_005)  # past the ceiling of page_size=10
    run_blocks(_section_blocks())
    out = capsys.readouterr().out
    assert "beyond_list='export'" in out
