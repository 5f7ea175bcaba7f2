"""The whole suite's conftest: only what running it in parallel, on a loaded machine, needs
(docs/testing.md, "This project's own suite, in parallel").

Under pytest-xdist (``make test`` runs ``-n 4 --dist worksteal``) the tests marked ``slow`` are
handed out first: the longest ones start while the rest of the suite fills the other workers,
instead of one of them starting last and running alone at the end. Run serially (a plain
``pytest``), the order is the usual one.

Hypothesis's per-example deadline (200 ms by default) is off for the whole suite: it measures
the machine, not the code (with four workers on two cores, or any other load, a pure function
can miss it once, and Hypothesis reports that as a failure). Tests that guard a duration
assert it themselves, with their own bounds.

The interpreter's recursion limit is put back to its start value around every test: a tool run
in-process (mypy's ``api.run`` sets it to 16,384 for good) would otherwise raise it for every
later test in that worker, and the tests of input nested too deeply (5,000 levels) would pass
or fail by which worker they landed on."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest
from hypothesis import settings

settings.register_profile("voucherify-orders", deadline=None)
settings.load_profile("voucherify-orders")


RECURSION_LIMIT = sys.getrecursionlimit()  # as the interpreter started


@pytest.fixture(autouse=True)
def _recursion_limit_as_it_was() -> Iterator[None]:
    # set before the test as well: a module-scoped fixture (mypy in tests/toolkit) runs first
    sys.setrecursionlimit(RECURSION_LIMIT)
    yield
    sys.setrecursionlimit(RECURSION_LIMIT)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    # every worker collects, and must collect the same order: a stable sort on the marker only
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
