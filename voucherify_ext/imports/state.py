"""One import's state, without I/O: the result, the async-action ids claimed, the checkpoint
records, the server-clock offset, progress events, and the reconciliation predicates.

:mod:`voucherify_ext.imports.steps` makes the decisions with it; the checkpoint file format is in
:mod:`voucherify_ext.imports.checkpoint`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar

from voucherify_client.models import AsyncActionGetResponseBody
from voucherify_client.types import Unset

from voucherify_ext.errors import (
    ConfigurationError,
    ImportReconcileError,
    ImportTimeoutError,
    JobTimeoutError,
    OrderImportError,
)
from voucherify_ext.imports.action_result import action_state, import_result
from voucherify_ext.imports.checkpoint import Checkpoint, Send, chunk_hash
from voucherify_ext.imports.results import (
    ChunkReport,
    ChunkStatus,
    ImportFailure,
    ImportProgress,
    ImportResult,
)
from voucherify_ext.imports.sources import Chunk
from voucherify_ext.logs import logger
from voucherify_ext.retry import parse_http_date

T = TypeVar("T")

__all__ = ["DEFAULT_BAND", "DEFAULT_COMMIT_HORIZON", "MAX_CHUNK_SIZE", "MIN_BAND", "ImportRun", "Send"]

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


class ImportRun:
    """One import's state and decisions, without I/O: the result, the action ids claimed, the
    checkpoint records, the server-clock offset, progress events, and the predicates that
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
        self.chunk_size = chunk_size
        self.on_progress = on_progress
        self.checkpoint_path = checkpoint_path
        self.checkpoint: Checkpoint | None = None
        #: the clock-uncertainty band (seconds) around a send time
        self.band = float(reconcile_window)
        #: how long after a send its import action may still appear (a documented assumption)
        self.commit_horizon = float(commit_horizon)
        self.wall_clock = wall_clock
        self.result = ImportResult()
        #: action id -> the chunk that claimed it
        self.claimed: dict[str, int] = {}
        self.server_offset = 0.0
        self.chunks_done = 0
        #: the newest async action known to exist before the next send: its id (None: the list
        #: was empty), and whether it is known at all (False: the list could not be read)
        self.predecessor: str | None = None
        self.predecessor_known = False
        self.baseline_taken = False
        #: the first send of this import (this run or a checkpointed one): where the scan for
        #: stray actions stops
        self.origin: Send | None = None
        #: send times that got no action because the commit horizon passed: an action created
        #: within the band of one of them could be that send's, late
        self.horizon_refused: list[float] = []

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

    # -- reconciliation

    def precedes(self, action: Any, send: Send) -> bool:
        """Whether ``action`` certainly existed before ``send`` (so it, and every older action,
        cannot be the send's): an action this import claimed, the newest action known before
        the send, or one created more than the band before it (when that action is unknown)
        or more than band + horizon before it (a bound on the scan)."""
        action_id = action.id
        if action_id in self.claimed or (
            send.after_known and send.after_id is not None and action_id == send.after_id
        ):
            return True
        created = _created(action)
        if created is None:
            return False
        slack = self.band if not send.after_known else self.band + self.commit_horizon
        return created < send.sent_at - slack

    def judge(self, chunk: Chunk, send: Send, actions: Iterable[Any]) -> str | None:
        """The action of a send whose answer was lost, from a scan of the list (newest first):
        its id when exactly one unclaimed ``ORDERS.IMPORT`` action appeared since the send and
        nothing makes it ambiguous; None when none appeared. Raises
        :class:`ImportReconcileError` otherwise (nothing is adopted or resent)."""
        found: list[tuple[str, str | None]] = []
        for action in actions:
            if self.precedes(action, send):
                break
            if str(action.type_) != "ORDERS.IMPORT" or not isinstance(action.id, str):
                continue
            found.append((action.id, self._doubt(action, send)))
        if not found:
            return None
        if len(found) == 1 and found[0][1] is None:
            logger.info(
                "chunk %d: the import response was lost; adopted %s from the async-action list",
                chunk.index,
                found[0][0],
            )
            return found[0][0]
        described = ", ".join(
            f"{action_id}{f' ({why})' if why else ''}" for action_id, why in reversed(found)
        )
        raise ImportReconcileError(
            f"chunk {chunk.index}: its import response was lost, and {len(found)} unclaimed ORDERS.IMPORT "
            f"action(s) appeared since it was sent: {described}. Which of them (if any) is this chunk's "
            "cannot be told, so none was adopted and nothing was resent. Another import in this project, "
            f"or a commit later than commit_horizon ({self.commit_horizon:g}s), explains this; check "
            "those actions (vf.async_actions.get) before rerunning with the same checkpoint",
            chunk=chunk.index,
            result=self.result,
            candidates=[action_id for action_id, _ in reversed(found)],
        )

    def _doubt(self, action: Any, send: Send) -> str | None:
        """Why ``action`` might not be ``send``'s, or None."""
        created = _created(action)
        if created is None:
            return "no created_at"
        if created < send.sent_at - self.band:
            return f"created {send.sent_at - created:.1f}s before the send"
        for other in self.horizon_refused:
            # (an earlier send: one concluded by the horizon lies at least that long before
            # this one, unless an injected sleep did not move the clock)
            if other < send.sent_at - self.band and abs(created - other) <= self.band:
                return f"created within ±{self.band:g}s of an earlier send that got no action"
        return None

    def before_import(self, action: Any) -> bool:
        """Whether ``action`` existed before this import's first send: the newest action known
        before it, or one created more than band + horizon before it. (Not a claimed action: a
        stray one may be older than a chunk's action.)"""
        origin = self.origin
        if origin is None:
            return True
        if origin.after_known and origin.after_id is not None and action.id == origin.after_id:
            return True
        created = _created(action)
        return created is not None and created < origin.sent_at - self.band - self.commit_horizon

    def stray(self, actions: Iterable[Any]) -> list[str]:
        """Unclaimed ``ORDERS.IMPORT`` actions created since this import's first send."""
        if self.origin is None:
            return []
        found: list[str] = []
        for action in actions:
            if self.before_import(action):
                break
            created = _created(action)
            if (
                str(action.type_) == "ORDERS.IMPORT"
                and isinstance(action.id, str)
                and action.id not in self.claimed
                and (created is None or created >= self.origin.sent_at - self.band)
            ):
                found.append(action.id)
        return list(reversed(found))

    # -- waiting

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


def _created(action: Any) -> float | None:
    created = action.created_at
    return None if isinstance(created, Unset) or created is None else float(created.timestamp())
