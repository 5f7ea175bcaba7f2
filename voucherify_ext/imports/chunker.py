"""Validating records and grouping the valid ones into chunks (pure: no I/O).

:class:`Chunker` takes ``(line, record)`` pairs one at a time, from any source (a file's
reading, an iterable, an async iterable), and hands back a :class:`Chunk` whenever one is full.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterable, Mapping
from typing import Any, Literal

import attrs

from voucherify_ext.errors import ImportFileChangedError, ImportValidationError
from voucherify_ext.imports.readers import ParseError
from voucherify_ext.imports.results import ImportResult, InvalidRecord
from voucherify_ext.logs import logger
from voucherify_ext.validation import OrderValidator

__all__ = ["Chunk", "Chunker", "OnInvalid", "aiter_chunks"]

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


async def aiter_chunks(records: AsyncIterable[Any], chunker: Chunker) -> AsyncGenerator[Chunk]:
    """The chunks of an async iterable of records."""
    async for record in records:
        chunk = chunker.add(None, record)
        if chunk is not None:
            yield chunk
    last = chunker.finish()
    if last is not None:
        yield last
