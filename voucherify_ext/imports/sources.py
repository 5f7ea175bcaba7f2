"""Where orders to import come from: JSON Lines and CSV files, iterables, async iterables.

Reading, the CSV column mapping, the whole-file validating scan, and grouping valid records
into chunks (:class:`Chunker`, pure: no I/O). :mod:`voucherify_ext.imports.steps` sends the
chunks; :mod:`voucherify_ext.imports.drivers` is the public entry point.

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

Files must be UTF-8 (a BOM is allowed): a line that is not is an invalid record named by
``file:line``, with the offending byte. A JSON value nested too deeply to decode, and
``NaN``/``Infinity`` (which Python's JSON reader accepts but the request body cannot carry),
are invalid records too.

A file is read twice, a validating scan and the sending pass, and may change in between. The
scan records a SHA-256 of the bytes behind every chunk (and of the whole file, the
checkpoint's input hash); the sending pass hashes the bytes it reads the same way and compares
before a chunk is handed on to be sent. The first difference stops the run with
:class:`~voucherify_ext.errors.ImportFileChangedError`, which lists what was already sent:
a line that was not validated is never sent.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
import time
from collections.abc import AsyncGenerator, AsyncIterable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, cast

import attrs

from voucherify_ext.errors import (
    ConfigurationError,
    ImportFileChangedError,
    ImportValidationError,
    InputTypeError,
    ValidationError,
)
from voucherify_ext.imports.results import ImportResult, InvalidRecord
from voucherify_ext.logs import logger
from voucherify_ext.validation import OrderValidator

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


def _refuse_constant(name: str) -> Any:
    raise _ParseError(f"{name} is not valid JSON (only finite numbers are)")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _loads(text: str) -> Any:
    """``json.loads`` that refuses ``NaN``/``Infinity`` and turns too deep nesting into a
    :class:`_ParseError` (the C decoder raises ``RecursionError``)."""
    try:
        return _DECODER.decode(text)
    except RecursionError:
        raise _ParseError("nested too deeply to decode as JSON") from None


def _not_utf8(exc: UnicodeDecodeError) -> str:
    byte = exc.object[exc.start : exc.start + 1].hex()
    return f"not UTF-8 text (byte 0x{byte} at column {exc.start + 1}); save the file as UTF-8"


def _csv_row(row: dict[str, str | None]) -> dict[str, Any]:
    order: dict[str, Any] = {}
    for column, raw in row.items():
        if raw is None or raw == "":
            continue
        if column == "items":
            try:
                order["items"] = _loads(raw)
            except _ParseError as exc:
                raise _ParseError(f"items: {exc}") from None
            except ValueError:
                raise _ParseError(f"items: not a JSON array: {raw[:60]!r}") from None
            continue
        if column.startswith("metadata."):
            key = column[9:]
            value: Any = raw
            if _looks_like_json(raw):
                try:
                    value = _loads(raw)
                except _ParseError as exc:
                    raise _ParseError(f"{column}: {exc}") from None
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


class _Lines:
    """The raw lines of a file, read once, hashed as they go: ``whole`` is the hash of the
    file, :meth:`cut` returns the hash of the bytes read since the previous cut."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.number = 0
        self.whole = hashlib.sha256()
        self._part = hashlib.sha256()

    def __iter__(self) -> Iterator[bytes]:
        with open(self.path, "rb") as handle:
            for raw in handle:
                self.number += 1
                self.whole.update(raw)
                self._part.update(raw)
                yield raw

    def cut(self) -> str:
        digest = self._part.hexdigest()
        self._part = hashlib.sha256()
        return digest


def _jsonl_records(lines: _Lines) -> Iterator[tuple[int, Any]]:
    for raw in lines:
        if not raw.strip():
            continue
        if lines.number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield lines.number, _loads(raw.decode("utf-8"))
        except _ParseError as exc:
            yield lines.number, exc
        except UnicodeDecodeError as exc:
            yield lines.number, _ParseError(_not_utf8(exc))
        except ValueError as exc:
            yield lines.number, _ParseError(f"not valid JSON ({exc.args[0] if exc.args else exc})")


