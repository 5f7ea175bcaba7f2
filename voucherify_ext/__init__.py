"""voucherify_ext: retries, rate limits, pagination, jobs, typed errors and a sandbox for the
generated Voucherify Orders client (``voucherify_client``)."""

from __future__ import annotations

__version__ = "0.1.0"

from .client import AsyncVoucherify, Voucherify
from .drift import PaginationDriftError, PaginationDriftWarning
from .errors import (
    APIConnectionError,
    APIError,
    APIResponseError,
    APITimeoutError,
    AsyncActionFailedError,
    AuthenticationError,
    BadRequestError,
    CheckpointError,
    CheckpointMismatchError,
    ConfigurationError,
    ConflictError,
    DeadlineExceededError,
    ExportFailedError,
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
    ValidationError,
    VoucherifyError,
)
from .exports import AsyncExportHandle, ExportHandle
from .importing import ImportProgress, ImportResult
from .lifecycle import ClientClosedError, EventLoopMismatchError, ForkedClientError
from .pagination import Page, apaginate, paginate
from .retry import RetryPolicy

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseError",
    "APITimeoutError",
    "AsyncActionFailedError",
    "AsyncExportHandle",
    "AsyncVoucherify",
    "AuthenticationError",
    "BadRequestError",
    "CheckpointError",
    "CheckpointMismatchError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "DeadlineExceededError",
    "EventLoopMismatchError",
    "ExportFailedError",
    "ExportHandle",
    "ForkedClientError",
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
    "NotFoundError",
    "OrderImportError",
    "Page",
    "PaginationDriftError",
    "PaginationDriftWarning",
    "PaginationLimitError",
    "PaymentRequiredError",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "UnreadableSuccessError",
    "UnreadableSuccessTimeoutError",
    "ValidationError",
    "Voucherify",
    "VoucherifyError",
    "__version__",
    "apaginate",
    "paginate",
]
