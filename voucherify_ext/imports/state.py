"""One import's state, without I/O: the result, the async-action ids claimed, the checkpoint
records, the server-clock offset, progress events, and what a finished chunk's action accounts
for.

:mod:`voucherify_ext.imports.steps` makes the decisions with it; the reconciliation predicates
are in :mod:`voucherify_ext.imports.reconcile`, the checkpoint's records in
:mod:`voucherify_ext.imports.checkpoint_records`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar

from voucherify_client.models import AsyncActionGetResponseBody
from voucherify_client.types import Unset

from voucherify_ext.async_actions.states import action_state
from voucherify_ext.errors import (
    ConfigurationError,
    ImportTimeoutError,
    JobTimeoutError,
    OrderImportError,
)
from voucherify_ext.imports.action_result import import_result
from voucherify_ext.imports.checkpoint import Checkpoint
from voucherify_ext.imports.checkpoint_records import Send, chunk_hash
from voucherify_ext.imports.chunker import Chunk
from voucherify_ext.imports.reconcile import ReconcileRules
from voucherify_ext.imports.results import (
    ChunkReport,
    ChunkStatus,
    ImportFailure,
    ImportProgress,
    ImportResult,
)
from voucherify_ext.logs import logger
from voucherify_ext.server_waits import parse_http_date

T = TypeVar("T")

__all__ = ["DEFAULT_BAND", "DEFAULT_COMMIT_HORIZON", "MAX_CHUNK_SIZE", "MIN_BAND", "ImportRun"]

#: Voucherify's limit of orders per import request: the largest (and default) chunk size.
MAX_CHUNK_SIZE = 2000
#: The clock-uncertainty band (seconds) around a send time: the send time is the local clock,
#: corrected by the server's ``Date`` header (1 s resolution) when they differ by more than 2 s.
DEFAULT_BAND = 5.0
MIN_BAND = 2.0
#: How long after a send its import action may still appear in the list. The API states no
#: bound; this is an assumption, and the reason "no action yet" is never taken for "not sent".
DEFAULT_COMMIT_HORIZON = 60.0


def _known(value: T | Unset | None) -> T | None:
    """A field's value, or None when it is null or absent."""
    return None if isinstance(value, Unset) else value


