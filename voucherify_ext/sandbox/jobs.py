"""The sandbox's asynchronous work: async actions (order imports and any other type) and exports.

Jobs advance lazily from the clock: whenever the state is read, every job is brought up to
"now". No background thread is needed, a paused test cannot miss a transition, and a job's
timeline is a function of when it was queued and the import speed, not of when anyone polled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from voucherify_ext.sandbox import values as v
from voucherify_ext.sandbox.util import iso_ms


@dataclass
class ImportJob:
    """An async action: an ``ORDERS.IMPORT`` (``type``, no ``target``), or an action of any other
    type, e.g. an extension resource's bulk call (``target``: the resource's name). It waits in
    the project's queue until the previous action has finished, then applies ``speed`` items per
    second."""

    id: str
    created_ms: int
    request_id: str
    payload: list[dict[str, Any]]
    start_ms: float | None = None
    speed: float = 0.0
    applied: int = 0
    done_count: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    finished_ms: float | None = None
    type: str = v.IMPORT_TYPE
    target: str | None = None
    """The extension resource whose items this action upserts (None: orders, or nothing)."""

    @property
    def is_order_import(self) -> bool:
        return self.type == v.IMPORT_TYPE and self.target is None

    def status(self, now_ms: float) -> str:
        if self.finished_ms is not None:
            return v.ACTION_DONE
        if self.start_ms is None or self.start_ms > now_ms:
            return v.ACTION_ENQUEUED
        return v.ACTION_IN_PROGRESS

    def view(self, now_ms: float, *, with_result: bool) -> dict[str, Any]:
        status = self.status(now_ms)
        total = len(self.payload) if self.finished_ms is None else self.done_count + len(self.failed)
        progress = 100 if status == v.ACTION_DONE else (self.applied * 100 // total if total else 0)
        updated = (
            self.finished_ms or (self.start_ms if status == v.ACTION_IN_PROGRESS else None) or self.created_ms
        )
        out: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "status": status,
            "created_at": iso_ms(self.created_ms),
            "updated_at": iso_ms(int(updated)),
            "request_id": self.request_id,
            "processing_time": int((self.finished_ms or now_ms) - self.start_ms)
            if self.start_ms is not None and status != v.ACTION_ENQUEUED
            else 0,
            "progress": progress,
            "object": v.ACTION_OBJECT,
        }
        if status == v.ACTION_DONE:
            out["operation_status"] = v.ACTION_SUCCEEDED
            if with_result:
                out["result"] = self.result()
        return out

    def result(self) -> dict[str, Any]:
        failed_count = len(self.failed)
        if not self.is_order_import:
            message = f"{self.done_count} item(s) processed successfully"
            message += f", {failed_count} failed." if failed_count else "."
            errors = [dict(entry) for entry in self.failed]
            return {
                "message": message,
                "done_count": self.done_count,
                "failed_count": failed_count,
                "errors": errors,
            }
        if failed_count:
            message = f"{self.done_count} order(s) imported successfully, {failed_count} failed."
        else:
            message = f"{self.done_count} order(s) imported successfully."
        return {
            "message": message,
            "failed": [dict(entry) for entry in self.failed],
            "done_count": self.done_count,
            "failed_count": failed_count,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_ms": self.created_ms,
            "request_id": self.request_id,
            "payload": self.payload if self.finished_ms is None else [],
            "start_ms": self.start_ms,
            "speed": self.speed,
            "applied": self.applied,
            "done_count": self.done_count,
            "failed": self.failed,
            "finished_ms": self.finished_ms,
            "type": self.type,
            "target": self.target,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportJob:
        return cls(**data)


@dataclass
class ExportJob:
    """An order export: ``SCHEDULED`` for ``delay`` seconds, ``IN_PROGRESS`` for as long again,
    then ``DONE``; the CSV is rendered from the orders stored at the moment it becomes DONE."""

    id: str
    created_ms: int
    parameters: dict[str, Any]
    token: str
    delay_ms: float
    csv: str | None = None

    def status(self, now_ms: float) -> str:
        if self.csv is not None:
            return v.EXPORT_DONE
        if now_ms < self.created_ms + self.delay_ms:
            return v.EXPORT_SCHEDULED
        return v.EXPORT_IN_PROGRESS

    def due(self, now_ms: float) -> bool:
        return self.csv is None and now_ms >= self.created_ms + 2 * self.delay_ms

    def view(self, now_ms: float, base_url: str) -> dict[str, Any]:
        status = self.status(now_ms)
        result = (
            {"url": f"{base_url}/v1/exports/{self.id}?token={self.token}"}
            if status == v.EXPORT_DONE
            else None
        )
        return {
            "id": self.id,
            "object": v.EXPORT_OBJECT,
            "created_at": iso_ms(self.created_ms),
            "status": status,
            "channel": "API",
            "exported_object": v.EXPORTED_OBJECT,
            "parameters": self.parameters,
            "result": result,
            "user_id": None,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_ms": self.created_ms,
            "parameters": self.parameters,
            "token": self.token,
            "delay_ms": self.delay_ms,
            "csv": self.csv,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportJob:
        return cls(**data)
