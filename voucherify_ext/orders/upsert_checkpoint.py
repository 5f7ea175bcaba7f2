"""The checkpoint of a live-order sync: which orders of the input are confirmed.

An append-only JSON Lines file, one line per confirmed order, written (``os.write`` on an
``O_APPEND`` descriptor) before the order's result is handed out, and ``fsync``'d every
:data:`SYNC_EVERY` records and when the run ends::

    {"type": "upsert", "version": 1, "input_hash": "sha256:..."}
    {"i": 0, "k": "id:ord_1", "s": "created"}
    {"i": 2, "k": "source_id:web-17", "s": "updated"}
    {"i": 1, "s": "failed"}

``i`` is the order's position in the input, not its key: with repeated keys a later order of
the same key is a different write, and is sent on a rerun even when an earlier one was confirmed.
A written line is in the kernel's page cache as soon as ``os.write`` returns, so a killed process
loses no confirmation (``fsync`` is for a power cut, where the last few records may be lost and
their orders sent once more, which an upsert makes harmless). A last line cut short by a crash is
ignored and cut off when the file is opened again. Only what was in flight when the run stopped is
sent again.

A ``failed`` line records an order that ended without a confirmation (a rerun sends it again,
and a later confirmation of it wins). In memory the checkpoint is a watermark (every index below
it is confirmed or failed), the confirmed indices above it with their keys, and the failed
indices, so it stays small however long the input (it grows with the failures only). A file's header
holds the hash of the file: a rerun on other input stops with
:class:`~voucherify_ext.errors.CheckpointMismatchError`; for an iterable the rerun must give the
same orders in the same order (a confirmed index above the watermark whose key differs stops it
too). While a run has the file open it holds ``<path>.lock``
(:mod:`voucherify_ext.imports.file_lock`).
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

__all__ = ["SYNC_EVERY", "Confirmed", "UpsertCheckpoint"]

VERSION = 1
KIND = "upsert"
#: records written between two ``fsync`` calls
SYNC_EVERY = 32


class Confirmed:
    """The confirmed input positions: a watermark (every position below it is settled), the
    confirmed positions above it (with their keys), and the settled positions that are not
    confirmed (orders that failed: a rerun sends them again). Failed orders move the watermark
    on too, so one early failure does not make the set above it grow with the rest of the run;
    only the failures themselves are kept."""

    def __init__(self) -> None:
        self.watermark = 0
        self.above: dict[int, str] = {}
        self.failed: set[int] = set()

    def _advance(self) -> None:
        while True:
            if self.above.pop(self.watermark, None) is None and self.watermark not in self.failed:
                return
            self.watermark += 1

    def add(self, index: int, key: str) -> None:
        """The order at ``index`` is confirmed."""
        self.failed.discard(index)
        if index >= self.watermark:
            self.above[index] = key
            self._advance()

    def fail(self, index: int) -> None:
        """The order at ``index`` ended without a confirmation (a rerun sends it again)."""
        if index not in self:
            self.failed.add(index)
            self._advance()

    def __contains__(self, index: int) -> bool:
        return index in self.above or (index < self.watermark and index not in self.failed)

    def key(self, index: int) -> str | None:
        """The key recorded for ``index`` when it is above the watermark (None otherwise)."""
        return self.above.get(index)


def _parse(path: Path, data: bytes) -> tuple[dict[str, Any] | None, Confirmed, int]:
    """The header, the confirmed set, and how many bytes are whole records (the rest is a torn
    last line to cut off)."""
    confirmed = Confirmed()
    header: dict[str, Any] | None = None
    offset = 0
    number = 0
    while offset < len(data):
        end = data.find(b"\n", offset)
        if end < 0:  # a last line without its newline: cut short by a crash
            break
        number += 1
        raw = data[offset:end]
        offset = end + 1
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError:
            raise CheckpointError(f"{path}:{number}: not a checkpoint record") from None
        if not isinstance(record, dict):
            raise CheckpointError(f"{path}:{number}: not a checkpoint record")
        if header is None:
            if record.get("type") != KIND:
                raise CheckpointError(f"{path}: not an upsert_many checkpoint (line 1 is not its header)")
            if record.get("version") != VERSION:
                raise CheckpointError(
                    f"{path}: checkpoint version {record.get('version')!r} is not {VERSION}"
                )
            header = record
            continue
        index, key = record.get("i"), record.get("k")
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise CheckpointError(f"{path}:{number}: not a checkpoint record")
        if record.get("s") == "failed":
            confirmed.fail(index)
        elif isinstance(key, str):
            confirmed.add(index, key)
        else:
            raise CheckpointError(f"{path}:{number}: not a checkpoint record")
    return header, confirmed, offset


class UpsertCheckpoint:
    """An open upsert checkpoint; :meth:`open` it, :meth:`confirm` orders, :meth:`close` it."""

    def __init__(self, path: Path, fd: int, confirmed: Confirmed, lock: file_lock.HeldLock) -> None:
        self.path = path
        self.confirmed = confirmed
        self._fd: int | None = fd
        self._lock: file_lock.HeldLock | None = lock
        self._unsynced = 0

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, input_hash: str | None) -> UpsertCheckpoint:
        target = Path(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            lock = file_lock.take(target)
        except file_lock.LockBusy as busy:
            raise CheckpointLockedError(
                f"{target} is in use by another run ({busy.holder or 'holder unknown'})",
                path=str(target),
                holder=busy.holder,
            ) from None
        except OSError as exc:
            raise CheckpointError(f"{target}: cannot lock the checkpoint ({exc.strerror or exc})") from None
        try:
            try:
                data = target.read_bytes()
            except FileNotFoundError:
                data = b""
            header, confirmed, whole = _parse(target, data)
            if header is not None and header.get("input_hash") != input_hash:
                raise CheckpointMismatchError(
                    f"{target} was written for other input; use a new checkpoint path for new input"
                )
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), 0o666)
            checkpoint = cls(target, fd, confirmed, lock)
        except OSError as exc:
            lock.release()
            raise CheckpointError(f"{target}: cannot open the checkpoint ({exc.strerror or exc})") from None
        except BaseException:
            lock.release()
            raise
        try:
            if whole < len(data):
                os.ftruncate(fd, whole)
            if header is None:
                checkpoint._write({"type": KIND, "version": VERSION, "input_hash": input_hash}, sync=True)
        except OSError as exc:
            checkpoint.close()
            raise CheckpointWriteError(
                f"{target}: cannot repair the checkpoint ({exc.strerror or exc})"
            ) from None
        except BaseException:
            checkpoint.close()
            raise
        return checkpoint

    def _write(self, record: dict[str, Any], *, sync: bool = False) -> None:
        if self._fd is None:
            raise CheckpointError(f"{self.path}: the checkpoint is closed")
        line = json.dumps(record, separators=(",", ":")).encode() + b"\n"
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view) :]
            self._unsynced += 1
            if sync or self._unsynced >= SYNC_EVERY:
                os.fsync(self._fd)
                self._unsynced = 0
        except OSError as exc:
            raise CheckpointWriteError(
                f"{self.path}: cannot write a confirmation ({exc.strerror or exc}); rerun with the same "
                "checkpoint once the disk has room (at most the orders in flight are sent again)",
                path=str(self.path),
            ) from None

    def confirm(self, index: int, key: str, status: str) -> None:
        """Order ``index`` (named ``key``) is confirmed by the server."""
        self._write({"i": index, "k": key, "s": status})
        self.confirmed.add(index, key)

    def fail(self, index: int) -> None:
        """Order ``index`` ended without a confirmation: a rerun sends it again. (Recorded so
        that the watermark moves past it, in this run's memory and in a rerun's.)"""
        self._write({"i": index, "s": "failed"})
        self.confirmed.fail(index)

    def close(self) -> None:
        """``fsync`` and close the file, release the lock (twice is harmless)."""
        fd, self._fd = self._fd, None
        try:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.fsync(fd)
                os.close(fd)
        finally:
            lock, self._lock = self._lock, None
            if lock is not None:
                lock.release()

    def __enter__(self) -> UpsertCheckpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
