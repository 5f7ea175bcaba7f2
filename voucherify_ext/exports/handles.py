"""Order exports: ``vf.orders.export(fields=..., filters=..., order=...)`` and its async twin.

An export is a job: ``POST /v1/orders/export`` schedules it, ``GET /v1/exports/{id}`` reports
``SCHEDULED`` → ``IN_PROGRESS`` → ``DONE`` (with ``result.url``) or ``ERROR``, and the CSV is
served by the regional *download* host (``api`` → ``download``, ``us1.api`` →
``us1.download``, ``as1.api`` → ``as1.download``; the spec's ``x-export-download``).

:class:`ExportHandle` waits (same polling as async actions: 1 s growing to 10 s, with a
deadline), then streams the file: :meth:`ExportHandle.download` writes it to disk through a
temporary file renamed into place (a failed download leaves nothing half-written), and
:meth:`ExportHandle.iter_rows` yields one dict per CSV row, with ``created_at``/``updated_at``
parsed to aware datetimes, amount columns to ``int``, and ``metadata`` columns JSON-decoded
when they hold JSON. Neither holds the file in memory.

The download URL carries a token. It is a secret: it never appears in logs (the transport and
httpx log through a redacting filter), in exception messages or in ``repr``; the transport
adds the usual authentication headers because the download host is a trusted origin. The
handle holds it as a :class:`~voucherify_ext.auth.Secret` (``handle.url`` gives the value), and
an error of the download request is raised with its traceback cut at ext's frame: the frames
below (httpx's and the transport's) hold request objects whose ``repr`` shows the URL, and
error trackers and rich tracebacks show frame locals. With OpenTelemetry, the download request
is sent with HTTP instrumentation suppressed under ext's own span, whose URL is redacted
(:mod:`voucherify_ext.exports.telemetry`).

A download URL that the download host refuses (401, 403 or 410: the token rotated or the URL
expired) is fetched afresh from the export (:meth:`ExportHandle.refresh`, ``getExport``) once,
and the download tried again; a second refusal raises the typed error, saying so.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
from voucherify_client.api.exports import get_export
from voucherify_client.api.orders import create_order_export
from voucherify_client.client import AuthenticatedClient
from voucherify_client.models import Export, OrdersExportCreateRequestBody, OrdersExportCreateResponseBody
from voucherify_client.types import Unset

from voucherify_ext.auth import Secret
from voucherify_ext.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    DeadlineExceededError,
    ExportFailedError,
    InputTypeError,
    ValidationError,
    VoucherifyError,
)
from voucherify_ext.exports.rows import AMOUNT_COLUMNS, DATE_COLUMNS, RowReader, parse_row
from voucherify_ext.exports.telemetry import download_span
from voucherify_ext.http.deadlines import (
    CALL_START_EXTENSION,
    DEADLINE_AT_EXTENSION,
    DEFAULT_STALL,
    STALL_EXTENSION,
    StallRule,
)
from voucherify_ext.http.exchange import exchange_of
from voucherify_ext.logs import logger, redact
from voucherify_ext.polling import (
    DEFAULT_SCHEDULE,
    DEFAULT_WAIT_TIMEOUT,
    PollSchedule,
    PollState,
    apoll,
    poll,
)
from voucherify_ext.responses import acall, api_error, call, unwrap
from voucherify_ext.validation import (
    encode_problem,
    format_path,
    load_spec,
    schema_backend,
    schema_backend_problem,
    schema_for,
)

__all__ = [
    "AMOUNT_COLUMNS",
    "DATE_COLUMNS",
    "AsyncExportHandle",
    "ExportFailedError",
    "ExportHandle",
    "ProgressFn",
    "acreate_export",
    "create_export",
    "download_url",
    "parse_row",
]

_DOWNLOAD_ATTEMPTS = 3

#: statuses of the download host that mean "this URL no longer works" (a rotated token, an
#: expired URL): the URL is fetched afresh from the export once, and the download tried again
REFUSED_URL_STATUSES = frozenset({401, 403, 410})


# ---------------------------------------------------------------------------- pure helpers


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


def _export_body(
    fields: Sequence[str] | None, filters: Mapping[str, Any] | None, order: str | None
) -> OrdersExportCreateRequestBody:
    parameters: dict[str, Any] = {}
    if order is not None:
        if not isinstance(order, str):
            raise InputTypeError(
                f"order must be a string such as '-created_at', got {type(order).__name__}", path="order"
            )
        parameters["order"] = str(order)
    if fields is not None:
        if isinstance(fields, str | bytes) or not isinstance(fields, Iterable):
            raise InputTypeError(
                f"fields must be a list of column names (e.g. ['id', 'source_id']), "
                f"got {type(fields).__name__}",
                path="fields",
            )
        parameters["fields"] = list(fields)
    if filters is not None:
        if not isinstance(filters, Mapping):
            raise InputTypeError(
                "filters must be a dict of Voucherify export filters, e.g. "
                "{'status': {'conditions': {'$in': ['PAID']}}}, "
                f"got {type(filters).__name__} {_preview(filters)}",
                path="filters",
            )
        parameters["filters"] = dict(filters)
    problems = _parameters_validator().problems(parameters)
    if problems:
        raise ValidationError(f"invalid export parameters: {problems[0]}", path=problems[0].split(":", 1)[0])
    return OrdersExportCreateRequestBody.from_dict({"parameters": parameters} if parameters else {})


def _preview(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _ParametersValidator:
    def __init__(self) -> None:
        self._backend = schema_backend(schema_for("ExportOrderParameters"))

    def problems(self, parameters: dict[str, Any]) -> list[str]:
        unencodable = encode_problem(parameters)  # what the schema validator cannot even read
        if unencodable is not None:
            return [unencodable]
        try:
            if self._backend.is_valid(parameters):
                return []
            return [
                f"{format_path(path) or 'parameters'}: {message}"
                for path, message in self._backend.errors(parameters)
            ]
        except ValueError as exc:  # jsonschema_rs: a non-string key, or past its nesting limit
            return [schema_backend_problem(parameters, exc)]


@functools.cache
def _parameters_validator() -> _ParametersValidator:
    return _ParametersValidator()


def _state(export: Export | OrdersExportCreateResponseBody) -> PollState:
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


def _temp_path(target: Path) -> Path:
    """A new hidden file beside ``target``, created with mode 0666 less the umask (the mode the
    finished download keeps, as for any file the user creates; ``mkstemp`` would give 0600).
    An error names ``target``, the path the caller gave, not the hidden one."""
    for _ in range(100):
        temp = target.parent / f".{target.name}.{secrets.token_hex(4)}.part"
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        except OSError as exc:
            raise type(exc)(exc.errno, exc.strerror, str(target)) from None
        return temp
    raise FileExistsError(errno.EEXIST, "no free temporary name beside it", str(target))


def _http_error(response: httpx.Response, url: Secret) -> VoucherifyError:
    return api_error(
        response.status_code,
        response.content,
        response.headers,
        method="GET",
        path=redact(httpx.URL(url.reveal()).raw_path.decode("ascii", "replace")),
        exchange=exchange_of(response),
    )


#: what the download request may raise; raised again with the traceback cut at ext's frame
_REQUEST_ERRORS = (VoucherifyError, httpx.HTTPError)


@contextlib.contextmanager
def _open_download(
    client: httpx.Client, url: Secret, export_id: str, extensions: dict[str, Any]
) -> Iterator[httpx.Response]:
    """The streamed response of the download request, under ext's span (module docstring)."""
    with download_span(url, export_id) as span:
        failure: BaseException | None = None
        with span.sending():
            try:
                stream = client.stream("GET", url.reveal(), extensions=extensions)
                response = stream.__enter__()
            except _REQUEST_ERRORS as exc:
                failure = exc.with_traceback(None)
        if failure is not None:
            raise failure  # outside the except block: its traceback starts here
        try:
            span.status(response.status_code)
            if response.status_code >= 400:
                response.read()
                raise _http_error(response, url)
            yield response
        finally:
            stream.__exit__(None, None, None)


