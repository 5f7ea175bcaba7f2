"""``vf.orders.list(page=, limit=, order=)``: one typed page with ``total`` and the next one on
request, and the bounds checked before anything is sent."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from voucherify_ext import AsyncVoucherify, ConfigurationError, OrdersPage, Voucherify
from voucherify_ext.sandbox import Sandbox

LIST = ("GET", "/v1/orders")


def test_pages_by_hand_to_the_last(vf: Voucherify, sandbox: Sandbox) -> None:
    seeded = sandbox.seed_orders(25)
    page: OrdersPage | None = vf.orders.list(page=1, limit=10, order="-created_at")
    seen: list[str] = []
    numbers: list[int] = []
    while page is not None:
        assert page.total == 25
        numbers.append(page.page)
        seen += [o.id for o in page.items if isinstance(o.id, str)]
        assert page.has_more == (page.page < 3)
        assert (page.next_params is None) == (not page.has_more)
        page = page.next_page()
    assert numbers == [1, 2, 3]
    assert seen == list(reversed(seeded))
    assert sandbox.request_count(*LIST) == 3  # no request for a page past the last


def test_page_100_is_the_last_the_api_serves(vf: Voucherify, sandbox: Sandbox) -> None:
    sandbox.seed_orders(102)
    last = vf.orders.list(page=100, limit=1)
    assert last.total == 102 and len(last.items) == 1
    assert not last.has_more and last.next_page() is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"page": 0},
        {"page": 101},
        {"page": "2"},
        {"page": True},
        {"limit": 0},
        {"limit": 101},
        {"limit": 2.0},
        {"order": "amount"},
    ],
)
def test_bounds_are_checked_before_sending(vf: Voucherify, sandbox: Sandbox, kwargs: dict[str, Any]) -> None:
    name = next(iter(kwargs))
    with pytest.raises(ConfigurationError, match=name):
        vf.orders.list(**kwargs)
    assert sandbox.request_count(*LIST) == 0


def test_async_twin(sandbox: Sandbox) -> None:
    sandbox.seed_orders(3)

    async def main() -> list[int]:
        async with AsyncVoucherify(
            app_id=sandbox.app_id, app_token=sandbox.app_token, base_url=sandbox.url
        ) as avf:
            first = await avf.orders.list(limit=2)
            second = await first.next_page()
            assert second is not None and await second.next_page() is None
            return [len(first.items), len(second.items), first.total]

    assert asyncio.run(main()) == [2, 1, 3]
