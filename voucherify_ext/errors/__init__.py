"""The exception hierarchy. Every failure of the client is a :class:`VoucherifyError`.

::

    VoucherifyError
    ├── ConfigurationError (also ValueError)   bad or missing settings, at construction
    ├── ValidationError (also ValueError)      input refused before anything is sent
    │   ├── InputTypeError (also TypeError)    an argument of the wrong type (``import_orders(None)``)
    │   ├── InputTooDeepError (also RecursionError)  a value nested too deeply to encode as JSON
    │   ├── ImportValidationError              an invalid import record (``file:line`` or record)
    │   ├── UpsertInputError                   an ``upsert_many`` order refused (``index``, ``line``)
    │   └── ImportFileChangedError             the import file changed after it was validated
    ├── APIError                               the API answered with an error status
    │   ├── BadRequestError        400
    │   ├── AuthenticationError    401
    │   ├── PaymentRequiredError   402
    │   ├── NotFoundError          404
    │   ├── ConflictError          409
    │   ├── RateLimitError         429
    │   └── ServerError            5xx
    ├── APIConnectionError                     no usable response (refused, reset, dropped)
    │   └── APITimeoutError
    │       └── DeadlineExceededError          the call's ``deadline`` passed
    ├── APIResponseError                       a response that is not what the spec promises
    │   └── UnreadableSuccessError             2xx (``succeeded``) but the body is unreadable
    │       └── UnreadableSuccessTimeoutError  ... because it did not arrive in time (also APITimeoutError)
    ├── PaginationLimitError                   a list goes past the endpoint's last page (100)
    │   └── ChangedSinceLimitError             a changed-since read at that ceiling, no export asked
    ├── JobError                               a bulk job did not finish well (``job_id``)
    │   ├── AsyncActionFailedError             the async action ended FAILED
    │   ├── ExportFailedError                  the export ended ERROR
    │   ├── JobTimeoutError (also TimeoutError)  still running at the deadline: wait again
    │   │   └── ImportTimeoutError
    │   └── AsyncActionStatusError             the action reports a status the client does not know
    ├── OrderImportError                       an import chunk could not be submitted
    ├── UpsertBlockedError                     not sent: an earlier order with its key failed
    └── CheckpointError                        an import checkpoint cannot be used
        ├── CheckpointMismatchError            ... it belongs to another input
        ├── CheckpointLockedError              ... another run holds it (``holder``)
        └── CheckpointWriteError               ... a record could not be written (disk full)

``ImportValidationError`` names the file and line, or the record and chunk, of an invalid
import record (a file that is not UTF-8 included). The import errors carry the partial
``result``. Each error that replaces a built-in exception a caller may already catch also
derives from it: ``except TypeError`` still catches :class:`InputTypeError`, ``except
RecursionError`` still catches :class:`InputTooDeepError`.

An error status whose body is not Voucherify's JSON (an HTML page from a proxy) raises the
status's class combined with :class:`APIResponseError` (see :func:`error_with_bad_body`), so
``except ServerError`` and ``except APIResponseError`` both catch a 502 HTML page.

Voucherify sends the request id only inside error bodies, so ``request_id`` is set only for
:class:`APIError`; when present it is part of ``str(error)`` for support tickets.

When a write could not be retried safely (a POST without ``id``/``source_id`` whose response
was lost), ``outcome_unknown`` is true and the message says why it was not retried: the order
may or may not exist now.

Every error pickles (and copies) to an equal one: same class (the combined classes of
:func:`error_with_bad_body` and :func:`error_timed_out` included), message, attributes and
notes, so an error raised in a ``ProcessPoolExecutor`` worker reaches the parent as itself.
:meth:`VoucherifyError.__reduce__` does it for every subclass without calling its
constructor; the state it carries is redacted again on the way out (known secrets by value,
see :func:`~voucherify_ext.logs.redact`), and an attribute that cannot be pickled travels as
its (redacted) ``repr``.

This is the public path of every error. The classes are defined by topic, in
:mod:`~voucherify_ext.errors.base` (the root, redaction, pickling),
:mod:`~voucherify_ext.errors.inputs` (settings and input), :mod:`~voucherify_ext.errors.requests`
(an HTTP exchange), :mod:`~voucherify_ext.errors.pagination`, :mod:`~voucherify_ext.errors.jobs`
(async actions and exports), :mod:`~voucherify_ext.errors.imports` (import runs and
checkpoints) and :mod:`~voucherify_ext.errors.upserts` (the live-order sync); each says it
comes from ``voucherify_ext.errors`` (its ``__module__``), so tracebacks and pickles name this
path only.
"""

from __future__ import annotations

from voucherify_ext.errors.base import PUBLIC_MODULE, VoucherifyError
from voucherify_ext.errors.base import _rebuild as _rebuild  # what a pickle calls to rebuild an error
from voucherify_ext.errors.imports import (
    CheckpointError,
    CheckpointLockedError,
    CheckpointMismatchError,
    CheckpointWriteError,
    ImportFileChangedError,
    ImportReconcileError,
    ImportTimeoutError,
    ImportValidationError,
    OrderImportError,
)
from voucherify_ext.errors.imports import _ResultError as _ResultError  # the import drivers test for it
from voucherify_ext.errors.inputs import (
    ConfigurationError,
    InputTooDeepError,
    InputTypeError,
    ValidationError,
)
from voucherify_ext.errors.jobs import (
    AsyncActionFailedError,
    AsyncActionStatusError,
    ExportFailedError,
    ExportRowError,
    JobError,
    JobTimeoutError,
)
from voucherify_ext.errors.pagination import (
    ChangedSinceLimitError,
    PaginationLimitError,
)
from voucherify_ext.errors.requests import (
    APIConnectionError,
    APIError,
    APIResponseError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DeadlineExceededError,
    NotFoundError,
    PaymentRequiredError,
    RateLimitError,
    ServerError,
    UnreadableSuccessError,
    UnreadableSuccessTimeoutError,
    error_for_status,
    error_timed_out,
    error_with_bad_body,
)
from voucherify_ext.errors.upserts import UpsertBlockedError, UpsertInputError

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseError",
    "APITimeoutError",
    "AsyncActionFailedError",
    "AsyncActionStatusError",
    "AuthenticationError",
    "BadRequestError",
    "ChangedSinceLimitError",
    "CheckpointError",
    "CheckpointLockedError",
    "CheckpointMismatchError",
    "CheckpointWriteError",
    "ConfigurationError",
    "ConflictError",
    "DeadlineExceededError",
    "ExportFailedError",
    "ExportRowError",
    "ImportFileChangedError",
    "ImportReconcileError",
    "ImportTimeoutError",
    "ImportValidationError",
    "InputTooDeepError",
    "InputTypeError",
    "JobError",
    "JobTimeoutError",
    "NotFoundError",
    "OrderImportError",
    "PaginationLimitError",
    "PaymentRequiredError",
    "RateLimitError",
    "ServerError",
    "UnreadableSuccessError",
    "UnreadableSuccessTimeoutError",
    "UpsertBlockedError",
    "UpsertInputError",
    "ValidationError",
    "VoucherifyError",
    "error_for_status",
    "error_timed_out",
    "error_with_bad_body",
]

for _name in [*__all__, "_rebuild"]:
    _value = globals()[_name]
    if isinstance(_value, type) or _value is _rebuild:  # tracebacks and pickles name this path only
        _value.__module__ = PUBLIC_MODULE
del _name, _value
