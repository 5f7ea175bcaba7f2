"""The CSV reader of order files: the column mapping, the header check, and rows as orders.

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
data silently). Lines are read through :class:`~voucherify_ext.imports.readers.HashedLines`,
so the bytes are hashed as they are read; the UTF-8 rules are those of
:mod:`voucherify_ext.imports.readers`.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from voucherify_ext.errors import ValidationError
from voucherify_ext.imports.readers import HashedLines, ParseError, loads, not_utf8, strip_bom

__all__ = ["CSV_COLUMNS", "csv_records", "read_csv_orders"]

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


def _looks_like_json(text: str) -> bool:
    head = text[:1]
    return head in ("{", "[", '"') or text in ("true", "false", "null") or _is_number(text)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower() not in ("nan", "inf", "-inf", "infinity", "-infinity")


def _csv_row(row: dict[str, str | None]) -> dict[str, Any]:
    order: dict[str, Any] = {}
    for column, raw in row.items():
        if raw is None or raw == "":
            continue
        if column == "items":
            try:
                order["items"] = loads(raw)
            except ParseError as exc:
                raise ParseError(f"items: {exc}") from None
            except ValueError:
                raise ParseError(f"items: not a JSON array: {raw[:60]!r}") from None
            continue
        if column.startswith("metadata."):
            key = column[9:]
            value: Any = raw
            if _looks_like_json(raw):
                try:
                    value = loads(raw)
                except ParseError as exc:
                    raise ParseError(f"{column}: {exc}") from None
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


class _Text:
    """The lines of a CSV file as text for :mod:`csv`. A line that is not UTF-8 is decoded with
    ``surrogateescape`` (so the row's line numbers stay right) and remembered in ``bad``."""

    def __init__(self, lines: HashedLines) -> None:
        self.lines = lines
        self.number = 0
        self.bad: dict[int, str] = {}  # text line number -> what is wrong with it

    def __iter__(self) -> Iterator[str]:
        for raw in self.lines:
            raw = strip_bom(self.lines.number, raw)
            # a lone CR ends a line too (as in a text file opened with newline="")
            for part in raw.splitlines(keepends=True) if b"\r" in raw else (raw,):
                self.number += 1
                try:
                    yield part.decode("utf-8")
                except UnicodeDecodeError as exc:
                    self.bad[self.number] = not_utf8(exc)
                    yield part.decode("utf-8", "surrogateescape")

    def problem(self, last: int) -> str | None:
        """What is wrong with the text lines up to ``last`` not yet reported (one record's)."""
        if not self.bad:
            return None
        found = sorted(n for n in self.bad if n <= last)
        messages = [self.bad.pop(n) for n in found]
        return messages[0] if messages else None


def csv_records(lines: HashedLines, require_source_id: bool) -> Iterator[tuple[int, Any]]:
    """``(line number, order dict or ParseError)`` for each row; a bad header raises
    :class:`~voucherify_ext.errors.ValidationError`."""
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
            yield reader.line_num, ParseError(f"not a CSV row: {exc}")
            continue
        problem = text.problem(reader.line_num)
        if problem is not None:
            yield reader.line_num, ParseError(problem)
        elif None in row:
            yield reader.line_num, ParseError("more cells than header columns")
        elif None in row.values():
            cells = sum(value is not None for value in row.values())
            yield reader.line_num, ParseError(f"fewer cells ({cells}) than header columns ({len(row)})")
        else:
            try:
                yield reader.line_num, _csv_row(cast(dict[str, str | None], row))
            except ParseError as exc:
                yield reader.line_num, exc


def read_csv_orders(
    path: str | os.PathLike[str], *, require_source_id: bool = True
) -> Iterator[tuple[int, Any]]:
    """``(line number, order dict)`` for each row of a CSV file, mapped as the module explains."""
    return csv_records(HashedLines(Path(path)), require_source_id)
