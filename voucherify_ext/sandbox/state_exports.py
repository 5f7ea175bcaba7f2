"""The exports part of :class:`~voucherify_ext.sandbox.state.SandboxState` (a base class of it):
create, get, list, delete, download by token, and the tokens a test looks for in logs."""

from __future__ import annotations

import threading
from typing import Any

from voucherify_ext.sandbox.store_exports import ExportStore

__all__ = ["ExportMethods"]


class ExportMethods:
    """Public methods take the state's lock and bring jobs up to the clock first."""

    lock: threading.RLock
    export_delay: float
    _exports: ExportStore

    def _now_advanced(self) -> float:
        raise NotImplementedError  # SandboxState's

    def create_export(self, parameters: dict[str, Any], base_url: str) -> dict[str, Any]:
        with self.lock:
            return self._exports.create(parameters, base_url, self._now_advanced(), self.export_delay)

    def get_export(self, export_id: str, base_url: str) -> dict[str, Any]:
        with self.lock:
            return self._exports.get(export_id, base_url, self._now_advanced())

    def delete_export(self, export_id: str) -> None:
        with self.lock:
            self._exports.delete(export_id)

    def download_export(self, export_id: str, token: str) -> str:
        """The CSV, if ``token`` is this export's token and it is DONE (401 otherwise)."""
        with self.lock:
            return self._exports.download(export_id, token, self._now_advanced())

    def export_ids(self) -> list[str]:
        """Ids of the exports stored now, oldest first."""
        with self.lock:
            return self._exports.ids()

    def rotate_export_token(self, export_id: str) -> None:
        """Give the export a new download token: its old download URL answers 401 from now on."""
        with self.lock:
            self._exports.rotate_token(export_id)

    def export_tokens(self) -> list[str]:
        """The download token of every stored export (secrets too, like ``oauth_tokens``)."""
        with self.lock:
            return self._exports.tokens()

    def list_exports(
        self, limit: int, page: int, order: str, base_url: str
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of ``GET /v1/exports`` (``order``: ``created_at``, ``status``, ``-`` for descending)
        and how many exports there are."""
        with self.lock:
            return self._exports.page(limit, page, order, base_url, self._now_advanced()), len(self._exports)
