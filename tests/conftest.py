"""The whole suite's conftest: only what running it in parallel, on a loaded machine, needs
(docs/testing.md, "This project's own suite, in parallel").

Under pytest-xdist (``make test`` runs ``-n 4 --dist worksteal``) the tests marked ``slow`` are
handed out first: the longest ones start while the rest of the suite fills the other workers,
instead of one of them starting last and running alone at the end. Run serially (a plain
``pytest``), the order is the usual one.

Hypothesis's per-example deadline (200 ms by default) is off for the whole suite: it measures
the machine, not the code (with four workers on two cores, or any other load, a pure function
can miss it once, and Hypothesis reports that as a failure). Tests that guard a duration
assert it themselves, with their own bounds."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

settings.register_profile("voucherify-orders", deadline=None)
settings.load_profile("voucherify-orders")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    # every worker collects, and must collect the same order: a stable sort on the marker only
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
