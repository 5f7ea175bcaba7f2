"""Checkpoints that survive (issue 12, finding 7): the file is locked while a run uses it, a
torn last line is cut off before anything is appended, and malformed records and failed
writes (a full disk) are typed errors that name the file and line and say what to do."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voucherify_ext.client import Voucherify
from voucherify_ext.errors import (
    CheckpointError,
    CheckpointLockedError,
    CheckpointWriteError,
)
from voucherify_ext.imports.checkpoint import Checkpoint
from voucherify_ext.imports.checkpoint_records import Send
from voucherify_ext.imports.drivers import import_orders
from voucherify_ext.sandbox import Sandbox

from .conftest import no_sleep, orders, write_jsonl

IMPORT = "/v1/orders/import"

HOLD = textwrap.dedent(
    """
    import sys
    from voucherify_ext.imports.checkpoint import Checkpoint
    cp = Checkpoint.open(sys.argv[1], input_hash=sys.argv[2] or None, chunk_size=int(sys.argv[3]))
    print("holding", flush=True)
    sys.stdin.read()
    cp.close()
    """
)


def _hold(path: Path, input_hash: str, chunk_size: int) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), input_hash, str(chunk_size)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "holding"
    return child


def test_a_second_run_on_a_held_checkpoint_fails_at_once_naming_the_holder(
    vf: Voucherify, sb: Sandbox, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "import.checkpoint"
    child = _hold(checkpoint, "", 2)  # a run of the same import (an iterable: no input hash)
    try:
        started = time.monotonic()
        with pytest.raises(CheckpointLockedError) as caught:
            import_orders(vf.client, orders(12), chunk_size=2, checkpoint=checkpoint, sleep=no_sleep)
        elapsed = time.monotonic() - started
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=10)
    error = caught.value
    assert elapsed < 2.0
    assert f"pid {child.pid} on host " in str(error) and error.holder is not None
    assert str(checkpoint) in str(error) and error.path == str(checkpoint)
    assert sb.request_count("POST", IMPORT) == 0  # nothing sent twice
    # once the holder is gone, the run goes ahead (a killed holder leaves no lock behind)
    result = import_orders(vf.client, orders(12), chunk_size=2, checkpoint=checkpoint, sleep=no_sleep)
    assert result.ok and sb.request_count("POST", IMPORT) == 6


def test_the_same_process_cannot_open_one_checkpoint_twice(tmp_path: Path) -> None:
    path = tmp_path / "cp"
    with (
        Checkpoint.open(path, input_hash=None, chunk_size=5),
        pytest.raises(CheckpointLockedError, match=f"pid {os.getpid()} on host"),
    ):
        Checkpoint.open(path, input_hash=None, chunk_size=5)
    with Checkpoint.open(path, input_hash=None, chunk_size=5):  # released on close
        pass


def test_a_torn_last_line_is_cut_off_so_the_third_resume_works(
    vf: Voucherify, sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two crashes in a row, each in the middle of writing a ``done`` record: the second run
    must not append onto the first fragment (the old code did, and the third run failed)."""
    path = write_jsonl(tmp_path / "orders.jsonl", orders(50))
    checkpoint = tmp_path / "import.checkpoint"
    real_record_done = Checkpoint.record_done

    class Crash(Exception):
        pass

    def crash_mid_write(at: int) -> Any:
        def record_done(self: Checkpoint, index: int, async_action_id: str) -> None:
            if index == at:
                with open(self.path, "a", encoding="utf-8") as handle:
                    handle.write(f'{{"type":"done","chunk":{index},"async_act')
                raise Crash(f"power cut while writing the record of chunk {index}")
            real_record_done(self, index, async_action_id)

        return record_done

    for at in (2, 4):
        monkeypatch.setattr(Checkpoint, "record_done", crash_mid_write(at))
        with pytest.raises(Crash):
            import_orders(vf.client, path, chunk_size=10, checkpoint=checkpoint, sleep=no_sleep)
        assert not checkpoint.read_text().endswith("\n")  # the fragment is there
    monkeypatch.setattr(Checkpoint, "record_done", real_record_done)
    result = import_orders(vf.client, path, chunk_size=10, checkpoint=checkpoint, sleep=no_sleep)
    assert result.ok and result.done_count == 50
    assert sb.request_count("POST", IMPORT) == 5  # chunks 2 and 4 reconciled, never resent
    assert [c.index for c in result.chunks if c.reconciled] == [4]  # chunk 2 was, by the second run
    assert [c.index for c in result.chunks if c.resumed] == [1, 2, 3, 4]
    lines = checkpoint.read_text().splitlines()
    assert all(isinstance(json.loads(line), dict) for line in lines)


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ('{"type":"intent","chunk":1}', "bad or missing field"),
        ('{"type":"intent","chunk":1,"sent_at":"noon"}', "bad or missing field"),
        ('{"type":"intent","chunk":1,"sent_at":1,"count":"ten"}', "bad or missing field"),
        ('{"type":"done","chunk":1}', "bad or missing field"),
        ('{"type":"done","chunk":1,"async_action_id":7}', "bad or missing field"),
        ('{"type":"intent","chunk":1,"sent_at":1e999}', "bad or missing field"),
        ('{"type":"what","chunk":1}', "unknown record type"),
        ('{"type":"done","chunk":true,"async_action_id":"aa_1"}', "no chunk number"),
        ("[1, 2]", "not a JSON object"),
        ('{"type":"done",', "not JSON"),
    ],
)
def test_malformed_records_are_typed_errors_naming_file_and_line(tmp_path: Path, line: str, why: str) -> None:
    path = tmp_path / "cp"
    with Checkpoint.open(path, input_hash=None, chunk_size=5) as cp:
        cp.record_intent(1, Send(1.0), count=5, digest="d")
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.write('{"type":"done","chunk":2,"async_action_id":"aa_2"}\n')
    before = path.read_bytes()
    with pytest.raises(CheckpointError) as caught:
        Checkpoint.open(path, input_hash=None, chunk_size=5)
    message = str(caught.value)
    assert f"{path}:3: not a checkpoint record" in message and why in message
    assert "new checkpoint path" in message  # what to do
    assert path.read_bytes() == before  # a damaged file is left as it is


