"""voucherify_ext: retries, rate limits, pagination, jobs, typed errors and a sandbox for the
generated Voucherify Orders client (``voucherify_client``)."""

from __future__ import annotations

__version__ = "0.1.0"

from .client import AsyncVoucherify, Voucherify
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
    ExportFailedError,
    ImportFileChangedError,
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
    ValidationError,
    VoucherifyError,
)
from .exports import AsyncExportHandle, ExportHandle
from .importing import ImportProgress, ImportResult
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
    "ConfigurationError",
    "ConflictError",
    "ExportFailedError",
    "ExportHandle",
    "ImportFileChangedError",
    "ImportProgress",
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
    "PaginationLimitError",
    "PaymentRequiredError",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "ValidationError",
    "Voucherify",
    "VoucherifyError",
    "__version__",
    "apaginate",
    "paginate",
]
