"""The import checkpoint: an append-only JSON Lines file that makes an import resumable.

One record per line, each written with ``flush`` + ``fsync`` before the run goes on::

    {"type": "header", "version": 1, "input_hash": "sha256:...", "chunk_size": 2000}
    {"type": "intent", "chunk": 3, "sent_at": 1764370000.1, "after_id": "aa_...", "after_known": true, ...}
    {"type": "refused", "chunk": 3, "sent_at": 1764370000.1, "by": "horizon"}
    {"type": "done",   "chunk": 3, "async_action_id": "aa_..."}
    {"type": "conflict", "chunk": 4, "async_action_id": "aa_..."}

* ``intent`` is written *before* each import POST of a chunk (one per send), ``done`` once its
  async-action id is known, ``refused`` when a send was proven not accepted (a refusal that
  says so, a failure before the request left, or no action within the commit horizon). A
  chunk with ``done`` is finished and skipped by a rerun. A chunk whose last ``intent`` has
  neither was interrupted: the rerun reconciles that send (see
  :mod:`voucherify_ext.imports.steps`) before anything is sent again.
* ``after_id`` is the newest async action known to exist before the send (the previous
  chunk's, or the newest one before the run; ``after_known`` false when the list could not be
  read): an action of this send is newer.
* The header binds the file to the input (``input_hash``: a hash of a file's bytes, or
  ``None`` for an iterable) and the chunk size; every ``intent`` also carries the hash of
  its chunk, so a rerun with different input stops with :class:`CheckpointMismatchError`
  instead of skipping orders it never sent. Two chunks recorded with the same action id stop
  the rerun with :class:`CheckpointError`; so does a ``conflict`` (the server answered a send
  with an id another chunk had claimed: the send was accepted, so it is never sent again).
* A last line cut short by a crash is cut off the file when it is opened (a record that
  lost only its newline gets it back), so the next record starts on a line of its own. Any
  other line that is not a record stops the run with :class:`CheckpointError` naming the file
  and line; a record that cannot be written (a full disk) with :class:`CheckpointWriteError`,
  before anything it was for is sent.
* While a run has the file open it holds ``<path>.lock`` (:mod:`filelock`); a second run
  fails at once with :class:`CheckpointLockedError`, whose message names the holder (pid,
  host, since when).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

import attrs

from voucherify_ext.errors import (
    CheckpointError,
    CheckpointLockedError,
    CheckpointMismatchError,
    CheckpointWriteError,
)
from voucherify_ext.imports import file_lock
from voucherify_ext.logs import logger

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "CheckpointLockedError",
    "CheckpointMismatchError",
    "CheckpointWriteError",
    "ChunkState",
    "Send",
    "chunk_hash",
]

VERSION = 1


def chunk_hash(orders: list[dict[str, Any]]) -> str:
    """A stable hash of a chunk's orders (key order does not matter)."""
    digest = hashlib.sha256()
    for order in orders:
        digest.update(json.dumps(order, sort_keys=True, separators=(",", ":"), default=str).encode())
        digest.update(b"\n")
    return digest.hexdigest()[:32]


@attrs.define
class Send:
    """One import POST of a chunk, as its ``intent`` (and ``refused``) records tell it."""

    sent_at: float
    after_id: str | None = None
    after_known: bool = False
    #: why it is known not to have been accepted ("answer", "not sent", "horizon"), or None
    refused_by: str | None = None


