"""Bulk order import: ``vf.orders.import_orders(source, ...)`` and its async twin.

One call takes any iterable of order dicts or generated models, or a JSON Lines / CSV file,
and imports it in chunks (at most 2000 orders each, Voucherify's limit), safely:

* **Streamed.** At most one chunk is held in memory (plus the one being sent). A file is read
  twice: a validating scan, then the sending pass.
* **Validated** against the spec's own ``OrdersImportCreateRequestBodyItem`` schema
  (:mod:`voucherify_ext.validation`), with a ``source_id`` on every order unless
  ``require_source_id=False``. A *file* is scanned whole before anything is sent, so a bad
  line stops the run with an error naming the file and line and nothing sent. An *iterable*
  is validated chunk by chunk: a bad record stops the run before its chunk is sent and the
  error reports the chunks already sent. ``on_invalid="skip"`` imports the rest and reports
  each skipped record in :attr:`ImportResult.skipped`.
* **Never resubmitted blind.** Voucherify has no idempotency keys and every import POST
  creates a new async action. When the response of an import POST is lost (connection
  dropped, timeout, 5xx, unreadable body) the importer lists async actions (newest first) and
  adopts an ``ORDERS.IMPORT`` action created since the send that no earlier chunk of this run
  (or of the checkpoint) has claimed. Only when there is none is the chunk sent again.
  *Assumption*: this run is the only importer in the project while it reconciles (the async
  action does not say which request created it); another import started in that window could
  be adopted by mistake. The send time is the local clock, corrected by the server's ``Date``
  header when they differ by more than two seconds, with ``reconcile_window`` seconds (5) of
  slack.
* **Resumable.** With ``checkpoint=PATH`` the run records its intent before each POST and the
  async-action id after it (:mod:`voucherify_ext.checkpoint`), bound to a hash of the input
  and the chunk size. A rerun skips finished chunks and reconciles an interrupted one the same
  way.
* **Interruptible.** ``KeyboardInterrupt`` and task cancellation are never swallowed; the
  partial :class:`ImportResult` (what was sent so far) is attached to the exception as
  ``exc.import_result`` and summarised in a note, and the checkpoint is already on disk.

CSV column mapping (header row required; empty cells are left out):

==========================  ==============================================================
column                      becomes
==========================  ==============================================================
``source_id``               ``source_id`` (required unless ``require_source_id=False``)
``id``                      ``id``
``status``                  ``status``
``amount``                  ``amount`` (integer, minor units)
``initial_amount``          ``initial_amount`` (integer)
``discount_amount``         ``discount_amount`` (integer)
``customer_id``             ``customer.id``
``customer_source_id``      ``customer.source_id``
``referrer_id``             ``referrer.id``
``referrer_source_id``      ``referrer.source_id``
``metadata.<key>``          ``metadata[<key>]``; JSON-decoded when it looks like JSON
                            (``12``, ``true``, ``["a"]``, ``{"k": 1}``, ``"text"``), else the text
``items``                   ``items``, a JSON array of order items
==========================  ==============================================================

Any other column is an error naming the file and the column (a typo would otherwise drop
data silently).
"""

from __future__ import annotations

import asyncio
import csv
import enum
import hashlib
import json
import os
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, cast

import attrs
from voucherify_client.api.orders import import_orders as import_orders_op
from voucherify_client.client import AuthenticatedClient
from voucherify_client.models import (
    AsyncActionGetResponseBody,
    OrdersImportCreateRequestBodyItem,
    OrdersImportCreateResponseBody,
)
from voucherify_client.types import Unset

from .checkpoint import Checkpoint, chunk_hash
from .errors import (
    APIError,
    ImportTimeoutError,
    ImportValidationError,
    OrderImportError,
    RateLimitError,
    ValidationError,
    VoucherifyError,
    _ResultError,
)
from .jobs import (
    DEFAULT_SCHEDULE,
    AsyncActionFailedError,
    AsyncActions,
    AsyncAsyncActions,
    JobTimeoutError,
    PollSchedule,
    action_state,
)
from .logs import logger
from .responses import acall, call, unwrap
from .retry import parse_http_date
from .validation import OrderValidator

__all__ = [
    "CSV_COLUMNS",
    "MAX_CHUNK_SIZE",
    "ChunkReport",
    "ImportFailure",
    "ImportProgress",
    "ImportResult",
    "ImportTimeoutError",
    "ImportValidationError",
    "InvalidRecord",
    "OrderImportError",
    "aimport_orders",
    "import_orders",
    "read_csv_orders",
    "read_jsonl_orders",
]

MAX_CHUNK_SIZE = 2000
#: Plain CSV columns and where they go (``metadata.<key>`` and ``items`` are handled apart).
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "source_id": ("source_id",),
    "id": ("id",),
    "status": ("status",),
    "amount": ("amount",),
    "initial_amount": ("initial_amount",),
    "discount_amount": ("discount_amount",),
    "customer_id": ("customer", "id"),
    "customer_source_id": ("customer", "source_id"),
    "referrer_id": ("referrer", "id"),
    "referrer_source_id": ("referrer", "source_id"),
}
_INT_COLUMNS = frozenset({"amount", "initial_amount", "discount_amount"})
_SUBMIT_ATTEMPTS = 5
_RECONCILE_ATTEMPTS = 4
OnInvalid = Literal["raise", "skip"]