def test_bytes_that_are_not_utf8_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "cp"
    with Checkpoint.open(path, input_hash=None, chunk_size=5):
        pass
    with open(path, "ab") as handle:
        handle.write(b'{"type":"done","chunk":1,"async_action_id":"aa_\xff"}\n')
    with pytest.raises(CheckpointError, match=r":2: not a checkpoint record \(not UTF-8 text\)"):
        Checkpoint.open(path, input_hash=None, chunk_size=5)


def test_a_full_disk_is_a_typed_error_and_nothing_is_sent(
    vf: Voucherify, sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkpoint = tmp_path / "cp"
    import voucherify_ext.imports.checkpoint as module

    real_fsync = os.fsync
    calls: list[int] = []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) >= 2:  # the header is written, the first intent is not
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(module.os, "fsync", fsync)
    with pytest.raises(CheckpointWriteError) as caught:
        import_orders(vf.client, orders(10), chunk_size=5, checkpoint=checkpoint, sleep=no_sleep)
    monkeypatch.setattr(module.os, "fsync", real_fsync)
    message = str(caught.value)
    assert str(checkpoint) in message and "intent record of chunk 1" in message
    assert "No space left on device" in message and "free disk space" in message
    assert caught.value.path == str(checkpoint)
    assert sb.request_count("POST", IMPORT) == 0  # the intent was not on disk, so nothing went out
    # the record that failed was cut back off: the file holds whole records only, and resumes
    assert checkpoint.read_text().count("\n") == 1
    result = import_orders(vf.client, orders(10), chunk_size=5, checkpoint=checkpoint, sleep=no_sleep)
    assert result.ok and sb.request_count("POST", IMPORT) == 2


FSIZE = textwrap.dedent(
    """
    import resource, signal, sys
    from voucherify_ext.imports.checkpoint import Checkpoint
    from voucherify_ext.imports.checkpoint_records import Send
    from voucherify_ext.errors import CheckpointWriteError
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), int(sys.argv[2])))
    with Checkpoint.open(sys.argv[1], input_hash=None, chunk_size=5) as cp:
        try:
            for index in range(1, 1000):
                cp.record_intent(index, Send(float(index), "aa_0", True), count=5, digest="d" * 32)
        except CheckpointWriteError as exc:
            print(index, exc)
    """
)