class _Text:
    """The lines of a CSV file as text for :mod:`csv`. A line that is not UTF-8 is decoded with
    ``surrogateescape`` (so the row's line numbers stay right) and remembered in ``bad``."""

    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.number = 0
        self.bad: dict[int, str] = {}  # text line number -> what is wrong with it

    def __iter__(self) -> Iterator[str]:
        for raw in self.lines:
            if self.lines.number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            # a lone CR ends a line too (as in a text file opened with newline="")
            for part in raw.splitlines(keepends=True) if b"\r" in raw else (raw,):
                self.number += 1
                try:
                    yield part.decode("utf-8")
                except UnicodeDecodeError as exc:
                    self.bad[self.number] = _not_utf8(exc)
                    yield part.decode("utf-8", "surrogateescape")

    def problem(self, last: int) -> str | None:
        """What is wrong with the text lines up to ``last`` not yet reported (one record's)."""
        if not self.bad:
            return None
        found = sorted(n for n in self.bad if n <= last)
        messages = [self.bad.pop(n) for n in found]
        return messages[0] if messages else None


def _csv_records(lines: _Lines, require_source_id: bool) -> Iterator[tuple[int, Any]]:
    path = lines.path
    text = _Text(lines)
    reader = csv.DictReader(text)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        raise ValidationError(f"{path}:1: the CSV header row cannot be read: {exc}") from None
    if 1 in text.bad:
        raise ValidationError(f"{path}:1: the CSV header row is {text.bad[1]}")
    _check_csv_header(path, list(header or []), require_source_id)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            text.problem(reader.line_num)
            yield reader.line_num, _ParseError(f"not a CSV row: {exc}")
            continue
        problem = text.problem(reader.line_num)
        if problem is not None:
            yield reader.line_num, _ParseError(problem)
        elif None in row:
            yield reader.line_num, _ParseError("more cells than header columns")
        elif None in row.values():
            cells = sum(value is not None for value in row.values())
            yield reader.line_num, _ParseError(f"fewer cells ({cells}) than header columns ({len(row)})")
        else:
            try:
                yield reader.line_num, _csv_row(cast(dict[str, str | None], row))
            except _ParseError as exc:
                yield reader.line_num, exc


def read_jsonl_orders(path: str | os.PathLike[str]) -> Iterator[tuple[int, Any]]:
    """``(line number, parsed order)`` for each non-blank line of a JSON Lines file; a line
    that is not JSON (or not UTF-8) yields a :class:`_ParseError` instance in place of the order."""
    return _jsonl_records(_Lines(Path(path)))


def read_csv_orders(
    path: str | os.PathLike[str], *, require_source_id: bool = True
) -> Iterator[tuple[int, Any]]:
    """``(line number, order dict)`` for each row of a CSV file, mapped as the module explains."""
    return _csv_records(_Lines(Path(path)), require_source_id)


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
        if problem is not None and not self.validate and self.file is not None:
            # the scan found this line good: the file changed since
            raise ImportFileChangedError(
                self.file,
                chunk=self.chunk_no,
                line=line,
                why=f"this line is not the one validated: {problem}",
                result=self.result,
            )
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
    #: a file's: the SHA-256 of the bytes behind each chunk, then of what follows the last one
    chunk_digests: list[str] | None = None


def open_orders_file(path: Path, file_format: str | None, require_source_id: bool) -> _OrdersFile:
    fmt = file_format or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
    if fmt not in ("csv", "jsonl"):
        raise ConfigurationError(f"file_format must be 'jsonl' or 'csv', got {file_format!r}")
    return _OrdersFile(path, fmt, require_source_id)


class _OrdersFile:
    """One reading of an orders file: its records, and the hashes of the bytes read."""

    def __init__(self, path: Path, fmt: str, require_source_id: bool) -> None:
        self.lines = _Lines(path)
        self.records: Iterator[tuple[int, Any]] = (
            _csv_records(self.lines, require_source_id) if fmt == "csv" else _jsonl_records(self.lines)
        )

    @property
    def input_hash(self) -> str:
        return "sha256:" + self.lines.whole.hexdigest()