# ---------------------------------------------------------------------------- results


@attrs.frozen
class ImportFailure:
    """One order Voucherify refused, as its async action reported it."""

    source_id: str | None
    reason: str
    chunk: int
    async_action_id: str


@attrs.frozen
class InvalidRecord:
    """One input record refused by validation. ``index`` counts records from 0; ``line`` is the
    file line (1-based) for file input; ``chunk`` is the chunk it would have gone into."""

    index: int
    message: str
    line: int | None = None
    file: str | None = None
    chunk: int | None = None
    source_id: str | None = None

    @property
    def location(self) -> str:
        if self.file is not None and self.line is not None:
            return f"{self.file}:{self.line}"
        where = f"record {self.index}"
        return where if self.chunk is None else f"{where} (chunk {self.chunk})"


class ChunkStatus(enum.StrEnum):
    SUBMITTED = "SUBMITTED"  # the async action exists; not waited for
    DONE = "DONE"
    FAILED = "FAILED"


@attrs.define
class ChunkReport:
    """One chunk: its number (from 1), size, async action and, once waited for, its counts.

    ``resumed``: submitted by an earlier run (found in the checkpoint). ``reconciled``: its
    POST lost the response and the action was found in the async-action list instead.
    """

    index: int
    count: int
    async_action_id: str
    status: ChunkStatus = ChunkStatus.SUBMITTED
    done_count: int = 0
    failed_count: int = 0
    message: str | None = None
    resumed: bool = False
    reconciled: bool = False
    submit_attempts: int = 1


@attrs.define
class ImportResult:
    """What an import did. Counts of orders Voucherify imported (``done_count``) and refused
    (``failed_count``, each in ``failures``) are known once the actions were waited for."""

    chunks: list[ChunkReport] = attrs.field(factory=list)
    failures: list[ImportFailure] = attrs.field(factory=list)
    skipped: list[InvalidRecord] = attrs.field(factory=list)
    total: int = 0
    done_count: int = 0
    failed_count: int = 0
    waited: bool = False
    #: seconds spent reading/parsing, validating, sending and waiting
    timings: dict[str, float] = attrs.field(
        factory=lambda: {"read": 0.0, "validate": 0.0, "send": 0.0, "wait": 0.0}
    )

    @property
    def async_action_ids(self) -> list[str]:
        return [c.async_action_id for c in self.chunks]

    @property
    def submitted(self) -> int:
        """Orders in submitted chunks (this run and resumed ones)."""
        return sum(c.count for c in self.chunks)

    @property
    def failed_chunks(self) -> list[ChunkReport]:
        """Chunks whose async action ended ``FAILED`` (their orders were not imported)."""
        return [c for c in self.chunks if c.status is ChunkStatus.FAILED]

    @property
    def ok(self) -> bool:
        return self.waited and not self.failed_count and not self.failed_chunks and not self.skipped

    def summary(self) -> str:
        text = f"{len(self.chunks)} chunk(s), {self.submitted} order(s) submitted"
        if self.waited:
            text += f", {self.done_count} imported, {self.failed_count} failed"
        if self.skipped:
            text += f", {len(self.skipped)} invalid skipped"
        if self.chunks:
            text += "; async actions: " + ", ".join(self.async_action_ids)
        return text


@attrs.frozen
class ImportProgress:
    """Passed to ``on_progress``: during submission ``phase == "submitting"``, then
    ``"waiting"`` with ``current_chunk`` and its action's ``action_progress`` (0-100)."""

    phase: Literal["submitting", "waiting"]
    orders_submitted: int
    chunks_submitted: int
    chunks_done: int
    current_chunk: int | None
    action_progress: int | None
    failures: int


# ---------------------------------------------------------------------------- errors


def _attach(exc: BaseException, result: ImportResult) -> None:
    """Attach the partial result to an exception that is not an import error
    (``KeyboardInterrupt``, ``CancelledError``, a checkpoint or transport error, ...) as
    ``import_result`` (and ``result`` unless the exception already has one), with a note."""
    try:
        exc.import_result = result  # type: ignore[attr-defined]
        if not hasattr(exc, "result"):
            exc.result = result  # type: ignore[attr-defined]
        if result.chunks:
            exc.add_note(f"voucherify import stopped; sent so far: {result.summary()}")
        else:
            exc.add_note("voucherify import stopped; nothing was sent")
    except (AttributeError, TypeError):  # an exception type without __dict__
        pass


# ---------------------------------------------------------------------------- sources