def test_a_file_size_limit_is_a_typed_error_and_the_file_stays_whole(tmp_path: Path) -> None:
    """A real failed write (``RLIMIT_FSIZE`` in a child process: ``EFBIG`` part-way through a
    record), not a mocked one."""
    path = tmp_path / "cp"
    done = subprocess.run(
        [sys.executable, "-c", FSIZE, str(path), "700"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    index, _, message = done.stdout.strip().partition(" ")
    assert int(index) > 1 and f"{path}: cannot write the intent record of chunk {index}" in message
    assert path.stat().st_size <= 700 and path.read_bytes().endswith(b"\n")
    with Checkpoint.open(path, input_hash=None, chunk_size=5) as cp:
        assert sorted(cp.chunks) == list(range(1, int(index)))


# ---------------------------------------------------------------------------- property


_op = st.one_of(
    st.tuples(st.just("intent"), st.integers(1, 6), st.floats(0, 2e9, allow_nan=False)),
    st.tuples(st.just("refused"), st.integers(1, 6), st.sampled_from(["answer", "not sent", "horizon"])),
    st.tuples(st.just("done"), st.integers(1, 6), st.text("abcé_/🙂", min_size=1, max_size=8)),
)


def _model(ops: list[tuple[Any, ...]]) -> dict[int, tuple[list[tuple[float, str | None]], str | None]]:
    """What a checkpoint of ``ops`` records, per chunk: its sends (sent_at, refused_by) and
    its action id (a plain replay, not the checkpoint's reader)."""
    chunks: dict[int, tuple[list[tuple[float, str | None]], str | None]] = {}
    for kind, index, value in ops:
        sends, _ = chunks.setdefault(index, ([], None))
        if kind == "intent":
            sends.append((float(value), None))
        elif kind == "refused" and sends:
            sends[-1] = (sends[-1][0], value)
        elif kind == "done":
            chunks[index] = (sends, value)
    return chunks


def _state(cp: Checkpoint) -> dict[int, tuple[list[tuple[float, str | None]], str | None]]:
    return {
        i: ([(s.sent_at, s.refused_by) for s in c.sends], c.async_action_id) for i, c in cp.chunks.items()
    }


def _write(cp: Checkpoint, kind: str, index: int, value: Any) -> None:
    if kind == "intent":
        cp.record_intent(index, Send(float(value), "aa_0", True), count=3, digest="d")
    elif kind == "refused":
        state = cp.chunks.get(index)
        if state is not None and state.sends:
            cp.record_refused(index, state.sends[-1], value)
    else:
        cp.record_done(index, f"aa_{index}_{value}")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(_op, max_size=12), cut=st.floats(0, 1), data=st.data())
def test_any_torn_checkpoint_resumes_keeping_every_complete_record(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[Any, ...]], cut: float, data: st.DataObject
) -> None:
    """Records written through the API, then the file cut at any byte: opening it repairs it
    (every complete record kept, the fragment gone), a record appended after the repair reads
    back, and so does a third open. Never a raw exception, never a lost complete record."""
    path = tmp_path_factory.mktemp("cp") / "cp"
    ops = [(k, i, f"aa_{i}_{v}" if k == "done" else v) for k, i, v in ops]
    written: list[tuple[Any, ...]] = []
    with Checkpoint.open(path, input_hash=None, chunk_size=3) as cp:
        for kind, index, value in ops:
            if kind == "done" and cp.chunks.get(index) is not None and cp.chunks[index].done:
                continue
            if kind == "refused" and not (cp.chunks.get(index) and cp.chunks[index].sends):
                continue
            _write(cp, kind, index, value.split("_", 2)[2] if kind == "done" else value)
            written.append((kind, index, value))
    raw = path.read_bytes()
    offset = int(cut * len(raw))
    with open(path, "r+b") as handle:
        handle.truncate(offset)
    # the complete records: whole lines, and a last one that lost only its newline
    lines = raw.split(b"\n")
    kept, position = 0, 0
    for line in lines[:-1]:
        if position + len(line) <= offset:
            kept += 1
        position += len(line) + 1
    header_kept = kept >= 1
    expected = _model(written[: max(kept - 1, 0)])
    try:
        cp = Checkpoint.open(path, input_hash=None, chunk_size=3)
    except CheckpointError:
        pytest.fail("a checkpoint cut at any byte is repaired, not refused")
    with cp:
        assert _state(cp) == expected
        cp.record_intent(99, Send(5.0), count=3, digest="d")
    text = path.read_bytes()
    assert text.endswith(b"\n")
    if header_kept:
        assert text.startswith(raw[: len(lines[0]) + 1])
    with Checkpoint.open(path, input_hash=None, chunk_size=3) as again:
        state = _state(again)
        assert state.pop(99) == ([(5.0, None)], None)
        assert state == {i: c for i, c in expected.items() if i != 99}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ops=st.lists(_op, min_size=1, max_size=6),
    edits=st.lists(st.tuples(st.floats(0, 1), st.binary(max_size=3)), min_size=1, max_size=3),
)
def test_a_damaged_checkpoint_opens_or_raises_a_checkpoint_error(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[Any, ...]], edits: list[tuple[float, bytes]]
) -> None:
    """Bytes overwritten anywhere: either the file still reads (as records) or the error is a
    :class:`CheckpointError`; never ``KeyError``, ``ValueError``, ``OSError``..."""
    path = tmp_path_factory.mktemp("cp") / "cp"
    with Checkpoint.open(path, input_hash=None, chunk_size=3) as cp:
        for kind, index, value in ops:
            if kind == "done" and cp.chunks.get(index) is not None and cp.chunks[index].done:
                continue
            if kind != "refused" or (cp.chunks.get(index) and cp.chunks[index].sends):
                _write(cp, kind, index, value)
    raw = bytearray(path.read_bytes())
    for where, replacement in edits:
        at = int(where * len(raw))
        raw[at : at + len(replacement)] = replacement
    path.write_bytes(bytes(raw))
    try:
        with Checkpoint.open(path, input_hash=None, chunk_size=3) as cp:
            cp.record_intent(50, Send(1.0), count=3, digest="d")
    except CheckpointError:
        return
    with Checkpoint.open(path, input_hash=None, chunk_size=3) as cp:
        assert cp.chunks[50].sends[-1].sent_at == 1.0
