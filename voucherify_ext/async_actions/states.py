"""An async action's state for the poller: pending, done, failed or unknown. No I/O."""

from __future__ import annotations

from typing import TYPE_CHECKING

from voucherify_client.models import AsyncActionGetResponseBody
from voucherify_client.types import Unset

if TYPE_CHECKING:  # the poller's vocabulary, for the annotation only: this module does no polling
    from voucherify_ext.polling.decisions import PollState

__all__ = ["action_state"]


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
