"""voucherify_ext: retries, rate limits, pagination, jobs, typed errors and a sandbox for the
generated Voucherify Orders client (``voucherify_client``).

The top-level names are imported lazily, on first use (a module ``__getattr__``), so that
importing a part that needs none of them (``voucherify_ext.sandbox``, ``voucherify_ext.errors``)
does not import the client, its HTTP stack and everything else.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from voucherify_ext._version import __version__

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ imports on first use
    from voucherify_ext.client import (
        AsyncVoucherify,
        Voucherify,
    )
    from voucherify_ext.errors import (
        APIConnectionError,
        APIError,
        APIResponseError,
        APITimeoutError,
        AsyncActionFailedError,
        AsyncActionStatusError,
        AuthenticationError,
        BadRequestError,
        ChangedSinceLimitError,
        CheckpointError,
        CheckpointLockedError,
        CheckpointMismatchError,
        CheckpointWriteError,
        ConfigurationError,
        ConflictError,
        DeadlineExceededError,
        ExportFailedError,
        ExportRowError,
        ImportFileChangedError,
        ImportReconcileError,
        ImportTimeoutError,
        ImportValidationError,
        InputTooDeepError,
        InputTypeError,
        JobError,
        JobTimeoutError,
        NotFoundError,
        OrderImportError,
        PaginationLimitError,
        PaymentRequiredError,
        RateLimitError,
        ServerError,
        UnreadableSuccessError,
        UnreadableSuccessTimeoutError,
        UpsertBlockedError,
        UpsertInputError,
        ValidationError,
        VoucherifyError,
    )
    from voucherify_ext.exports import (
        AsyncExportHandle,
        ExportHandle,
    )
    from voucherify_ext.hooks import Hooks
    from voucherify_ext.http.lifecycle import (
        ClientClosedError,
        EventLoopMismatchError,
        ForkedClientError,
    )
    from voucherify_ext.imports.results import (
        ImportProgress,
        ImportResult,
    )
    from voucherify_ext.item_lint import OrderItemWarning
    from voucherify_ext.orders.changed_since_async import AsyncChangedSince
    from voucherify_ext.orders.changed_since_sync import ChangedSince
    from voucherify_ext.orders.export_row import OrderExportRow
    from voucherify_ext.orders.single_page_async import AsyncOrdersPage
    from voucherify_ext.orders.single_page_sync import OrdersPage
    from voucherify_ext.orders.upsert_many import (
        AsyncUpsertRun,
        UpsertRun,
    )
    from voucherify_ext.orders.upsert_results import (
        UpsertEstimate,
        UpsertProgress,
        UpsertResult,
        UpsertSummary,
    )
    from voucherify_ext.pagination import (
        Page,
        apaginate,
        paginate,
    )
    from voucherify_ext.pagination.drift import (
        PaginationDriftError,
        PaginationDriftWarning,
    )
    from voucherify_ext.responses.raw import RawResponse
    from voucherify_ext.retry import (
        RetryPolicy,
    )
    from voucherify_ext.server_waits import LimiterState, RateLimitState

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseError",
    "APITimeoutError",
    "AsyncActionFailedError",
    "AsyncActionStatusError",
    "AsyncChangedSince",
    "AsyncExportHandle",
    "AsyncOrdersPage",
    "AsyncUpsertRun",
    "AsyncVoucherify",
    "AuthenticationError",
    "BadRequestError",
    "ChangedSince",
    "ChangedSinceLimitError",
    "CheckpointError",
    "CheckpointLockedError",
    "CheckpointMismatchError",
    "CheckpointWriteError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "DeadlineExceededError",
    "EventLoopMismatchError",
    "ExportFailedError",
    "ExportHandle",
    "ExportRowError",
    "ForkedClientError",
    "Hooks",
    "ImportFileChangedError",
    "ImportProgress",
    "ImportReconcileError",
    "ImportResult",
    "ImportTimeoutError",
    "ImportValidationError",
    "InputTooDeepError",
    "InputTypeError",
    "JobError",
    "JobTimeoutError",
    "LimiterState",
    "NotFoundError",
    "OrderExportRow",
    "OrderImportError",
    "OrderItemWarning",
    "OrdersPage",
    "Page",
    "PaginationDriftError",
    "PaginationDriftWarning",
    "PaginationLimitError",
    "PaymentRequiredError",
    "RateLimitError",
    "RateLimitState",
    "RawResponse",
    "RetryPolicy",
    "ServerError",
    "UnreadableSuccessError",
    "UnreadableSuccessTimeoutError",
    "UpsertBlockedError",
    "UpsertEstimate",
    "UpsertInputError",
    "UpsertProgress",
    "UpsertResult",
    "UpsertRun",
    "UpsertSummary",
    "ValidationError",
    "Voucherify",
    "VoucherifyError",
    "__version__",
    "apaginate",
    "paginate",
]

#: each top-level name and the module it is imported from (the same as under TYPE_CHECKING above)
_LAZY: dict[str, str] = {
    "APIConnectionError": "voucherify_ext.errors",
    "APIError": "voucherify_ext.errors",
    "APIResponseError": "voucherify_ext.errors",
    "APITimeoutError": "voucherify_ext.errors",
    "AsyncActionFailedError": "voucherify_ext.errors",
    "AsyncActionStatusError": "voucherify_ext.errors",
    "AsyncChangedSince": "voucherify_ext.orders.changed_since_async",
    "Hooks": "voucherify_ext.hooks",
    "AsyncExportHandle": "voucherify_ext.exports",
    "AsyncOrdersPage": "voucherify_ext.orders.single_page_async",
    "AsyncUpsertRun": "voucherify_ext.orders.upsert_many",
    "AsyncVoucherify": "voucherify_ext.client",
    "AuthenticationError": "voucherify_ext.errors",
    "BadRequestError": "voucherify_ext.errors",
    "ChangedSince": "voucherify_ext.orders.changed_since_sync",
    "ChangedSinceLimitError": "voucherify_ext.errors",
    "CheckpointError": "voucherify_ext.errors",
    "CheckpointLockedError": "voucherify_ext.errors",
    "CheckpointMismatchError": "voucherify_ext.errors",
    "CheckpointWriteError": "voucherify_ext.errors",
    "ClientClosedError": "voucherify_ext.http.lifecycle",
    "ConfigurationError": "voucherify_ext.errors",
    "ConflictError": "voucherify_ext.errors",
    "DeadlineExceededError": "voucherify_ext.errors",
    "EventLoopMismatchError": "voucherify_ext.http.lifecycle",
    "ExportFailedError": "voucherify_ext.errors",
    "ExportHandle": "voucherify_ext.exports",
    "ExportRowError": "voucherify_ext.errors",
    "ForkedClientError": "voucherify_ext.http.lifecycle",
    "ImportFileChangedError": "voucherify_ext.errors",
    "ImportProgress": "voucherify_ext.imports.results",
    "ImportReconcileError": "voucherify_ext.errors",
    "ImportResult": "voucherify_ext.imports.results",
    "ImportTimeoutError": "voucherify_ext.errors",
    "ImportValidationError": "voucherify_ext.errors",
    "InputTooDeepError": "voucherify_ext.errors",
    "InputTypeError": "voucherify_ext.errors",
    "JobError": "voucherify_ext.errors",
    "JobTimeoutError": "voucherify_ext.errors",
    "LimiterState": "voucherify_ext.server_waits",
    "NotFoundError": "voucherify_ext.errors",
    "OrderExportRow": "voucherify_ext.orders.export_row",
    "OrderImportError": "voucherify_ext.errors",
    "OrderItemWarning": "voucherify_ext.item_lint",
    "OrdersPage": "voucherify_ext.orders.single_page_sync",
    "Page": "voucherify_ext.pagination",
    "PaginationDriftError": "voucherify_ext.pagination.drift",
    "PaginationDriftWarning": "voucherify_ext.pagination.drift",
    "PaginationLimitError": "voucherify_ext.errors",
    "PaymentRequiredError": "voucherify_ext.errors",
    "RateLimitError": "voucherify_ext.errors",
    "RateLimitState": "voucherify_ext.server_waits",
    "RawResponse": "voucherify_ext.responses.raw",
    "RetryPolicy": "voucherify_ext.retry",
    "ServerError": "voucherify_ext.errors",
    "UnreadableSuccessError": "voucherify_ext.errors",
    "UnreadableSuccessTimeoutError": "voucherify_ext.errors",
    "UpsertBlockedError": "voucherify_ext.errors",
    "UpsertEstimate": "voucherify_ext.orders.upsert_results",
    "UpsertInputError": "voucherify_ext.errors",
    "UpsertProgress": "voucherify_ext.orders.upsert_results",
    "UpsertResult": "voucherify_ext.orders.upsert_results",
    "UpsertRun": "voucherify_ext.orders.upsert_many",
    "UpsertSummary": "voucherify_ext.orders.upsert_results",
    "ValidationError": "voucherify_ext.errors",
    "Voucherify": "voucherify_ext.client",
    "VoucherifyError": "voucherify_ext.errors",
    "apaginate": "voucherify_ext.pagination",
    "paginate": "voucherify_ext.pagination",
}


if not TYPE_CHECKING:  # hidden from type checkers, which would take any name for an ``object``

    def __getattr__(name: str) -> object:
        """Import a top-level name's module on first use, and keep the name here after."""
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
