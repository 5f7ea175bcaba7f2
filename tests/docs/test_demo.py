"""``make demo`` minus the environment set-up: scripts/run_demo.py starts a sandbox process and
runs examples/walkthrough.py against it; every step of the walk-through must show."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.slow
def test_the_walkthrough_runs_end_to_end_against_a_sandbox_process() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "run_demo.py")],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "100", "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    for step in ("1. Create", "2. Create it again", "3. Cancel", "4. List", "5. Import", "6. Export"):
        assert step in out, step
    assert "is now CANCELED" in out
    assert "5000 order(s) submitted, 5000 imported, 0 failed" in out
    assert "5001 rows" in out  # the sample order and the 5,000 imported ones
    assert "Summary of the export" in out and "walk-through finished" in out
