"""``vf.orders.upsert_many`` against the sandbox (loopback), sync and async: per-key order under
concurrency, the in-flight bound measured at the sandbox, refusal of keyless orders, created vs
updated, stop_on_error, a failure blocking later writes of its key, retry_ambiguous=False with a
dropped response, resuming from a checkpoint, progress and the estimate."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.upsert.conftest import creates
from voucherify_ext import AsyncVoucherify, Voucherify
from voucherify_ext.errors import BadRequestError, UpsertBlockedError, UpsertInputError
from voucherify_ext.sandbox import Sandbox
from voucherify_ext.sandbox.journal import max_concurrent


def _orders(keys: list[int]) -> list[dict[str, Any]]:
    return [{"source_id": f"k{key}", "amount": 100 + i, "metadata": {"i": i}} for i, key in enumerate(keys)]


def _index(entry: dict[str, Any]) -> int:
    index: int = entry["body"]["metadata"]["i"]
    return index


def _check_per_key_order(sandbox: Sandbox, orders: list[dict[str, Any]]) -> None:
    """Each key's writes arrived in input order, one after the other's answer, and the stored
    order is the key's last input."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for entry in creates(sandbox):
        by_key.setdefault(entry["key"], []).append(entry)
    for key, entries in by_key.items():
        indices = [_index(e) for e in entries]
        assert indices == sorted(indices), (key, indices)
        for before, after in itertools.pairwise(entries):
            assert before["done_at"] <= after["at"], (key, before, after)
    last = {o["source_id"]: o for o in orders}
    for key, order in last.items():
        stored = next(o for o in sandbox.orders() if o["source_id"] == key)
        assert (stored["amount"], stored["metadata"]) == (order["amount"], order["metadata"])


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keys=st.lists(st.integers(0, 4), min_size=1, max_size=24))
def test_orders_of_one_key_are_sent_in_input_order_never_together(
    journaled: Sandbox, voucherify_client: Voucherify, keys: list[int]
) -> None:
    journaled.reset()
    # the first writes are slow, so a later write of the same key would overtake them if it could
    journaled.inject("latency", method="POST", path="/v1/orders", delay_ms=25, times=3)
    orders = _orders(keys)
    results = list(voucherify_client.orders.upsert_many(orders, max_in_flight=4))
    assert sorted(r.index for r in results) == list(range(len(orders)))
    assert all(r.status in ("created", "updated") for r in results)
    _check_per_key_order(journaled, orders)


async def test_async_orders_of_one_key_are_sent_in_input_order(
    journaled: Sandbox, voucherify_async_client: AsyncVoucherify
) -> None:
    journaled.inject("latency", method="POST", path="/v1/orders", delay_ms=25, times=3)
    orders = _orders([0, 0, 1, 0, 2, 1, 0, 3, 3, 0])
    run = voucherify_async_client.orders.upsert_many(orders, max_in_flight=4)
    results = [r async for r in run]
    assert len(results) == len(orders)
    assert run.summary.created == 4 and run.summary.updated == 6
    _check_per_key_order(journaled, orders)


def test_never_more_than_max_in_flight_at_the_sandbox(
    journaled: Sandbox, voucherify_client: Voucherify
) -> None:
    journaled.set_latency(40)
    run = voucherify_client.orders.upsert_many(_orders(list(range(40))), max_in_flight=3)
    assert len(list(run)) == 40
    assert max_concurrent(creates(journaled)) == 3  # the bound, and used


async def test_async_never_more_than_max_in_flight(
    journaled: Sandbox, voucherify_async_client: AsyncVoucherify
) -> None:
    # 40 ms a request: long enough that the five overlap at the sandbox even on a loaded
    # machine, once the first request (alone: does the server count?) is answered
    journaled.set_latency(40)
    run = voucherify_async_client.orders.upsert_many(_orders(list(range(40))), max_in_flight=5)
    assert len([r async for r in run]) == 40
    assert max_concurrent(creates(journaled)) == 5