def _as_dict(record: Any) -> Any:
    if isinstance(record, dict):
        return record
    if isinstance(record, Mapping):
        return dict(record)
    to_dict = getattr(record, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    return record  # the validator explains what is wrong with it


def _looks_like_json(text: str) -> bool:
    head = text[:1]
    return head in ("{", "[", '"') or text in ("true", "false", "null") or _is_number(text)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower() not in ("nan", "inf", "-inf", "infinity", "-infinity")


class _ParseError(Exception):
    pass


def _csv_row(row: dict[str, str | None]) -> dict[str, Any]:
    order: dict[str, Any] = {}
    for column, raw in row.items():
        if raw is None or raw == "":
            continue
        if column == "items":
            try:
                order["items"] = json.loads(raw)
            except ValueError:
                raise _ParseError(f"items: not a JSON array: {raw[:60]!r}") from None
            continue
        if column.startswith("metadata."):
            key = column[9:]
            value: Any = raw
            if _looks_like_json(raw):
                try:
                    value = json.loads(raw)
                except ValueError:
                    value = raw
            order.setdefault("metadata", {})[key] = value
            continue
        target = CSV_COLUMNS[column]
        cell: Any = raw
        if column in _INT_COLUMNS:
            try:
                cell = int(raw)
            except ValueError:
                cell = raw  # the schema check reports it with its path
        if len(target) == 1:
            order[target[0]] = cell
        else:
            order.setdefault(target[0], {})[target[1]] = cell
    return order


def _check_csv_header(path: Path, header: list[str] | None, require_source_id: bool) -> None:
    if not header:
        raise ValidationError(f"{path}: the CSV file has no header row")
    for column in header:
        if (
            column not in CSV_COLUMNS
            and column != "items"
            and not (column.startswith("metadata.") and len(column) > 9)
        ):
            raise ValidationError(
                f"{path}: unknown CSV column {column!r}; "
                f"known: {', '.join(CSV_COLUMNS)}, items, metadata.<key>",
                path=column,
            )
    if require_source_id and "source_id" not in header:
        raise ValidationError(
            f"{path}: the CSV file has no 'source_id' column (required unless require_source_id=False)",
            path="source_id",
        )


def read_jsonl_orders(path: str | os.PathLike[str]) -> Iterator[tuple[int, Any]]:
    """``(line number, parsed order)`` for each non-blank line of a JSON Lines file; a line
    that is not JSON yields a :class:`_ParseError` instance in place of the order."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                yield number, json.loads(raw)
            except ValueError as exc:
                yield number, _ParseError(f"not valid JSON ({exc.args[0] if exc.args else exc})")


def read_csv_orders(
    path: str | os.PathLike[str], *, require_source_id: bool = True
) -> Iterator[tuple[int, Any]]:
    """``(line number, order dict)`` for each row of a CSV file, mapped as the module explains."""
    target = Path(path)
    with open(target, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        _check_csv_header(target, list(reader.fieldnames or []), require_source_id)
        for row in reader:
            if None in row:
                yield reader.line_num, _ParseError("more cells than header columns")
                continue
            try:
                yield reader.line_num, _csv_row(cast(dict[str, str | None], row))
            except _ParseError as exc:
                yield reader.line_num, exc


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


@attrs.define
class _Chunk:
    index: int
    orders: list[dict[str, Any]]
    first_record: int


class _Chunker:
    """Validates records and groups the valid ones into chunks (pure, no I/O)."""

    def __init__(
        self,
        validator: OrderValidator,
        chunk_size: int,
        on_invalid: OnInvalid,
        result: ImportResult,
        *,
        file: str | None,
        known_bad: set[int] | None = None,
        validate: bool = True,
    ) -> None:
        self.validator = validator
        self.chunk_size = chunk_size
        self.on_invalid = on_invalid
        self.result = result
        self.file = file
        self.known_bad = known_bad
        self.validate = validate
        self.index = 0
        self.chunk_no = 1
        self.pending: list[dict[str, Any]] = []
        self.first = 0

    def add(self, line: int | None, record: Any) -> _Chunk | None:
        """Take one record; return a full chunk when one is ready."""
        index = self.index
        self.index += 1
        if self.known_bad is not None and line in self.known_bad:
            return None
        if not self.pending:
            self.first = index
        if isinstance(record, _ParseError):
            problem: str | None = str(record)
            order: Any = None
        else:
            order = _as_dict(record)
            problem = None
            if self.validate:
                t0 = time.perf_counter()
                problem = self.validator.check(order)
                self.result.timings["validate"] += time.perf_counter() - t0
        if problem is not None:
            source_id = order.get("source_id") if isinstance(order, dict) else None
            bad = InvalidRecord(
                index=index,
                message=problem,
                line=line,
                file=self.file,
                chunk=self.chunk_no,
                source_id=source_id if isinstance(source_id, str) else None,
            )
            if self.on_invalid == "raise":
                raise ImportValidationError(bad, self.result)
            logger.warning("skipping invalid order at %s: %s", bad.location, problem)
            self.result.skipped.append(bad)
            return None
        self.pending.append(order)
        if len(self.pending) >= self.chunk_size:
            return self._emit()
        return None

    def _emit(self) -> _Chunk:
        chunk = _Chunk(self.chunk_no, self.pending, self.first)
        self.chunk_no += 1
        self.pending = []
        return chunk

    def finish(self) -> _Chunk | None:
        return self._emit() if self.pending else None


@attrs.define
class _Plan:
    """The records to import: an iterator of (line, record), and what the scan learned."""

    records: Iterator[tuple[int | None, Any]] | None
    async_records: AsyncIterable[Any] | None
    file: str | None
    input_hash: str | None
    known_bad: set[int] | None


def _open_file(path: Path, file_format: str | None, require_source_id: bool) -> Iterator[tuple[int, Any]]:
    fmt = file_format or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
    if fmt == "csv":
        return read_csv_orders(path, require_source_id=require_source_id)
    if fmt == "jsonl":
        return read_jsonl_orders(path)
    raise ValueError(f"file_format must be 'jsonl' or 'csv', got {file_format!r}")


def _scan_file(
    path: Path,
    file_format: str | None,
    validator: OrderValidator,
    chunk_size: int,
    on_invalid: OnInvalid,
    result: ImportResult,
) -> _Plan:
    """The whole-file validating pass: raises on the first bad line (``on_invalid="raise"``)
    or records every bad line; nothing is sent before it has finished."""
    if not path.is_file():
        raise ValidationError(f"{path}: no such file")
    t0 = time.perf_counter()
    input_hash = _file_hash(path)
    chunker = _Chunker(validator, chunk_size, on_invalid, result, file=str(path))
    for line, record in _open_file(path, file_format, validator.require_source_id):
        chunker.add(line, record)  # a full chunk is dropped at once: the scan keeps nothing
    known_bad = {r.line for r in result.skipped if r.line is not None}
    result.timings["read"] += time.perf_counter() - t0 - result.timings["validate"]
    logger.info("scanned %s: %d record(s), %d invalid", path, chunker.index, len(known_bad))
    return _Plan(records=None, async_records=None, file=str(path), input_hash=input_hash, known_bad=known_bad)


# ---------------------------------------------------------------------------- the run


class _Prevalidated:
    """A validated order dict where the generated operation expects a model: it only calls
    ``to_dict()``, and a round trip through ``from_dict`` would cost time and drop nothing."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def to_dict(self) -> dict[str, Any]:
        return self._data


def _body(orders: list[dict[str, Any]]) -> list[OrdersImportCreateRequestBodyItem]:
    return cast(list[OrdersImportCreateRequestBodyItem], [_Prevalidated(o) for o in orders])


def _refusal(chunk: _Chunk, exc: VoucherifyError) -> str:
    if isinstance(exc, RateLimitError):
        return (
            f"chunk {chunk.index} was rate limited ({exc}); nothing was created for it. Rerun (with the "
            "same checkpoint, if any) once the limit resets"
        )
    return f"chunk {chunk.index} was refused: {exc}"


def _definitive(exc: VoucherifyError) -> bool:
    """A refusal that says the import was not created: a 4xx other than 408 (a 429 reaches
    here only when the transport could not wait for the limit to reset)."""
    return isinstance(exc, APIError) and 400 <= exc.status_code < 500 and exc.status_code != 408


class _Run:
    """State shared by the sync and async drivers: results, claims, checkpoint, progress."""

    def __init__(
        self,
        *,
        chunk_size: int,
        on_progress: Callable[[ImportProgress], None] | None,
        checkpoint_path: str | os.PathLike[str] | None,
        reconcile_window: float,
        wall_clock: Callable[[], float],
    ) -> None:
        if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError(f"chunk_size must be between 1 and {MAX_CHUNK_SIZE}, got {chunk_size}")
        self.chunk_size = chunk_size
        self.on_progress = on_progress
        self.checkpoint_path = checkpoint_path
        self.checkpoint: Checkpoint | None = None
        self.reconcile_window = reconcile_window
        self.wall_clock = wall_clock
        self.result = ImportResult()
        self.claimed: set[str] = set()
        self.server_offset = 0.0
        self.chunks_done = 0
        #: server time (epoch s) of the newest async action before this run's first POST:
        #: 0.0 when there was none, None while unknown (reconciliation then uses the clock)
        self.baseline: float | None = None
        self.baseline_taken = False

    # -- checkpoint and clock

    def open_checkpoint(self, input_hash: str | None) -> None:
        if self.checkpoint_path is not None:
            self.checkpoint = Checkpoint.open(
                self.checkpoint_path, input_hash=input_hash, chunk_size=self.chunk_size
            )
            self.claimed |= self.checkpoint.claimed_ids()

    def close(self) -> None:
        if self.checkpoint is not None:
            self.checkpoint.close()

    def server_now(self) -> float:
        return self.wall_clock() + self.server_offset

    def observe_date(self, headers: Any) -> None:
        """Learn the server's clock offset from a ``Date`` header (only a large one matters)."""
        date = parse_http_date(headers.get("date")) if headers is not None else None
        if date is None:
            return
        offset = date - self.wall_clock()
        self.server_offset = offset if abs(offset) > 2.0 else 0.0

    # -- chunks

    def prior(self, chunk: _Chunk) -> tuple[str | None, _Since | None, str]:
        """For a chunk: (async action id already recorded, interrupted send, hash)."""
        digest = chunk_hash(chunk.orders)
        if self.checkpoint is None:
            return None, None, digest
        self.checkpoint.check_chunk(chunk.index, digest)
        state = self.checkpoint.chunks.get(chunk.index)
        if state is None:
            return None, None, digest
        since = None if state.sent_at is None else _Since(state.sent_at, state.after)
        return state.async_action_id, since, digest

    def set_baseline(self, actions: Iterable[Any] | None) -> None:
        self.baseline_taken = True
        if actions is None:
            logger.warning(
                "could not read the async-action list before importing; a lost import response "
                "will be reconciled by the clock (±%gs) instead",
                self.reconcile_window,
            )
            return
        for action in actions:
            created = action.created_at
            self.baseline = 0.0 if isinstance(created, Unset) else created.timestamp()
            return
        self.baseline = 0.0

    def intent(self, chunk: _Chunk, digest: str) -> _Since:
        since = _Since(self.server_now(), self.baseline)
        if self.checkpoint is not None:
            self.checkpoint.record_intent(
                chunk.index, sent_at=since.sent_at, count=len(chunk.orders), digest=digest, after=since.after
            )
        return since

    def adopt(
        self,
        chunk: _Chunk,
        action_id: str,
        *,
        resumed: bool,
        reconciled: bool,
        attempts: int,
        record: bool = True,
    ) -> None:
        self.claimed.add(action_id)
        if self.checkpoint is not None and record:
            self.checkpoint.record_done(chunk.index, action_id)
        self.result.chunks.append(
            ChunkReport(
                index=chunk.index,
                count=len(chunk.orders),
                async_action_id=action_id,
                resumed=resumed,
                reconciled=reconciled,
                submit_attempts=attempts,
            )
        )
        self.progress("submitting", None, None)

    def is_before(self, action: Any, since: _Since) -> bool:
        """Whether ``action`` was created before the send ``since`` describes (so it, and every
        older action, cannot be the send's)."""
        created = action.created_at
        if isinstance(created, Unset):
            return False
        if since.after is not None:
            return bool(created.timestamp() <= since.after)
        return bool(created.timestamp() < since.sent_at - self.reconcile_window)

    def candidates_since(self, actions: Iterable[Any], since: _Since) -> tuple[list[str], bool]:
        """Unclaimed ``ORDERS.IMPORT`` ids created since the send (oldest first), and whether
        the scan reached older actions (so the list need not go on)."""
        found: list[str] = []
        for action in actions:
            if self.is_before(action, since):
                return list(reversed(found)), True
            if (
                str(action.type_) == "ORDERS.IMPORT"
                and isinstance(action.id, str)
                and action.id not in self.claimed
            ):
                found.append(action.id)
        return list(reversed(found)), False

    def pick(self, chunk: _Chunk, found: list[str]) -> str | None:
        if not found:
            return None
        if len(found) > 1:
            logger.warning(
                "chunk %d: %d unclaimed ORDERS.IMPORT actions since the send (%s); adopting the oldest. "
                "Is another import running in this project?",
                chunk.index,
                len(found),
                ", ".join(found),
            )
        logger.info(
            "chunk %d: the import response was lost; adopted %s from the async-action list",
            chunk.index,
            found[0],
        )
        return found[0]

    # -- waiting

    def record_action(self, report: ChunkReport, action: AsyncActionGetResponseBody) -> None:
        result = {} if isinstance(action.result, Unset) else dict(action.result.additional_properties)
        state = action_state(action)
        report.status = ChunkStatus.DONE if state == "done" else ChunkStatus.FAILED
        message = result.get("message")
        report.message = message if isinstance(message, str) else None
        done = result.get("done_count")
        failed_entries = result.get("failed")
        failed_list = failed_entries if isinstance(failed_entries, list) else []
        failed = result.get("failed_count")
        report.done_count = done if isinstance(done, int) else 0
        report.failed_count = failed if isinstance(failed, int) else len(failed_list)
        if state == "failed" and not isinstance(done, int) and not isinstance(failed, int):
            report.failed_count = report.count  # the action failed as a whole
        for entry in failed_list:
            if not isinstance(entry, dict):
                continue
            source_id = entry.get("source_id")
            reason = entry.get("reason")
            self.result.failures.append(
                ImportFailure(
                    source_id=source_id if isinstance(source_id, str) else None,
                    reason=str(reason) if reason is not None else "unknown",
                    chunk=report.index,
                    async_action_id=report.async_action_id,
                )
            )
        self.result.done_count += report.done_count
        self.result.failed_count += report.failed_count
        self.chunks_done += 1

    def progress(
        self, phase: Literal["submitting", "waiting"], chunk: int | None, action_progress: int | None
    ) -> None:
        if self.on_progress is None:
            return
        self.on_progress(
            ImportProgress(
                phase=phase,
                orders_submitted=self.result.submitted,
                chunks_submitted=len(self.result.chunks),
                chunks_done=self.chunks_done,
                current_chunk=chunk,
                action_progress=action_progress,
                failures=len(self.result.failures),
            )
        )

    def timeout_error(
        self, exc: JobTimeoutError, report: ChunkReport, timeout: float | None
    ) -> ImportTimeoutError:
        pending = [c.async_action_id for c in self.result.chunks if c.status is ChunkStatus.SUBMITTED]
        return ImportTimeoutError(
            f"import not finished after {timeout:g}s: chunk {report.index} ({report.async_action_id}) "
            f"and {len(pending) - 1} more still running; nothing was cancelled, wait for them with "
            "vf.async_actions.wait(...)",
            job_id=report.async_action_id,
            timeout=timeout,
            pending=pending,
            result=self.result,
        )


@attrs.frozen
class _Since:
    """When a chunk was sent: the local send time (server-corrected, epoch seconds) and the
    server time of the newest async action that existed before the run (None: unknown)."""

    sent_at: float
    after: float | None


def _prepare(
    source: Any,
    *,
    file_format: str | None,
    validator: OrderValidator,
    chunk_size: int,
    on_invalid: OnInvalid,
    result: ImportResult,
) -> tuple[Path | None, _Plan | None]:
    if isinstance(source, str | os.PathLike):
        return Path(source), None
    if isinstance(source, bytes | bytearray):
        raise TypeError("source must be an iterable of orders or a path, not bytes")
    if isinstance(source, AsyncIterable):
        return None, _Plan(records=None, async_records=source, file=None, input_hash=None, known_bad=None)
    if not isinstance(source, Iterable):
        raise TypeError(f"source must be an iterable of orders or a path, got {type(source).__name__}")
    records: Iterator[tuple[int | None, Any]] = ((None, r) for r in source)
    return None, _Plan(records=records, async_records=None, file=None, input_hash=None, known_bad=None)


def _sync_chunks(
    plan: _Plan, path: Path | None, file_format: str | None, chunker: _Chunker, result: ImportResult
) -> Iterator[_Chunk]:
    if path is not None:
        records: Iterator[tuple[int | None, Any]] = iter(
            _open_file(path, file_format, chunker.validator.require_source_id)
        )
    else:
        assert plan.records is not None
        records = plan.records
    while True:
        t0 = time.perf_counter()
        validate_before = result.timings["validate"]
        chunk = None
        for line, record in records:
            chunk = chunker.add(line, record)
            if chunk is not None:
                break
        else:
            chunk = chunker.finish()
            result.timings["read"] += (
                time.perf_counter() - t0 - (result.timings["validate"] - validate_before)
            )
            if chunk is not None:
                yield chunk
            return
        result.timings["read"] += time.perf_counter() - t0 - (result.timings["validate"] - validate_before)
        yield chunk


def import_orders(
    client: AuthenticatedClient,
    source: Iterable[Any] | str | os.PathLike[str],
    *,
    chunk_size: int = MAX_CHUNK_SIZE,
    wait: bool = True,
    timeout: float | None = None,
    on_progress: Callable[[ImportProgress], None] | None = None,
    on_invalid: OnInvalid = "raise",
    checkpoint: str | os.PathLike[str] | None = None,
    require_source_id: bool = True,
    file_format: Literal["jsonl", "csv"] | None = None,
    reconcile_window: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], float] = time.time,
    schedule: PollSchedule = DEFAULT_SCHEDULE,
) -> ImportResult:
    """Import orders from ``source`` in chunks; see the module documentation.

    ``source``: an iterable of order dicts or generated models, or the path of a ``.jsonl``
    or ``.csv`` file (``file_format`` overrides the suffix). ``wait``: poll every chunk's
    async action and fill in counts and per-order ``failures`` (else return once every chunk
    is submitted). ``timeout``: overall deadline in seconds for the waiting
    (:class:`ImportTimeoutError`). ``on_progress``: called with an :class:`ImportProgress`
    after each chunk is submitted and as the actions progress. ``on_invalid``: ``"raise"``
    (default) or ``"skip"``. ``checkpoint``: a file path that makes the run resumable.
    """
    run = _Run(
        chunk_size=chunk_size,
        on_progress=on_progress,
        checkpoint_path=checkpoint,
        reconcile_window=reconcile_window,
        wall_clock=wall_clock,
    )
    if on_invalid not in ("raise", "skip"):
        raise ValueError("on_invalid must be 'raise' or 'skip'")
    validator = OrderValidator(require_source_id=require_source_id)
    result = run.result
    actions = AsyncActions(client, sleep=sleep, clock=clock, schedule=schedule)
    path, plan = _prepare(
        source,
        file_format=file_format,
        validator=validator,
        chunk_size=chunk_size,
        on_invalid=on_invalid,
        result=result,
    )
    if path is not None:
        plan = _scan_file(path, file_format, validator, chunk_size, on_invalid, result)
    assert plan is not None
    if plan.async_records is not None:
        raise TypeError("an async iterable needs aimport_orders (AsyncVoucherify)")
    chunker = _Chunker(
        validator,
        chunk_size,
        on_invalid,
        result,
        file=plan.file,
        known_bad=plan.known_bad,
        validate=path is None,
    )
    try:
        run.open_checkpoint(plan.input_hash)
        for chunk in _sync_chunks(plan, path, file_format, chunker, result):
            _submit_sync(run, client, actions, chunk, sleep)
        result.total = chunker.index
        if wait:
            _wait_sync(run, actions, timeout, clock)
        return result
    except BaseException as exc:
        result.total = chunker.index
        if not isinstance(exc, _ResultError):
            _attach(exc, result)
        raise
    finally:
        run.close()


