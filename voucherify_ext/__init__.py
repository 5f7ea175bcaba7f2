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
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PaymentRequiredError,
    RateLimitError,
    ServerError,
    ValidationError,
    VoucherifyError,
)
from .retry import RetryPolicy

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseError",
    "APITimeoutError",
    "AsyncVoucherify",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "NotFoundError",
    "PaymentRequiredError",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "ValidationError",
    "Voucherify",
    "VoucherifyError",
    "__version__",
]
