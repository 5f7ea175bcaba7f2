"""Issue 12, findings 2 and 5: what orders hold comes back from ``iter_rows()`` exactly.

Orders with arbitrary Unicode text (line breaks of every kind, quotes, commas, a BOM),
numbers-looking strings and nested metadata are created through the sandbox, exported through
it, and read back with ``iter_rows()``, sync and async. One sandbox for the module, export
delay 0, so an example takes a few milliseconds.

The ``metadata`` column (the whole object, JSON) comes back exactly; a ``metadata.<key>`` cell
comes back exactly too, except a text value that is itself written the way JSON writes an
object, array, boolean or number (the documented rule: the cell cannot tell the text ``"7"``
from the number ``7``), which comes back decoded.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voucherify_ext.client import AsyncVoucherify, Voucherify
from voucherify_ext.sandbox import Sandbox, serve

NUMBERS_LOOKING = [
    "02134", "1_000", "+5", "inf", "-inf", "NaN", "nan", "Infinity", "-0", "00", "1.50", "1e5",
    "1E5", " 7", "7 ", "\u0661\u0662", "\u0663.\u0665", "\uff17", "0x10", "1e400", "true ",
    "True", "null", "7", "-2", "1.5", "1e+16", "true", "false", "[1]", '{"a":1}', '"q"', "",
]  # fmt: skip
SPECIAL = list('\r\n\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85\x00",;\ufeff\t \\{}[]')

texts = st.text(st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from(SPECIAL)), max_size=12)
numberish = st.one_of(
    st.sampled_from(NUMBERS_LOOKING),
    st.from_regex(r"[-+]?[0-9_]{1,5}(\.[0-9]{0,3})?([eE][-+]?[0-9]{1,3})?", fullmatch=True),
)
leaves = st.one_of(
    texts,
    numberish,
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)
# a metadata.<key> field must match the spec's ``metadata\..+``: no line break in the key
keys = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=6)
metadata = st.dictionaries(keys.filter(str.strip), values, max_size=4)
source_ids = st.lists(
    st.one_of(texts, numberish).filter(lambda s: s.strip() != ""), min_size=1, max_size=4, unique=True
)
cases = st.tuples(source_ids, st.lists(metadata, min_size=4, max_size=4))


def _canon(value: Any) -> str:
    """Equality that tells ``1`` from ``1.0`` and ``True`` (JSON text, keys sorted)."""
    return json.dumps(value, sort_keys=True)


def _json_shaped(text: str) -> bool:
    """The documented rule's exception, written independently: is this text what JSON writes
    for an object, array, boolean or number?"""
    if text in ("true", "false"):
        return True
    try:
        value = json.loads(text, parse_constant=lambda name: float("nan"))
    except (ValueError, RecursionError):
        return False
    if isinstance(value, dict | list):
        return text[:1] in ("{", "[") and "NaN" not in _canon(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return math.isfinite(value) and json.dumps(value) == text  # NaN/Infinity are not JSON
    return False


def _expected_cell(value: Any) -> Any:
    if value is None or value == "":
        return None  # an empty text and no value export alike: an empty cell
    if isinstance(value, str) and _json_shaped(value):
        return json.loads(value)
    return value


def _orders(case: tuple[list[str], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    ids, metas = case
    return [{"source_id": sid, "amount": i, "metadata": metas[i % len(metas)]} for i, sid in enumerate(ids)]


def _fields(orders: list[dict[str, Any]]) -> list[str]:
    keys = sorted({key for order in orders for key in order["metadata"]})
    return ["source_id", "amount", "metadata", *(f"metadata.{key}" for key in keys)]


def _check(orders: list[dict[str, Any]], fields: list[str], rows: list[dict[str, Any]]) -> None:
    assert len(rows) == len(orders), (len(rows), len(orders))
    by_id = {row["source_id"]: row for row in rows}
    assert set(by_id) == {order["source_id"] for order in orders}
    for order in orders:
        row = by_id[order["source_id"]]
        assert list(row) == fields
        assert row["amount"] == order["amount"] or (order["amount"] == 0 and row["amount"] == 0)
        got = row["metadata"] or {}
        assert _canon(got) == _canon(order["metadata"])
        for field in fields[3:]:
            want = _expected_cell(order["metadata"].get(field[len("metadata.") :]))
            assert _canon(row[field]) == _canon(want), (field, row[field], want)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with serve(import_speed=1_000_000.0) as sb:
        sb.state.export_delay = 0.0
        yield sb


def _no_sleep(seconds: float) -> None:
    return None


async def _no_asleep(seconds: float) -> None:
    return None


@pytest.fixture(scope="module")
def vf(sandbox: Sandbox) -> Iterator[Voucherify]:
    with Voucherify(
        app_id=sandbox.app_id, app_token=sandbox.app_token, base_url=sandbox.url, sleep=_no_sleep
    ) as client:
        yield client


@pytest.fixture(scope="module")
def arun(sandbox: Sandbox) -> Iterator[tuple[asyncio.Runner, AsyncVoucherify]]:
    """One event loop and one async client for the module's async examples."""
    with asyncio.Runner() as runner:
        avf = AsyncVoucherify(
            app_id=sandbox.app_id, app_token=sandbox.app_token, base_url=sandbox.url, sleep=_no_asleep
        )
        yield runner, avf
        runner.run(avf.close())