def scan_file(
    path: Path,
    file_format: str | None,
    validator: OrderValidator,
    chunk_size: int,
    on_invalid: OnInvalid,
    result: ImportResult,
) -> Plan:
    """The whole-file validating pass: raises on the first bad line (``on_invalid="raise"``)
    or records every bad line; nothing is sent before it has finished. The plan keeps the
    hash of the bytes behind every chunk, for the sending pass to compare."""
    if not path.is_file():
        raise ValidationError(f"{path}: no such file")
    t0 = time.perf_counter()
    chunker = Chunker(validator, chunk_size, on_invalid, result, file=str(path))
    reading = open_orders_file(path, file_format, validator.require_source_id)
    digests: list[str] = []
    try:
        for line, record in reading.records:
            if chunker.add(line, record) is not None:  # the scan keeps no chunk, only its hash
                digests.append(reading.lines.cut())
    except OSError as exc:
        raise ValidationError(
            f"{path}: cannot read the file: {exc.strerror or exc}", path=str(path)
        ) from None
    chunker.finish()
    digests.append(reading.lines.cut())  # the last chunk's, or what follows the last full chunk
    known_bad = {r.line for r in result.skipped if r.line is not None}
    result.timings["read"] += time.perf_counter() - t0 - result.timings["validate"]
    logger.info("scanned %s: %d record(s), %d invalid", path, chunker.index, len(known_bad))
    return Plan(
        records=None,
        async_records=None,
        file=str(path),
        input_hash=reading.input_hash,
        known_bad=known_bad,
        chunk_digests=digests,
    )


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
        try:
            return Path(source), None
        except TypeError:  # an os.PathLike whose __fspath__ returns neither str nor bytes
            raise InputTypeError("source: a path-like object must give a str path", path="source") from None
    if isinstance(source, bytes | bytearray):
        raise InputTypeError("source must be an iterable of orders or a path, not bytes", path="source")
    if isinstance(source, AsyncIterable):
        return None, Plan(records=None, async_records=source, file=None, input_hash=None, known_bad=None)
    if not isinstance(source, Iterable):
        raise InputTypeError(
            f"source must be an iterable of orders or a path, got {type(source).__name__}", path="source"
        )
    records: Iterator[tuple[int | None, Any]] = ((None, r) for r in source)
    return None, Plan(records=records, async_records=None, file=None, input_hash=None, known_bad=None)


class _Verifier:
    """The sending pass's check that the file still holds the bytes the scan validated."""

    def __init__(self, plan: Plan, reading: _OrdersFile, result: ImportResult) -> None:
        assert plan.file is not None and plan.chunk_digests is not None
        self.file = plan.file
        self.expected = plan.chunk_digests
        self.reading = reading
        self.result = result
        self.cuts = 0

    def check(self, chunk_no: int | None) -> None:
        """Before chunk ``chunk_no`` is sent (None: the end of the file, after the last chunk)."""
        digest = self.reading.lines.cut()
        index, self.cuts = self.cuts, self.cuts + 1
        if index >= len(self.expected):
            why = "it now holds more records than were validated"
        elif digest != self.expected[index]:
            why = "the bytes read differ from those validated"
        else:
            return
        raise ImportFileChangedError(
            self.file, chunk=chunk_no, line=self.reading.lines.number, why=why, result=self.result
        )

    def finish(self, chunk_no: int | None) -> None:
        """At the end of the file: nothing may be missing either."""
        if self.cuts != len(self.expected):
            raise ImportFileChangedError(
                self.file,
                chunk=chunk_no,
                line=self.reading.lines.number,
                why="it ends before the records that were validated",
                result=self.result,
            )


def iter_chunks(
    plan: Plan, path: Path | None, file_format: str | None, chunker: Chunker, result: ImportResult
) -> Iterator[Chunk]:
    """The chunks to send. For a file, each chunk's bytes are compared with what the scan
    validated before the chunk is yielded (:class:`ImportFileChangedError` on a difference)."""
    verifier: _Verifier | None = None
    if path is not None:
        reading = open_orders_file(path, file_format, chunker.validator.require_source_id)
        records: Iterator[tuple[int | None, Any]] = iter(reading.records)
        verifier = _Verifier(plan, reading, result)
    else:
        assert plan.records is not None
        records = plan.records
    while True:
        t0 = time.perf_counter()
        validate_before = result.timings["validate"]
        chunk = None
        exhausted = False
        try:
            for line, record in records:
                chunk = chunker.add(line, record)
                if chunk is not None:
                    break
            else:
                exhausted = True
                chunk = chunker.finish()
        except OSError as exc:  # the sending pass reopened a file that is gone or unreadable
            if verifier is None:
                raise
            why = f"it can no longer be read: {exc.strerror or exc}"
            raise ImportFileChangedError(
                verifier.file, chunk=chunker.chunk_no, line=None, why=why, result=result
            ) from None
        result.timings["read"] += time.perf_counter() - t0 - (result.timings["validate"] - validate_before)
        if verifier is not None:
            verifier.check(chunk.index if chunk is not None else None)
            if exhausted:
                verifier.finish(chunk.index if chunk is not None else None)
        if chunk is not None:
            yield chunk
        if exhausted:
            return


async def aiter_chunks(records: AsyncIterable[Any], chunker: Chunker) -> AsyncGenerator[Chunk]:
    async for record in records:
        chunk = chunker.add(None, record)
        if chunk is not None:
            yield chunk
    last = chunker.finish()
    if last is not None:
        yield last
