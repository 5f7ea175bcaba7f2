"""One import's state, without I/O: the result, the async-action ids claimed, the checkpoint
records, the server-clock offset, progress events, and the reconciliation predicates.

:mod:`voucherify_ext.import_run` makes the decisions with it; the checkpoint file format is in
:mod:`voucherify_ext.checkpoint`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar

import attrs
from voucherify_client.models import AsyncActionGetResponseBody
from voucherify_client.types import UNSET, Unset

from .checkpoint import Checkpoint, chunk_hash
from .errors import ConfigurationError, ImportTimeoutError, JobTimeoutError
from .import_results import ChunkReport, ChunkStatus, ImportFailure, ImportProgress, ImportResult
from .import_sources import Chunk
from .jobs import action_state, import_result
from .logs import logger
from .retry import parse_http_date

T = TypeVar("T")

__all__ = ["MAX_CHUNK_SIZE", "ImportRun", "Since"]

MAX_CHUNK_SIZE = 2000


def _known(value: T | Unset | None) -> T | None:
    """A field's value, or None when it is null or absent."""
    return None if isinstance(value, Unset) else value


class ImportRun:
    """One import's state and decisions, without I/O: the result, the action ids claimed, the
    checkpoint records, the server-clock offset, progress events."""

    def __init__(
        self,
        *,
        chunk_size: int,
        on_progress: Callable[[ImportProgress], None] | None,
        checkpoint_path: str | os.PathLike[str] | None,
        reconcile_window: float,
        wall_clock: Callable[[], float],
    ) -> None:
        if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
            raise ConfigurationError(
                f"chunk_size must be between 1 and {MAX_CHUNK_SIZE} (the API's limit), got {chunk_size}"
            )
        self.chunk_size = chunk_size
        self.on_progress = on_progress
        self.checkpoint_path = checkpoint_path
        self.checkpoint: Checkpoint | None = None
        self.reconcile_window = reconcile_window
        self.wall_clock = wall_clock
        self.result = ImportResult()
        self.claimed: set[str] = set()
        self.server_offset = 0.0
        self.chunks_done = 0
        #: server time (epoch s) of the newest async action before this run's first POST:
        #: 0.0 when there was none, None while unknown (reconciliation then uses the clock)
        self.baseline: float | None = None
        self.baseline_taken = False

    # -- checkpoint and clock

    def open_checkpoint(self, input_hash: str | None) -> None:
        if self.checkpoint_path is not None:
            self.checkpoint = Checkpoint.open(
                self.checkpoint_path, input_hash=input_hash, chunk_size=self.chunk_size
            )
            self.claimed |= self.checkpoint.claimed_ids()

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

    def prior(self, chunk: Chunk) -> tuple[str | None, Since | None, str]:
        """For a chunk: (async action id already recorded, interrupted send, hash)."""
        digest = chunk_hash(chunk.orders)
        if self.checkpoint is None:
            return None, None, digest
        self.checkpoint.check_chunk(chunk.index, digest)
        state = self.checkpoint.chunks.get(chunk.index)
        if state is None:
            return None, None, digest
        since = None if state.sent_at is None else Since(state.sent_at, state.after)
        return state.async_action_id, since, digest

    def set_baseline(self, actions: Iterable[Any] | None) -> None:
        self.baseline_taken = True
        if actions is None:
            logger.warning(
                "could not read the async-action list before importing; a lost import response "
                "will be reconciled by the clock (±%gs) instead",
                self.reconcile_window,
            )
            return
        for action in actions:
            created = action.created_at
            self.baseline = 0.0 if isinstance(created, Unset) else created.timestamp()
            return
        self.baseline = 0.0

    def intent(self, chunk: Chunk, digest: str) -> Since:
        since = Since(self.server_now(), self.baseline)
        if self.checkpoint is not None:
            self.checkpoint.record_intent(
                chunk.index, sent_at=since.sent_at, count=len(chunk.orders), digest=digest, after=since.after
            )
        return since

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
        self.claimed.add(action_id)
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

    def is_before(self, action: Any, since: Since) -> bool:
        """Whether ``action`` was created before the send ``since`` describes (so it, and every
        older action, cannot be the send's)."""
        created = action.created_at
        if isinstance(created, Unset):
            return False
        if since.after is not None:
            return bool(created.timestamp() <= since.after)
        return bool(created.timestamp() < since.sent_at - self.reconcile_window)

    def candidates_since(self, actions: Iterable[Any], since: Since) -> tuple[list[str], bool]:
        """Unclaimed ``ORDERS.IMPORT`` ids created since the send (oldest first), and whether
        the scan reached older actions (so the list need not go on)."""
        found: list[str] = []
        for action in actions:
            if self.is_before(action, since):
                return list(reversed(found)), True
            if (
                str(action.type_) == "ORDERS.IMPORT"
                and isinstance(action.id, str)
                and action.id not in self.claimed
            ):
                found.append(action.id)
        return list(reversed(found)), False

    def pick(self, chunk: Chunk, found: list[str]) -> str | None:
        if not found:
            return None
        if len(found) > 1:
            logger.warning(
                "chunk %d: %d unclaimed ORDERS.IMPORT actions since the send (%s); adopting the oldest. "
                "Is another import running in this project?",
                chunk.index,
                len(found),
                ", ".join(found),
            )
        logger.info(
            "chunk %d: the import response was lost; adopted %s from the async-action list",
            chunk.index,
            found[0],
        )
        return found[0]

    # -- waiting

    def record_action(self, report: ChunkReport, action: AsyncActionGetResponseBody) -> None:
        result = import_result(action)
        state = action_state(action)
        report.status = ChunkStatus.DONE if state == "done" else ChunkStatus.FAILED
        if result is None:
            report.message = None
            report.done_count = 0
            report.failed_count = report.count if state == "failed" else 0
        else:
            report.message = _known(result.message)
            report.done_count = _known(result.done_count) or 0
            failed_list = _known(result.failed) or []
            failed_count = _known(result.failed_count)
            report.failed_count = failed_count if failed_count is not None else len(failed_list)
            if state == "failed" and result.done_count is UNSET and result.failed_count is UNSET:
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


@attrs.frozen
class Since:
    """When a chunk was sent: the local send time (server-corrected, epoch seconds) and the
    server time of the newest async action that existed before the run (None: unknown)."""

    sent_at: float
    after: float | None
