"""An async action's state for the poller: pending, done, failed or unknown. No I/O."""

from __future__ import annotations

from typing import TYPE_CHECKING

from voucherify_client.models import AsyncActionGetResponseBody
from voucherify_client.types import Unset

if TYPE_CHECKING:  # the poller's vocabulary, for the annotation only: this module does no polling
    from voucherify_ext.polling.decisions import PollState

__all__ = ["action_report", "action_state"]


def _text(value: object) -> str:
    return "?" if value is None or isinstance(value, Unset) else str(value)


def action_state(action: AsyncActionGetResponseBody) -> PollState:
    """``ENQUEUED``/``IN_PROGRESS`` are pending, ``DONE`` done, ``FAILED`` failed; any other
    status (or none) is unknown."""
    status = _text(action.status)
    if status == "DONE":
        return "done"
    if status == "FAILED":
        return "failed"
    if status in ("ENQUEUED", "IN_PROGRESS"):
        return "pending"
    return "unknown"


def action_report(action: AsyncActionGetResponseBody) -> tuple[str, str | None, int | None]:
    """What one poll of the action tells the ``on_job_progress`` hook: status, type, progress."""
    kind = None if action.type_ is None or isinstance(action.type_, Unset) else str(action.type_)
    progress = action.progress if isinstance(action.progress, int) else None
    return _text(action.status), kind, progress
