"""The import run's decisions without any I/O: :func:`submit` yields operations and a fake
``perform`` answers them, which is how the sync and async imports share one implementation."""

from __future__ import annotations

import datetime
import types
from typing import Any

import httpx
import pytest

from voucherify_ext.errors import (
    APIConnectionError,
    ImportReconcileError,
    OrderImportError,
    UnreadableSuccessError,
    VoucherifyError,
)
from voucherify_ext.imports.chunker import Chunk
from voucherify_ext.imports.steps import ImportRun, Newest, Op, Post, Scan, Sleep, drive, submit

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
    listed = [
        _action("aa_other", NOW + 1, "CUSTOMERS.IMPORT"),
        _action("aa_mine", NOW),
        _action("aa_old", NOW - 60),
    ]
    performed, perform = _lost(listed)

    run = _run()
    drive(submit(run, _chunk()), perform)
    # a fresh run reads no list before its first send; one POST only
    assert [type(op).__name__ for op in performed] == ["Post", "Scan"]
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


def _lost(listed: list[Any], *, status: int | None = None) -> tuple[list[Op], Any]:
    """A perform whose POST answer is lost (a dropped connection, or a 2xx it cannot read) and
    whose list shows ``listed`` (newest first) on every scan."""
    ops: list[Op] = []

    def perform(op: Op) -> Any:
        ops.append(op)
        if isinstance(op, Sleep):
            return None
        if isinstance(op, Newest):
            return types.SimpleNamespace(async_actions=[_action("aa_old", NOW - 60)])
        if isinstance(op, Post):
            if status is not None:
                raise UnreadableSuccessError("cut short", status_code=status)
            raise APIConnectionError("connection dropped after sending", outcome_unknown=True)
        assert isinstance(op, Scan), op
        return [a for n, a in enumerate(listed) if not any(op.older(b) for b in listed[:n])]

    return ops, perform


def test_two_candidates_stop_the_run_naming_both_and_nothing_is_resent() -> None:
    ops, perform = _lost([_action("aa_b", NOW + 1), _action("aa_a", NOW), _action("aa_old", NOW - 60)])
    with pytest.raises(ImportReconcileError, match=r"2 unclaimed ORDERS\.IMPORT") as caught:
        drive(submit(_run(), _chunk()), perform)
    assert caught.value.candidates == ["aa_a", "aa_b"] and caught.value.chunk == 1
    assert sum(isinstance(op, Post) for op in ops) == 1


def test_a_candidate_created_before_the_send_is_ambiguous() -> None:
    ops, perform = _lost([_action("aa_early", NOW - 30), _action("aa_old", NOW - 60)])
    run = _run()
    run.set_baseline([_action("aa_old", NOW - 60)])  # a send after a known action (a rerun's)
    with pytest.raises(ImportReconcileError, match=r"30\.0s before the send"):
        drive(submit(run, _chunk()), perform)
    assert sum(isinstance(op, Post) for op in ops) == 1


@pytest.mark.parametrize("before", [0.001, 1.0, 4.9])
def test_a_candidate_just_before_a_send_that_followed_no_known_action_is_ambiguous(before: float) -> None:
    # a fresh run's first send: within the band, the clock cannot tell an import created just
    # before the send from the send's own, and no action is known to precede it
    ops, perform = _lost([_action("aa_just_before", NOW - before), _action("aa_old", NOW - 60)])
    with pytest.raises(ImportReconcileError, match="followed no known action") as caught:
        drive(submit(_run(), _chunk()), perform)
    assert caught.value.candidates == ["aa_just_before"]
    assert sum(isinstance(op, Post) for op in ops) == 1


def test_no_action_yet_is_waited_for_until_the_horizon_then_resent_once() -> None:
    ops, perform = _lost([_action("aa_old", NOW - 60)])
    with pytest.raises(OrderImportError, match="could not be submitted in 5 attempts"):
        drive(submit(_run(), _chunk()), perform)
    sleeps = [op.seconds for op in ops if isinstance(op, Sleep)]
    assert sum(isinstance(op, Post) for op in ops) == 5
    assert sum(sleeps) == pytest.approx(5 * 60.0)  # the whole horizon after every lost answer


def test_an_import_answered_2xx_unreadably_is_never_resent() -> None:
    ops, perform = _lost([_action("aa_old", NOW - 60)], status=200)
    with pytest.raises(OrderImportError, match="accepted"):
        drive(submit(_run(), _chunk()), perform)
    assert sum(isinstance(op, Post) for op in ops) == 1
