"""The errors of a live-order sync (``vf.orders.upsert_many``) that are its own: an order refused
before it was sent (:class:`UpsertInputError`), and an order not sent because an earlier order
with the same key failed (:class:`UpsertBlockedError`)."""

from __future__ import annotations

from voucherify_ext.errors.base import VoucherifyError
from voucherify_ext.errors.inputs import ValidationError

__all__ = ["UpsertBlockedError", "UpsertInputError"]


class UpsertInputError(ValidationError):
    """An order of ``upsert_many``'s input refused before anything was sent for it: no ``id`` or
    ``source_id``, a field the spec does not know, a value of the wrong type, a line that is not
    JSON. ``index`` is its position in the input (0-based), ``line`` and ``file`` name it in a
    file (None for an iterable), ``path`` the offending field when there is one."""

    def __init__(
        self,
        message: str,
        *,
        index: int,
        line: int | None = None,
        file: str | None = None,
        path: str | None = None,
    ) -> None:
        self.index = index
        self.line = line
        self.file = file
        super().__init__(message, path=path)


class UpsertBlockedError(VoucherifyError):
    """The order at ``index`` was not sent: the earlier order at ``blocked_by`` with the same
    key failed, and sending this one after it would break the input's order for that key (a
    rerun with the same checkpoint sends both again, in order)."""

    def __init__(self, message: str, *, index: int, blocked_by: int) -> None:
        self.index = index
        self.blocked_by = blocked_by
        super().__init__(message)
