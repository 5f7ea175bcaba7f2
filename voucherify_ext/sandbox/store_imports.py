"""The sandbox's async actions: order imports and actions of any other type, the project's
queue, and late commits.

One action runs at a time, in queue order, each starting when the previous one finished (in
clock time, whoever polled when), applying ``speed`` items per second: an import's orders to the
order store, an extension resource's bulk items to that resource (its :class:`ActionTarget`),
and nothing for an action of another type without a target (it only walks its states). A
late commit is an import accepted but not committed yet: no async action exists for it until
it is due, by request count or by clock. Everything advances lazily: the state calls
:meth:`ImportQueue.advance` before each read or write.

Not thread-safe by itself: :class:`~voucherify_ext.sandbox.state.SandboxState` calls it under
its lock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any, Protocol

from voucherify_ext.sandbox.errors import not_found
from voucherify_ext.sandbox.ids import IdMaker
from voucherify_ext.sandbox.jobs import ImportJob
from voucherify_ext.sandbox.spec_model import SpecModel
from voucherify_ext.sandbox.store_orders import OrderStore
from voucherify_ext.sandbox.util import request_id
from voucherify_ext.sandbox.validation import Invalid, check_order_rules, check_order_shape

__all__ = ["ActionTarget", "ImportQueue"]


class ActionTarget(Protocol):
    """What an async action with a ``target`` applies its items to (an extension resource)."""

    def apply_item(self, item: Any, now_ms: float) -> dict[str, Any] | None:
        """Apply one item; None when done, else the failure entry for the action's result."""


class _Pending:
    """An import accepted but not committed yet (a late commit): no async action exists for it
    until it is due, by request count (``due_request``) or by clock (``due_ms``)."""

    __slots__ = ("accepted_ms", "due_ms", "due_request", "job")

    def __init__(self, job: ImportJob, accepted_ms: float, due_ms: float | None, due_request: int | None):
        self.job = job
        self.accepted_ms = accepted_ms
        self.due_ms = due_ms
        self.due_request = due_request

    def due(self, now_ms: float, request_seq: int) -> bool:
        return (self.due_ms is not None and now_ms >= self.due_ms) or (
            self.due_request is not None and request_seq >= self.due_request
        )


