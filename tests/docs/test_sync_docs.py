"""docs/sync.md, proven: each of its code blocks runs here, in order, against a loopback sandbox
the environment points at, and prints what the page says; the page carries the double-events
warning and the switch that avoids it."""

from __future__ import annotations

import pytest

from voucherify_ext.sandbox import Sandbox

from .conftest import ROOT, blocks, run_blocks

PAGE = ROOT / "docs" / "sync.md"


def test_the_page_has_its_blocks_and_its_warning() -> None:
    assert len(blocks(PAGE)) == 3
    text = " ".join(PAGE.read_text(encoding="utf-8").split())
    assert (
        "A retried upsert after an ambiguous failure may make Voucherify fire its order events twice" in text
    )
    assert "retry_ambiguous=False" in text


def test_the_blocks_run(sandbox_env: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    sandbox_env.inject("drop_after", method="POST", path="/v1/orders", times=1)
    run_blocks(blocks(PAGE)[1:2])  # retry_ambiguous=False meets a dropped response
    sandbox_env.reset()
    run_blocks([blocks(PAGE)[0], blocks(PAGE)[2]])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "0 applied; 1 to check by hand"
    assert lines[1] == "3 request(s), about 0 s at the budget"
    assert lines[2].startswith("UpsertSummary(created=2, updated=1, failed=0, skipped=0, requests=3,")
    assert lines[3] == "20 created"
    assert (sandbox_env.state.config.state_file, (ROOT / "sync.ckpt").exists()) == (None, False)
