"""Exit codes, and how a failure becomes one line on stderr, a hint and an exit code.

Exit codes (also in ``voucherify-orders --help`` and docs/cli.md):

====  ===========================================================================
0     success
1     the API refused the request, or an import or a sync finished with failed orders
2     wrong usage (unknown option, missing argument)
3     configuration or authentication problem (credentials, cluster, URL, 401)
4     invalid input: nothing (or, with a report, only what is listed) was sent
5     network trouble: connection refused or dropped, timeout, unreadable reply
6     a job (import or export) failed or did not finish in time
129   SIGHUP during an export download (128 + 1); no temporary file is left
143   SIGTERM during an export download (128 + 15); no temporary file is left
130   interrupted (Ctrl-C); what was already sent is reported
141   the output pipe was closed by its reader (``| head``): stopped quietly (128 + SIGPIPE)
====  ===========================================================================
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator

from rich.text import Text

from voucherify_ext.cli.render import stderr
from voucherify_ext.errors import (
    APIConnectionError,
    APIError,
    APIResponseError,
    AuthenticationError,
    ChangedSinceLimitError,
    CheckpointError,
    CheckpointMismatchError,
    ConfigurationError,
    ImportFileChangedError,
    ImportValidationError,
    JobError,
    JobTimeoutError,
    NotFoundError,
    PaginationLimitError,
    RateLimitError,
    ServerError,
    ValidationError,
    VoucherifyError,
)
from voucherify_ext.logs import redact

__all__ = ["EXIT_CODES", "reported_errors", "sanitize"]

EXIT_CODES = {
    "ok": 0,
    "api": 1,
    "usage": 2,
    "config": 3,
    "input": 4,
    "network": 5,
    "job": 6,
    "hangup": 129,  # SIGHUP during an export download
    "interrupted": 130,
    "broken_pipe": 141,
    "terminated": 143,  # SIGTERM during an export download
}


def _exit_code(exc: BaseException) -> int:
    if isinstance(exc, (ConfigurationError, AuthenticationError)):
        return EXIT_CODES["config"]
    if isinstance(exc, (ValidationError, CheckpointError)):
        return EXIT_CODES["input"]
    if isinstance(exc, JobError):
        return EXIT_CODES["job"]
    if isinstance(exc, APIError):  # an error status wins over its body: an HTML 502 is a 5xx (1)
        return EXIT_CODES["api"]
    if isinstance(exc, (APIConnectionError, APIResponseError)):
        return EXIT_CODES["network"]
    return EXIT_CODES["api"]


def _hint(exc: BaseException) -> str | None:
    if isinstance(exc, ConfigurationError):
        text = str(exc)
        if "credentials" in text and "missing" in text:
            return (
                "set VOUCHERIFY_APP_ID and VOUCHERIFY_APP_TOKEN (or pass --app-id/--app-token), "
                "or try --sandbox"
            )
        if "cluster" in text:
            return "pass --cluster eu, us1 or as1, or --base-url for a dedicated region"
        return None  # the message itself says what to change
    if isinstance(exc, AuthenticationError):
        return "check the app id and token, and that --cluster matches your project's region"
    if isinstance(exc, NotFoundError):
        return "check the id or source_id; `voucherify-orders orders list` shows what exists"
    if isinstance(exc, RateLimitError):
        wait = f"{exc.retry_after:.0f} s" if exc.retry_after else "a minute"
        return f"the project's rate limit is used up; wait {wait} and run the command again"
    if isinstance(exc, APIConnectionError) and exc.outcome_unknown:
        return "the request may have been processed: look the order up before sending it again"
    if isinstance(exc, APIConnectionError):
        return "check --base-url/--cluster and your network; the request was retried as far as was safe"
    if isinstance(exc, ImportFileChangedError):
        return (
            "keep the file unchanged while it is imported; the chunks listed above were sent "
            "(a --checkpoint of the old file does not fit the new one)"
        )
    if isinstance(exc, ImportValidationError) and exc.sent_chunks:
        return "fix the record at the place named above; the chunks listed were sent, the rest was not"
    if isinstance(exc, ImportValidationError):
        return "fix the record at the place named above (nothing was sent), or pass --on-invalid skip"
    if isinstance(exc, ValidationError):
        return "fix the input at the place named above; nothing was sent"
    if isinstance(exc, CheckpointMismatchError):
        return "the checkpoint belongs to another file or chunk size: pass a new --checkpoint path"
    if isinstance(exc, ChangedSinceLimitError):
        return (
            "read from a later --since/--updated-since, or every order with "
            "`voucherify-orders orders export -o FILE`"
        )
    if isinstance(exc, PaginationLimitError):
        return "use `voucherify-orders orders export -o FILE` to read every order"
    if isinstance(exc, JobTimeoutError):
        return f"nothing was cancelled: job {exc.job_id} may still finish; check it later"
    if isinstance(exc, ServerError):
        return "Voucherify failed; try again later and quote the request id to support if it persists"
    return None


#: C0 and C1 control characters (ESC, CSI, OSC, BEL, ...) and DEL, but not tab
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def sanitize(text: str) -> str:
    """``text`` safe for a terminal: secrets redacted, and every control character (the start
    of any escape sequence an id or a server message could carry) shown as ``\\xNN``."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", redact(text))


@contextlib.contextmanager
def reported_errors(debug: bool) -> Iterator[None]:
    """Turn a failure into one clear line on stderr (request id included) and an exit code."""
    try:
        yield
    except KeyboardInterrupt:
        stderr.print(
            "[bold red]interrupted[/]: what was sent is not undone; an import run with "
            "--checkpoint resumes when the same command runs again"
        )
        raise SystemExit(EXIT_CODES["interrupted"]) from None
    except BrokenPipeError:
        # the reader went away (`| head -1`): stop quietly, as Unix tools do; stdout is pointed
        # at /dev/null so the interpreter's last flush cannot fail again
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(EXIT_CODES["broken_pipe"]) from None
    except VoucherifyError as exc:
        if debug:
            stderr.print_exception()
        # a list's ceiling: the fact only; its Python remedy (vf.orders.export(...)) is no use
        # in a shell, the hint below gives the command instead
        said = exc.fact if isinstance(exc, PaginationLimitError) else str(exc)
        line = sanitize(f"{type(exc).__name__}: {said}")
        stderr.print(Text("error: ", style="bold red") + Text(line), soft_wrap=True)
        hint = _hint(exc)
        if hint:
            stderr.print(Text(f"hint: {sanitize(hint)}"), soft_wrap=True)
        raise SystemExit(_exit_code(exc)) from None
    except OSError as exc:  # a local file: unreadable input, unwritable output, full disk
        if debug:
            stderr.print_exception()
        where = f": {exc.filename}" if exc.filename else ""
        stderr.print(
            Text("error: ", style="bold red") + Text(sanitize(f"{exc.strerror or exc}{where}")),
            soft_wrap=True,
        )
        raise SystemExit(EXIT_CODES["input"]) from None
