"""Bulk import against the sandbox: chunking, progress, per-order failures, validation of
files and iterables, lost responses reconciled, checkpoint resume, faults, interruption."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from voucherify_client.models import OrdersImportCreateRequestBodyItem

from voucherify_ext.async_actions.actions import AsyncActions
from voucherify_ext.client import Voucherify
from voucherify_ext.errors import CheckpointMismatchError, ImportReconcileError, ValidationError
from voucherify_ext.imports.checkpoint import Checkpoint
from voucherify_ext.imports.drivers import (
    ChunkStatus,
    ImportProgress,
    ImportTimeoutError,
    ImportValidationError,
    OrderImportError,
    import_orders,
)
from voucherify_ext.sandbox import Sandbox

from .conftest import FakeClock, no_sleep, orders, write_jsonl

IMPORT = "/v1/orders/import"


def import_actions(vf: Voucherify) -> list[str]:
    return [a.id for a in AsyncActions(vf.client).iter() if str(a.type_) == "ORDERS.IMPORT"]  # type: ignore[misc]


def test_5000_orders_in_three_chunks_with_progress_in_order(vf: Voucherify, sb: Sandbox) -> None:
    events: list[ImportProgress] = []
    result = import_orders(vf.client, orders(5000), on_progress=events.append, sleep=no_sleep)

    assert [c.count for c in result.chunks] == [2000, 2000, 1000]
    assert result.total == result.submitted == result.done_count == 5000
    assert result.failed_count == 0 and result.failures == [] and result.ok
    assert len(result.async_action_ids) == 3 and all(c.status is ChunkStatus.DONE for c in result.chunks)
    assert sb.count_orders() == 5000 and sb.request_count("POST", IMPORT) == 3

    submitting = [e for e in events if e.phase == "submitting"]
    waiting = [e for e in events if e.phase == "waiting"]
    assert [e.orders_submitted for e in submitting] == [2000, 4000, 5000]
    assert events.index(submitting[-1]) < events.index(waiting[0])
    assert [e.current_chunk for e in waiting] == sorted(e.current_chunk for e in waiting)  # type: ignore[type-var]
    assert {e.current_chunk for e in waiting} == {1, 2, 3}
    assert waiting[-1].action_progress == 100 and waiting[-1].chunks_done == 2
    assert [e.chunks_done for e in events] == sorted(e.chunks_done for e in events)


def test_generated_models_are_accepted(vf: Voucherify, sb: Sandbox) -> None:
    models = (OrdersImportCreateRequestBodyItem.from_dict(o) for o in orders(10))
    result = import_orders(vf.client, models, sleep=no_sleep)
    assert result.done_count == 10 and sb.count_orders() == 10


def test_per_order_failures_are_reported_with_their_chunk(vf: Voucherify, sb: Sandbox) -> None:
    def source() -> Any:
        for order in orders(25):
            n = order["metadata"]["n"]
            if n in (3, 17, 24):  # the spec allows a negative quantity; the import refuses it
                order["items"] = [{"quantity": -1, "price": 100}]
            yield order

    result = import_orders(vf.client, source(), chunk_size=10, sleep=no_sleep)
    assert result.done_count == 22 and result.failed_count == 3
    got = sorted((f.source_id, f.chunk) for f in result.failures)
    assert got == [("o17", 2), ("o24", 3), ("o3", 1)]
    by_chunk = {c.index: c.async_action_id for c in result.chunks}
    assert all(f.async_action_id == by_chunk[f.chunk] for f in result.failures)
    assert all("quantity" in f.reason for f in result.failures)
    assert not result.ok


def test_wait_false_returns_the_action_ids_after_submitting(vf: Voucherify, sb: Sandbox) -> None:
    result = import_orders(vf.client, orders(4500), wait=False)
    assert len(result.async_action_ids) == 3 and not result.waited
    assert all(c.status is ChunkStatus.SUBMITTED for c in result.chunks)
    assert result.done_count == 0 and result.submitted == 4500


def test_jsonl_bad_line_1234_stops_before_anything_is_sent(
    vf: Voucherify, sb: Sandbox, tmp_path: Path
) -> None:
    def source() -> Any:
        for order in orders(3000):
            if order["metadata"]["n"] == 1233:  # line 1,234
                order["items"] = [{"quantity": "two"}]
            yield order

    path = write_jsonl(tmp_path / "orders.jsonl", source())
    with pytest.raises(ImportValidationError) as caught:
        import_orders(vf.client, path, sleep=no_sleep)
    error = caught.value
    assert error.line == 1234 and error.file == str(path)
    assert f"{path}:1234" in str(error) and "items[0].quantity" in str(error)
    assert "nothing was sent" in str(error) and error.sent_chunks == []
    assert sb.request_count("POST", IMPORT) == 0 and sb.count_orders() == 0


def test_jsonl_line_that_is_not_json_is_named(vf: Voucherify, sb: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"source_id": "a"}\n{"source_id": "b"\n')
    with pytest.raises(ImportValidationError, match=r"broken\.jsonl:2: invalid order: not valid JSON"):
        import_orders(vf.client, path)
    assert sb.request_count("POST", IMPORT) == 0


def test_iterable_bad_record_stops_before_its_chunk_and_reports_sent_chunks(
    vf: Voucherify, sb: Sandbox
) -> None:
    def source() -> Any:
        for order in orders(50):
            if order["metadata"]["n"] == 27:
                del order["source_id"]
            yield order

    with pytest.raises(ImportValidationError) as caught:
        import_orders(vf.client, source(), chunk_size=10, sleep=no_sleep)
    error = caught.value
    assert error.index == 27 and error.chunk == 3 and error.line is None
    assert [c.index for c in error.sent_chunks] == [1, 2]
    assert "record 27 (chunk 3)" in str(error) and "source_id: required" in str(error)
    assert "already sent: 2 chunk(s), 20 order(s)" in str(error)
    assert sb.request_count("POST", IMPORT) == 2


def test_on_invalid_skip_imports_the_rest_and_reports_each(
    vf: Voucherify, sb: Sandbox, tmp_path: Path
) -> None:
    def source() -> Any:
        for order in orders(30):
            if order["metadata"]["n"] in (4, 21):
                order["amount"] = "12.00"
            yield order

    path = write_jsonl(tmp_path / "o.jsonl", source())
    result = import_orders(vf.client, path, chunk_size=10, on_invalid="skip", sleep=no_sleep)
    assert result.done_count == 28 and result.total == 30 and sb.count_orders() == 28
    assert [(s.line, s.source_id) for s in result.skipped] == [(5, "o4"), (22, "o21")]
    assert all(s.message.startswith("amount: ") for s in result.skipped)
    assert [c.count for c in result.chunks] == [10, 10, 8]

    sb.reset()
    result = import_orders(vf.client, source(), chunk_size=10, on_invalid="skip", sleep=no_sleep)
    assert [(s.index, s.chunk) for s in result.skipped] == [(4, 1), (21, 3)]
    assert result.done_count == 28


def test_csv_file_import(vf: Voucherify, sb: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    lines = ["source_id,status,amount,customer_source_id,metadata.channel,metadata.n"]
    lines += [f"c{i},PAID,{100 + i},cust-{i % 3},web,{i}" for i in range(25)]
    path.write_text("\n".join(lines) + "\n")
    result = import_orders(vf.client, path, chunk_size=10, sleep=no_sleep)
    assert result.done_count == 25
    stored = {o["source_id"]: o for o in sb.orders()}
    assert stored["c7"]["amount"] == 107 and stored["c7"]["metadata"] == {"channel": "web", "n": 7}
    assert stored["c7"]["customer_id"]


def test_items_over_500_are_refused_before_sending(vf: Voucherify, sb: Sandbox) -> None:
    bad = {"source_id": "big", "items": [{"amount": 1}] * 501}
    with pytest.raises(ImportValidationError, match="items: "):
        import_orders(vf.client, [bad])
    assert sb.request_count("POST", IMPORT) == 0


def test_lost_response_is_reconciled_not_resubmitted(vf: Voucherify, sb: Sandbox) -> None:
    sb.inject("drop_after", method="POST", path=IMPORT, times=1)
    result = import_orders(vf.client, orders(3000), sleep=no_sleep)
    assert result.chunks[0].reconciled and not result.chunks[1].reconciled
    assert result.done_count == 3000 and sb.count_orders() == 3000
    assert sb.request_count("POST", IMPORT) == 2  # one per chunk
    # no read before the first send: the scan that found it, and the stray scan after waiting
    assert sb.request_count("GET", "/v1/async-actions") == 2
    assert len(import_actions(vf)) == 2


def test_a_lost_first_answer_just_after_another_import_stops_naming_both(vf: Voucherify, sb: Sandbox) -> None:
    # a fresh run reads no list before its first send, so an import created moments before it
    # cannot be told from the lost send's by the list: the run stops, nothing adopted or resent
    earlier = import_orders(vf.client, orders(5, prefix="earlier-"), sleep=no_sleep)
    sb.inject("drop_after", method="POST", path=IMPORT, times=1)
    with pytest.raises(ImportReconcileError, match="followed no known action") as caught:
        import_orders(vf.client, orders(3000), sleep=no_sleep)
    assert caught.value.chunk == 1 and earlier.chunks[0].async_action_id in caught.value.candidates
    assert len(caught.value.candidates) == 2
    assert sb.request_count("POST", IMPORT) == 2  # the earlier import's and the lost one: none resent


def test_refused_before_processing_is_resubmitted(vf: Voucherify, sb: Sandbox) -> None:
    sb.inject("status", method="POST", path=IMPORT, status=503, times=1)
    sb.inject("drop_before", method="POST", path=IMPORT, times=1)
    result = import_orders(vf.client, orders(10), sleep=no_sleep)
    assert result.chunks[0].submit_attempts == 3 and not result.chunks[0].reconciled
    assert result.done_count == 10 and len(import_actions(vf)) == 1


def test_a_400_stops_the_run_with_what_was_sent(vf: Voucherify, sb: Sandbox) -> None:
    sb.inject("status", method="POST", path=IMPORT, status=400, times=1)
    with pytest.raises(OrderImportError) as caught:
        import_orders(vf.client, orders(10), sleep=no_sleep)
    assert caught.value.chunk == 1 and caught.value.sent_chunks == []


def test_unreadable_list_means_no_blind_resubmit(vf: Voucherify, sb: Sandbox) -> None:
    import_orders(vf.client, orders(1, prefix="x"), sleep=no_sleep)
    sb.inject("drop_after", method="POST", path=IMPORT, times=1)
    sb.inject("status", method="GET", path="/v1/async-actions", status=500, times=100)
    with pytest.raises(OrderImportError, match="not resubmitting blind"):
        import_orders(vf.client, orders(10), sleep=no_sleep)
    sb.clear_faults()
    assert sb.request_count("POST", IMPORT) == 2


def test_crash_after_sending_chunk_3_then_resume_from_checkpoint(
    vf: Voucherify, sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_jsonl(tmp_path / "orders.jsonl", orders(5000))
    checkpoint = tmp_path / "import.checkpoint"
    real_record_done = Checkpoint.record_done

    class Crash(Exception):
        pass

    def crash_on_chunk_3(self: Checkpoint, index: int, async_action_id: str) -> None:
        if index == 3:
            raise Crash("power cut between the POST of chunk 3 and its record")
        real_record_done(self, index, async_action_id)

    monkeypatch.setattr(Checkpoint, "record_done", crash_on_chunk_3)
    with pytest.raises(Crash) as caught:
        import_orders(vf.client, path, chunk_size=1000, checkpoint=checkpoint, sleep=no_sleep)
    partial = caught.value.import_result  # type: ignore[attr-defined]
    assert [c.index for c in partial.chunks] == [1, 2]
    assert sb.request_count("POST", IMPORT) == 3
    monkeypatch.setattr(Checkpoint, "record_done", real_record_done)

    result = import_orders(vf.client, path, chunk_size=1000, checkpoint=checkpoint, sleep=no_sleep)
    assert [(c.index, c.resumed, c.reconciled) for c in result.chunks] == [
        (1, True, False),
        (2, True, False),
        (3, True, True),
        (4, False, False),
        (5, False, False),
    ]
    assert sb.request_count("POST", IMPORT) == 5  # no chunk submitted twice
    assert result.done_count == 5000 and sb.count_orders() == 5000
    assert sorted(o["source_id"] for o in sb.orders()) == sorted(f"o{i}" for i in range(5000))
    assert len(import_actions(vf)) == 5

    # a third run finds everything done and sends nothing
    again = import_orders(vf.client, path, chunk_size=1000, checkpoint=checkpoint, sleep=no_sleep)
    assert all(c.resumed for c in again.chunks) and sb.request_count("POST", IMPORT) == 5
    # another input or chunk size is refused
    with pytest.raises(CheckpointMismatchError):
        import_orders(vf.client, path, chunk_size=500, checkpoint=checkpoint)


def test_checkpoint_with_an_iterable_detects_changed_input(
    vf: Voucherify, sb: Sandbox, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "cp"
    import_orders(vf.client, orders(20), chunk_size=10, checkpoint=checkpoint, sleep=no_sleep)
    with pytest.raises(CheckpointMismatchError, match="chunk 1 differs"):
        import_orders(vf.client, orders(20, prefix="other"), chunk_size=10, checkpoint=checkpoint)
    assert sb.request_count("POST", IMPORT) == 2


def test_20000_orders_under_20_percent_faults(vf: Voucherify, sb: Sandbox) -> None:
    sb.set_fault_rate(
        0.2,
        kinds=["500", "502", "503", "429", "drop_before", "drop_after", "truncate", "invalid_json", "html"],
        seed=7,
    )
    # no_sleep: the commit horizon of a send whose answer was lost passes in no wall time. The
    # importer doubts any later action when such a send lies more than the clock band before the
    # next lost one (it could have committed late); with no real waiting that is true only on a
    # slow machine (a loaded one took over 5 s for two chunks). A band longer than any run keeps
    # the importer's timing assumptions true however fast the machine is.
    result = import_orders(vf.client, orders(20_000), sleep=no_sleep, reconcile_window=120)
    sb.set_fault_rate(0.0)
    assert sb.count_orders() == 20_000
    assert result.done_count == 20_000 and len(result.chunks) == 10
    actions = import_actions(vf)
    assert len(actions) == 10 and sorted(actions) == sorted(result.async_action_ids)  # none twice
    assert any(c.reconciled for c in result.chunks)  # lost responses happened and were found
    assert any(c.submit_attempts > 1 for c in result.chunks)  # refusals happened and were resent


def test_keyboard_interrupt_is_not_swallowed_and_reports_what_was_sent(
    vf: Voucherify, sb: Sandbox, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "cp"

    def on_progress(event: ImportProgress) -> None:
        if event.chunks_submitted == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as caught:
        import_orders(vf.client, orders(50), chunk_size=10, on_progress=on_progress, checkpoint=checkpoint)
    assert [c.index for c in caught.value.import_result.chunks] == [1, 2]  # type: ignore[attr-defined]
    assert any("sent so far" in note for note in caught.value.__notes__)
    assert caught.value.result is caught.value.import_result  # type: ignore[attr-defined]
    records = [json.loads(line) for line in checkpoint.read_text().splitlines()]
    assert [r["chunk"] for r in records if r["type"] == "done"] == [1, 2]

    result = import_orders(vf.client, orders(50), chunk_size=10, checkpoint=checkpoint, sleep=no_sleep)
    assert result.done_count == 50 and sb.request_count("POST", IMPORT) == 5


def test_import_deadline_raises_with_pending_actions(vf: Voucherify, sb: Sandbox) -> None:
    sb.set_import_speed(0.001)
    clock = FakeClock()
    with pytest.raises(ImportTimeoutError) as caught:
        import_orders(vf.client, orders(30), chunk_size=10, timeout=20, sleep=clock.sleep, clock=clock)
    error = caught.value
    assert len(error.pending) == 3 and error.job_id == error.pending[0]
    assert error.result.submitted == 30


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        import_orders(None, [], chunk_size=2001)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="no such file"):
        import_orders(None, "/nonexistent/orders.jsonl")  # type: ignore[arg-type]


def test_a_429_the_transport_could_not_wait_out_stops_without_resubmitting(sb: Sandbox) -> None:
    # the transport has no retries left for the 429: the import POST was never handled
    sb.inject("status", method="POST", path=IMPORT, status=429, times=1)
    with (
        Voucherify(app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, max_retries=0) as vf,
        pytest.raises(OrderImportError, match="rate limited") as caught,
    ):
        import_orders(vf.client, orders(10), wait=False)
    assert caught.value.chunk == 1 and caught.value.sent_chunks == []
    assert import_actions_of(sb) == 0
    assert "nothing was created" in str(caught.value)


def import_actions_of(sb: Sandbox) -> int:
    return int(sb.state.summary()["async_actions"])
