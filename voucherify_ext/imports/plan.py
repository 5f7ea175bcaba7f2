"""The plan of an import: what the source is, a file's validating scan, and the chunks to send.

:func:`prepare_source` tells a file path from an iterable or an async iterable. A file is read
twice, and opened once for each: the validating scan (:func:`scan_file`), which hashes the bytes
as it reads them (the checkpoint's input hash and a SHA-256 of the bytes behind every chunk:
there is no separate hash pass), then the sending pass (:func:`iter_chunks`). The file may
change in between: the sending pass hashes the bytes it reads the same way and compares
before a chunk is handed on to be sent. The first difference stops the run with
:class:`~voucherify_ext.errors.ImportFileChangedError`, which lists what was already sent:
a line that was not validated is never sent.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterable, Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from voucherify_ext.errors import (
    ConfigurationError,
    ImportFileChangedError,
    InputTypeError,
    ValidationError,
)
from voucherify_ext.imports.chunker import Chunk, Chunker, OnInvalid
from voucherify_ext.imports.csv_reader import csv_records
from voucherify_ext.imports.readers import HashedLines, jsonl_records
from voucherify_ext.imports.results import ImportResult
from voucherify_ext.item_lint import OrderItemWarning
from voucherify_ext.logs import logger
from voucherify_ext.validation import OrderValidator

__all__ = ["OrdersFile", "Plan", "iter_chunks", "open_orders_file", "prepare_source", "scan_file"]


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
    #: a file's: how many valid records the scan found (what the sending pass will send)
    valid_records: int | None = None
    #: a file's: the scan's item warnings, for the driver to issue in the caller's thread
    item_warnings: list[OrderItemWarning] = attrs.Factory(list)


def open_orders_file(path: Path, file_format: str | None, require_source_id: bool) -> OrdersFile:
    """A reading of ``path`` as ``file_format`` (``"jsonl"``/``"csv"``; None: by the suffix)."""
    fmt = file_format or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
    if fmt not in ("csv", "jsonl"):
        raise ConfigurationError(f"file_format must be 'jsonl' or 'csv', got {file_format!r}")
    return OrdersFile(path, fmt, require_source_id)


class OrdersFile:
    """One reading of an orders file (one open): its records, and the hashes of the bytes read."""

    def __init__(self, path: Path, fmt: str, require_source_id: bool) -> None:
        self.lines = HashedLines(path)
        self.records: Iterator[tuple[int, Any]] = (
            csv_records(self.lines, require_source_id) if fmt == "csv" else jsonl_records(self.lines)
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
    item_warnings: list[OrderItemWarning] = []  # the async driver scans in a worker thread
    chunker = Chunker(validator, chunk_size, on_invalid, result, file=str(path), warn=item_warnings.append)
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
        valid_records=chunker.index - len(result.skipped),
        item_warnings=item_warnings,
    )


def prepare_source(source: Any) -> tuple[Path | None, Plan | None]:
    """A file's path (its scan makes the plan), or the plan of an iterable or async iterable."""
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

    def __init__(self, plan: Plan, reading: OrdersFile, result: ImportResult) -> None:
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
