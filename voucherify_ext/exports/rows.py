"""Export CSV → rows: bytes in, typed dicts out, for streamed input (sync and async alike).

:meth:`voucherify_ext.exports.ExportHandle.iter_rows` and its async twin push the download's
bytes into one :class:`RowReader` as they arrive; it is pure (no I/O), so both read a file the
same way:

* bytes are decoded strictly (UTF-8 unless the response names another charset); a leading
  byte-order mark is dropped; bytes that do not decode are an :class:`ExportRowError` naming
  the line;
* text is cut into lines only at CSV's own line breaks (``\\n``, ``\\r\\n``, a lone ``\\r``),
  never at the other characters ``str.splitlines`` breaks at (``\\u2028``, ``\\x0b``,
  ``\\x0c``, ``\\x1c``, ``\\x85``, ...), and ``csv.reader`` decides where a record ends (a
  quoted cell may hold line breaks);
* a row with more or fewer cells than the header, or a quoted cell still open at the end of
  the file, is an :class:`ExportRowError` naming the line where the row starts;
* :func:`parse_row` types the cells (the rules are in its docstring and in docs/jobs.md).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from dateutil.parser import isoparse

from voucherify_ext.errors import ExportRowError

__all__ = ["AMOUNT_COLUMNS", "DATE_COLUMNS", "ExportRowError", "RowReader", "decode_metadata", "parse_row"]

DATE_COLUMNS = frozenset({"created_at", "updated_at"})
AMOUNT_COLUMNS = frozenset(
    {
        "amount",
        "initial_amount",
        "discount_amount",
        "items_discount_amount",
        "total_discount_amount",
        "total_amount",
    }
)

_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)


class _CellError(ValueError):
    """A cell that cannot be typed (its column and why); the reader adds the line."""


def decode_metadata(text: str) -> Any:
    """A ``metadata`` / ``metadata.<key>`` cell → its value, by the documented rule:

    * an object or array (starts with ``{`` or ``[`` and is valid JSON; ``NaN``/``Infinity``
      are not JSON) → the decoded ``dict`` / ``list``;
    * ``true`` / ``false`` → ``bool``;
    * a number exactly as JSON writes it (``json.dumps(value) == text``: ``7``, ``-2``,
      ``1.5``, ``1e+16``) → ``int`` / ``float``;
    * anything else stays the text it is: ``02134``, ``1_000``, ``+5``, ``1.50``, ``inf``,
      ``NaN``, ``"quoted"``, ``null``, `` 7`` (what ``int``/``float`` would accept is no rule).

    A cell cannot tell the text ``"7"`` from the number ``7``: export the ``metadata`` column
    (the whole object, as JSON) when the types must come back exactly."""
    first = text[:1]
    if first in ("{", "["):
        try:
            return _DECODER.decode(text)
        except RecursionError:
            raise _CellError("nested too deeply to decode as JSON") from None
        except ValueError:
            return text
    if text == "true":
        return True
    if text == "false":
        return False
    if (first == "-" or first.isdigit()) and _JSON_NUMBER.fullmatch(text):
        try:
            number: int | float = int(text) if _INTEGER.fullmatch(text) else float(text)
        except ValueError:  # more digits than int() converts
            return text
        if json.dumps(number) == text:
            return number
    return text


def _parse_time(text: str) -> Any:
    try:
        value = datetime.datetime.fromisoformat(text)  # fast, and most ISO 8601 forms
    except ValueError:
        try:
            value = isoparse(text)
        except (ValueError, OverflowError):
            return text
    if value.tzinfo is None:  # exported times are UTC; a date alone is midnight UTC
        value = value.replace(tzinfo=datetime.UTC)
    return value


def parse_row(row: Mapping[str, str | None]) -> dict[str, Any]:
    """Typed values for one CSV row: empty cells → None; ``created_at``/``updated_at`` →
    timezone-aware ``datetime`` with the offset the file gives (UTC when it gives none, as
    Voucherify exports UTC; a date without a time is midnight UTC); amount columns → ``int``
    when the cell is a plain integer (``-?[0-9]+``); ``metadata`` and ``metadata.<key>`` →
    :func:`decode_metadata`. Anything else stays a string."""
    out: dict[str, Any] = {}
    for column, text in row.items():
        if text is None or text == "":
            out[column] = None
        elif column in DATE_COLUMNS:
            out[column] = _parse_time(text)
        elif column in AMOUNT_COLUMNS:
            out[column] = int(text) if _INTEGER.fullmatch(text) and len(text) < 4000 else text
        elif column == "metadata" or column.startswith("metadata."):
            try:
                out[column] = decode_metadata(text)
            except _CellError as exc:
                raise _CellError(f"column {column!r}: {exc}") from None
        else:
            out[column] = text
    return out


def _line_breaks(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


class RowReader:
    """Bytes in (:meth:`feed`, then :meth:`end`), rows out: dicts keyed by the header's
    columns, typed by :func:`parse_row` (``parse=True``) or the raw strings. Errors are
    :class:`ExportRowError` with ``job_id`` (the export id) and ``line``.

    Complete lines go to one ``csv.reader``, which alone decides where a record ends. When it
    wants a line that has not arrived yet (a record cut by the end of a chunk), what it read is
    put back and read again once more lines are in: at the first line after which the record's
    lines hold an even number of quote characters (RFC 4180 doubles a quote inside a quoted
    cell), so a cell spanning many chunks is not re-read for each."""

    def __init__(self, export_id: str, *, parse: bool = True, encoding: str | None = None) -> None:
        self._export_id = export_id
        self._parse = parse
        try:
            name = codecs.lookup(encoding or "utf-8").name
        except LookupError:  # a charset Python does not know: read it as UTF-8
            name = "utf-8"
        self._encoding = name
        self._decoder = codecs.getincrementaldecoder("utf-8-sig" if name == "utf-8" else name)("strict")
        self._tail = ""  # text after the last line break (and a "\r" that may start "\r\n")
        self._lines: list[str] = []  # complete lines not yet read by a finished record
        self._pos = 0  # the next line the csv reader gets
        self._base = 0  # lines dropped from _lines (read by finished records)
        self._starved = False
        self._reader = csv.reader(self._next_line())
        self._waiting = False  # a record wanted more lines: wait until its quotes pair up
        self._scanned = 0  # with _waiting: lines of _lines whose quotes were counted
        self._odd = False  # with _waiting: the quotes counted so far are odd
        self._header: list[str] | None = None
        self._ended = False

    # --------------------------------------------------------------- input

    def _next_line(self) -> Iterator[str]:
        lines = self._lines
        while self._pos < len(lines):
            self._pos += 1
            yield lines[self._pos - 1]
        self._starved = True

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        try:
            text = self._decoder.decode(data)
        except UnicodeDecodeError as exc:
            raise self._not_decodable(exc) from None
        if not text:
            return []
        self._take_text(text)
        return self._records()

    def end(self) -> list[dict[str, Any]]:
        try:
            text = self._decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise self._not_decodable(exc) from None
        self._take_text(text)
        if self._tail:
            self._lines.append(self._tail)
            self._tail = ""
        self._ended = True
        self._waiting = False
        return self._records()

    def _not_decodable(self, exc: UnicodeDecodeError) -> ExportRowError:
        prefix = bytes(exc.object[: exc.start]).decode(exc.encoding, "replace")
        line = self._base + len(self._lines) + _line_breaks(self._tail + prefix) + 1
        byte = bytes(exc.object[exc.start : exc.start + 1]).hex()
        return ExportRowError(
            f"export {self._export_id}: line {line} is not {self._encoding} text (byte 0x{byte}); "
            "the file is not in the encoding the server declared",
            job_id=self._export_id,
            line=line,
        )

    def _take_text(self, text: str) -> None:
        text = self._tail + text
        lines = _LINE.findall(text)
        size = sum(map(len, lines))
        if lines and size == len(text) and text.endswith("\r"):
            size -= len(lines.pop())  # a "\r" at the end may be the first half of "\r\n"
        self._tail = text[size:]
        self._lines.extend(lines)

    # --------------------------------------------------------------- records

    def _ready(self) -> bool:
        """After a record wanted more lines: whether a line in since pairs its quotes up (or,
        if a stray quote made them look paired already, whether any new line is in)."""
        lines = self._lines
        while self._scanned < len(lines):
            line = lines[self._scanned]
            self._scanned += 1
            if line.count('"') % 2:
                self._odd = not self._odd
            if not self._odd:
                self._waiting = False
                return True
        return False

    def _records(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        lines = self._lines
        if self._waiting and not self._ready():
            return rows
        while self._pos < len(lines):
            start = self._pos
            self._starved = False
            try:
                record = next(self._reader, None)
            except csv.Error as exc:
                line = self._base + start + 1
                raise ExportRowError(
                    f"export {self._export_id}: line {line}: not CSV ({exc})",
                    job_id=self._export_id,
                    line=line,
                ) from None
            if self._starved:
                self._reader = csv.reader(self._next_line())  # its line source has ended
                if self._ended:
                    line = self._base + start + 1
                    raise ExportRowError(
                        f"export {self._export_id}: line {line}: a quoted cell is not closed "
                        "before the end of the file (was the file cut short?)",
                        job_id=self._export_id,
                        line=line,
                    )
                self._pos = start  # read it again once more lines are in
                self._waiting = True
                self._scanned = len(lines)
                self._odd = sum(line.count('"') for line in lines[start:]) % 2 == 1
                break
            if record:  # not a blank line
                row = self._row(record, self._base + start + 1)
                if row is not None:
                    rows.append(row)
        del lines[: self._pos]
        self._base += self._pos
        self._scanned = self._scanned - self._pos if self._waiting else 0
        self._pos = 0
        return rows

    def _row(self, record: list[str], line: int) -> dict[str, Any] | None:
        if self._header is None:
            self._header = record
            return None
        if len(record) != len(self._header):
            raise ExportRowError(
                f"export {self._export_id}: line {line}: {len(record)} cells, but the header has "
                f"{len(self._header)} columns",
                job_id=self._export_id,
                line=line,
            )
        row = dict(zip(self._header, record, strict=True))
        if not self._parse:
            return row
        try:
            return parse_row(row)
        except _CellError as exc:
            raise ExportRowError(
                f"export {self._export_id}: line {line}: {exc}", job_id=self._export_id, line=line
            ) from None