def _fresh(sb: Sandbox) -> None:
    sb.reset()
    sb.state.export_delay = 0.0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases)
def test_rows_give_back_what_the_orders_hold(sandbox: Sandbox, vf: Voucherify, case: Any) -> None:
    _fresh(sandbox)
    orders = _orders(case)
    fields = _fields(orders)
    for order in orders:
        vf.orders.create(order)
    handle = vf.orders.export(fields=fields)
    _check(orders, fields, list(handle.iter_rows()))
    raw = list(handle.iter_rows(parse=False))
    assert sorted(row["source_id"] for row in raw) == sorted(o["source_id"] for o in orders)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases)
def test_rows_give_back_what_the_orders_hold_async(
    sandbox: Sandbox, arun: tuple[asyncio.Runner, AsyncVoucherify], case: Any
) -> None:
    _fresh(sandbox)
    orders = _orders(case)
    fields = _fields(orders)
    runner, avf = arun

    async def run() -> list[dict[str, Any]]:
        for order in orders:
            await avf.orders.create(order)
        handle = await avf.orders.export(fields=fields)
        return [row async for row in handle.iter_rows()]

    _check(orders, fields, runner.run(run()))


BREAKS = ["a\u2028b", "a\x0bb", "a\x0cb", "a\x1cb", "a\x85b", "a\rb", "a\r\nb", "a\nb"]


@pytest.mark.parametrize("text", BREAKS)
def test_a_cell_holding_a_line_break_of_any_kind_stays_one_row(
    sandbox: Sandbox, vf: Voucherify, text: str
) -> None:
    """Finding 2: 5 orders holding ``\\u2028`` etc. came back as 10 rows with phantom ids."""
    _fresh(sandbox)
    for i in range(5):
        vf.orders.create({"source_id": f"{text}-{i}", "amount": 1, "metadata": {"note": text}})
    rows = list(vf.orders.export(fields=["source_id", "metadata.note"]).iter_rows())
    assert sorted(row["source_id"] for row in rows) == [f"{text}-{i}" for i in range(5)]
    assert all(row["metadata.note"] == text for row in rows)


def test_numbers_looking_text_stays_text(sandbox: Sandbox, vf: Voucherify) -> None:
    """Finding 5: ``"02134"`` → 2134, ``"1_000"`` → 1000, ``"+5"`` → 5, ``"inf"`` → inf."""
    _fresh(sandbox)
    kept = ["02134", "1_000", "+5", "inf", "NaN", "1.50", " 7", "\u0661\u0662", "1e400"]
    for i, text in enumerate(kept):
        vf.orders.create({"source_id": f"n{i}", "amount": 1, "metadata": {"v": text, "n": i}})
    rows = list(vf.orders.export(fields=["source_id", "metadata.v", "metadata.n"]).iter_rows())
    got = {row["source_id"]: row for row in rows}
    assert [got[f"n{i}"]["metadata.v"] for i in range(len(kept))] == kept
    assert [got[f"n{i}"]["metadata.n"] for i in range(len(kept))] == list(range(len(kept)))
