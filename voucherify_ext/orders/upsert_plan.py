"""The sans-I/O core of a live-order sync: what to send next, in which order, and what each
outcome means. The two drivers (:mod:`voucherify_ext.orders.upsert_many`, threads and tasks)
only send what :meth:`UpsertCore.take` hands them and give each outcome to
:meth:`UpsertCore.finish`.

* **Per key, in input order, never concurrently.** Every order names its keys (``id:...``,
  ``source_id:...``); each key has a queue of the pending orders that carry it, in input order.
  An order may be sent only when it heads the queue of every key it carries, so two writes of
  one order never overlap and they reach the server in input order.
* **A failure blocks the later orders of its key** (:class:`~voucherify_ext.errors.UpsertBlockedError`):
  sending them would leave the server with a state that is not the input's last for that key
  once a rerun sends the failed one again.
* **Bounded.** The core reads ahead at most ``window`` orders (those waiting for their key and
  those ready but not yet sent): memory stays flat for any input size, and results are handed
  out as they come, never collected.
* **Checkpoint.** An order the checkpoint confirmed is reported ``skipped`` and not sent; an
  order the server confirmed is recorded before its result is handed out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from voucherify_ext.errors import CheckpointMismatchError, UpsertBlockedError, UpsertInputError
from voucherify_ext.orders.upsert_checkpoint import Confirmed, UpsertCheckpoint
from voucherify_ext.orders.upsert_results import UpsertProgress, UpsertResult, UpsertSummary
from voucherify_ext.orders.upsert_source import Prepared, Source, order_keys

__all__ = ["UpsertCore", "outcome"]


def outcome(job: Prepared, order: Any, attempts: int) -> UpsertResult:
    """The result of a createOrder answer: ``created`` when it has no ``updated_at``."""
    updated_at = getattr(order, "updated_at", None)
    updated = updated_at is not None and not _unset(updated_at)
    return UpsertResult(
        job.index, job.line, job.key, "updated" if updated else "created", order=order, attempts=attempts
    )


def _unset(value: Any) -> bool:
    return type(value).__name__ == "Unset"


class UpsertCore:
    """The run's state; not thread-safe: one driver calls it from one thread or task."""

    def __init__(
        self,
        source: Source,
        *,
        window: int,
        stop_on_error: bool,
        checkpoint: UpsertCheckpoint | None,
        on_progress: Callable[[UpsertProgress], None] | None,
        clock: Callable[[], float],
    ) -> None:
        self._records: Iterator[tuple[int, int | None, Any]] = iter(source)
        self._source = source
        self._window = window
        self._stop_on_error = stop_on_error
        self._checkpoint = checkpoint
        self._confirmed = checkpoint.confirmed if checkpoint is not None else Confirmed()
        self._on_progress = on_progress
        self._clock = clock
        self._started = clock()
        self._queues: dict[str, deque[int]] = {}
        self._waiting: dict[int, Prepared] = {}
        self._ready: deque[Prepared] = deque()
        self._failed_keys: dict[str, int] = {}
        self.outbox: deque[UpsertResult] = deque()
        self.in_flight = 0
        self.exhausted = False
        self.stopped = False
        self.requests = 0
        self.counts = {"created": 0, "updated": 0, "failed": 0, "skipped": 0}

    # -- reading ------------------------------------------------------------------------------

    def _read(self) -> None:
        """Read ahead until the window is full, the input ends or the run stops."""
        while (
            not self.exhausted and not self.stopped and len(self._waiting) + len(self._ready) < self._window
        ):
            item = next(self._records, None)
            if item is None:
                self.exhausted = True
                return
            self._admit(*item)

    def _admit(self, index: int, line: int | None, raw: Any) -> None:
        if index in self._confirmed:
            recorded = self._confirmed.key(index)
            keys = order_keys(_raw_dict(raw))
            if recorded is not None and (not keys or keys[0] != recorded):
                raise CheckpointMismatchError(
                    f"{self._checkpoint.path if self._checkpoint else 'checkpoint'}: order {index} was "
                    f"confirmed as {recorded!r} but the input now has {keys[0] if keys else 'no key'} "
                    "there; the input changed since (use a new checkpoint path)"
                )
            key = (keys[0].split(":", 1)[1]) if keys else None
            self._emit(UpsertResult(index, line, key, "skipped"))
            return
        prepared = self._source.prepare(index, line, raw)
        if isinstance(prepared, UpsertInputError):
            keys = order_keys(_raw_dict(raw))
            self._emit(UpsertResult(index, line, None, "failed", error=prepared))
            if self._stop_on_error:
                self.stopped = True
            return
        blocker = next((self._failed_keys[k] for k in prepared.keys if k in self._failed_keys), None)
        if blocker is not None:
            self._block(prepared, blocker)
            return
        for key in prepared.keys:
            self._queues.setdefault(key, deque()).append(index)
        if self._heads(prepared):
            self._ready.append(prepared)
        else:
            self._waiting[index] = prepared

    def _heads(self, job: Prepared) -> bool:
        return all(self._queues[key][0] == job.index for key in job.keys)

    # -- the drivers' side ----------------------------------------------------------------------

    def take(self) -> Prepared | None:
        """The next order to send now (the caller sends it), or None: none is ready until an
        order in flight finishes, or the input is done (see :attr:`done`)."""
        self._read()
        if self.stopped or not self._ready:
            return None
        job = self._ready.popleft()
        self.in_flight += 1
        self._read()
        return job

    @property
    def done(self) -> bool:
        """Nothing in flight and nothing left to send (results may still be in :attr:`outbox`)."""
        if self.in_flight:
            return False
        if self.stopped:
            return True
        self._read()
        return self.exhausted and not self._ready and not self._waiting

    def finish(self, job: Prepared, result: UpsertResult, requests: int) -> None:
        """``job`` was sent ``requests`` times (0: never left) and ended with ``result``."""
        self.in_flight -= 1
        self.requests += requests
        if result.status in ("created", "updated") and self._checkpoint is not None:
            self._checkpoint.confirm(job.index, job.checkpoint_key, result.status)
        self._emit(result)
        if result.status == "failed":
            for key in job.keys:
                self._failed_keys.setdefault(key, job.index)
            if self._stop_on_error:
                self.stopped = True
        self._release(job)

    def _release(self, job: Prepared) -> None:
        """``job`` no longer holds its keys: the next order of each may become ready."""
        pending = [job]
        while pending:
            current = pending.pop()
            for key in current.keys:
                queue = self._queues[key]
                queue.popleft()
                if not queue:
                    del self._queues[key]
                    continue
                nxt = self._waiting.get(queue[0])
                if nxt is None or not self._heads(nxt):
                    continue
                del self._waiting[nxt.index]
                blocker = next((self._failed_keys[k] for k in nxt.keys if k in self._failed_keys), None)
                if blocker is None:
                    self._ready.append(nxt)
                else:
                    self._block(nxt, blocker, queued=True)
                    pending.append(nxt)

    def _block(self, job: Prepared, blocker: int, *, queued: bool = False) -> None:
        for key in job.keys:
            self._failed_keys.setdefault(key, blocker)
        error = UpsertBlockedError(
            f"{self._source.where(job.index, job.line)} ({job.key}): not sent, because the earlier "
            f"order {blocker} with the same key failed; a rerun sends both, in order",
            index=job.index,
            blocked_by=blocker,
        )
        self._emit(UpsertResult(job.index, job.line, job.key, "failed", error=error))

    def _emit(self, result: UpsertResult) -> None:
        if result.status == "failed" and self._checkpoint is not None:
            self._checkpoint.fail(result.index)
        self.counts[result.status] += 1
        self.outbox.append(result)
        if self._on_progress is not None:
            c = self.counts
            self._on_progress(
                UpsertProgress(
                    sum(c.values()), c["created"], c["updated"], c["failed"], c["skipped"], self._source.total
                )
            )

    def summary(self) -> UpsertSummary:
        c = self.counts
        return UpsertSummary(
            c["created"],
            c["updated"],
            c["failed"],
            c["skipped"],
            self.requests,
            self._clock() - self._started,
        )


def _raw_dict(raw: Any) -> Any:
    if isinstance(raw, dict):
        return raw
    to_dict = getattr(raw, "to_dict", None)
    return to_dict() if callable(to_dict) else raw
