"""docs/jobs.md, section "How polling is scheduled", proven: its code block runs and prints
what the page shows after it."""

from __future__ import annotations

import re

import pytest

from .conftest import ROOT, Block, blocks, run_blocks

PAGE = ROOT / "docs" / "jobs.md"
SECTION = "### How polling is scheduled"


def _section() -> tuple[list[Block], str]:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index("\n" + SECTION)
    end = text.index("\n### ", start + 1)
    first, last = text.count("\n", 0, start) + 1, text.count("\n", 0, end) + 1
    shown = re.findall(r"\n\n```\n([^`\n][^`]*?)```", text[start:end])
    return [blk for blk in blocks(PAGE) if first < blk.line < last], shown[0]


def test_the_section_has_its_block() -> None:
    found, _ = _section()
    assert len(found) == 1


def test_the_block_prints_what_the_page_shows(capsys: pytest.CaptureFixture[str]) -> None:
    found, shown = _section()
    run_blocks(found)
    assert capsys.readouterr().out == shown