class ImportQueue:
    """Async actions by id (in creation order), the queue of those not finished, late commits."""

    def __init__(
        self,
        ids: IdMaker,
        orders: OrderStore,
        spec: SpecModel,
        targets: Mapping[str, ActionTarget] | None = None,
    ) -> None:
        self._ids = ids
        self._orders = orders
        self._spec = spec
        self._targets: Mapping[str, ActionTarget] = targets or {}
        self._actions: dict[str, ImportJob] = {}
        self._queue: deque[ImportJob] = deque()
        self._last_import_end_ms = 0.0
        self._last_action_ms = 0
        self._carriers: dict[str, list[str]] = {}
        """source_id -> ids of the import actions that carried it, in commit order."""
        self._pending: list[_Pending] = []
        """Late commits: accepted imports whose action does not exist yet, in arrival order."""

    def __len__(self) -> int:
        """How many async actions exist (late commits count once committed)."""
        return len(self._actions)

    def queued(self) -> int:
        return len(self._queue)

    def pending_ids(self) -> list[str]:
        """Ids of the late commits accepted but not committed yet, in arrival order."""
        return [p.job.id for p in self._pending]

    def carriers(self) -> dict[str, list[str]]:
        return {source_id: list(ids) for source_id, ids in self._carriers.items()}

    def _new_action_ms(self, now_ms: float) -> int:
        value = max(int(now_ms), self._last_action_ms + 1)
        self._last_action_ms = value
        return value

    def enqueue(
        self,
        payload: list[dict[str, Any]],
        now_ms: float,
        request_seq: int,
        *,
        commit_after_requests: int | None,
        commit_at_ms: float | None,
        action_type: str | None = None,
        target: str | None = None,
    ) -> str:
        """Accept an import, or an action of ``action_type`` applied to ``target`` (see
        ``SandboxState.enqueue_import`` and ``enqueue_action``); returns its action's id."""
        if target is not None and target not in self._targets:
            raise ValueError(f"no async-action target {target!r} (the resources: {sorted(self._targets)})")
        pending_ids = {p.job.id for p in self._pending}
        job = ImportJob(
            id=self._ids.new("aa_", 18, lambda i: i in self._actions or i in pending_ids),
            created_ms=int(now_ms),
            request_id=request_id(),
            payload=payload,
            target=target,
        )
        if action_type is not None:
            job.type = action_type
        if commit_after_requests is None and commit_at_ms is None:
            job.created_ms = self._new_action_ms(now_ms)
            self._commit(job)
        else:
            due_request = None
            if commit_after_requests is not None:
                due_request = request_seq + commit_after_requests
            self._pending.append(_Pending(job, now_ms, commit_at_ms, due_request))
        return job.id

    def _commit_due(self, now_ms: float, request_seq: int) -> None:
        """Commit the late commits that are due, in the order of their commit times."""
        due = [p for p in self._pending if p.due(now_ms, request_seq)]
        if not due:
            return
        self._pending = [p for p in self._pending if p not in due]

        def moment(p: _Pending) -> float:
            by_clock = p.due_ms is not None and now_ms >= p.due_ms
            return max(p.accepted_ms, p.due_ms) if by_clock and p.due_ms is not None else now_ms

        for pending in sorted(due, key=moment):  # stable: arrival order among equal times
            pending.job.created_ms = self._new_action_ms(moment(pending))
            self._commit(pending.job)

    def commit_pending(self, now_ms: float) -> list[str]:
        """Commit every late commit still pending at ``now_ms``; their ids in commit order."""
        committed: list[str] = []
        for pending in self._pending:
            pending.job.created_ms = self._new_action_ms(now_ms)
            self._commit(pending.job)
            committed.append(pending.job.id)
        self._pending = []
        return committed

    def _commit(self, job: ImportJob) -> None:
        """The action exists from now on: listed, queued, and recorded as carrying its orders."""
        self._actions[job.id] = job
        self._queue.append(job)
        if not job.is_order_import:
            return
        for raw in job.payload:
            source_id = raw.get("source_id") if isinstance(raw, dict) else None
            if isinstance(source_id, str):
                self._carriers.setdefault(source_id, []).append(job.id)

    def _apply_item(self, job: ImportJob, index: int, now_ms: float) -> None:
        if job.is_order_import:
            self._apply_import_order(job, index, now_ms)
            return
        target = self._targets.get(job.target) if job.target is not None else None
        failure = target.apply_item(job.payload[index], now_ms) if target is not None else None
        if failure is not None:
            job.failed.append(failure)
        else:
            job.done_count += 1

    def _apply_import_order(self, job: ImportJob, index: int, now_ms: float) -> None:
        raw = job.payload[index]
        source_id = raw.get("source_id") if isinstance(raw, dict) else None
        try:
            body = check_order_shape(raw, self._spec.order_import_item)
            check_order_rules(body, self._spec.max_items)
            body = {k: v for k, v in body.items() if k != "created_at"}
            self._orders.upsert(body, now_ms, allow_created_at=False)
        except Invalid as exc:
            job.failed.append(
                {"source_id": source_id if isinstance(source_id, str) else None, "reason": exc.details}
            )
            return
        job.done_count += 1

    def advance(self, now_ms: float, request_seq: int, speed: float) -> None:
        """Bring queued imports up to ``now_ms``: one import at a time, in queue order, each
        starting when the previous one finished (in clock time, whoever polled when) at the
        ``speed`` of its start. Late commits that are due are committed first."""
        if self._pending:
            self._commit_due(now_ms, request_seq)
        while self._queue:
            job = self._queue[0]
            if job.start_ms is None:
                job.start_ms = max(float(job.created_ms), self._last_import_end_ms)
                job.speed = speed
            if job.start_ms > now_ms:
                return
            total = len(job.payload)
            target = min(total, int((now_ms - job.start_ms) / 1000.0 * job.speed))
            while job.applied < target:
                self._apply_item(job, job.applied, now_ms)
                job.applied += 1
            if job.applied < total:
                return
            job.finished_ms = job.start_ms + total / job.speed * 1000.0
            self._last_import_end_ms = job.finished_ms
            job.payload = []
            self._queue.popleft()

    def get(self, action_id: str, now_ms: float) -> dict[str, Any]:
        job = self._actions.get(action_id)
        if job is None:
            raise not_found("async_action", action_id)
        return job.view(now_ms, with_result=True)

    def page(self, limit: int, end_ms: int | None, now_ms: float) -> tuple[list[dict[str, Any]], bool]:
        """Newest first; only actions created before ``end_ms``; no ``result`` in list items."""
        picked: list[dict[str, Any]] = []
        has_more = False
        for job in reversed(self._actions.values()):
            if end_ms is not None and job.created_ms >= end_ms:
                continue
            if len(picked) == limit:
                has_more = True
                break
            picked.append(job.view(now_ms, with_result=False))
        return picked, has_more

    # ------------------------------------------------------------------ snapshot

    def dump(self, request_seq: int) -> dict[str, Any]:
        """This store's part of a state file; a late commit waiting on requests keeps how many
        it still waits for (at least 1)."""
        return {
            "actions": [job.to_json() for job in self._actions.values()],
            "last_import_end_ms": self._last_import_end_ms,
            "carriers": self._carriers,
            "pending": [
                {
                    "job": p.job.to_json(),
                    "accepted_ms": p.accepted_ms,
                    "due_ms": p.due_ms,
                    "requests_left": None if p.due_request is None else max(1, p.due_request - request_seq),
                }
                for p in self._pending
            ],
        }

    def restore(self, data: dict[str, Any], request_seq: int) -> None:
        """Load :meth:`dump`'s keys into this (empty) queue."""
        for raw in data["actions"]:
            job = ImportJob.from_json(raw)
            self._actions[job.id] = job
            self._last_action_ms = max(self._last_action_ms, job.created_ms)
            if job.finished_ms is None:
                self._queue.append(job)
        self._last_import_end_ms = data["last_import_end_ms"]
        self._carriers = {str(k): [str(i) for i in v] for k, v in data.get("carriers", {}).items()}
        for raw in data.get("pending", []):
            left = raw["requests_left"]
            self._pending.append(
                _Pending(
                    ImportJob.from_json(raw["job"]),
                    raw["accepted_ms"],
                    raw["due_ms"],
                    None if left is None else request_seq + int(left),
                )
            )
