"""docs/client.md, "Custom headers", proven: its python block runs against a loopback sandbox
the environment points at, and prints exactly what the page's plain block after it says."""

from __future__ import annotations

import re

import pytest

from voucherify_ext.sandbox import Sandbox

from .conftest import ROOT, Block, run_blocks

PAGE = ROOT / "docs" / "client.md"
_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def section_blocks(heading: str) -> list[Block]:
    """The fenced blocks between ``heading`` and the next heading of its level or above."""
    text = PAGE.read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    level = heading.split(" ", 1)[0]
    ends = [m.start() for m in re.finditer(rf"^#{{1,{len(level)}}} ", text[start + 1 :], re.MULTILINE)]
    end = start + 1 + ends[1] if len(ends) > 1 else len(text)
    return [
        Block(PAGE, m.group(1), m.group(2), text.count("\n", 0, start + m.start(2)) + 1)
        for m in _FENCE.finditer(text, start, end)
    ]


def test_the_section_has_its_blocks() -> None:
    languages = [block.language for block in section_blocks("### Custom headers")]
    assert languages == ["python", ""]


def test_the_custom_headers_block_prints_what_the_page_says(
    sandbox_env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    code, printed = section_blocks("### Custom headers")
    run_blocks([code])
    assert capsys.readouterr().out.splitlines() == printed.code.splitlines()
    assert sandbox_env.count_orders(source_id="hdr-1") == 1
