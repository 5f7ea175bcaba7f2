"""The error of a list that goes past the last page its endpoint can reach."""

from __future__ import annotations

from voucherify_ext.errors.base import VoucherifyError

__all__ = ["PaginationLimitError"]


class PaginationLimitError(VoucherifyError):
    """The list goes on, but its endpoint cannot reach further pages (``page`` is at most 100).

    ``yielded`` items were yielded before the limit; ``total`` is the server's count (None when
    the list does not report one); ``page_size`` and ``max_page`` give the ceiling,
    ``page_size × max_page`` items. The message is ``fact`` (what happened) followed by
    ``remedy`` (what to do instead, in Python terms; the CLI gives its own).
    """

    def __init__(
        self,
        message: str,
        *,
        yielded: int,
        page_size: int,
        total: int | None,
        max_page: int,
        remedy: str = "",
    ) -> None:
        self.yielded = yielded
        self.page_size = page_size
        self.total = total
        self.max_page = max_page
        self.fact = message
        self.remedy = remedy
        super().__init__(f"{message} {remedy}".strip())


class ChangedSinceLimitError(PaginationLimitError):
    """A changed-since read (``vf.orders.iter(updated_since=...)``) reached the list endpoint's
    ceiling (page 100) with changed orders still unread, and ``beyond_list`` was not
    ``"export"``. Pass ``beyond_list="export"`` to read the rest from a filtered export
    (its rows hold no items), or read from a later point in time."""
