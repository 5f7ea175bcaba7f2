"""The download of an export's CSV, to a file or as rows.

``download_async.py`` is the source; ``download_sync.py``, its twin, is generated from it by
``scripts/unasync.py`` (never edited).

A file is written through a temporary file beside the target, renamed into place once complete
(a failed download leaves nothing half-written). Rows are streamed through one
:class:`~voucherify_ext.exports.rows.RowReader`. Neither holds the file in memory.

The request is sent under ext's own span (:mod:`voucherify_ext.exports.telemetry`), and an error
of it is raised with its traceback cut at ext's frame: the frames below hold request objects
whose ``repr`` shows the URL, and the URL carries the export's token. A URL the download host
refuses (401, 403, 410) is fetched afresh from the export once and the download tried again; a
connection that fails is tried again (``DOWNLOAD_ATTEMPTS``), within the caller's deadline. The
rules themselves (statuses, delays, errors) are in :mod:`voucherify_ext.exports.download_rules`.
"""

from __future__ import annotations

import abc
import contextlib
import os
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
)  # unasync: from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
from voucherify_client.models import Export

from voucherify_ext.auth import Secret
from voucherify_ext.errors import APIError, DeadlineExceededError
from voucherify_ext.exports.download_rules import (
    DOWNLOAD_ATTEMPTS,
    REQUEST_ERRORS,
    STREAM_ERRORS,
    ProgressFn,
    broke_off,
    download_extensions,
    download_failed,
    expected_size,
    http_error,
    no_time_for,
    refused_again,
    refused_status,
    retry_delay,
    temp_path,
)
from voucherify_ext.exports.handle_base import HandleBase
from voucherify_ext.exports.rows import RowReader
from voucherify_ext.exports.telemetry import download_span
from voucherify_ext.http.deadlines import DEFAULT_STALL, StallRule
from voucherify_ext.http.exchange import deadline_of
from voucherify_ext.logs import logger, redact
from voucherify_ext.polling import DEFAULT_WAIT_TIMEOUT

__all__ = ["AsyncExportDownloads", "SleepFn"]  # unasync: __all__ = ["ExportDownloads", "SleepFn"]

#: the injected ``sleep`` of a handle: how it waits between polls and between download attempts
SleepFn = Callable[[float], Awaitable[None]]  # unasync: SleepFn = Callable[[float], None]

_BLOCK = 1 << 16  # bytes read from the response at a time


@contextlib.asynccontextmanager
async def _aopen_download(
    client: httpx.AsyncClient, url: Secret, export_id: str, extensions: dict[str, Any]
) -> AsyncIterator[httpx.Response]:
    """The streamed response of the download request, under ext's span (module docstring)."""
    with download_span(url, export_id) as span:
        failure: BaseException | None = None
        with span.sending():
            try:
                stream = client.stream("GET", url.reveal(), extensions=extensions)
                response = await stream.__aenter__()
            except REQUEST_ERRORS as exc:
                failure = exc.with_traceback(None)
        if failure is not None:
            raise failure  # outside the except block: its traceback starts here
        try:
            span.status(response.status_code)
            if response.status_code >= 400:
                await response.aread()
                raise http_error(response, url)
            yield response
        finally:
            await stream.__aexit__(None, None, None)


