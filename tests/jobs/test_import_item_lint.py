"""The order-item lint in imports (issue 16, point 7), against the sandbox: an order whose item
names a product or SKU by ``source_id`` without ``related_object`` warns with its line (a file)
or record (an iterable) and the item's path, at the caller's line, and is still imported;
``strict=True`` refuses it as an invalid record before anything is sent."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.item_shapes import ITEMS, expected_paths
from voucherify_ext import AsyncVoucherify, ImportValidationError, OrderItemWarning, Voucherify
from voucherify_ext.imports.chunker import MAX_ITEM_WARNINGS, Chunker
from voucherify_ext.imports.results import ImportResult
from voucherify_ext.sandbox import Sandbox
from voucherify_ext.validation import OrderValidator

from .conftest import orders, write_jsonl

IMPORT = "/v1/orders/import"
UNLINKED = {"source_id": "P-1", "product_id": "prod_0a1b2c", "quantity": 1, "price": 500}
LINKED = {"source_id": "P-2", "related_object": "product", "quantity": 1, "price": 500}


def with_items(index: int, order: dict[str, Any]) -> dict[str, Any]:
    """Orders 2 and 5 name a product by source_id without related_object, at ``items[1]``."""
    bad = index in (2, 5)
    return {**order, "items": [LINKED, UNLINKED if bad else LINKED]}


def sample(count: int = 8) -> list[dict[str, Any]]:
    return [with_items(i, order) for i, order in enumerate(orders(count, prefix="lint"))]


def item_warnings(caught: list[warnings.WarningMessage]) -> list[OrderItemWarning]:
    found = [w for w in caught if isinstance(w.message, OrderItemWarning)]
    assert all(w.filename == __file__ for w in found), "the warnings point at the caller's line"
    return [w.message for w in found if isinstance(w.message, OrderItemWarning)]


def test_a_file_import_warns_with_the_line_and_still_imports(
    vf: Voucherify, sb: Sandbox, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "orders.jsonl", iter(sample()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = vf.orders.import_orders(path, chunk_size=3)
    found = item_warnings(caught)
    assert [(w.line, w.index, w.paths, w.location) for w in found] == [
        (3, 2, ("items[1]",), f"{path}:3"),
        (6, 5, ("items[1]",), f"{path}:6"),
    ]
    assert str(found[0]).startswith(f"{path}:3: order item items[1] names a product or SKU by source_id")
    assert result.ok and sb.count_orders() == 8  # without strict every order is sent


def test_a_strict_file_import_refuses_the_line_before_sending(
    vf: Voucherify, sb: Sandbox, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "orders.jsonl", iter(sample()))
    with pytest.raises(ImportValidationError) as refused:
        vf.orders.import_orders(path, strict=True)
    error = refused.value
    assert (error.line, error.index, error.path) == (3, 2, "items[1]")
    assert str(error).startswith(f"{path}:3: invalid order: items[1]: names a product or SKU")
    assert "nothing was sent" in str(error)
    assert sb.request_count("POST", IMPORT) == 0


def test_a_strict_import_can_skip_the_order_instead(vf: Voucherify, sb: Sandbox) -> None:
    result = vf.orders.import_orders(sample(), strict=True, on_invalid="skip")
    assert [(r.index, r.message.split(":", 1)[0]) for r in result.skipped] == [
        (2, "items[1]"),
        (5, "items[1]"),
    ]
    assert sb.count_orders() == 6


def test_an_iterable_import_warns_with_the_record(vf: Voucherify, sb: Sandbox) -> None:
    with pytest.warns(OrderItemWarning) as caught:
        vf.orders.import_orders(sample(), chunk_size=4)
    found = item_warnings(list(caught))
    assert [(w.line, w.index, w.location) for w in found] == [
        (None, 2, "record 2 (chunk 1)"),
        (None, 5, "record 5 (chunk 2)"),
    ]
    assert sb.count_orders() == 8


async def test_the_async_file_import_warns_at_the_awaiting_line(
    avf: AsyncVoucherify, sb: Sandbox, tmp_path: Path
) -> None:
    # the async driver scans a file in a worker thread: its warnings are issued after the scan
    path = write_jsonl(tmp_path / "orders.jsonl", iter(sample()))
    with pytest.warns(OrderItemWarning) as caught:
        await avf.orders.import_orders(path)
    assert [w.line for w in item_warnings(list(caught))] == [3, 6]
    assert sb.count_orders() == 8
    with pytest.warns(OrderItemWarning) as caught:
        await avf.orders.import_orders(iter(sample()), chunk_size=4)
    assert [w.index for w in item_warnings(list(caught))] == [2, 5]
    with pytest.raises(ImportValidationError, match=r"items\[1\]"):
        await avf.orders.import_orders(path, strict=True)


def test_a_run_warns_about_the_first_orders_then_counts_the_rest(vf: Voucherify, sb: Sandbox) -> None:
    many = [{**order, "items": [UNLINKED]} for order in orders(MAX_ITEM_WARNINGS + 3, prefix="many")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        vf.orders.import_orders(many)
    found = item_warnings(caught)
    assert [w.index for w in found[:-1]] == list(range(MAX_ITEM_WARNINGS))
    assert (found[-1].more, found[-1].paths) == (3, ())
    assert "3 more order(s)" in str(found[-1])


@settings(max_examples=40)
@given(batch=st.lists(ITEMS, min_size=1, max_size=6), chunk_size=st.integers(1, 4))
def test_the_chunker_warns_about_exactly_the_orders_that_need_it(
    batch: list[list[dict[str, Any]]], chunk_size: int
) -> None:
    sent: list[OrderItemWarning] = []
    chunker = Chunker(OrderValidator(), chunk_size, "raise", ImportResult(), file=None, warn=sent.append)
    for i, items in enumerate(batch):
        chunker.add(None, {"source_id": f"o{i}", "items": items})
    chunker.finish()
    expected = [(i, tuple(expected_paths(items))) for i, items in enumerate(batch) if expected_paths(items)]
    assert [(w.index, w.paths) for w in sent] == expected
    assert all(w.location == f"record {w.index} (chunk {w.index // chunk_size + 1})" for w in sent)