def _submit_sync(
    run: _Run,
    client: AuthenticatedClient,
    actions: AsyncActions,
    chunk: _Chunk,
    sleep: Callable[[float], None],
) -> None:
    t0 = time.perf_counter()
    try:
        recorded, interrupted_at, digest = run.prior(chunk)
        if recorded is not None:
            run.adopt(chunk, recorded, resumed=True, reconciled=False, attempts=0, record=False)
            return
        if interrupted_at is not None:
            found = _reconcile_sync(run, actions, chunk, interrupted_at, sleep)
            if found is not None:
                run.adopt(chunk, found, resumed=True, reconciled=True, attempts=0)
                return
        if not run.baseline_taken:
            run.set_baseline(_newest_sync(actions, sleep))
        last: VoucherifyError | None = None
        for attempt in range(1, _SUBMIT_ATTEMPTS + 1):
            sent_at = run.intent(chunk, digest)
            try:
                response = call(import_orders_op.sync_detailed, client=client, body=_body(chunk.orders))
                run.observe_date(response.headers)
                action_id = unwrap(response, OrdersImportCreateResponseBody).async_action_id
            except VoucherifyError as exc:
                if _definitive(exc):
                    raise OrderImportError(
                        _refusal(chunk, exc), chunk=chunk.index, result=run.result
                    ) from exc
                last = exc
                logger.warning(
                    "chunk %d: import POST failed (%s); checking whether it was created", chunk.index, exc
                )
                found = _reconcile_sync(run, actions, chunk, sent_at, sleep)
                if found is not None:
                    run.adopt(chunk, found, resumed=False, reconciled=True, attempts=attempt)
                    return
                sleep(min(8.0, 0.5 * 2 ** (attempt - 1)))
                continue
            run.adopt(chunk, action_id, resumed=False, reconciled=False, attempts=attempt)
            return
        raise OrderImportError(
            f"chunk {chunk.index} could not be submitted in {_SUBMIT_ATTEMPTS} attempts "
            f"(none was created): {last}",
            chunk=chunk.index,
            result=run.result,
        ) from last
    finally:
        run.result.timings["send"] += time.perf_counter() - t0


