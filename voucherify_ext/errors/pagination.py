"""The error of a list that goes past the last page its endpoint can reach."""

from __future__ import annotations

from voucherify_ext.errors.base import VoucherifyError

__all__ = ["PaginationLimitError"]


class PaginationLimitError(VoucherifyError):
    """The list goes on, but its endpoint cannot reach further pages (``page`` is at most 100).

    ``yielded`` items were yielded before the limit; ``total`` is the server's count (None when
    the list does not report one); ``page_size`` and ``max_page`` give the ceiling,
    ``page_size × max_page`` items.
    """

    def __init__(
        self, message: str, *, yielded: int, page_size: int, total: int | None, max_page: int
    ) -> None:
        self.yielded = yielded
        self.page_size = page_size
        self.total = total
        self.max_page = max_page
        super().__init__(message)
