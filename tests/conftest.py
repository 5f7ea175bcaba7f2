"""The whole suite's conftest: only what running it in parallel needs (docs/testing.md).

Under pytest-xdist (``make test`` runs ``-n 4 --dist worksteal``) the tests marked ``slow`` are
handed out first: the longest ones start while the rest of the suite fills the other workers,
instead of one of them starting last and running alone at the end. Run serially (a plain
``pytest``), the order is the usual one."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    # every worker collects, and must collect the same order: a stable sort on the marker only
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