def _newest_sync(actions: AsyncActions, sleep: Callable[[float], None]) -> list[Any] | None:
    """The newest async action (as a 0- or 1-item list), or None if the list cannot be read."""
    for attempt in range(_RECONCILE_ATTEMPTS):
        try:
            return list(actions.list_page(limit=1).async_actions[:1])
        except VoucherifyError:
            sleep(min(8.0, 0.5 * 2**attempt))
    return None


def _reconcile_sync(
    run: _Run, actions: AsyncActions, chunk: _Chunk, since: _Since, sleep: Callable[[float], None]
) -> str | None:
    """The id of an unclaimed import action created since ``since``, or None when there is
    none. Raises :class:`OrderImportError` when the list cannot be read: then the outcome is
    unknown and resubmitting would risk a duplicate."""
    last: VoucherifyError | None = None
    for attempt in range(_RECONCILE_ATTEMPTS):
        try:
            found, _ = run.candidates_since(actions.iter(limit=100), since)
            return run.pick(chunk, found)
        except VoucherifyError as exc:
            last = exc
            sleep(min(8.0, 0.5 * 2**attempt))
    raise OrderImportError(
        f"chunk {chunk.index}: the import response was lost and the async-action list could not be read "
        f"to find out whether it was created ({last}); not resubmitting blind. Rerun with the same "
        "checkpoint to reconcile it later.",
        chunk=chunk.index,
        result=run.result,
    ) from last


