"""What the sync and async export handles share, without I/O: the export's state as the poller
sees it, its download URL (moved to the regional download host, held as a
:class:`~voucherify_ext.auth.Secret`), and a ``repr`` that never shows that URL.

The download URL carries a token; it is a secret (see :mod:`voucherify_ext.exports`).
"""

from __future__ import annotations

import functools

import httpx
from voucherify_client.client import AuthenticatedClient
from voucherify_client.models import Export, OrdersExportCreateResponseBody
from voucherify_client.types import Unset

from voucherify_ext.auth import Secret
from voucherify_ext.errors import ExportFailedError, VoucherifyError
from voucherify_ext.logs import logger
from voucherify_ext.polling import PollState
from voucherify_ext.validation import load_spec

__all__ = ["HandleBase", "download_url", "export_report", "export_state"]


@functools.cache
def _download_hosts() -> dict[str, str]:
    extension = load_spec().get("x-export-download", {})
    hosts = extension.get("hosts", {}) if isinstance(extension, dict) else {}
    return {str(k): str(v) for k, v in hosts.items()}


def download_url(result_url: str, base_url: str) -> str:
    """The URL to download an export's CSV from: ``result.url``, moved to the regional download
    host if it names an API host (``api.voucherify.io`` → ``download.voucherify.io``), and made
    absolute against ``base_url`` if it is relative."""
    url = httpx.URL(base_url).join(result_url)
    mapped = _download_hosts().get(url.host)
    if mapped is not None:
        url = url.copy_with(host=mapped)
    return str(url)


def export_report(export: Export) -> tuple[str, str | None, int | None]:
    """What one poll of the export tells the ``on_job_progress`` hook: its status (an export
    reports no type and no progress)."""
    return str(export.status), None, None


def export_state(export: Export | OrdersExportCreateResponseBody) -> PollState:
    """The export's status as the poller sees it."""
    status = str(export.status)
    if status == "DONE":
        return "done"
    if status == "ERROR":
        return "failed"
    if status in ("SCHEDULED", "IN_PROGRESS"):
        return "pending"
    return "unknown"  # polled again for a grace period, then AsyncActionStatusError


def _result_url(export: Export | OrdersExportCreateResponseBody) -> str | None:
    result = export.result
    if result is None or isinstance(result, Unset):
        return None
    return result.url


class HandleBase:
    """The state both handles hold: the client, the last export read, the refreshes counted."""

    def __init__(self, client: AuthenticatedClient, export: Export | OrdersExportCreateResponseBody) -> None:
        self.client = client
        self.export: Export | OrdersExportCreateResponseBody = export
        #: how many times a refused download URL was fetched afresh (at most once a download)
        self.url_refreshes = 0

    @property
    def id(self) -> str:
        return self.export.id

    @property
    def status(self) -> str:
        return str(self.export.status)

    @property
    def url(self) -> str | None:
        """The download URL, token included (a secret), once the export is ``DONE``."""
        secret = self._download_url()
        return None if secret is None else secret.reveal()

    def _download_url(self) -> Secret | None:
        raw = _result_url(self.export)
        if raw is None:
            return None
        return Secret(download_url(raw, str(self.client._base_url)))

    def _require_url(self) -> Secret:
        url = self._download_url()
        if url is None:
            if self.status == "ERROR":
                raise ExportFailedError(self.id)
            raise VoucherifyError(f"export {self.id} has no download URL (status {self.status})")
        return url

    def _note_refused(self, status: int) -> None:
        logger.warning("export %s: download URL refused (HTTP %d); fetching a fresh one", self.id, status)
        self.url_refreshes += 1

    def __repr__(self) -> str:  # never the URL: it carries the token
        return f"{type(self).__name__}(id={self.id!r}, status={self.status!r})"
