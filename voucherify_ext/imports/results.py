"""What an import did: the result, per-chunk reports, refused orders, progress events.

These are the types :func:`voucherify_ext.imports.drivers.import_orders` returns and reports; they
are importable from :mod:`voucherify_ext.imports.drivers` too.
"""

from __future__ import annotations

import enum
from typing import Literal

import attrs

__all__ = [
    "ChunkReport",
    "ChunkStatus",
    "ImportFailure",
    "ImportProgress",
    "ImportResult",
    "InvalidRecord",
    "attach_result",
    "record_location",
]


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
        return record_location(self.index, line=self.line, file=self.file, chunk=self.chunk)


def record_location(index: int, *, line: int | None, file: str | None, chunk: int | None) -> str:
    """Where an input record is: ``file:line``, else ``record N`` (with its chunk when known)."""
    if file is not None and line is not None:
        return f"{file}:{line}"
    where = f"record {index}"
    return where if chunk is None else f"{where} (chunk {chunk})"


class ChunkStatus(enum.StrEnum):
    SUBMITTED = "SUBMITTED"  # the async action exists; not waited for
    DONE = "DONE"
    FAILED = "FAILED"


@attrs.define
class ChunkReport:
    """One chunk: its number (from 1), size, async action and, once waited for, its counts.

    ``resumed``: submitted by an earlier run (found in the checkpoint). ``reconciled``: its
    POST lost the response and the action was found in the async-action list instead.
    ``problem``: why, once waited for, the chunk's orders are not all accounted for although
    its action did not fail (no readable result, a count missing or negative, counts that do
    not add up to the chunk's size, refused orders named other than counted, the action not
    found, or an action that could not be read to a result: an unknown status, a body that
    does not match the spec, the status then staying ``SUBMITTED``); None when they are.
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
    problem: str | None = None

    @property
    def accounted(self) -> bool:
        """Every order of the chunk was imported or named as refused by exactly this action."""
        return (
            self.status is not ChunkStatus.SUBMITTED
            and self.problem is None
            and self.done_count >= 0
            and self.failed_count >= 0
            and self.done_count + self.failed_count == self.count
        )


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
    #: unclaimed ``ORDERS.IMPORT`` actions that appeared in the project while this import ran:
    #: a send concluded "not accepted" may have been accepted after all, or another import ran
    orphans: list[str] = attrs.field(factory=list)
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
    def unaccounted(self) -> list[ChunkReport]:
        """Chunks whose orders are not all accounted for by their action (see ``problem``)."""
        return [
            c
            for c in self.chunks
            if c.problem is not None or (c.status is not ChunkStatus.SUBMITTED and not c.accounted)
        ]

    @property
    def ok(self) -> bool:
        """True only when every order was imported by exactly one action: waited for, no order
        refused or skipped, every chunk's counts adding up, and no stray import action."""
        return (
            self.waited
            and not self.failed_count
            and not self.failed_chunks
            and not self.skipped
            and not self.orphans
            and all(c.accounted for c in self.chunks)
        )

    def problems(self) -> list[str]:
        """What keeps ``ok`` false, one line each (empty when ``ok``)."""
        lines: list[str] = []
        for chunk in self.chunks:
            if chunk.problem is not None:
                lines.append(f"chunk {chunk.index} ({chunk.async_action_id}): {chunk.problem}")
            elif chunk.status is ChunkStatus.FAILED:
                lines.append(f"chunk {chunk.index} ({chunk.async_action_id}): the action FAILED")
            elif chunk.status is ChunkStatus.DONE and not chunk.accounted:
                lines.append(
                    f"chunk {chunk.index} ({chunk.async_action_id}): {chunk.done_count} imported + "
                    f"{chunk.failed_count} failed of {chunk.count} sent"
                )
        unnamed: dict[int, int] = {}
        for failure in self.failures:
            if failure.source_id is None:
                unnamed[failure.chunk] = unnamed.get(failure.chunk, 0) + 1
        lines.extend(f"chunk {index}: {n} unnamed failure(s)" for index, n in sorted(unnamed.items()))
        if self.orphans:
            lines.append(
                f"{len(self.orphans)} unclaimed ORDERS.IMPORT action(s) appeared while this import ran "
                f"({', '.join(self.orphans)}): a send taken for not accepted may have been imported "
                "after all, or another import ran in this project"
            )
        return lines

    def summary(self) -> str:
        text = f"{len(self.chunks)} chunk(s), {self.submitted} order(s) submitted"
        if self.waited:
            text += f", {self.done_count} imported, {self.failed_count} failed"
        if self.skipped:
            text += f", {len(self.skipped)} invalid skipped"
        if self.waited and not self.ok:
            problems = self.problems()
            if problems:
                text += "; NOT OK: " + "; ".join(problems)
        if self.chunks:
            text += "; async actions: " + ", ".join(self.async_action_ids)
        return text


@attrs.frozen
class ImportProgress:
    """Passed to ``on_progress``: during submission ``phase == "submitting"``, then
    ``"waiting"`` with ``current_chunk`` and its action's ``action_progress`` (0-100).
    ``orders_total``: for a file, the valid orders it holds (known from the validating scan,
    so a progress bar needs no reading of its own); None for an iterable."""

    phase: Literal["submitting", "waiting"]
    orders_submitted: int
    chunks_submitted: int
    chunks_done: int
    current_chunk: int | None
    action_progress: int | None
    failures: int
    orders_total: int | None = None


def attach_result(exc: BaseException, result: ImportResult) -> None:
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