def _wait_sync(run: _Run, actions: AsyncActions, timeout: float | None, clock: Callable[[], float]) -> None:
    t0 = time.perf_counter()
    deadline = None if timeout is None else clock() + timeout
    try:
        for report in run.result.chunks:
            remaining = None if deadline is None else max(0.0, deadline - clock())

            def on_progress(value: int, _index: int = report.index) -> None:
                run.progress("waiting", _index, value)

            try:
                action = actions.wait(report.async_action_id, timeout=remaining, on_progress=on_progress)
            except AsyncActionFailedError as exc:
                action = exc.action
            except JobTimeoutError as exc:
                raise run.timeout_error(exc, report, timeout) from exc
            run.record_action(report, action)
        run.result.waited = True
    finally:
        run.result.timings["wait"] += time.perf_counter() - t0


# ---------------------------------------------------------------------------- async twin


async def aimport_orders(
    client: AuthenticatedClient,
    source: Iterable[Any] | AsyncIterable[Any] | str | os.PathLike[str],
    *,
    chunk_size: int = MAX_CHUNK_SIZE,
    wait: bool = True,
    timeout: float | None = None,  # noqa: ASYNC109 - an overall deadline for the polling, like the sync twin
    on_progress: Callable[[ImportProgress], None] | None = None,
    on_invalid: OnInvalid = "raise",
    checkpoint: str | os.PathLike[str] | None = None,
    require_source_id: bool = True,
    file_format: Literal["jsonl", "csv"] | None = None,
    reconcile_window: float = 5.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], float] = time.time,
    schedule: PollSchedule = DEFAULT_SCHEDULE,
) -> ImportResult:
    """Async twin of :func:`import_orders`; ``source`` may also be an async iterable. File
    reading and validation run in a worker thread so the event loop stays responsive."""
    run = _Run(
        chunk_size=chunk_size,
        on_progress=on_progress,
        checkpoint_path=checkpoint,
        reconcile_window=reconcile_window,
        wall_clock=wall_clock,
    )
    if on_invalid not in ("raise", "skip"):
        raise ValueError("on_invalid must be 'raise' or 'skip'")
    validator = OrderValidator(require_source_id=require_source_id)
    result = run.result
    actions = AsyncAsyncActions(client, sleep=sleep, clock=clock, schedule=schedule)
    path, plan = _prepare(
        source,
        file_format=file_format,
        validator=validator,
        chunk_size=chunk_size,
        on_invalid=on_invalid,
        result=result,
    )
    if path is not None:
        plan = await asyncio.to_thread(
            _scan_file, path, file_format, validator, chunk_size, on_invalid, result
        )
    assert plan is not None
    chunker = _Chunker(
        validator,
        chunk_size,
        on_invalid,
        result,
        file=plan.file,
        known_bad=plan.known_bad,
        validate=path is None,
    )
    try:
        await asyncio.to_thread(run.open_checkpoint, plan.input_hash)
        if plan.async_records is not None:
            async for chunk in _async_chunks(plan.async_records, chunker):
                await _submit_async(run, client, actions, chunk, sleep)
        else:
            chunks = _sync_chunks(plan, path, file_format, chunker, result)
            while True:
                chunk = (
                    await asyncio.to_thread(next, chunks, None) if path is not None else next(chunks, None)
                )
                if chunk is None:
                    break
                await _submit_async(run, client, actions, chunk, sleep)
        result.total = chunker.index
        if wait:
            await _wait_async(run, actions, timeout, clock)
        return result
    except BaseException as exc:
        result.total = chunker.index
        if not isinstance(exc, _ResultError):
            _attach(exc, result)
        raise
    finally:
        run.close()