@contextlib.asynccontextmanager
async def _aopen_download(
    client: httpx.AsyncClient, url: Secret, export_id: str, extensions: dict[str, Any]
) -> AsyncIterator[httpx.Response]:
    """Async twin of :func:`_open_download`."""
    with download_span(url, export_id) as span:
        failure: BaseException | None = None
        with span.sending():
            try:
                stream = client.stream("GET", url.reveal(), extensions=extensions)
                response = await stream.__aenter__()
            except _REQUEST_ERRORS as exc:
                failure = exc.with_traceback(None)
        if failure is not None:
            raise failure  # outside the except block: its traceback starts here
        try:
            span.status(response.status_code)
            if response.status_code >= 400:
                await response.aread()
                raise _http_error(response, url)
            yield response
        finally:
            await stream.__aexit__(None, None, None)


_STREAM_ERRORS = (httpx.TransportError, APIConnectionError)


def _broke_off(export_id: str, exc: BaseException) -> BaseException:
    """What a rows iterator raises for ``exc``: a typed error, without the frames below (they
    hold the request, whose URL carries the token) and never chained to an httpx error (whose
    ``request`` holds the URL and the credential headers)."""
    if isinstance(exc, httpx.TransportError):
        return APIConnectionError(f"export {export_id}: the download broke off: {redact(str(exc))}")
    return exc.with_traceback(None)


