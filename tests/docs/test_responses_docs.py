"""docs/responses.md proven: each of its code blocks runs here, in order, against a loopback
sandbox the environment points at, with a rate limit set so the headers have something to say."""

from __future__ import annotations

from pathlib import Path

import pytest

from voucherify_ext.sandbox import Sandbox

from .conftest import ROOT, blocks, run_blocks

PAGE = ROOT / "docs" / "responses.md"


def test_the_page_has_its_blocks() -> None:
    found = blocks(PAGE)
    assert len(found) == 5
    assert not any(block.skipped for block in found)


def test_the_blocks_run(sandbox_env: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    sandbox_env.set_rate_limit("100/min")
    try:
        namespace = run_blocks(blocks(PAGE))
    finally:
        sandbox_env.set_rate_limit(None)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "200 1"
    assert out[1].startswith("application/json")
    assert out[2].startswith("RateLimitState(limit=100, remaining=")
    assert out[3] == "web-1001 5000"
    assert out[4] == "3 97"  # the second client's own count: three pages in the last minute
    assert out[5].startswith("RateLimitState(limit=100, remaining=")
    assert out[6].startswith("404 v-")
    assert out[7].isdigit()
    assert out[8].startswith("200 1 web-1002")
    assert namespace["raw"].parse().source_id == "web-1001"  # the last block's raw
    assert len(out) >= 12


def test_the_page_names_every_raw_call() -> None:
    text = Path(PAGE).read_text(encoding="utf-8")
    for call in ("create", "get", "update", "list"):
        assert f"vf.orders.with_raw_response.{call}(" in text
    for call in ("get", "list_page"):
        assert f"vf.async_actions.with_raw_response.{call}(" in text