def test_a_keyless_line_of_a_file_is_refused_before_anything_is_sent(
    journaled: Sandbox, voucherify_client: Voucherify, tmp_path: Path
) -> None:
    path = tmp_path / "orders.jsonl"
    lines = [{"source_id": "a", "amount": 1}, {"id": "ord_b", "amount": 2}, {"amount": 3}]
    path.write_text("\n".join(json.dumps(o) for o in lines) + "\n", encoding="utf-8")
    with pytest.raises(UpsertInputError) as caught:
        list(voucherify_client.orders.upsert_many(path))
    assert (caught.value.line, caught.value.index, caught.value.file) == (3, 2, str(path))
    assert f"{path}:3" in str(caught.value) and "id or a source_id" in str(caught.value)
    assert creates(journaled) == []


def test_a_keyless_order_of_an_iterable_fails_alone_naming_its_index(
    journaled: Sandbox, voucherify_client: Voucherify
) -> None:
    orders = [{"source_id": "a", "amount": 1}, {"amount": 2}, {"source_id": "", "amount": 3}, {"id": "ord_c"}]
    results = {r.index: r for r in voucherify_client.orders.upsert_many(orders)}
    for index in (1, 2):
        assert results[index].status == "failed"
        assert isinstance(results[index].error, UpsertInputError)
        assert results[index].error.index == index and f"order {index}" in str(results[index].error)
        assert results[index].attempts == 0
    assert sorted(e["key"] for e in creates(journaled)) == ["a", "ord_c"]  # only the good ones


def test_a_csv_file_is_read_like_the_import(
    voucherify_sandbox: Sandbox, voucherify_client: Voucherify, tmp_path: Path
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "source_id,amount,metadata.channel\nc1,500,web\nc2,700,shop\nc1,900,app\n", encoding="utf-8"
    )
    run = voucherify_client.orders.upsert_many(path)
    lines = sorted((r.line, r.status) for r in run)
    assert lines == [(2, "created"), (3, "created"), (4, "updated")]
    assert voucherify_client.orders.get("c1").amount == 900


def test_created_then_updated(voucherify_sandbox: Sandbox, voucherify_client: Voucherify) -> None:
    orders = _orders([0, 1, 2])
    first = voucherify_client.orders.upsert_many(orders)
    assert {r.status for r in first} == {"created"}
    second = voucherify_client.orders.upsert_many(orders)
    assert {r.status for r in second} == {"updated"}
    assert (second.summary.updated, second.summary.requests) == (3, 3)


def test_stop_on_error_stops_after_the_first_failure(
    journaled: Sandbox, voucherify_client: Voucherify
) -> None:
    journaled.inject("status", method="POST", path="/v1/orders", status=400)
    run = voucherify_client.orders.upsert_many(_orders(list(range(50))), max_in_flight=2, stop_on_error=True)
    results = list(run)
    failed = [r for r in results if r.status == "failed"]
    assert len(failed) == 1 and isinstance(failed[0].error, BadRequestError)
    assert len(creates(journaled)) <= 3  # the failed one and what was in flight with it
    assert run.summary.failed == 1 and run.summary.created == len(results) - 1


def test_failures_do_not_stop_the_run_and_block_later_writes_of_their_key(
    journaled: Sandbox, voucherify_client: Voucherify
) -> None:
    journaled.inject("status", method="POST", path="/v1/orders", status=400)
    orders = _orders([7, 1, 7, 2, 7])
    results = {r.index: r for r in voucherify_client.orders.upsert_many(orders, max_in_flight=1)}
    assert isinstance(results[0].error, BadRequestError)
    for index in (2, 4):
        assert isinstance(results[index].error, UpsertBlockedError)
        assert results[index].error.blocked_by == 0
    assert [results[i].status for i in (1, 3)] == ["created", "created"]
    assert sorted(_index(e) for e in creates(journaled)) == [0, 1, 3]


@pytest.mark.parametrize("retry_ambiguous", [True, False])
def test_retry_ambiguous_false_never_resends_after_a_dropped_response(
    journaled: Sandbox, voucherify_client: Voucherify, retry_ambiguous: bool
) -> None:
    client = voucherify_client.with_options(retry_policy=None, max_retries=2)
    journaled.inject("drop_after", method="POST", path="/v1/orders")
    (result,) = client.orders.upsert_many(
        [{"source_id": "once", "amount": 5}], retry_ambiguous=retry_ambiguous
    )
    sent = creates(journaled)
    if retry_ambiguous:
        assert (len(sent), result.status, result.attempts) == (2, "updated", 2)
    else:
        assert len(sent) == 1 and result.status == "failed"
        assert result.error is not None and getattr(result.error, "outcome_unknown", None) is True
    assert journaled.count_orders("once") == 1