def _download_extensions(started: float | None, stall: StallRule) -> dict[str, Any]:
    """A download is bounded by the stall rule and the caller's deadline, not by a total; its
    attempts share the deadline from ``started`` (see :mod:`voucherify_ext.http.deadlines`)."""
    extensions: dict[str, Any] = {STALL_EXTENSION: stall}
    if started is not None:
        extensions[CALL_START_EXTENSION] = started
    return extensions


def _refused_status(exc: BaseException) -> int | None:
    """The status of a refused download URL (401/403/410), None for any other error."""
    if isinstance(exc, APIError) and exc.status_code in REFUSED_URL_STATUSES:
        return exc.status_code
    return None


def _refused_again(exc: BaseException) -> BaseException:
    """``exc``, a refusal of the fresh URL, saying that a fresh URL was tried."""
    if _refused_status(exc) is not None and isinstance(exc, VoucherifyError):
        # (VoucherifyError.__setattr__ redacts what is set)
        exc.message = f"{exc.message} (refused again after the download URL was fetched afresh)"
        exc.args = (exc.message,)
    return exc


def _download_failed(export_id: str, last: BaseException | None) -> APIConnectionError:
    timed_out = isinstance(last, httpx.TimeoutException | APITimeoutError)
    cls = APITimeoutError if timed_out else APIConnectionError
    return cls(f"export {export_id}: the download failed {_DOWNLOAD_ATTEMPTS} times: {redact(str(last))}")


def _no_time_for(delay: float, deadline_at: float | None, now: float) -> bool:
    return deadline_at is not None and now + delay >= deadline_at


#: ``on_progress(bytes written so far, total size or None)`` of a download.
ProgressFn = Callable[[int, int | None], None]


def _expected_size(response: httpx.Response) -> int | None:
    """The body's size from ``Content-Length``, when it is the size of what will be written
    (not for a compressed body, whose decoded size is unknown)."""
    if response.headers.get("content-encoding", "identity").lower() not in ("", "identity"):
        return None
    try:
        size = int(response.headers.get("content-length", ""))
    except ValueError:
        return None
    return size if size >= 0 else None


# ---------------------------------------------------------------------------- sync handle


class _HandleBase:
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


