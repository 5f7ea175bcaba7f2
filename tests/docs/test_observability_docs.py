"""docs/observability.md, proven: each of its code blocks runs here, in order, against a loopback
sandbox the environment points at, and prints what the page says it prints."""

from __future__ import annotations

import logging

import pytest

from voucherify_ext.sandbox import Sandbox

from .conftest import ROOT, blocks, run_blocks

PAGE = ROOT / "docs" / "observability.md"


def test_the_page_has_its_blocks() -> None:
    assert len(blocks(PAGE)) == 3


def test_the_blocks_run(sandbox_env: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    logger = logging.getLogger("voucherify")
    handlers, level = list(logger.handlers), logger.level
    try:
        run_blocks(blocks(PAGE))
    finally:
        logger.handlers[:] = handlers
        logger.setLevel(level)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "POST /v1/orders 200"
    assert lines[1] == "['voucherify.create_order', 'voucherify.get_order']"
    assert lines[2] == "waited for the budget: True retries: 0"
    assert lines[3] == "jobs: ['ORDERS.IMPORT']"