async def _async_chunks(records: AsyncIterable[Any], chunker: _Chunker) -> Any:
    async for record in records:
        chunk = chunker.add(None, record)
        if chunk is not None:
            yield chunk
    last = chunker.finish()
    if last is not None:
        yield last


async def _submit_async(
    run: _Run,
    client: AuthenticatedClient,
    actions: AsyncAsyncActions,
    chunk: _Chunk,
    sleep: Callable[[float], Awaitable[None]],
) -> None:
    t0 = time.perf_counter()
    try:
        recorded, interrupted_at, digest = run.prior(chunk)
        if recorded is not None:
            run.adopt(chunk, recorded, resumed=True, reconciled=False, attempts=0, record=False)
            return
        if interrupted_at is not None:
            found = await _reconcile_async(run, actions, chunk, interrupted_at, sleep)
            if found is not None:
                run.adopt(chunk, found, resumed=True, reconciled=True, attempts=0)
                return
        if not run.baseline_taken:
            run.set_baseline(await _newest_async(actions, sleep))
        last: VoucherifyError | None = None
        for attempt in range(1, _SUBMIT_ATTEMPTS + 1):
            sent_at = run.intent(chunk, digest)
            try:
                response = await acall(
                    import_orders_op.asyncio_detailed, client=client, body=_body(chunk.orders)
                )
                run.observe_date(response.headers)
                action_id = unwrap(response, OrdersImportCreateResponseBody).async_action_id
            except VoucherifyError as exc:
                if _definitive(exc):
                    raise OrderImportError(
                        _refusal(chunk, exc), chunk=chunk.index, result=run.result
                    ) from exc
                last = exc
                logger.warning(
                    "chunk %d: import POST failed (%s); checking whether it was created", chunk.index, exc
                )
                found = await _reconcile_async(run, actions, chunk, sent_at, sleep)
                if found is not None:
                    run.adopt(chunk, found, resumed=False, reconciled=True, attempts=attempt)
                    return
                await sleep(min(8.0, 0.5 * 2 ** (attempt - 1)))
                continue
            run.adopt(chunk, action_id, resumed=False, reconciled=False, attempts=attempt)
            return
        raise OrderImportError(
            f"chunk {chunk.index} could not be submitted in {_SUBMIT_ATTEMPTS} attempts "
            f"(none was created): {last}",
            chunk=chunk.index,
            result=run.result,
        ) from last
    finally:
        run.result.timings["send"] += time.perf_counter() - t0


