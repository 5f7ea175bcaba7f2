"""The errors of bulk jobs (async actions and exports) that did not finish well: failed, still
running at the deadline, in a status the client does not know, or an export whose CSV cannot be
read faithfully. ``job_id`` names the job."""

from __future__ import annotations

from typing import Any

from voucherify_client.models import AsyncActionGetResponseBody
from voucherify_client.types import Unset

from voucherify_ext.errors.base import VoucherifyError

__all__ = [
    "AsyncActionFailedError",
    "AsyncActionStatusError",
    "ExportFailedError",
    "ExportRowError",
    "JobError",
    "JobTimeoutError",
]


class JobError(VoucherifyError):
    """A bulk job (async action or export) did not finish well. ``job_id`` names it."""

    def __init__(self, message: str, *, job_id: str) -> None:
        self.job_id = job_id
        super().__init__(message)


class AsyncActionFailedError(JobError):
    """The async action ended ``FAILED``. ``action`` is the last state fetched and ``result``
    its ``result`` as a plain dict (None when the server sent none)."""

    def __init__(self, action: AsyncActionGetResponseBody) -> None:
        self.action = action
        self.result: dict[str, Any] | None = (
            None
            if isinstance(action.result, Unset)
            else dict(action.result.additional_properties)  # redacted by __setattr__
        )
        job_id = action.id if isinstance(action.id, str) else "?"
        message = f"async action {job_id} ({_enum_text(action.type_)}) failed"
        if self.result and isinstance(self.result.get("message"), str):
            message += f": {self.result['message']}"
        super().__init__(message, job_id=job_id)


class JobTimeoutError(JobError, TimeoutError):
    """The deadline passed while the job was still running. Nothing was cancelled: wait again
    later with ``job_id`` (``vf.async_actions.wait(err.job_id)`` / ``export.wait()``).
    ``last`` is the last state fetched."""

    def __init__(self, message: str, *, job_id: str, timeout: float | None, last: Any = None) -> None:
        self.timeout = timeout
        self.last = last
        super().__init__(message, job_id=job_id)


class ExportFailedError(JobError):
    """The export ended with status ``ERROR``."""

    def __init__(self, export_id: str) -> None:
        super().__init__(f"export {export_id} failed (status ERROR)", job_id=export_id)


def _enum_text(value: object) -> str:
    """An enum member's value (or any value) as text, for messages."""
    return str(getattr(value, "value", value))


class AsyncActionStatusError(JobError):
    """The async action kept reporting a ``status`` the client does not know (not ``ENQUEUED``,
    ``IN_PROGRESS``, ``DONE`` or ``FAILED``, or none at all) for longer than the grace period.
    ``status`` is the text it reported; ``last`` the last state fetched."""

    def __init__(self, message: str, *, job_id: str, status: str = "?", last: Any = None) -> None:
        self.status = status
        self.last = last
        super().__init__(message, job_id=job_id)


class ExportRowError(JobError, ValueError):
    """An export's CSV cannot be read faithfully at one row: bytes that are not in the declared
    encoding, a row with more or fewer cells than the header, a quoted cell still open at the
    end of the file, a cell nested too deeply to decode. ``job_id`` is the export id, ``line``
    the line of the file where the row starts (the header is line 1)."""

    def __init__(self, message: str, *, job_id: str, line: int) -> None:
        self.line = line
        super().__init__(message, job_id=job_id)
