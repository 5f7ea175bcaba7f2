"""The pytest fixtures serve a team's sandbox extension, named either way a team can: by
overriding the session fixture ``voucherify_sandbox_extensions`` in its conftest, or by the ini
option ``voucherify_sandbox_extensions = module:ATTR``. Each test still gets a clean sandbox."""

from __future__ import annotations

import pytest

TEAM_EXTENSION = """
from voucherify_ext.sandbox import Resource, SandboxExtension

CUSTOMERS = Resource(
    name="customers", path="/v1/customers", object="customer", id_prefix="cust_", scope="customers",
    bulk_path="/v1/customers/bulk/async", bulk_type="CUSTOMERS.BULK_UPDATE",
)
EXTENSION = SandboxExtension("customers-team", resources=[CUSTOMERS])
"""

CONFTEST = """
import pytest
from team_sandbox import EXTENSION


@pytest.fixture(scope="session")
def voucherify_sandbox_extensions():
    return [EXTENSION]
"""

TEAM_TESTS = """
import httpx


def test_the_extension_is_served_with_the_sandboxs_behaviour(voucherify_sandbox):
    sb = voucherify_sandbox
    assert httpx.get(f"{sb.url}/v1/customers").status_code == 401
    created = httpx.post(f"{sb.url}/v1/customers", json={"source_id": "t-1"}, headers=sb.headers)
    assert created.status_code == 200 and created.json()["id"].startswith("cust_")
    assert sb.request_count("POST", "/v1/customers") == 1
    sb.inject("status", method="GET", path="/v1/customers/*", status=503)
    assert httpx.get(f"{sb.url}/v1/customers/t-1", headers=sb.headers).status_code == 503
    assert [c["source_id"] for c in sb.resource_items("customers")] == ["t-1"]


def test_the_next_test_gets_it_empty(voucherify_sandbox):
    sb = voucherify_sandbox
    assert sb.resource_items("customers") == [] and sb.request_count() == 0
    listed = httpx.get(f"{sb.url}/v1/customers", headers=sb.headers).json()
    assert listed == {"object": "list", "data_ref": "customers", "customers": [], "total": 0}


def test_a_wrong_expectation_fails(voucherify_sandbox):
    assert voucherify_sandbox.resource_items("customers") != []
"""


@pytest.mark.parametrize("how", ["conftest fixture", "ini option"])
def test_the_session_sandbox_serves_the_teams_extension(pytester: pytest.Pytester, how: str) -> None:
    pytester.makepyfile(team_sandbox=TEAM_EXTENSION, test_team=TEAM_TESTS)
    ini = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
    if how == "conftest fixture":
        pytester.makeconftest(CONFTEST)
    else:
        ini += "voucherify_sandbox_extensions =\n    team_sandbox:EXTENSION\n"
    pytester.makeini(ini)
    pytester.syspathinsert()  # the team's own package, importable as in its repository
    # In process (the entry point's loading is what tests/plugin/test_plugin.py proves, in a fresh
    # interpreter): a few hundred ms instead of seconds.
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
