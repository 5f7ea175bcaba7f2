"""Reading an orders file: its raw lines, hashed as they are read; strict JSON decoding; the
JSON Lines reader. (:class:`~voucherify_ext.imports.plan.OrdersFile` is one reading of a JSONL
or CSV file.)

Files must be UTF-8 (a BOM is allowed): a line that is not is an invalid record named by
``file:line``, with the offending byte. A JSON value nested too deeply to decode, and
``NaN``/``Infinity`` (which Python's JSON reader accepts but the request body cannot carry),
are invalid records too. The CSV column mapping is in :mod:`voucherify_ext.imports.csv_reader`.

A reading hashes the bytes as it goes (:class:`HashedLines`), so the validating scan needs no
pass of its own for the file's hash (:mod:`voucherify_ext.imports.plan`).
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "HashedLines",
    "ParseError",
    "jsonl_records",
    "loads",
    "not_utf8",
    "read_jsonl_orders",
    "strip_bom",
]


class ParseError(Exception):
    """Internal: what is wrong with one record that cannot be parsed; it takes the record's
    place in the ``(line, record)`` stream and becomes an invalid record."""


def _refuse_constant(name: str) -> Any:
    raise ParseError(f"{name} is not valid JSON (only finite numbers are)")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def loads(text: str) -> Any:
    """``json.loads`` that refuses ``NaN``/``Infinity`` and turns too deep nesting into a
    :class:`ParseError` (the C decoder raises ``RecursionError``)."""
    try:
        return _DECODER.decode(text)
    except RecursionError:
        raise ParseError("nested too deeply to decode as JSON") from None


def not_utf8(exc: UnicodeDecodeError) -> str:
    byte = exc.object[exc.start : exc.start + 1].hex()
    return f"not UTF-8 text (byte 0x{byte} at column {exc.start + 1}); save the file as UTF-8"


def strip_bom(number: int, raw: bytes) -> bytes:
    """The first line without its UTF-8 BOM (any other line as it is)."""
    if number == 1 and raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :]
    return raw


class HashedLines:
    """The raw lines of a file, read once (one open), hashed as they go: ``whole`` is the hash
    of the file, :meth:`cut` returns the hash of the bytes read since the previous cut."""

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


def jsonl_records(lines: HashedLines) -> Iterator[tuple[int, Any]]:
    """``(line number, parsed value or ParseError)`` for each non-blank line."""
    for raw in lines:
        if not raw.strip():
            continue
        raw = strip_bom(lines.number, raw)
        try:
            yield lines.number, loads(raw.decode("utf-8"))
        except ParseError as exc:
            yield lines.number, exc
        except UnicodeDecodeError as exc:
            yield lines.number, ParseError(not_utf8(exc))
        except json.JSONDecodeError as exc:
            yield lines.number, ParseError(json_problem(exc))
        except ValueError as exc:
            yield lines.number, ParseError(f"not valid JSON ({exc.args[0] if exc.args else exc})")


def json_problem(exc: json.JSONDecodeError) -> str:
    """What is wrong with one line's JSON, placed by its column on that line alone (the caller
    names the file and line): the decoder's own "line 2 column 1" counts the line break."""
    text = exc.doc.rstrip("\r\n")
    if exc.pos >= len(text):
        return f"not valid JSON: the line ends (column {len(text) + 1}) before the value does ({exc.msg})"
    return f"not valid JSON at column {exc.colno}: {exc.msg}"


def read_jsonl_orders(path: str | os.PathLike[str]) -> Iterator[tuple[int, Any]]:
    """``(line number, parsed order)`` for each non-blank line of a JSON Lines file; a line
    that is not JSON (or not UTF-8) yields a :class:`~voucherify_ext.imports.readers.ParseError`
    instance in place of the order."""
    return jsonl_records(HashedLines(Path(path)))