class AsyncExportDownloads(HandleBase, abc.ABC):
    """What :class:`~voucherify_ext.exports.AsyncExportHandle` does once its export is done:
    ``download`` to a file and ``iter_rows``. The handle gives ``wait``, ``refresh`` and the
    injected ``sleep`` and ``clock``."""

    _sleep: SleepFn
    _clock: Callable[[], float]

    @abc.abstractmethod
    async def refresh(self) -> Export:
        """Read the export afresh (``getExport``)."""

    @abc.abstractmethod
    async def wait(self, *, timeout: float | None = DEFAULT_WAIT_TIMEOUT) -> object:  # noqa: ASYNC109
        """Poll until the export is ``DONE``."""

    @contextlib.asynccontextmanager
    async def _stream(
        self,
        timeout: float | None,  # noqa: ASYNC109
        started: float | None = None,
        stall: StallRule = DEFAULT_STALL,
    ) -> AsyncIterator[httpx.Response]:
        await self.wait(timeout=timeout)
        extensions = download_extensions(started, stall)
        client = self.client.get_async_httpx_client()
        async with _aopen_download(client, self._require_url(), self.id, extensions) as response:
            yield response

    async def _refresh_refused(self, status: int) -> None:
        """After the download host refused the URL with ``status``: a fresh URL, counted."""
        self._note_refused(status)
        await self.refresh()

    async def download(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float | None = DEFAULT_WAIT_TIMEOUT,  # noqa: ASYNC109
        on_progress: ProgressFn | None = None,
        stall: StallRule = DEFAULT_STALL,
    ) -> Path:
        """Wait for the export if needed, then stream its CSV to ``path`` (atomically: a
        temporary file in the same folder, renamed once complete). Returns the path.

        The download has no total time limit: an attempt is cut off when it stalls (fewer
        than ``stall.min_bytes`` in ``stall.window`` seconds; default 16 KiB in 30 s), and all
        attempts together end by the client's ``deadline``, when it has one
        (:class:`~voucherify_ext.errors.DeadlineExceededError`).

        ``on_progress(written, total)`` is called after each chunk written: the bytes written
        so far and the size from ``Content-Length`` (None when the server does not say). A
        retried download starts again from 0."""
        target = Path(path)
        last: BaseException | None = None
        await self.wait(timeout=timeout)
        started = self._clock()  # the caller's deadline bounds all attempts together
        deadline_at: float | None = None
        attempt, refreshed = 0, False
        while True:
            temp, refused = temp_path(target), None
            try:
                async with self._stream(timeout, started, stall) as response:
                    deadline_at = deadline_of(response, deadline_at)
                    total, written = expected_size(response), 0
                    with open(temp, "wb") as handle:  # noqa: ASYNC230 - small writes to a local file
                        async for block in response.aiter_bytes(_BLOCK):
                            handle.write(block)
                            written += len(block)
                            if on_progress is not None:
                                on_progress(written, total)
                        handle.flush()
                        os.fsync(handle.fileno())
                os.replace(temp, target)
                logger.info("export %s downloaded to %s", self.id, target)
                return target
            except DeadlineExceededError:
                raise  # no time left for another attempt
            except APIError as exc:
                refused = refused_status(exc)
                if refused is None:
                    raise
                if refreshed:
                    raise refused_again(exc)  # noqa: B904 - the same error, saying more
            except STREAM_ERRORS as exc:
                attempt += 1
                last = exc
                logger.info("export %s download attempt %d failed: %s", self.id, attempt, redact(str(exc)))
                delay = retry_delay(attempt)
                if attempt == DOWNLOAD_ATTEMPTS or no_time_for(delay, deadline_at, self._clock()):
                    break
                await self._sleep(delay)
            finally:
                temp.unlink(missing_ok=True)
            if refused is not None:  # outside the except block: no context for what follows
                refreshed = True
                await self._refresh_refused(refused)
        raise download_failed(self.id, last) from None

    async def iter_rows(
        self,
        *,
        parse: bool = True,
        timeout: float | None = DEFAULT_WAIT_TIMEOUT,  # noqa: ASYNC109
    ) -> AsyncIterator[dict[str, Any]]:
        """Wait for the export if needed, then yield its CSV rows as dicts keyed by the
        requested fields, streamed (typed as :func:`~voucherify_ext.exports.rows.parse_row`
        explains; ``parse=False`` for the raw strings). A connection lost mid-file raises
        :class:`~voucherify_ext.errors.APIConnectionError` (rows already yielded are not
        repeated)."""
        for refreshed in (False, True):
            failure: BaseException | None = None
            refused: int | None = None
            try:
                async with self._stream(timeout) as response:
                    reader = RowReader(self.id, parse=parse, encoding=response.charset_encoding)
                    async for block in response.aiter_bytes(_BLOCK):
                        for row in reader.feed(block):
                            yield row
                    for row in reader.end():
                        yield row
                return
            except REQUEST_ERRORS as exc:  # a refusal comes before the first row
                refused = None if refreshed else refused_status(exc)
                if refused is None:
                    failure = broke_off(self.id, refused_again(exc) if refreshed else exc)
            if failure is not None:
                raise failure  # outside the except block: no __context__ holding the request
            if refused is not None:
                await self._refresh_refused(refused)