async def _newest_async(
    actions: AsyncAsyncActions, sleep: Callable[[float], Awaitable[None]]
) -> list[Any] | None:
    for attempt in range(_RECONCILE_ATTEMPTS):
        try:
            return list((await actions.list_page(limit=1)).async_actions[:1])
        except VoucherifyError:
            await sleep(min(8.0, 0.5 * 2**attempt))
    return None


async def _reconcile_async(
    run: _Run,
    actions: AsyncAsyncActions,
    chunk: _Chunk,
    since: _Since,
    sleep: Callable[[float], Awaitable[None]],
) -> str | None:
    last: VoucherifyError | None = None
    for attempt in range(_RECONCILE_ATTEMPTS):
        try:
            collected: list[Any] = []
            async for action in actions.iter(limit=100):
                collected.append(action)
                if run.is_before(action, since):
                    break
            found, _ = run.candidates_since(collected, since)
            return run.pick(chunk, found)
        except VoucherifyError as exc:
            last = exc
            await sleep(min(8.0, 0.5 * 2**attempt))
    raise OrderImportError(
        f"chunk {chunk.index}: the import response was lost and the async-action list could not be read "
        f"to find out whether it was created ({last}); not resubmitting blind. Rerun with the same "
        "checkpoint to reconcile it later.",
        chunk=chunk.index,
        result=run.result,
    ) from last


async def _wait_async(
    run: _Run,
    actions: AsyncAsyncActions,
    timeout: float | None,  # noqa: ASYNC109
    clock: Callable[[], float],
) -> None:
    t0 = time.perf_counter()
    deadline = None if timeout is None else clock() + timeout
    try:
        for report in run.result.chunks:
            remaining = None if deadline is None else max(0.0, deadline - clock())

            def on_progress(value: int, _index: int = report.index) -> None:
                run.progress("waiting", _index, value)

            try:
                action = await actions.wait(
                    report.async_action_id, timeout=remaining, on_progress=on_progress
                )
            except AsyncActionFailedError as exc:
                action = exc.action
            except JobTimeoutError as exc:
                raise run.timeout_error(exc, report, timeout) from exc
            run.record_action(report, action)
        run.result.waited = True
    finally:
        run.result.timings["wait"] += time.perf_counter() - t0
