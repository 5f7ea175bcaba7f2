"""Where orders to import come from: JSON Lines and CSV files, iterables, async iterables.

Reading, the CSV column mapping, the whole-file validating scan, and grouping valid records
into chunks (:class:`Chunker`, pure: no I/O). :mod:`voucherify_ext.import_run` sends the
chunks; :mod:`voucherify_ext.importing` is the public entry point.

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

import csv
import hashlib
import json
import os
import time
from collections.abc import AsyncGenerator, AsyncIterable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, cast

import attrs

from .errors import ConfigurationError, ImportValidationError, ValidationError
from .import_results import ImportResult, InvalidRecord
from .logs import logger
from .validation import OrderValidator

__all__ = [
    "CSV_COLUMNS",
    "Chunk",
    "Chunker",
    "OnInvalid",
    "Plan",
    "aiter_chunks",
    "iter_chunks",
    "prepare_source",
    "read_csv_orders",
    "read_jsonl_orders",
    "scan_file",
]

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
OnInvalid = Literal["raise", "skip"]


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
            if None in row.values():
                cells = sum(value is not None for value in row.values())
                yield reader.line_num, _ParseError(f"fewer cells ({cells}) than header columns ({len(row)})")
                continue
            try:
                yield reader.line_num, _csv_row(cast(dict[str, str | None], row))
            except _ParseError as exc:
                yield reader.line_num, exc


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


@attrs.define
class Chunk:
    index: int
    orders: list[dict[str, Any]]
    first_record: int


class Chunker:
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

    def add(self, line: int | None, record: Any) -> Chunk | None:
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

    def _emit(self) -> Chunk:
        chunk = Chunk(self.chunk_no, self.pending, self.first)
        self.chunk_no += 1
        self.pending = []
        return chunk

    def finish(self) -> Chunk | None:
        return self._emit() if self.pending else None


@attrs.define
class Plan:
    """The records to import: an iterator of (line, record), and what the scan learned."""

    records: Iterator[tuple[int | None, Any]] | None
    async_records: AsyncIterable[Any] | None
    file: str | None
    input_hash: str | None
    known_bad: set[int] | None


def open_orders_file(
    path: Path, file_format: str | None, require_source_id: bool
) -> Iterator[tuple[int, Any]]:
    fmt = file_format or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
    if fmt == "csv":
        return read_csv_orders(path, require_source_id=require_source_id)
    if fmt == "jsonl":
        return read_jsonl_orders(path)
    raise ConfigurationError(f"file_format must be 'jsonl' or 'csv', got {file_format!r}")


def scan_file(
    path: Path,
    file_format: str | None,
    validator: OrderValidator,
    chunk_size: int,
    on_invalid: OnInvalid,
    result: ImportResult,
) -> Plan:
    """The whole-file validating pass: raises on the first bad line (``on_invalid="raise"``)
    or records every bad line; nothing is sent before it has finished."""
    if not path.is_file():
        raise ValidationError(f"{path}: no such file")
    t0 = time.perf_counter()
    input_hash = file_hash(path)
    chunker = Chunker(validator, chunk_size, on_invalid, result, file=str(path))
    for line, record in open_orders_file(path, file_format, validator.require_source_id):
        chunker.add(line, record)  # a full chunk is dropped at once: the scan keeps nothing
    known_bad = {r.line for r in result.skipped if r.line is not None}
    result.timings["read"] += time.perf_counter() - t0 - result.timings["validate"]
    logger.info("scanned %s: %d record(s), %d invalid", path, chunker.index, len(known_bad))
    return Plan(records=None, async_records=None, file=str(path), input_hash=input_hash, known_bad=known_bad)


def prepare_source(
    source: Any,
    *,
    file_format: str | None,
    validator: OrderValidator,
    chunk_size: int,
    on_invalid: OnInvalid,
    result: ImportResult,
) -> tuple[Path | None, Plan | None]:
    if isinstance(source, str | os.PathLike):
        return Path(source), None
    if isinstance(source, bytes | bytearray):
        raise TypeError("source must be an iterable of orders or a path, not bytes")
    if isinstance(source, AsyncIterable):
        return None, Plan(records=None, async_records=source, file=None, input_hash=None, known_bad=None)
    if not isinstance(source, Iterable):
        raise TypeError(f"source must be an iterable of orders or a path, got {type(source).__name__}")
    records: Iterator[tuple[int | None, Any]] = ((None, r) for r in source)
    return None, Plan(records=records, async_records=None, file=None, input_hash=None, known_bad=None)


def iter_chunks(
    plan: Plan, path: Path | None, file_format: str | None, chunker: Chunker, result: ImportResult
) -> Iterator[Chunk]:
    if path is not None:
        records: Iterator[tuple[int | None, Any]] = iter(
            open_orders_file(path, file_format, chunker.validator.require_source_id)
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


async def aiter_chunks(records: AsyncIterable[Any], chunker: Chunker) -> AsyncGenerator[Chunk]:
    async for record in records:
        chunk = chunker.add(None, record)
        if chunk is not None:
            yield chunk
    last = chunker.finish()
    if last is not None:
        yield last
