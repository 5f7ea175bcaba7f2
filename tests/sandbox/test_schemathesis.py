"""A bounded, deterministic schemathesis run against a served sandbox over our spec."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.config import SchemathesisConfig

from voucherify_ext.sandbox import Sandbox, serve

from .conftest import SPEC_PATH

# The coverage phase enumerates every boundary case the schema defines; for the export body
# (25 filter operators on 10 fields) that is thousands of requests, so there it is off and the
# fuzzing phase covers the export instead. Everywhere else it runs.
_CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            {"include-operation-id": "createOrderExport", "phases": {"coverage": {"enabled": False}}}
        ]
    }
)
schema = schemathesis.openapi.from_path(SPEC_PATH, config=_CONFIG)


@pytest.fixture(scope="module")
def fuzz_sandbox() -> Iterator[Sandbox]:
    with serve(seed=11) as sandbox:
        sandbox.seed_orders(30)
        yield sandbox


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: keeps a failing run short
    suppress_health_check=list(HealthCheck),
)
def test_sandbox_conforms_to_spec(case: schemathesis.Case, fuzz_sandbox: Sandbox) -> None:
    case.call_and_validate(base_url=fuzz_sandbox.url, headers=fuzz_sandbox.headers)
