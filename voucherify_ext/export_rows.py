"""Export CSV → rows: typed values per cell, and line/record assembly for streamed text.

:meth:`voucherify_ext.exports.ExportHandle.iter_rows` and its async twin use these; they are
pure (no I/O), so the sync reader can hand ``csv`` a line iterator while the async one pushes
text in as it arrives.
"""

from __future__ import annotations

import collections
import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from dateutil.parser import isoparse

__all__ = ["AMOUNT_COLUMNS", "DATE_COLUMNS", "Lines", "Records", "parse_row", "rows"]

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


def _decode_json_cell(text: str) -> Any:
    if text[:1] in ("{", "[") or text in ("true", "false"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text
    return number if text.strip() == text and number == number else text


def parse_row(row: Mapping[str, str]) -> dict[str, Any]:
    """Typed values for one CSV row: empty cells → None; ``created_at``/``updated_at`` →
    timezone-aware ``datetime``; amount columns → ``int``; ``metadata`` and
    ``metadata.<key>`` → JSON-decoded objects, arrays, booleans and numbers (other text stays
    text). Anything else stays a string."""
    out: dict[str, Any] = {}
    for column, text in row.items():
        if text is None or text == "":
            out[column] = None
        elif column in DATE_COLUMNS:
            try:
                out[column] = isoparse(text)
            except ValueError:
                out[column] = text
        elif column in AMOUNT_COLUMNS:
            try:
                out[column] = int(text)
            except ValueError:
                out[column] = text
        elif column == "metadata" or column.startswith("metadata."):
            out[column] = _decode_json_cell(text)
        else:
            out[column] = text
    return out


class Lines:
    """Text chunks → lines with their endings kept (the csv module needs them for quoted
    newlines)."""

    def __init__(self) -> None:
        self._tail = ""

    def feed(self, text: str) -> list[str]:
        text = self._tail + text
        lines = text.splitlines(keepends=True)
        if lines and not lines[-1].endswith(("\n", "\r")):
            self._tail = lines.pop()
        else:
            self._tail = ""
        return lines

    def end(self) -> list[str]:
        tail, self._tail = self._tail, ""
        return [tail] if tail else []


class Records:
    """Lines in, CSV records out, for push-style (async) input. A record is complete when its
    lines hold an even number of quote characters (RFC 4180 escapes a quote by doubling it),
    so one ``csv.reader`` is only asked for a record once all its lines have arrived."""

    def __init__(self) -> None:
        self._lines: collections.deque[str] = collections.deque()
        self._reader = csv.reader(self)
        self._complete = 0
        self._open_quote = False
        self._header: list[str] | None = None

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if not self._lines:
            raise StopIteration
        return self._lines.popleft()

    def feed(self, lines: Iterable[str]) -> Iterator[dict[str, str]]:
        for line in lines:
            self._lines.append(line)
            if line.count('"') % 2:
                self._open_quote = not self._open_quote
            if not self._open_quote:
                self._complete += 1
        while self._complete:
            self._complete -= 1
            record = next(self._reader, None)
            if not record:
                continue
            if self._header is None:
                self._header = record
                continue
            yield dict(zip(self._header, record, strict=False))


def rows(lines: Iterable[str], parse: bool) -> Iterator[dict[str, Any]]:
    reader = csv.DictReader(lines)
    for row in reader:
        yield parse_row(row) if parse else dict(row)
