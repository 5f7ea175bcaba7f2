"""The rules of an export download that both twins apply, with no network I/O: which statuses
mean a refused URL, how many attempts and how long between them, the temporary file beside the
target, the size to expect, the request's extensions (stall rule, shared deadline) and the typed
errors raised, cut free of the frames and chains that hold the URL's token.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from voucherify_ext.auth import Secret
from voucherify_ext.errors import APIConnectionError, APIError, APITimeoutError, VoucherifyError
from voucherify_ext.http.deadlines import CALL_START_EXTENSION, STALL_EXTENSION, StallRule
from voucherify_ext.http.exchange import exchange_of
from voucherify_ext.logs import redact
from voucherify_ext.responses import api_error
from voucherify_ext.retry import Backoff

__all__ = [
    "DOWNLOAD_ATTEMPTS",
    "REFUSED_URL_STATUSES",
    "REQUEST_ERRORS",
    "STREAM_ERRORS",
    "ProgressFn",
    "broke_off",
    "download_extensions",
    "download_failed",
    "expected_size",
    "http_error",
    "no_time_for",
    "refused_again",
    "refused_status",
    "retry_delay",
    "temp_path",
]

#: attempts of a download whose connection fails (a refused URL is not counted: it is refreshed)
DOWNLOAD_ATTEMPTS = 3

#: statuses of the download host that mean "this URL no longer works" (a rotated token, an
#: expired URL): the URL is fetched afresh from the export once, and the download tried again
REFUSED_URL_STATUSES = frozenset({401, 403, 410})

#: what the download request may raise; raised again with the traceback cut at ext's frame
REQUEST_ERRORS = (VoucherifyError, httpx.HTTPError)

#: what a failed connection or a body broken off raises: the download is tried again
STREAM_ERRORS = (httpx.TransportError, APIConnectionError)

#: ``on_progress(bytes written so far, total size or None)`` of a download.
ProgressFn = Callable[[int, int | None], None]


#: The wait after a failed download attempt (0.5 s doubling to 4 s).
BACKOFF = Backoff(initial=0.5, maximum=4.0)


def retry_delay(attempt: int) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based): 0.5, 1, 2, 4, 4, ..."""
    return BACKOFF.delay(attempt)


def no_time_for(delay: float, deadline_at: float | None, now: float) -> bool:
    """Whether waiting ``delay`` seconds from ``now`` reaches the caller's deadline."""
    return deadline_at is not None and now + delay >= deadline_at


def temp_path(target: Path) -> Path:
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


def expected_size(response: httpx.Response) -> int | None:
    """The body's size from ``Content-Length``, when it is the size of what will be written
    (not for a compressed body, whose decoded size is unknown)."""
    if response.headers.get("content-encoding", "identity").lower() not in ("", "identity"):
        return None
    try:
        size = int(response.headers.get("content-length", ""))
    except ValueError:
        return None
    return size if size >= 0 else None


def download_extensions(started: float | None, stall: StallRule) -> dict[str, Any]:
    """A download is bounded by the stall rule and the caller's deadline, not by a total; its
    attempts share the deadline from ``started`` (see :mod:`voucherify_ext.http.deadlines`)."""
    extensions: dict[str, Any] = {STALL_EXTENSION: stall}
    if started is not None:
        extensions[CALL_START_EXTENSION] = started
    return extensions


def http_error(response: httpx.Response, url: Secret) -> VoucherifyError:
    """The typed error of a download answered with an error status; its path is redacted."""
    return api_error(
        response.status_code,
        response.content,
        response.headers,
        method="GET",
        path=redact(httpx.URL(url.reveal()).raw_path.decode("ascii", "replace")),
        exchange=exchange_of(response),
    )


def broke_off(export_id: str, exc: BaseException) -> BaseException:
    """What a rows iterator raises for ``exc``: a typed error, without the frames below (they
    hold the request, whose URL carries the token) and never chained to an httpx error (whose
    ``request`` holds the URL and the credential headers)."""
    if isinstance(exc, httpx.TransportError):
        return APIConnectionError(f"export {export_id}: the download broke off: {redact(str(exc))}")
    return exc.with_traceback(None)


def refused_status(exc: BaseException) -> int | None:
    """The status of a refused download URL (401/403/410), None for any other error."""
    if isinstance(exc, APIError) and exc.status_code in REFUSED_URL_STATUSES:
        return exc.status_code
    return None


def refused_again(exc: BaseException) -> BaseException:
    """``exc``, a refusal of the fresh URL, saying that a fresh URL was tried."""
    if refused_status(exc) is not None and isinstance(exc, VoucherifyError):
        # (VoucherifyError.__setattr__ redacts what is set)
        exc.message = f"{exc.message} (refused again after the download URL was fetched afresh)"
        exc.args = (exc.message,)
    return exc


def download_failed(export_id: str, last: BaseException | None) -> APIConnectionError:
    """The error after the last attempt failed: a timeout if that attempt timed out."""
    timed_out = isinstance(last, httpx.TimeoutException | APITimeoutError)
    cls = APITimeoutError if timed_out else APIConnectionError
    return cls(f"export {export_id}: the download failed {DOWNLOAD_ATTEMPTS} times: {redact(str(last))}")
