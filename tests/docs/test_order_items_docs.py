"""docs/client.md, section "Order items", proven: its code block runs here, against a loopback
sandbox the environment points at, and does what its comments say: the first order is sent with
a warning naming ``items[1]``, the strict one is refused naming ``items[0]`` with nothing sent,
and the fixed one is sent."""

from __future__ import annotations

import pytest

from voucherify_ext.sandbox import Sandbox

from .conftest import ROOT, Block, blocks, run_blocks

PAGE = ROOT / "docs" / "client.md"
SECTION = "## Order items"


def _section_blocks() -> list[Block]:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index("\n" + SECTION)
    first = text.count("\n", 0, start) + 1
    last = text.count("\n", 0, text.index("\n## ", start + 1)) + 1
    return [blk for blk in blocks(PAGE) if first < blk.line < last]


def test_the_section_has_its_block() -> None:
    assert len(_section_blocks()) == 1


def test_the_block_runs(sandbox_env: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    run_blocks(_section_blocks())
    assert capsys.readouterr().out.split() == ["('items[1]',)", "items[0]"]
    assert sandbox_env.count_orders("web-2001") == 1
    assert sandbox_env.count_orders("web-2002") == 1  # the fixed one; the strict refusal sent nothing
    assert sandbox_env.request_count("POST", "/v1/orders") == 2
