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
  :mod:`voucherify_ext.import_run`) before anything is sent again.
* ``after_id`` is the newest async action known to exist before the send (the previous
  chunk's, or the newest one before the run; ``after_known`` false when the list could not be
  read): an action of this send is newer.
* The header binds the file to the input (``input_hash``: a hash of a file's bytes, or
  ``None`` for an iterable) and the chunk size; every ``intent`` also carries the hash of
  its chunk, so a rerun with different input stops with :class:`CheckpointMismatchError`
  instead of skipping orders it never sent. Two chunks recorded with the same action id stop
  the rerun with :class:`CheckpointError`; so does a ``conflict`` (the server answered a send
  with an id another chunk had claimed: the send was accepted, so it is never sent again).
* A line cut short by a crash (the last one) is ignored on reading.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import IO, Any

import attrs

from .errors import CheckpointError, CheckpointMismatchError

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "CheckpointMismatchError",
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
    """An open checkpoint file. Create with :meth:`open`; close (or use ``with``) when done."""

    def __init__(self, path: Path, handle: IO[str], chunks: dict[int, ChunkState]) -> None:
        self.path = path
        self._handle = handle
        self.chunks = chunks

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, input_hash: str | None, chunk_size: int) -> Checkpoint:
        """Open (or create) ``path`` for an import of ``input_hash`` in chunks of ``chunk_size``.

        Raises :class:`CheckpointMismatchError` when the file was written for other input
        or another chunk size.
        """
        target = Path(path)
        chunks: dict[int, ChunkState] = {}
        header: dict[str, Any] | None = None
        if target.exists():
            header, chunks = cls._read(target)
        if header is not None:
            if header.get("version") != VERSION:
                raise CheckpointError(
                    f"{target}: checkpoint version {header.get('version')!r} is not {VERSION}"
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
        target.parent.mkdir(parents=True, exist_ok=True)
        handle = open(target, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()
        checkpoint = cls(target, handle, chunks)
        if header is None:
            checkpoint._append(
                {"type": "header", "version": VERSION, "input_hash": input_hash, "chunk_size": chunk_size}
            )
        return checkpoint

    @staticmethod
    def _read(path: Path) -> tuple[dict[str, Any] | None, dict[int, ChunkState]]:
        header: dict[str, Any] | None = None
        chunks: dict[int, ChunkState] = {}
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise CheckpointError(f"{path}: cannot read the checkpoint ({exc})") from None
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                if number == len(lines):
                    break  # the last line was cut short by a crash: the record never happened
                raise CheckpointError(f"{path}:{number}: not a checkpoint record") from None
            if not isinstance(record, dict):
                raise CheckpointError(f"{path}:{number}: not a checkpoint record")
            kind = record.get("type")
            if kind == "header":
                header = record
                continue
            index = record.get("chunk")
            if not isinstance(index, int):
                raise CheckpointError(f"{path}:{number}: record without a chunk number")
            state = chunks.setdefault(index, ChunkState(index))
            try:
                if kind == "intent":
                    after_id = record.get("after_id")
                    state.sends.append(
                        Send(
                            float(record["sent_at"]),
                            after_id if isinstance(after_id, str) else None,
                            record.get("after_known") is True,
                        )
                    )
                    state.count = record.get("count")
                    state.chunk_hash = record.get("chunk_hash")
                elif kind == "refused" and state.sends:
                    state.sends[-1].refused_by = str(record.get("by") or "answer")
                elif kind == "done":
                    state.async_action_id = str(record["async_action_id"])
                elif kind == "conflict":
                    state.conflict = str(record["async_action_id"])
            except (KeyError, TypeError, ValueError):
                raise CheckpointError(f"{path}:{number}: not a checkpoint record") from None
        if chunks and header is None:
            raise CheckpointError(f"{path}: the checkpoint has no header line")
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
        return header, chunks

    def _append(self, record: dict[str, Any]) -> None:
        self._handle.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

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
        self._handle.close()

    def __enter__(self) -> Checkpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
