"""The pytest11 plugin as another team uses it: a test file of theirs, run by pytest with our
entry point installed, asks for the fixtures by name and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEAM_TESTS = """
import pytest
from voucherify_ext import NotFoundError, ServerError, Voucherify
from voucherify_ext.sandbox import Sandbox


def my_job(vf: Voucherify) -> int:
    return sum(1 for _ in vf.orders.iter())


def test_client_points_at_the_sandbox(voucherify_client, voucherify_sandbox):
    assert isinstance(voucherify_client, Voucherify)
    assert isinstance(voucherify_sandbox, Sandbox)
    voucherify_sandbox.seed_orders(25)
    assert my_job(voucherify_client) == 25
    order = voucherify_client.orders.create({"source_id": "t-1", "amount": 10})
    assert voucherify_sandbox.count_orders(source_id="t-1") == 1
    assert voucherify_client.orders.get("t-1").id == order.id


def test_a_fault_is_seen(voucherify_client, voucherify_sandbox):
    voucherify_sandbox.inject("status", method="GET", path="/v1/orders/x", status=503, times=10)
    with pytest.raises(ServerError):
        voucherify_client.with_options(max_retries=0).orders.get("x")
    voucherify_sandbox.set_latency(50)
    voucherify_sandbox.set_rate_limit("1/min")


def test_the_next_test_gets_a_clean_sandbox(voucherify_client, voucherify_sandbox):
    assert voucherify_sandbox.count_orders() == 0, "orders of the previous tests are gone"
    with pytest.raises(NotFoundError):  # no 503 left over, no rate limit: a plain 404
        voucherify_client.with_options(max_retries=0).orders.get("x")
    voucherify_client.orders.create({"source_id": "fresh", "amount": 1})
    voucherify_client.orders.create({"source_id": "fresh-2", "amount": 1})  # 1/min would refuse this


async def test_async_client(voucherify_async_client, voucherify_sandbox):
    voucherify_sandbox.seed_orders(3)
    seen = [o.source_id async for o in voucherify_async_client.orders.iter()]
    assert len(seen) == 3


def test_the_fixtures_come_from_the_entry_point(request):
    plugin = request.config.pluginmanager.get_plugin("voucherify")  # the pytest11 entry point's name
    assert plugin is not None and plugin.__name__ == "voucherify_ext.pytest_plugin"
    dist = [d for p, d in request.config.pluginmanager.list_plugin_distinfo() if p is plugin]
    assert dist and dist[0].project_name == "voucherify-orders"


def test_a_wrong_expectation_fails(voucherify_sandbox):
    assert voucherify_sandbox.count_orders() == 1
"""


def _testing_md_tests() -> str:
    """The Python blocks of docs/testing.md that define tests or fixtures, as one test file."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "testing.md").read_text(encoding="utf-8")
    found = re.findall(r"^```python\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    return "\n\n".join(block for block in found if "\ndef " in "\n" + block)


def test_a_team_test_file_uses_the_fixtures_through_the_entry_point(pytester: pytest.Pytester) -> None:
    docs = _testing_md_tests()
    doc_tests = len(re.findall(r"^def test_", docs, re.MULTILINE))
    assert doc_tests >= 3
    pytester.makepyfile(test_team=TEAM_TESTS, test_docs=docs)
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    # A fresh interpreter: the plugin must come from the installed pytest11 entry point, not
    # from this suite's imports.
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    # every doc test passes; the fixtures cannot make the wrong test pass
    result.assert_outcomes(passed=5 + doc_tests, failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: assert 0 == 1"])