class ImportRun(ReconcileRules):
    """One import's state and decisions, without I/O: the result, the action ids claimed, the
    checkpoint records, the server-clock offset, progress events, and (inherited from
    :class:`~voucherify_ext.imports.reconcile.ReconcileRules`) the predicates that
    reconciliation rests on (:meth:`precedes`, :meth:`judge`)."""

    def __init__(
        self,
        *,
        chunk_size: int,
        on_progress: Callable[[ImportProgress], None] | None,
        checkpoint_path: str | os.PathLike[str] | None,
        reconcile_window: float = DEFAULT_BAND,
        commit_horizon: float = DEFAULT_COMMIT_HORIZON,
        wall_clock: Callable[[], float],
    ) -> None:
        if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
            raise ConfigurationError(
                f"chunk_size must be between 1 and {MAX_CHUNK_SIZE} (the API's limit), got {chunk_size}"
            )
        if not reconcile_window >= MIN_BAND:
            raise ConfigurationError(
                f"reconcile_window must be at least {MIN_BAND:g} seconds (the Date header has 1 s "
                f"resolution), got {reconcile_window!r}"
            )
        if not commit_horizon >= 0:
            raise ConfigurationError(f"commit_horizon must be 0 or more seconds, got {commit_horizon!r}")
        super().__init__(
            band=float(reconcile_window), commit_horizon=float(commit_horizon), result=ImportResult()
        )
        self.chunk_size = chunk_size
        self.on_progress = on_progress
        self.checkpoint_path = checkpoint_path
        self.checkpoint: Checkpoint | None = None
        self.wall_clock = wall_clock
        self.server_offset = 0.0
        self.chunks_done = 0
        #: the newest async action known to exist before the next send: its id (None: the list
        #: was empty), and whether it is known at all (False: the list could not be read)
        self.predecessor: str | None = None
        self.predecessor_known = False
        self.baseline_taken = False
        #: whether the checkpoint holds a send whose outcome is unknown (an interrupted chunk):
        #: then the list is scanned for stray actions after waiting (see ``steps``)
        self.in_flight = False
        #: the valid orders of a file (from its scan), for progress events; None for an iterable
        self.orders_total: int | None = None

    # -- checkpoint and clock

    def open_checkpoint(self, input_hash: str | None) -> None:
        if self.checkpoint_path is None:
            return
        self.checkpoint = Checkpoint.open(
            self.checkpoint_path, input_hash=input_hash, chunk_size=self.chunk_size
        )
        for state in sorted(self.checkpoint.chunks.values(), key=lambda c: c.chunk):
            if state.async_action_id is not None:
                self.claimed[state.async_action_id] = state.chunk
            if state.interrupted is not None:
                self.in_flight = True
            for send in state.sends:
                if self.origin is None:
                    self.origin = send
                if send.refused_by == "horizon":
                    self.horizon_refused.append(send.sent_at)

    def close(self) -> None:
        if self.checkpoint is not None:
            self.checkpoint.close()

    def server_now(self) -> float:
        return self.wall_clock() + self.server_offset

    def observe_date(self, headers: Any) -> None:
        """Learn the server's clock offset from a ``Date`` header (only a large one matters)."""
        date = parse_http_date(headers.get("date")) if headers is not None else None
        if date is None:
            return
        offset = date - self.wall_clock()
        self.server_offset = offset if abs(offset) > 2.0 else 0.0

    # -- chunks

    def prior(self, chunk: Chunk) -> tuple[str | None, Send | None, str]:
        """For a chunk: (async action id already recorded, interrupted send, hash)."""
        digest = chunk_hash(chunk.orders)
        if self.checkpoint is None:
            return None, None, digest
        self.checkpoint.check_chunk(chunk.index, digest)
        state = self.checkpoint.chunks.get(chunk.index)
        if state is None:
            return None, None, digest
        if state.conflict is not None and state.async_action_id is None:
            raise OrderImportError(
                f"chunk {chunk.index}: an earlier run was given async action {state.conflict} for it, "
                f"which chunk {self.claimed.get(state.conflict, '?')} had already claimed; the chunk was "
                "accepted, so it is not sent again. Check what was imported, then use a new checkpoint",
                chunk=chunk.index,
                result=self.result,
            )
        return state.async_action_id, state.interrupted, digest

    def set_baseline(self, actions: Iterable[Any] | None) -> None:
        self.baseline_taken = True
        if actions is None:
            logger.warning(
                "could not read the async-action list before importing; a lost import response "
                "will be reconciled by the clock (±%gs) instead",
                self.band,
            )
            return
        self.predecessor_known = True
        self.predecessor = None
        for action in actions:
            self.predecessor = action.id if isinstance(action.id, str) else None
            self.predecessor_known = self.predecessor is not None
            return

    def intent(self, chunk: Chunk, digest: str) -> Send:
        send = Send(self.server_now(), self.predecessor, self.predecessor_known)
        if self.origin is None:
            self.origin = send
        if self.checkpoint is not None:
            self.checkpoint.record_intent(chunk.index, send, count=len(chunk.orders), digest=digest)
        return send

    def refused(self, chunk: Chunk, send: Send, by: str) -> None:
        """Record that ``send`` was proven not accepted (``by``: "answer", "not sent", "horizon")."""
        if by == "horizon":
            self.horizon_refused.append(send.sent_at)
        if self.checkpoint is not None:
            self.checkpoint.record_refused(chunk.index, send, by)
        else:
            send.refused_by = by

    def adopt(
        self,
        chunk: Chunk,
        action_id: str,
        *,
        resumed: bool,
        reconciled: bool,
        attempts: int,
        record: bool = True,
    ) -> None:
        owner = self.claimed.get(action_id)
        if owner is not None and owner != chunk.index:
            if self.checkpoint is not None:
                self.checkpoint.record_conflict(chunk.index, action_id)
            raise OrderImportError(
                f"chunk {chunk.index}: the server gave async action {action_id}, which chunk {owner} "
                "already claimed; two chunks never share an action (was the server restored from older "
                "data?). Stopping: check what was imported before rerunning",
                chunk=chunk.index,
                result=self.result,
            )
        self.claimed[action_id] = chunk.index
        self.predecessor, self.predecessor_known = action_id, True
        if self.checkpoint is not None and record:
            self.checkpoint.record_done(chunk.index, action_id)
        self.result.chunks.append(
            ChunkReport(
                index=chunk.index,
                count=len(chunk.orders),
                async_action_id=action_id,
                resumed=resumed,
                reconciled=reconciled,
                submit_attempts=attempts,
            )
        )
        self.progress("submitting", None, None)

    # -- waiting

    def pace(self, action: AsyncActionGetResponseBody, count: int) -> tuple[float, float] | None:
        """``(server time it ended, orders per second)`` of a finished chunk's action, from its
        ``updated_at`` and ``processing_time``; None when it does not say."""
        ended = _known(action.updated_at)
        took = _known(action.processing_time)
        if ended is None or not isinstance(took, int) or took <= 0 or count <= 0:
            return None
        return ended.timestamp(), count / (took / 1000.0)

    def first_poll_in(self, pace: tuple[float, float] | None, count: int) -> float:
        """Seconds before the first poll of a chunk of ``count`` orders, from the pace of the
        chunk before (Voucherify runs one import at a time: this one starts when it ended): its
        predicted end, plus 0.5 % of its expected duration; 0 (poll at once) without a pace."""
        if pace is None:
            return 0.0
        ended, speed = pace
        duration = count / speed
        return max(0.0, ended + duration * 1.005 - self.server_now())

    def record_action(self, report: ChunkReport, action: AsyncActionGetResponseBody) -> None:
        """Record a finished action's counts and refused orders; a result that does not account
        for every order of the chunk sets ``report.problem`` (the import is then not ``ok``):
        no readable result, a count missing or negative, done + failed other than the chunk's
        size, or refused orders named other than counted."""
        result = import_result(action)
        state = action_state(action)
        report.status = ChunkStatus.DONE if state == "done" else ChunkStatus.FAILED
        if result is None:
            report.message = None
            report.done_count = 0
            report.failed_count = report.count if state == "failed" else 0
            if state == "done":
                report.problem = "the action finished DONE without a readable ORDERS.IMPORT result"
        else:
            report.message = _known(result.message)
            done_count = _known(result.done_count)
            failed_list = _known(result.failed) or []
            failed_count = _known(result.failed_count)
            report.done_count = done_count or 0
            report.failed_count = failed_count if failed_count is not None else len(failed_list)
            report.problem = _count_problem(report, state, done_count, failed_count, len(failed_list))
            if state == "failed" and done_count is None and failed_count is None:
                report.failed_count = report.count  # the action failed as a whole
            for entry in failed_list:
                self.result.failures.append(
                    ImportFailure(
                        source_id=_known(entry.source_id),
                        reason=entry.reason,
                        chunk=report.index,
                        async_action_id=report.async_action_id,
                    )
                )
        self.result.done_count += report.done_count
        self.result.failed_count += report.failed_count
        self.chunks_done += 1

    def record_missing(self, report: ChunkReport, exc: Exception) -> None:
        """The chunk's action could not be found: its orders are not accounted for."""
        report.status = ChunkStatus.FAILED
        report.problem = f"its async action was not found ({exc}); was the server restored from older data?"
        self.chunks_done += 1

    def record_unusable(self, report: ChunkReport, exc: Exception) -> None:
        """The chunk's action could not be read to the end (its body does not match the spec,
        or its status is not one the client knows): its orders are not accounted for. The
        status stays ``SUBMITTED``: what became of the action is not known."""
        report.problem = (
            f"its async action could not be read to a result ({exc}); check it with "
            f"vf.async_actions.get({report.async_action_id!r})"
        )
        self.chunks_done += 1

    def progress(
        self, phase: Literal["submitting", "waiting"], chunk: int | None, action_progress: int | None
    ) -> None:
        if self.on_progress is None:
            return
        self.on_progress(
            ImportProgress(
                phase=phase,
                orders_submitted=self.result.submitted,
                chunks_submitted=len(self.result.chunks),
                chunks_done=self.chunks_done,
                current_chunk=chunk,
                action_progress=action_progress,
                failures=len(self.result.failures),
                orders_total=self.orders_total,
            )
        )

    def timeout_error(
        self, exc: JobTimeoutError, report: ChunkReport, timeout: float | None
    ) -> ImportTimeoutError:
        pending = [c.async_action_id for c in self.result.chunks if c.status is ChunkStatus.SUBMITTED]
        return ImportTimeoutError(
            f"import not finished after {timeout:g}s: chunk {report.index} ({report.async_action_id}) "
            f"and {len(pending) - 1} more still running; nothing was cancelled, wait for them with "
            "vf.async_actions.wait(...)",
            job_id=report.async_action_id,
            timeout=timeout,
            pending=pending,
            result=self.result,
        )


def _count_problem(
    report: ChunkReport, state: str, done: int | None, failed: int | None, named: int
) -> str | None:
    """Why a finished action's counts do not account for the chunk's orders, or None."""
    if state == "failed" and done is None and failed is None:
        return None  # the action failed as a whole: every order counts as failed
    if state == "done" and done is None:
        return "the action's result has no done_count"
    if (done is not None and done < 0) or (failed is not None and failed < 0):
        return f"the result's counts are negative: {done} imported, {failed} failed"
    if report.done_count + report.failed_count != report.count:
        return (
            f"the result's counts do not add up: {report.done_count} imported + "
            f"{report.failed_count} failed of {report.count} sent"
        )
    if named != report.failed_count:
        return f"the result counts {report.failed_count} refused order(s) but names {named}"
    return None
