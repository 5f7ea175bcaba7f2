"""Fixtures of the live-order sync tests: the session sandbox with its request journal on for
the test (and off again after it, so the session's sandbox keeps nothing)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from voucherify_ext.sandbox import Sandbox


@pytest.fixture
def journaled(voucherify_sandbox: Sandbox) -> Iterator[Sandbox]:
    voucherify_sandbox.record_requests(10_000)
    yield voucherify_sandbox
    voucherify_sandbox.record_requests(0)


def creates(sandbox: Sandbox) -> list[dict[str, object]]:
    """The createOrder requests that arrived, oldest first."""
    assert sandbox.journal_dropped == 0
    return sandbox.journal("POST", "/v1/orders")
