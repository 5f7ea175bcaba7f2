"""The sandbox's order exports: scheduled, then rendered as CSV, downloaded with a token.

An export is rendered from the orders stored at the moment it falls due (the first read after
its delay), with the parameters' filters and order (:mod:`~voucherify_ext.sandbox.exports`).

Not thread-safe by itself: :class:`~voucherify_ext.sandbox.state.SandboxState` calls it under
its lock.
"""

from __future__ import annotations

import secrets
from typing import Any

from voucherify_ext.sandbox import exports as export_params
from voucherify_ext.sandbox.errors import SandboxError, not_found
from voucherify_ext.sandbox.ids import IdMaker
from voucherify_ext.sandbox.jobs import ExportJob
from voucherify_ext.sandbox.spec_model import SpecModel
from voucherify_ext.sandbox.store_orders import OrderStore
from voucherify_ext.sandbox.values import DEFAULT_EXPORT_SORT

__all__ = ["ExportStore"]


class ExportStore:
    """Exports by id, oldest first, each with its own download token."""

    def __init__(self, ids: IdMaker, orders: OrderStore, spec: SpecModel) -> None:
        self._ids = ids
        self._orders = orders
        self._spec = spec
        self._exports: dict[str, ExportJob] = {}

    def __len__(self) -> int:
        return len(self._exports)

    def create(
        self, parameters: dict[str, Any], base_url: str, now_ms: float, delay: float
    ) -> dict[str, Any]:
        """A new export, SCHEDULED for ``delay`` seconds, then IN_PROGRESS for as long again."""
        job = ExportJob(
            id=self._ids.new("exp_", 24, self._exports.__contains__),
            created_ms=int(now_ms),
            parameters=parameters,
            token=secrets.token_urlsafe(24),
            delay_ms=delay * 1000.0,
        )
        self._exports[job.id] = job
        return job.view(now_ms, base_url)

    def _finish_due(self, now_ms: float) -> None:
        """Render the CSV of every export that is due, from the orders stored right now."""
        for job in self._exports.values():
            if not job.due(now_ms):
                continue
            params = job.parameters
            predicate = export_params.compile_filters(params.get("filters") or {}, self._spec)
            order = params.get("order") or DEFAULT_EXPORT_SORT
            base = "updated_at" if order.lstrip("-") == "updated_at" else "created_at"
            rows = [o for o in self._orders.iter_sorted(base) if predicate(o)]
            if order.lstrip("-") == "status":
                rows.sort(key=lambda o: str(o.get("status")))
            if order.startswith("-"):
                rows.reverse()
            job.csv = export_params.render_csv(rows, list(params["fields"]))

    def get(self, export_id: str, base_url: str, now_ms: float) -> dict[str, Any]:
        job = self._exports.get(export_id)
        if job is None:
            raise not_found("export", export_id)
        if job.due(now_ms):
            self._finish_due(now_ms)
        return job.view(now_ms, base_url)

    def page(self, limit: int, page: int, order: str, base_url: str, now_ms: float) -> list[dict[str, Any]]:
        """A page of exports as ``GET /v1/exports`` lists them: by ``created_at`` or ``status``
        (a leading ``-``: descending), ties in creation order."""
        self._finish_due(now_ms)
        views = [job.view(now_ms, base_url) for job in self._exports.values()]
        field = order.lstrip("-")
        if field != "created_at":
            views.sort(key=lambda view: str(view[field]))
        if order.startswith("-"):
            views.reverse()
        skip = (page - 1) * limit
        return views[skip : skip + limit]

    def delete(self, export_id: str) -> None:
        if self._exports.pop(export_id, None) is None:
            raise not_found("export", export_id)

    def download(self, export_id: str, token: str, now_ms: float) -> str:
        """The CSV, if ``token`` is this export's token and it is DONE (401 otherwise)."""
        job = self._exports.get(export_id)
        if job is None or not secrets.compare_digest(job.token.encode(), token.encode()):
            raise SandboxError(401, "unauthorized", "Unauthorized", with_request_id=False)
        if job.due(now_ms):
            self._finish_due(now_ms)
        if job.csv is None:
            raise not_found("export", export_id)
        return job.csv

    def ids(self) -> list[str]:
        return list(self._exports)

    def rotate_token(self, export_id: str) -> None:
        job = self._exports.get(export_id)
        if job is None:
            raise not_found("export", export_id)
        job.token = secrets.token_urlsafe(24)

    def tokens(self) -> list[str]:
        return [job.token for job in self._exports.values()]

    # ------------------------------------------------------------------ snapshot

    def dump(self) -> dict[str, Any]:
        return {"exports": [job.to_json() for job in self._exports.values()]}

    def restore(self, data: dict[str, Any]) -> None:
        for raw in data["exports"]:
            export = ExportJob.from_json(raw)
            self._exports[export.id] = export