@attrs.define
class ChunkState:
    """What the checkpoint knows about one chunk."""

    chunk: int
    count: int | None = None
    chunk_hash: str | None = None
    async_action_id: str | None = None
    sends: list[Send] = attrs.field(factory=list)
    #: an action id the server gave this chunk that another chunk had already claimed
    conflict: str | None = None

    @property
    def done(self) -> bool:
        return self.async_action_id is not None

    @property
    def sent_at(self) -> float | None:
        return self.sends[-1].sent_at if self.sends else None

    @property
    def interrupted(self) -> Send | None:
        """The last send, when the run stopped before knowing what became of it."""
        if self.done or not self.sends or self.sends[-1].refused_by is not None:
            return None
        return self.sends[-1]


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
            header, chunks, keep = cls._read(target)
            cls._check_header(target, header, input_hash=input_hash, chunk_size=chunk_size)
            fd = _open_for_append(target)
            checkpoint = cls(target, fd, chunks, lock)
            try:
                checkpoint._repair(keep)
                if header is None:
                    checkpoint._append(
                        {
                            "type": "header",
                            "version": VERSION,
                            "input_hash": input_hash,
                            "chunk_size": chunk_size,
                        }
                    )
            except BaseException:
                checkpoint.close()
                raise
        except BaseException:
            lock.release()
            raise
        return checkpoint

    @staticmethod
    def _check_header(
        target: Path, header: dict[str, Any] | None, *, input_hash: str | None, chunk_size: int
    ) -> None:
        if header is None:
            return
        if header.get("version") != VERSION:
            raise CheckpointError(
                f"{target}: checkpoint version {header.get('version')!r} is not {VERSION}; it was written "
                "by another version of voucherify_ext: resume with that version"
            )
        if header.get("chunk_size") != chunk_size:
            raise CheckpointMismatchError(
                f"{target} was written for chunk_size={header.get('chunk_size')}, not {chunk_size}: "
                "resume with the same chunk size, or use a new checkpoint for a new import"
            )
        if header.get("input_hash") != input_hash:
            raise CheckpointMismatchError(
                f"{target} was written for other input (hash {header.get('input_hash')}, "
                f"this input {input_hash}): use a new checkpoint path for a different import"
            )

    @staticmethod
    def _read(path: Path) -> tuple[dict[str, Any] | None, dict[int, ChunkState], _Keep]:
        """The header, the chunks, and what to keep of the file (see :class:`_Keep`)."""
        header: dict[str, Any] | None = None
        chunks: dict[int, ChunkState] = {}
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None, chunks, _Keep(0, 0, False)
        except OSError as exc:
            raise CheckpointError(f"{path}: cannot read the checkpoint ({_why(exc)})") from None
        lines = data.split(b"\n")
        # the last piece has no newline: empty (a clean end), a record that lost only its
        # newline, or a fragment of one cut short by a crash
        fragment = lines.pop()
        complete = len(data) - len(fragment)
        keep = _Keep(complete, len(data), False)
        if fragment and _fragment_record(fragment) is not None:
            lines.append(fragment)
            keep = _Keep(len(data), len(data), True)
        for number, raw in enumerate(lines, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise _malformed(path, number, "not UTF-8 text") from None
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                raise _malformed(path, number, "not JSON") from None
            if not isinstance(record, dict):
                raise _malformed(path, number, "not a JSON object")
            kind = record.get("type")
            if kind == "header":
                header = record
                continue
            index = record.get("chunk")
            if not isinstance(index, int) or isinstance(index, bool):
                raise _malformed(path, number, "no chunk number")
            state = chunks.setdefault(index, ChunkState(index))
            try:
                _apply(state, kind, record)
            except (KeyError, TypeError, ValueError, OverflowError) as exc:
                raise _malformed(
                    path, number, f"a {kind!r} record with a bad or missing field ({exc})"
                ) from None
        if chunks and header is None:
            raise CheckpointError(
                f"{path}: the checkpoint has no header line; it is not a checkpoint of this client, or its "
                "start was lost: use another path"
            )
        owners: dict[str, int] = {}
        for state in chunks.values():
            if state.async_action_id is None:
                continue
            other = owners.setdefault(state.async_action_id, state.chunk)
            if other != state.chunk:
                raise CheckpointError(
                    f"{path}: chunks {other} and {state.chunk} both record async action "
                    f"{state.async_action_id}; two chunks never share an action (was the server "
                    "restored from older data?). Use a new checkpoint path after checking what was imported"
                )
        return header, chunks, keep

    def _repair(self, keep: _Keep) -> None:
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


@attrs.frozen
class _Keep:
    """What of the file to keep: ``end`` bytes (the complete records), of ``size``; ``newline``:
    the last record lost only its newline, which is to be added back."""

    end: int
    size: int
    newline: bool


def _fragment_record(fragment: bytes) -> dict[str, Any] | None:
    """A last line without its newline, if it is a whole record (else a fragment: None)."""
    try:
        record = json.loads(fragment.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError too
        return None
    return record if isinstance(record, dict) else None


def _apply(state: ChunkState, kind: object, record: dict[str, Any]) -> None:
    if kind == "intent":
        after_id = record.get("after_id")
        sent_at = record["sent_at"]
        if isinstance(sent_at, bool) or not isinstance(sent_at, int | float) or not math.isfinite(sent_at):
            raise TypeError(f"sent_at {sent_at!r} is not a time")
        count = record.get("count")
        digest = record.get("chunk_hash")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
            raise TypeError(f"count {count!r} is not an integer")
        if digest is not None and not isinstance(digest, str):
            raise TypeError(f"chunk_hash {digest!r} is not text")
        state.sends.append(
            Send(
                float(sent_at),
                after_id if isinstance(after_id, str) else None,
                record.get("after_known") is True,
            )
        )
        state.count, state.chunk_hash = count, digest
    elif kind == "refused":
        if state.sends:
            state.sends[-1].refused_by = str(record.get("by") or "answer")
    elif kind in ("done", "conflict"):
        action_id = record["async_action_id"]
        if not isinstance(action_id, str) or not action_id:
            raise TypeError(f"async_action_id {action_id!r} is not an id")
        if kind == "done":
            state.async_action_id = action_id
        else:
            state.conflict = action_id
    else:
        raise ValueError(f"unknown record type {kind!r}")


def _malformed(path: Path, number: int, why: str) -> CheckpointError:
    return CheckpointError(
        f"{path}:{number}: not a checkpoint record ({why}). The file was damaged or edited: restore it, "
        "or check what was imported (vf.async_actions.iter()) before starting over with a new checkpoint path"
    )


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
