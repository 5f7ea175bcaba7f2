"""The import run's decisions without any I/O: :func:`submit` yields operations and a fake
``perform`` answers them, which is how the sync and async imports share one implementation."""

from __future__ import annotations

import datetime
import types
from typing import Any

import httpx
import pytest

from voucherify_ext.errors import APIConnectionError, OrderImportError, VoucherifyError
from voucherify_ext.import_run import ImportRun, Newest, Op, Post, Scan, Sleep, drive, submit
from voucherify_ext.import_sources import Chunk

NOW = 1_800_000_000.0


def _action(action_id: str, at: float, kind: str = "ORDERS.IMPORT") -> Any:
    created = datetime.datetime.fromtimestamp(at, datetime.UTC)
    return types.SimpleNamespace(id=action_id, type_=kind, created_at=created)


def _run() -> ImportRun:
    return ImportRun(
        chunk_size=2, on_progress=None, checkpoint_path=None, reconcile_window=5.0, wall_clock=lambda: NOW
    )


def _chunk() -> Chunk:
    return Chunk(1, [{"source_id": "a"}, {"source_id": "b"}], 0)


def test_a_lost_response_is_reconciled_not_resubmitted() -> None:
    ops: list[str] = []

    def perform(op: Op) -> Any:
        ops.append(type(op).__name__)
        if isinstance(op, Newest):
            return types.SimpleNamespace(async_actions=[_action("aa_old", NOW - 60)])
        if isinstance(op, Post):
            raise APIConnectionError("connection dropped after sending", outcome_unknown=True)
        if isinstance(op, Scan):
            listed = [
                _action("aa_other", NOW + 1, "CUSTOMERS.IMPORT"),
                _action("aa_mine", NOW),
                _action("aa_old", NOW - 60),
            ]
            return [a for n, a in enumerate(listed) if not any(op.older(b) for b in listed[:n])]
        raise AssertionError(op)

    run = _run()
    drive(submit(run, _chunk()), perform)
    assert ops == ["Newest", "Post", "Scan"]  # one POST only
    (report,) = run.result.chunks
    assert (report.async_action_id, report.reconciled, report.submit_attempts) == ("aa_mine", True, 1)


def test_an_unreadable_list_stops_the_run_instead_of_resubmitting() -> None:
    ops: list[Op] = []

    def perform(op: Op) -> Any:
        ops.append(op)
        if isinstance(op, Sleep):
            return None
        if isinstance(op, Newest):
            return types.SimpleNamespace(async_actions=[])
        raise APIConnectionError("down", outcome_unknown=True)

    with pytest.raises(OrderImportError, match="not resubmitting blind"):
        drive(submit(_run(), _chunk()), perform)
    assert sum(isinstance(op, Post) for op in ops) == 1
    assert [op.seconds for op in ops if isinstance(op, Sleep)] == [0.5, 1.0, 2.0]


def test_a_definitive_refusal_is_not_retried() -> None:
    def perform(op: Op) -> Any:
        if isinstance(op, Newest):
            return types.SimpleNamespace(async_actions=[])
        request = httpx.Request("POST", "https://api.voucherify.io/v1/orders/import")
        return types.SimpleNamespace(
            status_code=400,
            content=b'{"code":400,"key":"invalid_payload","message":"Invalid payload"}',
            headers=httpx.Headers(),
            parsed=None,
            request=request,
        )

    with pytest.raises(VoucherifyError, match="chunk 1 was refused"):
        drive(submit(_run(), _chunk()), perform)


def test_an_interrupt_closes_the_steps_and_still_counts_the_time() -> None:
    def perform(op: Op) -> Any:
        if isinstance(op, Newest):
            return types.SimpleNamespace(async_actions=[])
        raise KeyboardInterrupt

    run = _run()
    with pytest.raises(KeyboardInterrupt):
        drive(submit(run, _chunk()), perform)
    assert run.result.timings["send"] > 0 and not run.result.chunks
