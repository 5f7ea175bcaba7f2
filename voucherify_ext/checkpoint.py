"""The import checkpoint: an append-only JSON Lines file that makes an import resumable.

One record per line, each written with ``flush`` + ``fsync`` before the run goes on::

    {"type": "header", "version": 1, "input_hash": "sha256:...", "chunk_size": 2000}
    {"type": "intent", "chunk": 3, "sent_at": 1764370000.1, "after": 1764369990.5, "count": 2000, ...}
    {"type": "done",   "chunk": 3, "async_action_id": "aa_..."}

* ``intent`` is written *before* the import POST of a chunk, ``done`` right after its
  async-action id is known. A chunk with ``done`` is finished and skipped by a rerun. A chunk
  with an ``intent`` and no ``done`` was interrupted between the two: the rerun reconciles it
  (looks for an unclaimed ``ORDERS.IMPORT`` action newer than ``after``, the server time of
  the newest action before the run, or without one, created since ``sent_at``) before
  resubmitting.
* The header binds the file to the input (``input_hash``: a hash of a file's bytes, or
  ``None`` for an iterable) and the chunk size; every ``intent`` also carries the hash of
  its chunk, so a rerun with different input stops with :class:`CheckpointMismatchError`
  instead of skipping orders it never sent.
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
class ChunkState:
    """What the checkpoint knows about one chunk."""

    chunk: int
    sent_at: float | None = None
    count: int | None = None
    chunk_hash: str | None = None
    after: float | None = None
    async_action_id: str | None = None

    @property
    def done(self) -> bool:
        return self.async_action_id is not None


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
            if kind == "intent":
                state.sent_at = float(record["sent_at"])
                state.count = record.get("count")
                state.chunk_hash = record.get("chunk_hash")
                after = record.get("after")
                state.after = float(after) if isinstance(after, int | float) else None
            elif kind == "done":
                state.async_action_id = str(record["async_action_id"])
        if chunks and header is None:
            raise CheckpointError(f"{path}: the checkpoint has no header line")
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

    def record_intent(
        self, index: int, *, sent_at: float, count: int, digest: str, after: float | None = None
    ) -> None:
        """Before the POST of chunk ``index``. ``after``: server time of the newest async action
        that existed before the run (an action of this send is newer)."""
        self._append(
            {
                "type": "intent",
                "chunk": index,
                "sent_at": sent_at,
                "after": after,
                "count": count,
                "chunk_hash": digest,
            }
        )
        state = self.chunks.setdefault(index, ChunkState(index))
        state.sent_at, state.count, state.chunk_hash, state.after = sent_at, count, digest, after

    def record_done(self, index: int, async_action_id: str) -> None:
        """After the async-action id of chunk ``index`` is known."""
        self._append({"type": "done", "chunk": index, "async_action_id": async_action_id})
        self.chunks.setdefault(index, ChunkState(index)).async_action_id = async_action_id

    def claimed_ids(self) -> set[str]:
        return {s.async_action_id for s in self.chunks.values() if s.async_action_id is not None}

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> Checkpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
