"""Validating records and grouping the valid ones into chunks (pure: no I/O).

:class:`Chunker` takes ``(line, record)`` pairs one at a time, from any source (a file's
reading, an iterable, an async iterable), and hands back a :class:`Chunk` whenever one is full.
A valid order with items that name a product or SKU by ``source_id`` without
``related_object`` (:mod:`voucherify_ext.item_lint`) is reported through ``warn`` as an
:class:`~voucherify_ext.OrderItemWarning` with its location: the first ``MAX_ITEM_WARNINGS``
orders one by one, the rest counted in one last warning (a strict validator refuses them
instead).
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterable, Callable, Mapping
from typing import Any, Literal

import attrs

from voucherify_ext.caller_warnings import warn_at_caller
from voucherify_ext.errors import ImportFileChangedError, ImportValidationError
from voucherify_ext.imports.readers import ParseError
from voucherify_ext.imports.results import ImportResult, InvalidRecord, record_location
from voucherify_ext.item_lint import REMEDY, STRICT_HINT, OrderItemWarning, items_text, unlinked_items
from voucherify_ext.logs import logger
from voucherify_ext.validation import OrderValidator

__all__ = ["MAX_ITEM_WARNINGS", "Chunk", "Chunker", "OnInvalid", "aiter_chunks"]

OnInvalid = Literal["raise", "skip"]
#: orders of one run warned about one by one (the rest are counted in one last warning)
MAX_ITEM_WARNINGS = 10


def _as_dict(record: Any) -> Any:
    if isinstance(record, dict):
        return record
    if isinstance(record, Mapping):
        return dict(record)
    to_dict = getattr(record, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    return record  # the validator explains what is wrong with it


@attrs.define
class Chunk:
    index: int
    orders: list[dict[str, Any]]
    first_record: int


class Chunker:
    """Validates records and groups the valid ones into chunks (pure, no I/O).

    ``warn`` receives the :class:`~voucherify_ext.OrderItemWarning` of the run (by default
    issued at the caller's line; a scan in a worker thread collects them instead)."""

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
        warn: Callable[[OrderItemWarning], None] = warn_at_caller,
    ) -> None:
        self.validator = validator
        self.chunk_size = chunk_size
        self.on_invalid = on_invalid
        self.result = result
        self.file = file
        self.known_bad = known_bad
        self.validate = validate
        self.warn = warn
        self.unlinked_orders = 0
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
        if isinstance(record, ParseError):
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
        if self.validate and not self.validator.strict:
            self._lint(order, index, line)
        self.pending.append(order)
        if len(self.pending) >= self.chunk_size:
            return self._emit()
        return None

    def _lint(self, order: dict[str, Any], index: int, line: int | None) -> None:
        paths = unlinked_items(order)
        if not paths:
            return
        self.unlinked_orders += 1
        if self.unlinked_orders > MAX_ITEM_WARNINGS:
            return
        where = record_location(index, line=line, file=self.file, chunk=self.chunk_no)
        message = f"{where}: {items_text(paths)}; {REMEDY} ({STRICT_HINT})"
        self.warn(OrderItemWarning(message, paths=paths, location=where, line=line, index=index))

    def _emit(self) -> Chunk:
        chunk = Chunk(self.chunk_no, self.pending, self.first)
        self.chunk_no += 1
        self.pending = []
        return chunk

    def finish(self) -> Chunk | None:
        more = self.unlinked_orders - MAX_ITEM_WARNINGS
        if more > 0:
            self.unlinked_orders = MAX_ITEM_WARNINGS  # said once
            message = (
                f"{more} more order(s) of this import have items that name a product or SKU by "
                f"source_id without related_object (the first {MAX_ITEM_WARNINGS} were reported "
                f"one by one); {REMEDY}"
            )
            self.warn(OrderItemWarning(message, more=more))
        return self._emit() if self.pending else None


async def aiter_chunks(records: AsyncIterable[Any], chunker: Chunker) -> AsyncGenerator[Chunk]:
    """The chunks of an async iterable of records."""
    async for record in records:
        chunk = chunker.add(None, record)
        if chunk is not None:
            yield chunk
    last = chunker.finish()
    if last is not None:
        yield last
