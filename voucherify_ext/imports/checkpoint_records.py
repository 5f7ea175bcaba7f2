"""The import checkpoint's journal: its records, how they are read back, and what they say.

The checkpoint is an append-only JSON Lines file that makes an import resumable; the open file
(the lock, the appends with ``fsync``) is :mod:`voucherify_ext.imports.checkpoint`. This module
is pure: it parses bytes and checks the header.

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
  chunk's, or on a rerun the newest one before it; ``after_known`` false when none is known:
  a fresh run's first send, or a list that could not be read): an action of this send is newer.
* The header binds the file to the input (``input_hash``: a hash of a file's bytes, or
  ``None`` for an iterable) and the chunk size; every ``intent`` also carries the hash of
  its chunk, so a rerun with different input stops with :class:`CheckpointMismatchError`
  instead of skipping orders it never sent. Two chunks recorded with the same action id stop
  the rerun with :class:`CheckpointError`; so does a ``conflict`` (the server answered a send
  with an id another chunk had claimed: the send was accepted, so it is never sent again).
* A last line cut short by a crash is not a record: :func:`parse` leaves it out and says in
  :class:`Keep` what to cut off (or that a record lost only its newline), for the opener to
  repair the file. Any other line that is not a record stops the run with
  :class:`CheckpointError` naming the file and line.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import attrs

from voucherify_ext.errors import CheckpointError, CheckpointMismatchError

__all__ = ["VERSION", "ChunkState", "Keep", "Send", "check_header", "chunk_hash", "header_record", "parse"]

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


def header_record(*, input_hash: str | None, chunk_size: int) -> dict[str, Any]:
    """The first record of a new checkpoint."""
    return {"type": "header", "version": VERSION, "input_hash": input_hash, "chunk_size": chunk_size}


def check_header(
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


def parse(path: Path, data: bytes | None) -> tuple[dict[str, Any] | None, dict[int, ChunkState], Keep]:
    """The header, the chunks, and what to keep of the file (see :class:`Keep`), from its bytes
    (None: there is no file yet); ``path`` names the file in errors."""
    header: dict[str, Any] | None = None
    chunks: dict[int, ChunkState] = {}
    if data is None:
        return None, chunks, Keep(0, 0, False)
    lines = data.split(b"\n")
    # the last piece has no newline: empty (a clean end), a record that lost only its
    # newline, or a fragment of one cut short by a crash
    fragment = lines.pop()
    complete = len(data) - len(fragment)
    keep = Keep(complete, len(data), False)
    if fragment and fragment_record(fragment) is not None:
        lines.append(fragment)
        keep = Keep(len(data), len(data), True)
    for number, raw in enumerate(lines, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise malformed(path, number, "not UTF-8 text") from None
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise malformed(path, number, "not JSON") from None
        if not isinstance(record, dict):
            raise malformed(path, number, "not a JSON object")
        kind = record.get("type")
        if kind == "header":
            header = record
            continue
        index = record.get("chunk")
        if not isinstance(index, int) or isinstance(index, bool):
            raise malformed(path, number, "no chunk number")
        state = chunks.setdefault(index, ChunkState(index))
        try:
            apply_record(state, kind, record)
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise malformed(path, number, f"a {kind!r} record with a bad or missing field ({exc})") from None
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


@attrs.frozen
class Keep:
    """What of the file to keep: ``end`` bytes (the complete records), of ``size``; ``newline``:
    the last record lost only its newline, which is to be added back."""

    end: int
    size: int
    newline: bool


def fragment_record(fragment: bytes) -> dict[str, Any] | None:
    """A last line without its newline, if it is a whole record (else a fragment: None)."""
    try:
        record = json.loads(fragment.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError too
        return None
    return record if isinstance(record, dict) else None


def apply_record(state: ChunkState, kind: object, record: dict[str, Any]) -> None:
    """Apply one record of chunk ``state.chunk`` (TypeError/ValueError/KeyError when it is bad)."""
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


def malformed(path: Path, number: int, why: str) -> CheckpointError:
    return CheckpointError(
        f"{path}:{number}: not a checkpoint record ({why}). The file was damaged or edited: restore it, "
        "or check what was imported (vf.async_actions.iter()) before starting over with a new checkpoint path"
    )
