"""The open import checkpoint: the lock it holds, reading it back, and appending records
durably (``flush`` + ``fsync`` before the run goes on).

The journal's format, its records and what they say are in
:mod:`voucherify_ext.imports.checkpoint_records` (pure); this module does the file's I/O:

* While a run has the file open it holds ``<path>.lock`` (:mod:`voucherify_ext.imports.file_lock`);
  a second run fails at once with :class:`~voucherify_ext.errors.CheckpointLockedError`, whose
  message names the holder (pid, host, since when).
* A last line cut short by a crash is cut off the file when it is opened (a record that lost
  only its newline gets it back), so the next record starts on a line of its own.
* A record that cannot be written (a full disk) raises
  :class:`~voucherify_ext.errors.CheckpointWriteError`, before anything it was for is sent, and
  is cut back off the file (best effort).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from voucherify_ext.errors import (
    CheckpointError,
    CheckpointLockedError,
    CheckpointMismatchError,
    CheckpointWriteError,
)
from voucherify_ext.imports import file_lock
from voucherify_ext.imports.checkpoint_records import (
    ChunkState,
    Keep,
    Send,
    check_header,
    header_record,
    parse,
)
from voucherify_ext.logs import logger

__all__ = ["Checkpoint"]


class Checkpoint:
    """An open checkpoint file. Create with :meth:`open`; close (or use ``with``) when done.

    While it is open, the file is locked (``<path>.lock``, :mod:`filelock`): a second run on the
    same checkpoint fails at once with :class:`CheckpointLockedError` naming the holder."""

    def __init__(
        self, path: Path, fd: int, chunks: dict[int, ChunkState], lock: file_lock.HeldLock | None = None
    ) -> None:
        self.path = path
        self._fd: int | None = fd
        self._lock = lock
        self.chunks = chunks

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, input_hash: str | None, chunk_size: int) -> Checkpoint:
        """Open (or create) ``path`` for an import of ``input_hash`` in chunks of ``chunk_size``.

        Raises :class:`CheckpointLockedError` when another run has it open,
        :class:`CheckpointMismatchError` when it was written for other input or another chunk
        size, and :class:`CheckpointError` (file and line) when it cannot be read. A last line
        cut short by a crash is cut off the file before anything is appended.
        """
        target = Path(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CheckpointError(
                f"{target}: cannot create the checkpoint's folder ({_why(exc)}); choose a writable path"
            ) from None
        lock = _Lock.take(target)
        try:
            header, chunks, keep = parse(target, _read_bytes(target))
            check_header(target, header, input_hash=input_hash, chunk_size=chunk_size)
            fd = _open_for_append(target)
            checkpoint = cls(target, fd, chunks, lock)
            try:
                checkpoint._repair(keep)
                if header is None:
                    checkpoint._append(header_record(input_hash=input_hash, chunk_size=chunk_size))
            except BaseException:
                checkpoint.close()
                raise
        except BaseException:
            lock.release()
            raise
        return checkpoint

    def _repair(self, keep: Keep) -> None:
        """Cut a fragment left by a crash off the end (or give a last record its lost newline),
        so that what is appended starts on a line of its own."""
        assert self._fd is not None
        if keep.newline:
            self._write(b"\n", what="the repair of its last line")
            return
        if keep.size == keep.end:
            return
        try:
            os.ftruncate(self._fd, keep.end)
            os.fsync(self._fd)
        except OSError as exc:
            raise CheckpointWriteError(
                f"{self.path}: cannot cut off the incomplete last line left by a crash ({_why(exc)}); "
                "make the file writable and rerun",
                path=str(self.path),
            ) from None
        logger.warning(
            "%s: cut off an incomplete last line (%d bytes) left by an interrupted run",
            self.path,
            keep.size - keep.end,
        )

    def _append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, separators=(",", ":")).encode() + b"\n"
        what = f"the {record.get('type')} record" + (
            f" of chunk {record['chunk']}" if "chunk" in record else ""
        )
        self._write(line, what=what)

    def _write(self, data: bytes, *, what: str) -> None:
        """Write ``data`` at the end and ``fsync``; on failure, cut the file back to where it was
        (best effort) and raise :class:`CheckpointWriteError`."""
        if self._fd is None:
            raise CheckpointError(f"{self.path}: the checkpoint is closed")
        fd = self._fd
        start: int | None = None
        try:
            start = os.lseek(fd, 0, os.SEEK_END)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except OSError as exc:
            if start is not None:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, start)
            raise CheckpointWriteError(
                f"{self.path}: cannot write {what} ({_why(exc)}). Nothing was sent after the last record "
                "written; free disk space (or lift the file-size limit), then rerun with the same checkpoint",
                path=str(self.path),
            ) from None

    def check_chunk(self, index: int, digest: str) -> None:
        """Raise :class:`CheckpointMismatchError` if chunk ``index`` was recorded with other orders."""
        state = self.chunks.get(index)
        if state is not None and state.chunk_hash is not None and state.chunk_hash != digest:
            raise CheckpointMismatchError(
                f"{self.path}: chunk {index} differs from the chunk recorded in this checkpoint; "
                "the input changed since the interrupted run (use a new checkpoint path)"
            )

    def record_intent(self, index: int, send: Send, *, count: int, digest: str) -> None:
        """Before a POST of chunk ``index``."""
        self._append(
            {
                "type": "intent",
                "chunk": index,
                "sent_at": send.sent_at,
                "after_id": send.after_id,
                "after_known": send.after_known,
                "count": count,
                "chunk_hash": digest,
            }
        )
        state = self.chunks.setdefault(index, ChunkState(index))
        state.sends.append(send)
        state.count, state.chunk_hash = count, digest

    def record_refused(self, index: int, send: Send, by: str) -> None:
        """A send of chunk ``index`` was proven not accepted."""
        self._append({"type": "refused", "chunk": index, "sent_at": send.sent_at, "by": by})
        send.refused_by = by

    def record_done(self, index: int, async_action_id: str) -> None:
        """After the async-action id of chunk ``index`` is known."""
        self._append({"type": "done", "chunk": index, "async_action_id": async_action_id})
        self.chunks.setdefault(index, ChunkState(index)).async_action_id = async_action_id

    def record_conflict(self, index: int, async_action_id: str) -> None:
        """The server gave chunk ``index`` an action id another chunk had claimed: the send was
        accepted, so a rerun must not send it again."""
        self._append({"type": "conflict", "chunk": index, "async_action_id": async_action_id})
        self.chunks.setdefault(index, ChunkState(index)).conflict = async_action_id

    def claimed_ids(self) -> set[str]:
        return {s.async_action_id for s in self.chunks.values() if s.async_action_id is not None}

    def close(self) -> None:
        """Close the file and release the lock (twice is harmless)."""
        fd, self._fd = self._fd, None
        try:
            if fd is not None:
                os.close(fd)
        finally:
            lock, self._lock = self._lock, None
            if lock is not None:
                lock.release()

    def __enter__(self) -> Checkpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------------- reading


def _read_bytes(path: Path) -> bytes | None:
    """The checkpoint's bytes; None when there is no file yet."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot read the checkpoint ({_why(exc)})") from None


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _open_for_append(path: Path) -> int:
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot open the checkpoint for writing ({_why(exc)})") from None


# ---------------------------------------------------------------------------- locking


class _Lock:
    """Taking a checkpoint's lock (:mod:`voucherify_ext.imports.file_lock`), with the checkpoint's errors."""

    @staticmethod
    def take(target: Path) -> file_lock.HeldLock:
        try:
            return file_lock.take(target)
        except file_lock.LockBusy as busy:
            raise CheckpointLockedError(
                f"{target} is in use by another run ({busy.holder or 'holder unknown'}): two runs on one "
                "checkpoint would send chunks twice. Wait for it to finish (or stop it), then rerun; "
                "the lock goes with the process, so a killed run does not hold it",
                path=str(target),
                holder=busy.holder,
            ) from None
        except OSError as exc:
            raise CheckpointError(
                f"{target}: cannot lock the checkpoint ({file_lock.lock_path(target)}: {_why(exc)})"
            ) from None
