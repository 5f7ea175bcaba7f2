"""Parity of the two import drivers (issue 13): ``import_orders`` and ``aimport_orders`` take
the same parameters and, on the sandbox, give the same result for the same input: per-order
failures, a chunk whose every order fails, skipped records, a refused chunk, a lost response.

They are a sans-I/O core (:mod:`voucherify_ext.imports.steps`) with two thin drivers, not a
generated twin, so what keeps them alike is this test.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voucherify_ext.client import AsyncVoucherify, Voucherify
from voucherify_ext.errors import OrderImportError
from voucherify_ext.imports.drivers import (
    MAX_CHUNK_SIZE,
    ImportProgress,
    ImportResult,
    aimport_orders,
    import_orders,
)
from voucherify_ext.orders.resource_async import AsyncOrders
from voucherify_ext.orders.resource_sync import Orders
from voucherify_ext.sandbox import Sandbox

from .conftest import FAST, no_asleep, no_sleep

IMPORT = "/v1/orders/import"

#: the only differences allowed between the two signatures: what an async caller passes
ASYNC_ONLY = {
    "source": (
        "Iterable[Any] | str | os.PathLike[str]",
        "Iterable[Any] | AsyncIterable[Any] | str | os.PathLike[str]",
    ),
    "sleep": ("Callable[[float], None]", "Callable[[float], Awaitable[None]]"),
}


def test_the_two_drivers_take_the_same_parameters() -> None:
    sync = inspect.signature(import_orders).parameters
    async_ = inspect.signature(aimport_orders).parameters
    assert list(sync) == list(async_)
    for name, parameter in sync.items():
        twin = async_[name]
        assert parameter.kind == twin.kind, name
        if name in ASYNC_ONLY:
            assert (parameter.annotation, twin.annotation) == ASYNC_ONLY[name]
        else:
            assert parameter.annotation == twin.annotation, name
            assert parameter.default == twin.default, name
    assert inspect.iscoroutinefunction(aimport_orders) and not inspect.iscoroutinefunction(import_orders)
    assert sync["chunk_size"].default == MAX_CHUNK_SIZE


@pytest.mark.parametrize("facade", [Orders.import_orders, AsyncOrders.import_orders])
def test_the_facades_pass_the_drivers_defaults(facade: Callable[..., Any]) -> None:
    """``vf.orders.import_orders`` and its async twin default every parameter as the driver does."""
    driver = inspect.signature(import_orders).parameters
    for name, parameter in inspect.signature(facade).parameters.items():
        if name in ("self", "source"):
            continue
        assert parameter.default == driver[name].default, name


# ---------------------------------------------------------------------------- same input, same result


def order(i: int, failing: bool) -> dict[str, Any]:
    record: dict[str, Any] = {"source_id": f"p{i}", "amount": 100 + i, "metadata": {"n": i}}
    if failing:  # the spec allows a negative quantity; the sandbox's import refuses the order
        record["items"] = [{"quantity": -1, "price": 100}]
    return record


def normalised(value: Any, ids: dict[str, str]) -> Any:
    """``value`` (a result, an error's text) with async-action ids replaced by their order of
    appearance (each run creates its own), request ids and timings dropped."""
    if attrs.has(type(value)):
        fields = {f.name: getattr(value, f.name) for f in attrs.fields(type(value)) if f.name != "timings"}
        return (type(value).__name__, normalised(fields, ids))
    if isinstance(value, dict):
        return {k: normalised(v, ids) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalised(v, ids) for v in value]
    if isinstance(value, str):
        value = re.sub(r"request_id=[\w-]+", "request_id=...", value)  # the server's, new per request
        return re.sub(r"aa_\w+", lambda m: ids.setdefault(m.group(0), f"action{len(ids) + 1}"), value)
    return value


Run = Callable[..., Any]


def run_sync(sb: Sandbox, source: Any, **options: Any) -> Any:
    with Voucherify(app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, sleep=no_sleep) as vf:
        return import_orders(vf.client, source, sleep=no_sleep, **options)


def run_async(sb: Sandbox, source: Any, **options: Any) -> Any:
    async def run() -> ImportResult:
        async with AsyncVoucherify(
            app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, sleep=no_asleep
        ) as avf:
            return await aimport_orders(avf.client, source, sleep=no_asleep, **options)

    return asyncio.run(run())


def outcome(
    sb: Sandbox, run: Run, make_source: Callable[[], Any], prepare: Callable[[], None], **options: Any
) -> Any:
    """What one driver did, normalised: the result (or the error and its partial result), the
    progress events, the orders stored and the requests made."""
    sb.reset()
    sb.set_import_speed(FAST)
    prepare()
    events: list[ImportProgress] = []
    ids: dict[str, str] = {}
    try:
        result = run(sb, make_source(), on_progress=events.append, **options)
        done: Any = ("ok", normalised(result, ids), normalised(result.summary(), ids))
    except OrderImportError as exc:
        done = (
            "error",
            type(exc).__name__,
            exc.chunk,
            normalised(str(exc), ids),
            normalised(exc.result, ids),
        )
    stored = sorted((o["source_id"], len(o.get("items") or [])) for o in sb.orders())
    return done, [normalised(e, ids) for e in events], stored, sb.request_count("POST", IMPORT)


def both(
    sb: Sandbox, make_source: Callable[[], Any], prepare: Callable[[], None] = lambda: None, **options: Any
) -> Any:
    sync = outcome(sb, run_sync, make_source, prepare, **options)
    async_ = outcome(sb, run_async, make_source, prepare, **options)
    assert sync == async_
    return sync


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    count=st.integers(0, 14),
    failing=st.sets(st.integers(0, 13)),
    chunk_size=st.integers(1, 5),
    as_file=st.booleans(),
    bad_lines=st.sets(st.integers(0, 13), max_size=2),
)
def test_the_same_input_gives_the_same_result_sync_and_async(
    sandbox_session: Sandbox,
    tmp_path_factory: pytest.TempPathFactory,
    count: int,
    failing: set[int],
    chunk_size: int,
    as_file: bool,
    bad_lines: set[int],
) -> None:
    records = [order(i, i in failing) for i in range(count)]
    if as_file:
        path = tmp_path_factory.mktemp("parity") / "orders.jsonl"
        lines = [
            '{"source_id": "broken", ' if i in bad_lines else json.dumps(r) for i, r in enumerate(records)
        ]
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")

        def make_source() -> Any:
            return path
    else:

        def make_source() -> Any:
            return iter(records)

    (kind, *_), _events, stored, _posts = both(
        sandbox_session, make_source, chunk_size=chunk_size, on_invalid="skip"
    )
    assert kind == "ok"
    skipped = bad_lines & set(range(count)) if as_file else set()
    refused = (failing & set(range(count))) - skipped
    assert len(stored) == count - len(skipped) - len(refused)


def test_a_chunk_whose_every_order_fails_is_reported_alike(sb: Sandbox) -> None:
    def make_source() -> Iterator[dict[str, Any]]:
        return (order(i, failing=3 <= i < 6) for i in range(8))  # chunk 2 fails whole

    (kind, result, _summary), _events, stored, posts = both(sb, make_source, chunk_size=3)
    assert kind == "ok" and posts == 3 and len(stored) == 5
    _, fields = result
    chunks = {c[1]["index"]: c[1] for c in fields["chunks"]}
    assert chunks[2]["done_count"] == 0 and chunks[2]["failed_count"] == 3
    assert fields["failed_count"] == 3 and fields["done_count"] == 5


def test_a_refused_chunk_stops_both_alike_with_what_was_sent(sb: Sandbox) -> None:
    def make_source() -> Iterator[dict[str, Any]]:
        for i in range(9):
            if i == 3:  # chunk 1 was sent: refuse the next import POST
                sb.inject("status", method="POST", path=IMPORT, status=400, times=1)
            yield order(i, failing=False)

    (kind, name, chunk, message, partial), _events, stored, posts = both(sb, make_source, chunk_size=3)
    assert (kind, name, chunk) == ("error", "OrderImportError", 2)
    assert "chunk 2 was refused" in message and len(stored) == 3 and posts == 2
    assert [c[1]["index"] for c in partial[1]["chunks"]] == [1]


def test_a_lost_response_is_reconciled_alike(sb: Sandbox) -> None:
    def prepare() -> None:
        sb.inject("drop_after", method="POST", path=IMPORT, times=1)

    def make_source() -> Iterator[dict[str, Any]]:
        return (order(i, failing=False) for i in range(5))

    (kind, result, _summary), _events, stored, posts = both(sb, make_source, prepare, chunk_size=2)
    assert kind == "ok" and posts == 3 and len(stored) == 5
    assert [c[1]["reconciled"] for c in result[1]["chunks"]] == [True, False, False]
