"""The errors of an import run and its checkpoint: an invalid record, a file changed after it
was validated, a chunk that could not be submitted (or whose action could not be told apart),
actions still running at the deadline; a checkpoint that cannot be used, belongs to another
input, is held by another run, or cannot be written.

The import errors carry the run's partial ``result`` (an :class:`~voucherify_ext.ImportResult`)
and say what was already sent. The errors need only a few of its attributes, named by the
protocols below, so this module imports nothing of :mod:`voucherify_ext.imports` (which sits
above the errors).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from voucherify_ext.errors.base import VoucherifyError
from voucherify_ext.errors.inputs import ValidationError
from voucherify_ext.errors.jobs import JobTimeoutError

__all__ = [
    "CheckpointError",
    "CheckpointLockedError",
    "CheckpointMismatchError",
    "CheckpointWriteError",
    "ChunkReportLike",
    "ImportFileChangedError",
    "ImportReconcileError",
    "ImportResultLike",
    "ImportTimeoutError",
    "ImportValidationError",
    "InvalidRecordLike",
    "OrderImportError",
]


class ChunkReportLike(Protocol):
    """What the errors read of a sent chunk (a :class:`~voucherify_ext.imports.results.ChunkReport`)."""

    @property
    def async_action_id(self) -> str: ...


class ImportResultLike(Protocol):
    """What the errors read of an import's partial result (an :class:`~voucherify_ext.ImportResult`):
    the chunks sent so far and how many orders they hold."""

    @property
    def chunks(self) -> Sequence[ChunkReportLike]: ...

    @property
    def submitted(self) -> int: ...


class InvalidRecordLike(Protocol):
    """What :class:`ImportValidationError` reads of the refused record (an
    :class:`~voucherify_ext.imports.results.InvalidRecord`)."""

    @property
    def index(self) -> int: ...

    @property
    def message(self) -> str: ...

    @property
    def line(self) -> int | None: ...

    @property
    def file(self) -> str | None: ...

    @property
    def chunk(self) -> int | None: ...

    @property
    def location(self) -> str: ...


class CheckpointError(VoucherifyError):
    """The checkpoint file cannot be used (unreadable, another format)."""


class CheckpointMismatchError(CheckpointError):
    """The checkpoint belongs to another input or chunk size: resuming would skip or repeat
    orders. Use a new checkpoint path (or delete this one) for a different import."""


class _ResultError:
    """Mixin of the import errors: the partial result (an :class:`~voucherify_ext.ImportResult`)."""

    result: ImportResultLike

    @property
    def sent_chunks(self) -> list[ChunkReportLike]:
        """The chunks already submitted when the run stopped (they are not undone)."""
        return list(self.result.chunks)


class ImportValidationError(_ResultError, ValidationError):
    """A record failed validation and ``on_invalid="raise"``. For a file nothing was sent;
    for an iterable the record's chunk was not sent, and ``sent_chunks`` lists those that were."""

    def __init__(self, record: InvalidRecordLike, result: ImportResultLike) -> None:
        self.record = record
        self.result = result
        self.file = record.file
        self.line = record.line
        self.index = record.index
        self.chunk = record.chunk
        if record.file is not None and not result.chunks:
            message = f"{record.location}: invalid order: {record.message} (nothing was sent)"
        else:
            message = f"{record.location}: invalid order: {record.message}; chunk {record.chunk} was not sent"
            message += _sent_so_far(result)
        super().__init__(message, path=record.message.split(":", 1)[0])


class ImportFileChangedError(_ResultError, ValidationError):
    """The import file changed between the validating scan and the sending pass (or while it
    was being sent). The run stopped before sending the first chunk whose bytes differ from
    what was validated, so no line that was not validated was sent; the message and
    ``sent_chunks`` say exactly what was sent before (those chunks are not undone). ``chunk``
    is the chunk that was not sent (None when the difference came after the last one), ``line``
    the file line where the difference was noticed.
    Keep the file unchanged while it is imported; a checkpoint of the old file does not fit
    the new one."""

    def __init__(
        self, file: str, *, chunk: int | None, line: int | None, why: str, result: ImportResultLike
    ) -> None:
        self.file = file
        self.chunk = chunk
        self.line = line
        self.result = result
        where = f"{file}:{line}" if line is not None else file
        stopped = f"stopped before sending chunk {chunk}" if chunk is not None else "stopped at its end"
        message = f"{where}: the file changed after it was validated ({why}); {stopped}{_sent_so_far(result)}"
        super().__init__(message, path=file)


def _sent_so_far(result: ImportResultLike) -> str:
    """``"; already sent: 2 chunk(s), 4 order(s) (aa_1, aa_2)"``, or ``"; nothing was sent"``."""
    sent = result.chunks
    if not sent:
        return "; nothing was sent"
    return (
        f"; already sent: {len(sent)} chunk(s), {result.submitted} order(s) "
        f"({', '.join(c.async_action_id for c in sent)})"
    )


class OrderImportError(_ResultError, VoucherifyError):
    """A chunk could not be submitted (refused by the API, or its outcome could not be
    established). ``chunk`` names it; ``result`` holds what was sent before; the cause is
    chained. With a checkpoint, rerun to resume."""

    def __init__(self, message: str, *, chunk: int, result: ImportResultLike) -> None:
        self.chunk = chunk
        self.result = result
        super().__init__(message)


class ImportReconcileError(OrderImportError):
    """A chunk's import response was lost and the async-action list does not say which action
    (if any) is the chunk's: more than one unclaimed ``ORDERS.IMPORT`` action appeared since
    the send, or the only one is ambiguous (created before the send, or within the clock band
    of an earlier send that got no action). Nothing was adopted and nothing was resent;
    ``candidates`` lists the actions. The checkpoint (if any) still holds the interrupted send."""

    def __init__(self, message: str, *, chunk: int, result: ImportResultLike, candidates: list[str]) -> None:
        self.candidates = candidates
        super().__init__(message, chunk=chunk, result=result)


class ImportTimeoutError(_ResultError, JobTimeoutError):
    """Every chunk was submitted, but the deadline passed before all actions finished. Nothing
    is cancelled: ``pending`` lists the action ids still running (wait for them with
    ``vf.async_actions.wait``); ``result`` holds the chunks finished so far."""

    def __init__(
        self,
        message: str,
        *,
        job_id: str,
        timeout: float | None,
        pending: list[str],
        result: ImportResultLike,
    ) -> None:
        self.pending = pending
        self.result = result
        super().__init__(message, job_id=job_id, timeout=timeout)


class CheckpointLockedError(CheckpointError):
    """Another run holds the checkpoint file (``path``): two runs on one checkpoint would send
    chunks twice. ``holder`` describes it (``pid 123 on host ...``) when it is known."""

    def __init__(self, message: str, *, path: str = "", holder: str | None = None) -> None:
        self.path = path
        self.holder = holder
        super().__init__(message)


class CheckpointWriteError(CheckpointError):
    """A checkpoint record could not be written (``path``; a full disk, a file-size limit, a
    read-only file system). The run stopped before sending anything the record was for."""

    def __init__(self, message: str, *, path: str = "") -> None:
        self.path = path
        super().__init__(message)