def test_a_checkpoint_resumes_without_resending(
    journaled: Sandbox, voucherify_client: Voucherify, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "sync.ckpt"
    orders = _orders([0, 1, 0, 2, 1, 3, 0, 4])
    run = voucherify_client.orders.upsert_many(orders, checkpoint=checkpoint, max_in_flight=1)
    for count, _ in enumerate(run, 1):
        if count == 3:
            break
    first = [_index(e) for e in creates(journaled)]
    rerun = voucherify_client.orders.upsert_many(orders, checkpoint=checkpoint, max_in_flight=2)
    results = list(rerun)
    assert rerun.summary.skipped == len(first) == 3
    assert {r.index for r in results if r.status == "skipped"} == set(first)
    resent = [_index(e) for e in creates(journaled)][len(first) :]
    assert not set(resent) & set(first)
    assert sorted(resent) == [i for i in range(len(orders)) if i not in first]
    _check_per_key_order(journaled, orders)


async def test_async_checkpoint_resume(
    journaled: Sandbox, voucherify_async_client: AsyncVoucherify, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "sync.ckpt"
    orders = _orders([0, 1, 2, 0, 1])
    first = voucherify_async_client.orders.upsert_many(orders[:3], checkpoint=tmp_path / "other.ckpt")
    assert [r async for r in first]
    run = voucherify_async_client.orders.upsert_many(orders, checkpoint=checkpoint)
    assert len([r async for r in run]) == 5
    again = voucherify_async_client.orders.upsert_many(orders, checkpoint=checkpoint)
    assert {r.status async for r in again} == {"skipped"}
    assert again.summary.requests == 0


def test_progress_and_estimate(voucherify_sandbox: Sandbox, voucherify_client: Voucherify) -> None:
    seen: list[Any] = []
    run = voucherify_client.orders.upsert_many(_orders([0, 1, 0]), on_progress=seen.append)
    list(run)
    assert [p.done for p in seen] == [1, 2, 3] and seen[-1].total == 3
    assert (seen[-1].created, seen[-1].updated) == (2, 1)
    budgeted = Voucherify(
        app_id=voucherify_sandbox.app_id,
        app_token=voucherify_sandbox.app_token,
        base_url=voucherify_sandbox.url,
        rate_limit="20/s",
    )
    with budgeted:
        estimate = budgeted.orders.estimate_upserts(100)
        assert (estimate.orders, estimate.requests) == (100, 100)
        assert estimate.seconds == pytest.approx(4 * 1.001)
        assert budgeted.orders.estimate_upserts(_orders([1, 2])).orders == 2
    assert voucherify_client.orders.estimate_upserts(10).seconds is None


async def test_async_reads_a_file_and_refuses_a_bad_line(
    journaled: Sandbox, voucherify_async_client: AsyncVoucherify, tmp_path: Path
) -> None:
    good, bad = tmp_path / "good.jsonl", tmp_path / "bad.jsonl"
    good.write_text('{"id": "ord_f1", "amount": 1}\n\n{"id": "ord_f1", "amount": 2}\n', encoding="utf-8")
    bad.write_text('{"id": "ord_f2"}\n{"id": "ord_f3", "amount": "x"}\n', encoding="utf-8")
    run = voucherify_async_client.orders.upsert_many(good)
    assert sorted([(r.line, r.status) async for r in run]) == [(1, "created"), (3, "updated")]
    with pytest.raises(UpsertInputError) as caught:
        _ = [r async for r in voucherify_async_client.orders.upsert_many(bad)]
    assert caught.value.line == 2 and "amount" in str(caught.value)
    assert [e["key"] for e in creates(journaled)] == ["ord_f1", "ord_f1"]


def test_the_budget_is_filled_without_a_429(journaled: Sandbox) -> None:
    journaled.set_rate_limit("20/s")
    journaled.set_latency(5)
    with Voucherify(
        app_id=journaled.app_id, app_token=journaled.app_token, base_url=journaled.url, rate_limit="20/s"
    ) as vf:
        assert vf.orders.upsert_many([]).max_in_flight == 16  # the budget's 20, capped by the pool
        run = vf.orders.upsert_many(_orders(list(range(45))))
        assert {r.status for r in run} == {"created"}
    sent = creates(journaled)
    assert len(sent) == 45 and {e["status"] for e in sent} == {200}  # no 429: never beyond the budget
    assert 2.0 <= sent[-1]["at"] - sent[0]["at"] < 3.5  # three windows of 20, paced by the limiter


def test_without_a_configured_budget_the_servers_count_is_kept(journaled: Sandbox) -> None:
    # no rate_limit: the limiter has only the sandbox's X-Rate-Limit-* answers, with 16 requests
    # in flight; it counts those in flight against what the server says is left
    journaled.set_rate_limit("20/s")
    journaled.set_latency(5)
    with Voucherify(app_id=journaled.app_id, app_token=journaled.app_token, base_url=journaled.url) as vf:
        run = vf.orders.upsert_many(_orders(list(range(70))))
        assert {r.status for r in run} == {"created"}
    sent = creates(journaled)
    assert len(sent) == 70 and {e["status"] for e in sent} == {200}  # no 429


async def test_async_without_a_configured_budget_the_servers_count_is_kept(journaled: Sandbox) -> None:
    journaled.set_rate_limit("20/s")
    journaled.set_latency(5)
    async with AsyncVoucherify(
        app_id=journaled.app_id, app_token=journaled.app_token, base_url=journaled.url
    ) as vf:
        statuses = {r.status async for r in vf.orders.upsert_many(_orders(list(range(70))))}
    assert statuses == {"created"}
    sent = creates(journaled)
    assert len(sent) == 70 and {e["status"] for e in sent} == {200}  # no 429


async def test_async_with_stops_the_run_and_frees_the_checkpoint(
    voucherify_sandbox: Sandbox, voucherify_async_client: AsyncVoucherify, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "sync.ckpt"
    async with voucherify_async_client.orders.upsert_many(
        _orders(list(range(30))), checkpoint=checkpoint
    ) as run:
        async for _ in run:
            break
    again = voucherify_async_client.orders.upsert_many(_orders(list(range(30))), checkpoint=checkpoint)
    results = [r async for r in again]  # the lock was released: no CheckpointLockedError
    assert len(results) == 30 and again.summary.skipped >= 1


def test_with_stops_the_sync_run(
    voucherify_sandbox: Sandbox, voucherify_client: Voucherify, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "sync.ckpt"
    with voucherify_client.orders.upsert_many(_orders(list(range(30))), checkpoint=checkpoint) as run:
        first = next(iter(run))
    assert run.summary.created >= 1 and first.status == "created"
    again = voucherify_client.orders.upsert_many(_orders(list(range(30))), checkpoint=checkpoint)
    assert len(list(again)) == 30 and again.summary.skipped == run.summary.created


def test_a_rerun_sends_a_failed_order_and_the_ones_it_blocked_in_order(
    journaled: Sandbox, voucherify_client: Voucherify, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "sync.ckpt"
    journaled.inject("status", method="POST", path="/v1/orders", status=400)
    orders = _orders([5, 6, 5, 7])
    first = voucherify_client.orders.upsert_many(orders, checkpoint=checkpoint, max_in_flight=1)
    assert sorted((r.index, r.status) for r in first) == [
        (0, "failed"),
        (1, "created"),
        (2, "failed"),
        (3, "created"),
    ]
    rerun = voucherify_client.orders.upsert_many(orders, checkpoint=checkpoint, max_in_flight=3)
    assert sorted((r.index, r.status) for r in rerun) == [
        (0, "created"),
        (1, "skipped"),
        (2, "updated"),
        (3, "skipped"),
    ]
    assert [_index(e) for e in creates(journaled)] == [0, 1, 3, 0, 2]
    _check_per_key_order(journaled, orders)
