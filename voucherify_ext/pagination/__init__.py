"""Generic pagination over Voucherify's list endpoints: :func:`paginate` / :func:`apaginate`, the
strategies that reach the next page, and the paginators they return."""

from voucherify_ext.pagination.paginator import (
    AsyncPageIterator,
    AsyncPaginator,
    Page,
    PageIterator,
    Paginator,
)
from voucherify_ext.pagination.strategies import (
    EndDateCursor,
    PageNumbers,
    PaginationStrategy,
    apaginate,
    paginate,
)

__all__ = [
    "AsyncPageIterator",
    "AsyncPaginator",
    "EndDateCursor",
    "Page",
    "PageIterator",
    "PageNumbers",
    "PaginationStrategy",
    "Paginator",
    "apaginate",
    "paginate",
]
