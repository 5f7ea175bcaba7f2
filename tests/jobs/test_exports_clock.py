"""The export modules read time only through the injected clock: no call of ``time.time()``,
``time.monotonic()`` (or their ``_ns``/``perf_counter`` kin, or ``datetime.now()``) anywhere in
``voucherify_ext/exports``; ``time.monotonic`` may appear only uncalled, as the default of an
injected ``clock``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import voucherify_ext.exports

EXPORTS = Path(voucherify_ext.exports.__file__).parent
CLOCK_READS = {"time", "monotonic", "time_ns", "monotonic_ns", "perf_counter", "perf_counter_ns"}


def _reads(tree: ast.AST) -> list[str]:
    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id == "time" and func.attr in CLOCK_READS:
                found.append(f"line {node.lineno}: time.{func.attr}()")
            if func.attr in ("now", "utcnow", "today") and func.value.id in ("datetime", "date"):
                found.append(f"line {node.lineno}: {func.value.id}.{func.attr}()")
        if isinstance(func, ast.Name) and func.id in CLOCK_READS - {"time"}:
            found.append(f"line {node.lineno}: {func.id}()")  # `from time import monotonic`
    return found


@pytest.mark.parametrize("module", sorted(EXPORTS.glob("*.py")), ids=lambda p: p.name)
def test_no_module_reads_the_real_clock(module: Path) -> None:
    assert _reads(ast.parse(module.read_text(encoding="utf-8"))) == []


def test_the_check_sees_a_clock_read() -> None:
    source = (
        "import time\nfrom time import monotonic\n"
        "t = time.monotonic()\nu = monotonic()\nclock = time.monotonic\n"
    )
    assert _reads(ast.parse(source)) == ["line 3: time.monotonic()", "line 4: monotonic()"]
