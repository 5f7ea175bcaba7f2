"""An order export as a job: schedule it, read it, wait until it is ``DONE``.

``handle_async.py`` is the source; ``handle_sync.py``, its twin, is generated from it by
``scripts/unasync.py`` (never edited).

``POST /v1/orders/export`` schedules the export; ``GET /v1/exports/{id}`` reports ``SCHEDULED``
→ ``IN_PROGRESS`` → ``DONE`` (with ``result.url``) or ``ERROR``. The wait polls as for async
actions (:mod:`voucherify_ext.polling`, with a deadline; an export reports no progress, so the
estimating schedule falls back to its backoff, 1 s growing to 10 s), through the injected
``sleep`` and ``clock``. The handle downloads what it inherits from
:class:`AsyncExportDownloads` (the ``download_*`` modules).
"""

from __future__ import annotations

import asyncio  # unasync: import time
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from voucherify_client.api.exports import get_export
from voucherify_client.api.orders import create_order_export
from voucherify_client.client import AuthenticatedClient
from voucherify_client.models import Export, OrdersExportCreateResponseBody

from voucherify_ext.errors import ExportFailedError
from voucherify_ext.exports.download_async import AsyncExportDownloads, SleepFn
from voucherify_ext.exports.handle_base import export_report, export_state
from voucherify_ext.exports.parameters import export_body
from voucherify_ext.logs import logger
from voucherify_ext.polling import DEFAULT_STRATEGY, DEFAULT_WAIT_TIMEOUT, PollStrategy, apoll, client_budget
from voucherify_ext.polling.progress import client_hooks, job_progress
from voucherify_ext.responses import acall, unwrap

__all__ = ["AsyncExportHandle", "acreate_export"]  # unasync: __all__ = ["ExportHandle", "create_export"]


class AsyncExportHandle(AsyncExportDownloads):
    """A scheduled or finished order export. ``wait``, then ``download`` or ``iter_rows``."""

    def __init__(
        self,
        client: AuthenticatedClient,
        export: Export | OrdersExportCreateResponseBody,
        *,
        sleep: SleepFn = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        schedule: PollStrategy = DEFAULT_STRATEGY,
    ) -> None:
        super().__init__(client, export)
        self._sleep = sleep
        self._clock = clock
        self._schedule = schedule

    async def refresh(self) -> Export:
        """Read the export afresh (``getExport``) and keep it."""
        export = unwrap(await acall(get_export.asyncio_detailed, self.id, client=self.client), Export)
        self.export = export
        return export

    async def wait(self, *, timeout: float | None = DEFAULT_WAIT_TIMEOUT) -> AsyncExportHandle:  # noqa: ASYNC109
        """Poll until ``DONE``. Raises :class:`ExportFailedError` on ``ERROR`` and
        :class:`~voucherify_ext.polling.JobTimeoutError` (``job_id`` = the export id) after
        ``timeout`` seconds."""
        if export_state(self.export) in ("pending", "unknown"):
            await apoll(
                self.refresh,
                export_state,
                job_id=self.id,
                what="export",
                timeout=timeout,
                sleep=self._sleep,
                clock=self._clock,
                schedule=self._schedule,
                budget=client_budget(self.client),
                on_poll=job_progress(client_hooks(self.client), "export", self.id, export_report),
            )
        if export_state(self.export) == "failed":
            raise ExportFailedError(self.id)
        return self


async def acreate_export(
    client: AuthenticatedClient,
    *,
    fields: Sequence[str] | None = None,
    filters: Mapping[str, Any] | None = None,
    order: str | None = None,
    wait: bool = True,
    timeout: float | None = DEFAULT_WAIT_TIMEOUT,  # noqa: ASYNC109
    sleep: SleepFn = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
    schedule: PollStrategy = DEFAULT_STRATEGY,
) -> AsyncExportHandle:
    """Schedule an order export and (``wait=True``) wait until it is ``DONE``.

    ``fields``: CSV columns (``id``, ``source_id``, ``status``, ``created_at``, amounts,
    ``customer_id``, ``referrer_id``, ``metadata`` or ``metadata.<key>``; default ``id``,
    ``source_id``, ``status``). ``filters``: e.g. ``{"status": {"conditions": {"$in":
    ["PAID"]}}}``. ``order``: ``created_at``, ``-created_at``, ``updated_at``, ``status``, ...
    Parameters are checked against the spec before sending.
    """
    body = export_body(fields, filters, order)
    response = await acall(create_order_export.asyncio_detailed, client=client, body=body)
    created = unwrap(response, OrdersExportCreateResponseBody)
    handle = AsyncExportHandle(client, created, sleep=sleep, clock=clock, schedule=schedule)
    logger.info("export %s scheduled", handle.id)
    if wait:
        await handle.wait(timeout=timeout)
    return handle