class ExportHandle(_HandleBase):
    """A scheduled or finished order export. ``wait``, then ``download`` or ``iter_rows``."""

    def __init__(
        self,
        client: AuthenticatedClient,
        export: Export | OrdersExportCreateResponseBody,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        schedule: PollSchedule = DEFAULT_SCHEDULE,
    ) -> None:
        super().__init__(client, export)
        self._sleep = sleep
        self._clock = clock
        self._schedule = schedule

    def refresh(self) -> Export:
        export = unwrap(call(get_export.sync_detailed, self.id, client=self.client), Export)
        self.export = export
        return export

    def wait(self, *, timeout: float | None = DEFAULT_WAIT_TIMEOUT) -> ExportHandle:
        """Poll until ``DONE``. Raises :class:`ExportFailedError` on ``ERROR`` and
        :class:`~voucherify_ext.polling.JobTimeoutError` (``job_id`` = the export id) after
        ``timeout`` seconds."""
        if _state(self.export) in ("pending", "unknown"):
            poll(
                self.refresh,
                _state,
                job_id=self.id,
                what="export",
                timeout=timeout,
                sleep=self._sleep,
                clock=self._clock,
                schedule=self._schedule,
            )
        if _state(self.export) == "failed":
            raise ExportFailedError(self.id)
        return self

    @contextlib.contextmanager
    def _stream(
        self, timeout: float | None, started: float | None = None, stall: StallRule = DEFAULT_STALL
    ) -> Iterator[httpx.Response]:
        self.wait(timeout=timeout)
        extensions = _download_extensions(started, stall)
        with _open_download(
            self.client.get_httpx_client(), self._require_url(), self.id, extensions
        ) as response:
            yield response

    def download(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float | None = DEFAULT_WAIT_TIMEOUT,
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
        self.wait(timeout=timeout)
        started = self._clock()  # the caller's deadline bounds all attempts together
        deadline_at: float | None = None
        attempt, refreshed = 0, False
        while True:
            temp, refused = _temp_path(target), None
            try:
                with self._stream(timeout, started, stall) as response, open(temp, "wb") as handle:
                    deadline_at = response.extensions.get(DEADLINE_AT_EXTENSION, deadline_at)
                    total, written = _expected_size(response), 0
                    for block in response.iter_bytes(1 << 16):
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
                refused = _refused_status(exc)
                if refused is None:
                    raise
                if refreshed:
                    raise _refused_again(exc)  # noqa: B904 - the same error, saying more
            except _STREAM_ERRORS as exc:
                attempt += 1
                last = exc
                logger.info("export %s download attempt %d failed: %s", self.id, attempt, redact(str(exc)))
                delay = min(4.0, 0.5 * 2 ** (attempt - 1))
                if attempt == _DOWNLOAD_ATTEMPTS or _no_time_for(delay, deadline_at, self._clock()):
                    break
                self._sleep(delay)
            finally:
                temp.unlink(missing_ok=True)
            if refused is not None:  # outside the except block: no context for what follows
                refreshed = True
                self._note_refused(refused)
                self.refresh()
        raise _download_failed(self.id, last) from None

    def iter_rows(
        self, *, parse: bool = True, timeout: float | None = DEFAULT_WAIT_TIMEOUT
    ) -> Iterator[dict[str, Any]]:
        """Wait for the export if needed, then yield its CSV rows as dicts keyed by the
        requested fields, streamed (typed as :func:`parse_row` explains; ``parse=False`` for
        the raw strings). A connection lost mid-file raises :class:`APIConnectionError` (rows
        already yielded are not repeated)."""
        for refreshed in (False, True):
            failure: BaseException | None = None
            refused: int | None = None
            try:
                with self._stream(timeout) as response:
                    reader = RowReader(self.id, parse=parse, encoding=response.charset_encoding)
                    for block in response.iter_bytes(1 << 16):
                        yield from reader.feed(block)
                    yield from reader.end()
                return
            except _REQUEST_ERRORS as exc:  # a refusal comes before the first row
                refused = None if refreshed else _refused_status(exc)
                if refused is None:
                    failure = _broke_off(self.id, _refused_again(exc) if refreshed else exc)
            if failure is not None:
                raise failure  # outside the except block: no __context__ holding the request
            if refused is not None:
                self._note_refused(refused)
                self.refresh()


def create_export(
    client: AuthenticatedClient,
    *,
    fields: Sequence[str] | None = None,
    filters: Mapping[str, Any] | None = None,
    order: str | None = None,
    wait: bool = True,
    timeout: float | None = DEFAULT_WAIT_TIMEOUT,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    schedule: PollSchedule = DEFAULT_SCHEDULE,
) -> ExportHandle:
    """Schedule an order export and (``wait=True``) wait until it is ``DONE``.

    ``fields``: CSV columns (``id``, ``source_id``, ``status``, ``created_at``, amounts,
    ``customer_id``, ``referrer_id``, ``metadata`` or ``metadata.<key>``; default ``id``,
    ``source_id``, ``status``). ``filters``: e.g. ``{"status": {"conditions": {"$in":
    ["PAID"]}}}``. ``order``: ``created_at``, ``-created_at``, ``updated_at``, ``status``, ...
    Parameters are checked against the spec before sending.
    """
    body = _export_body(fields, filters, order)
    created = unwrap(
        call(create_order_export.sync_detailed, client=client, body=body), OrdersExportCreateResponseBody
    )
    handle = ExportHandle(client, created, sleep=sleep, clock=clock, schedule=schedule)
    logger.info("export %s scheduled", handle.id)
    if wait:
        handle.wait(timeout=timeout)
    return handle


# ---------------------------------------------------------------------------- async twin


class AsyncExportHandle(_HandleBase):
    """Async twin of :class:`ExportHandle`."""

    def __init__(
        self,
        client: AuthenticatedClient,
        export: Export | OrdersExportCreateResponseBody,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        schedule: PollSchedule = DEFAULT_SCHEDULE,
    ) -> None:
        super().__init__(client, export)
        self._sleep = sleep
        self._clock = clock
        self._schedule = schedule

    async def refresh(self) -> Export:
        export = unwrap(await acall(get_export.asyncio_detailed, self.id, client=self.client), Export)
        self.export = export
        return export

    async def wait(self, *, timeout: float | None = DEFAULT_WAIT_TIMEOUT) -> AsyncExportHandle:  # noqa: ASYNC109
        if _state(self.export) in ("pending", "unknown"):
            await apoll(
                self.refresh,
                _state,
                job_id=self.id,
                what="export",
                timeout=timeout,
                sleep=self._sleep,
                clock=self._clock,
                schedule=self._schedule,
            )
        if _state(self.export) == "failed":
            raise ExportFailedError(self.id)
        return self

    @contextlib.asynccontextmanager
    async def _stream(
        self,
        timeout: float | None,  # noqa: ASYNC109
        started: float | None = None,
        stall: StallRule = DEFAULT_STALL,
    ) -> AsyncIterator[httpx.Response]:
        await self.wait(timeout=timeout)
        client = self.client.get_async_httpx_client()
        extensions = _download_extensions(started, stall)
        async with _aopen_download(client, self._require_url(), self.id, extensions) as response:
            yield response

    async def download(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float | None = DEFAULT_WAIT_TIMEOUT,  # noqa: ASYNC109
        on_progress: ProgressFn | None = None,
        stall: StallRule = DEFAULT_STALL,
    ) -> Path:
        """Async twin of :meth:`ExportHandle.download` (``on_progress`` too)."""
        target = Path(path)
        last: BaseException | None = None
        await self.wait(timeout=timeout)
        started = self._clock()  # the caller's deadline bounds all attempts together
        deadline_at: float | None = None
        attempt, refreshed = 0, False
        while True:
            temp, refused = _temp_path(target), None
            try:
                async with self._stream(timeout, started, stall) as response:
                    deadline_at = response.extensions.get(DEADLINE_AT_EXTENSION, deadline_at)
                    total, written = _expected_size(response), 0
                    with open(temp, "wb") as handle:  # noqa: ASYNC230 - small writes to a local file
                        async for block in response.aiter_bytes(1 << 16):
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
                refused = _refused_status(exc)
                if refused is None:
                    raise
                if refreshed:
                    raise _refused_again(exc)  # noqa: B904 - the same error, saying more
            except _STREAM_ERRORS as exc:
                attempt += 1
                last = exc
                logger.info("export %s download attempt %d failed: %s", self.id, attempt, redact(str(exc)))
                delay = min(4.0, 0.5 * 2 ** (attempt - 1))
                if attempt == _DOWNLOAD_ATTEMPTS or _no_time_for(delay, deadline_at, self._clock()):
                    break
                await self._sleep(delay)
            finally:
                temp.unlink(missing_ok=True)
            if refused is not None:  # outside the except block: no context for what follows
                refreshed = True
                self._note_refused(refused)
                await self.refresh()
        raise _download_failed(self.id, last) from None

    async def iter_rows(
        self,
        *,
        parse: bool = True,
        timeout: float | None = DEFAULT_WAIT_TIMEOUT,  # noqa: ASYNC109
    ) -> AsyncIterator[dict[str, Any]]:
        for refreshed in (False, True):
            failure: BaseException | None = None
            refused: int | None = None
            try:
                async with self._stream(timeout) as response:
                    reader = RowReader(self.id, parse=parse, encoding=response.charset_encoding)
                    async for block in response.aiter_bytes(1 << 16):
                        for row in reader.feed(block):
                            yield row
                    for row in reader.end():
                        yield row
                return
            except _REQUEST_ERRORS as exc:  # a refusal comes before the first row
                refused = None if refreshed else _refused_status(exc)
                if refused is None:
                    failure = _broke_off(self.id, _refused_again(exc) if refreshed else exc)
            if failure is not None:
                raise failure  # outside the except block: no __context__ holding the request
            if refused is not None:
                self._note_refused(refused)
                await self.refresh()


async def acreate_export(
    client: AuthenticatedClient,
    *,
    fields: Sequence[str] | None = None,
    filters: Mapping[str, Any] | None = None,
    order: str | None = None,
    wait: bool = True,
    timeout: float | None = DEFAULT_WAIT_TIMEOUT,  # noqa: ASYNC109
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
    schedule: PollSchedule = DEFAULT_SCHEDULE,
) -> AsyncExportHandle:
    """Async twin of :func:`create_export`."""
    body = _export_body(fields, filters, order)
    response = await acall(create_order_export.asyncio_detailed, client=client, body=body)
    created = unwrap(response, OrdersExportCreateResponseBody)
    handle = AsyncExportHandle(client, created, sleep=sleep, clock=clock, schedule=schedule)
    logger.info("export %s scheduled", handle.id)
    if wait:
        await handle.wait(timeout=timeout)
    return handle
