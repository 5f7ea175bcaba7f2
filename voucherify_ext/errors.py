"""The exception hierarchy. Every failure of the client is a :class:`VoucherifyError`.

::

    VoucherifyError
    ├── ConfigurationError (also ValueError)   bad or missing settings, at construction
    ├── ValidationError (also ValueError)      input refused before anything is sent
    │   ├── InputTypeError (also TypeError)    an argument of the wrong type (``import_orders(None)``)
    │   ├── InputTooDeepError (also RecursionError)  a value nested too deeply to encode as JSON
    │   ├── ImportValidationError              an invalid import record (``file:line`` or record)
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
    ├── JobError                               a bulk job did not finish well (``job_id``)
    │   ├── AsyncActionFailedError             the async action ended FAILED
    │   ├── ExportFailedError                  the export ended ERROR
    │   ├── JobTimeoutError (also TimeoutError)  still running at the deadline: wait again
    │   │   └── ImportTimeoutError
    │   └── AsyncActionStatusError             the action reports a status the client does not know
    ├── OrderImportError                       an import chunk could not be submitted
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
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
from voucherify_client.models import AsyncActionGetResponseBody
from voucherify_client.types import Unset

from voucherify_ext.logs import redact, redact_value

if TYPE_CHECKING:
    from voucherify_ext.imports.drivers import ChunkReport, ImportResult, InvalidRecord

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseError",
    "APITimeoutError",
    "AsyncActionFailedError",
    "AsyncActionStatusError",
    "AuthenticationError",
    "BadRequestError",
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
    "ValidationError",
    "VoucherifyError",
    "error_for_status",
    "error_timed_out",
    "error_with_bad_body",
]


class VoucherifyError(Exception):
    """Root of every exception raised by ``voucherify_ext``."""

    def __init__(self, message: str) -> None:
        self.message = redact(message)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __setattr__(self, name: str, value: object) -> None:
        # every attribute may be printed, logged or pickled: a known secret never stays in one
        super().__setattr__(name, _scrubbed(value))

    def add_note(self, note: str, /) -> None:
        """Add a note (redacted like the message: it is shown with the traceback)."""
        super().add_note(redact(note))

    def __reduce__(self) -> tuple[Callable[..., VoucherifyError], tuple[Any, ...]]:
        """Pickle as (class, args, attributes), rebuilt without calling ``__init__``: the
        constructors of the subclasses take keyword arguments that ``args`` does not hold."""
        state = {name: _portable(value) for name, value in vars(self).items()}
        return _rebuild, (_class_key(type(self)), redact_value(self.args), state)


def _scrubbed(value: object, depth: int = 0) -> object:
    """``value`` with its text redacted, into attrs objects (results, records, generated
    models) too. What holds nothing to redact is returned as it is (the same object); what
    does is copied, never changed in place."""
    if isinstance(value, str) or depth >= 8:
        return redact_value(value)  # text, or what is nested too deep to walk into attrs objects
    if type(value) in (list, tuple):
        assert isinstance(value, (list, tuple))
        items = [_scrubbed(item, depth + 1) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else tuple(items)
    if type(value) is dict:
        assert isinstance(value, dict)
        pairs = [(_scrubbed(key, depth + 1), _scrubbed(item, depth + 1)) for key, item in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True)):
            return value
        return dict(pairs)
    cls = type(value)
    if attrs.has(cls):
        fields = {f.name: _scrubbed(getattr(value, f.name), depth + 1) for f in attrs.fields(cls)}
        if all(new is getattr(value, name) for name, new in fields.items()):
            return value
        clone = copy.copy(value)
        for name, new in fields.items():
            object.__setattr__(clone, name, new)
        return clone
    return value


def _portable(value: object) -> object:
    """``value`` redacted, or its redacted ``repr`` when it cannot be pickled."""
    value = _scrubbed(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    try:
        pickle.dumps(value)
    except Exception:  # any failure of a foreign object's pickling: keep what it says
        return redact(repr(value))
    return value


#: the factories that combine an APIError class with another error class, by name
_COMBINERS: dict[str, Callable[[type[APIError]], type[APIError]]] = {}


def _class_key(cls: type[VoucherifyError]) -> object:
    """What names ``cls`` in a pickle: the class itself, or for a combined class made by
    :func:`error_with_bad_body`/:func:`error_timed_out` (not importable by name) the
    factory's name and the key of the class it was made from."""
    made = cls.__dict__.get("_combined_from")
    if made is None:
        return cls
    combiner, base = made
    return (combiner, _class_key(base))


def _class_of(key: object) -> type[VoucherifyError]:
    if isinstance(key, tuple):
        combiner, base = key
        return _COMBINERS[combiner](_class_of(base))  # type: ignore[arg-type]
    assert isinstance(key, type) and issubclass(key, VoucherifyError)
    return key


def _rebuild(key: object, args: tuple[Any, ...], state: dict[str, Any]) -> VoucherifyError:
    """Unpickle an error: the class, then ``args`` and the attributes, as they were."""
    cls = _class_of(key)
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ConfigurationError(VoucherifyError, ValueError):
    """Missing or invalid client settings (credentials, URL, options)."""


class ValidationError(VoucherifyError, ValueError):
    """Input refused before it was sent, e.g. an unknown key in an order dict.

    ``path`` names the offending key (``items[0].product.nmae``) when there is one.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)


class InputTypeError(ValidationError, TypeError):
    """An argument of the wrong type, e.g. ``import_orders(None)`` or ``export(filters="a=b")``;
    nothing was sent. ``path`` names the argument."""


class InputTooDeepError(ValidationError, RecursionError):
    """A value nests too deeply to be encoded (or decoded) as JSON; nothing was sent. ``path``
    names where the nesting goes (``metadata.a.b.c...``), ``depth`` how deep it was found to go
    (None when unknown)."""

    def __init__(self, message: str, *, path: str | None = None, depth: int | None = None) -> None:
        self.depth = depth
        super().__init__(message, path=path)


class _RequestFailure(VoucherifyError):
    """Shared fields of the errors that come out of an HTTP exchange."""

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        path: str | None = None,
        attempts: int | None = None,
        outcome_unknown: bool = False,
        not_retried_reason: str | None = None,
    ) -> None:
        self.method = method
        self.path = redact(path) if path else path
        self.attempts = attempts
        self.outcome_unknown = outcome_unknown
        self.not_retried_reason = redact(not_retried_reason) if not_retried_reason else None
        super().__init__(message)

    def _suffix(self) -> list[str]:
        parts: list[str] = []
        if self.method and self.path:
            parts.append(f"{self.method} {self.path}")
        if self.attempts is not None:
            parts.append(f"attempts={self.attempts}")
        return parts

    def _tail(self) -> str:
        text = ""
        if self.outcome_unknown:
            text += " Outcome unknown: the request may have been processed."
        if self.not_retried_reason:
            text += f" Not retried: {self.not_retried_reason}."
        return text


class APIError(_RequestFailure):
    """The API answered with an error status. Fields come from Voucherify's error body."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: int | None = None,
        key: str | None = None,
        details: str | None = None,
        request_id: str | None = None,
        resource_id: str | None = None,
        resource_type: str | None = None,
        body: Any = None,
        retry_after: float | None = None,
        method: str | None = None,
        path: str | None = None,
        attempts: int | None = None,
        outcome_unknown: bool = False,
        not_retried_reason: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.code = code
        # all of it is the server's text, which may echo a credential: __setattr__ redacts it
        self.key = key
        self.details = details
        self.request_id = request_id
        self.resource_id = resource_id
        self.resource_type = resource_type
        self.body = body
        self.retry_after = retry_after
        super().__init__(
            message,
            method=method,
            path=path,
            attempts=attempts,
            outcome_unknown=outcome_unknown,
            not_retried_reason=not_retried_reason,
        )

    def __str__(self) -> str:
        head = f"{self.status_code}"
        if self.key:
            head += f" {self.key}"
        text = f"{head}: {self.message}"
        if self.details:
            text += f" ({self.details})"
        extra = []
        if self.request_id:
            extra.append(f"request_id={self.request_id}")
        if self.resource_type or self.resource_id:
            extra.append(f"resource={self.resource_type or '?'}:{self.resource_id or '?'}")
        extra.extend(self._suffix())
        if extra:
            text += " [" + ", ".join(extra) + "]"
        return text + self._tail()


class BadRequestError(APIError):
    """400: the request is invalid (``invalid_payload``, ``invalid_query_params``, ...)."""


class AuthenticationError(APIError):
    """401: missing or wrong credentials, or an expired token that could not be refreshed."""


class PaymentRequiredError(APIError):
    """402: the plan's limits were exceeded."""


class NotFoundError(APIError):
    """404: no such resource."""


class ConflictError(APIError):
    """409: duplicate resource. Never retried."""


class RateLimitError(APIError):
    """429: a rate limit was hit and waiting was not possible within the configured cap.

    ``retry_after`` holds the server's requested wait in seconds, when it sent one.
    """


class ServerError(APIError):
    """5xx: an error on Voucherify's side (or a proxy in front of it)."""


class APIConnectionError(_RequestFailure):
    """No usable response: connection refused, reset, or dropped before the response arrived."""

    def __str__(self) -> str:
        text = self.message
        extra = self._suffix()
        if extra:
            text += " [" + ", ".join(extra) + "]"
        return text + self._tail()


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write, pool, or the per-call deadline)."""


class APIResponseError(_RequestFailure):
    """A response that is not the JSON the spec promises: truncated, not JSON, or a field
    of the wrong type. ``field`` names the offending field when known; ``excerpt`` holds the
    start of the body (redacted)."""

    #: True only for :class:`UnreadableSuccessError`: the server answered 2xx
    succeeded: bool = False

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        field: str | None = None,
        excerpt: str | None = None,
        method: str | None = None,
        path: str | None = None,
        attempts: int | None = None,
        outcome_unknown: bool = False,
        not_retried_reason: str | None = None,
    ) -> None:
        # cooperative: in a class that is also an APIError, APIError has set the status already
        if status_code is not None or not hasattr(self, "status_code"):
            self.status_code = status_code
        self.field = field
        self.excerpt = excerpt
        super().__init__(
            message,
            method=method,
            path=path,
            attempts=attempts,
            outcome_unknown=outcome_unknown,
            not_retried_reason=not_retried_reason,
        )

    def __str__(self) -> str:
        text = self.message
        extra = []
        if self.status_code is not None:
            extra.append(f"status={self.status_code}")
        if self.field:
            extra.append(f"field={self.field}")
        extra.extend(self._suffix())
        if extra:
            text += " [" + ", ".join(extra) + "]"
        if self.excerpt:
            text += f" body: {self.excerpt!r}"
        return text + self._tail()


class DeadlineExceededError(APITimeoutError):
    """The call's ``deadline`` passed: before an attempt could be sent, or while the response's
    head or body was still arriving. Not retried: there is no time left."""


class UnreadableSuccessError(APIResponseError):
    """The request SUCCEEDED (the server answered 2xx, ``status_code``) but its body could not be
    read: cut short, not JSON, HTML, or nested too deeply to parse. ``succeeded`` is True and
    ``outcome_unknown`` False: a write was applied. Raised for a request that is not idempotent
    (it is not resent) and for an idempotent one that got no readable body within its retries."""

    succeeded = True


class UnreadableSuccessTimeoutError(UnreadableSuccessError, APITimeoutError):
    """An :class:`UnreadableSuccessError` whose body did not arrive within the attempt's time
    limit (the head said 2xx, the body trickled or never ended); also an :class:`APITimeoutError`."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


_WITH_BAD_BODY: dict[type[APIError], type[APIError]] = {}


def error_with_bad_body(cls: type[APIError]) -> type[APIError]:
    """``cls`` that is also an :class:`APIResponseError`: an error status whose body is not
    Voucherify's JSON (an HTML page from a proxy, a cut-off body). Both ``except ServerError``
    and ``except APIResponseError`` catch it; ``excerpt`` holds the start of the body."""
    combined = _WITH_BAD_BODY.get(cls)
    if combined is None:
        combined = type(
            cls.__name__,
            (cls, APIResponseError),
            {"__module__": __name__, "__doc__": cls.__doc__, "_combined_from": ("bad_body", cls)},
        )
        _WITH_BAD_BODY[cls] = combined
    return combined


_TIMED_OUT: dict[type[APIError], type[APIError]] = {}


def error_timed_out(cls: type[APIError]) -> type[APIError]:
    """``cls`` that is also an :class:`APITimeoutError`: an error status whose body did not
    arrive within the attempt's time limit (a 500 whose body never ends)."""
    combined = _TIMED_OUT.get(cls)
    if combined is None:
        combined = type(
            cls.__name__,
            (cls, APITimeoutError),
            {"__module__": __name__, "__doc__": cls.__doc__, "_combined_from": ("timed_out", cls)},
        )
        _TIMED_OUT[cls] = combined
    return combined


_COMBINERS.update(bad_body=error_with_bad_body, timed_out=error_timed_out)


def error_for_status(status_code: int) -> type[APIError]:
    """The :class:`APIError` subclass for an HTTP status (``APIError`` itself for the rest)."""
    if status_code >= 500:
        return ServerError
    return _BY_STATUS.get(status_code, APIError)


# ---------------------------------------------------------------- pagination and bulk jobs


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


class JobError(VoucherifyError):
    """A bulk job (async action or export) did not finish well. ``job_id`` names it."""

    def __init__(self, message: str, *, job_id: str) -> None:
        self.job_id = job_id
        super().__init__(message)


class AsyncActionFailedError(JobError):
    """The async action ended ``FAILED``. ``action`` is the last state fetched and ``result``
    its ``result`` as a plain dict (None when the server sent none)."""

    def __init__(self, action: AsyncActionGetResponseBody) -> None:
        self.action = action
        self.result: dict[str, Any] | None = (
            None
            if isinstance(action.result, Unset)
            else dict(action.result.additional_properties)  # redacted by __setattr__
        )
        job_id = action.id if isinstance(action.id, str) else "?"
        message = f"async action {job_id} ({_enum_text(action.type_)}) failed"
        if self.result and isinstance(self.result.get("message"), str):
            message += f": {self.result['message']}"
        super().__init__(message, job_id=job_id)


class JobTimeoutError(JobError, TimeoutError):
    """The deadline passed while the job was still running. Nothing was cancelled: wait again
    later with ``job_id`` (``vf.async_actions.wait(err.job_id)`` / ``export.wait()``).
    ``last`` is the last state fetched."""

    def __init__(self, message: str, *, job_id: str, timeout: float | None, last: Any = None) -> None:
        self.timeout = timeout
        self.last = last
        super().__init__(message, job_id=job_id)


class ExportFailedError(JobError):
    """The export ended with status ``ERROR``."""

    def __init__(self, export_id: str) -> None:
        super().__init__(f"export {export_id} failed (status ERROR)", job_id=export_id)


class CheckpointError(VoucherifyError):
    """The checkpoint file cannot be used (unreadable, another format)."""


class CheckpointMismatchError(CheckpointError):
    """The checkpoint belongs to another input or chunk size: resuming would skip or repeat
    orders. Use a new checkpoint path (or delete this one) for a different import."""


class _ResultError:
    """Mixin of the import errors: the partial :class:`~voucherify_ext.imports.drivers.ImportResult`."""

    result: ImportResult

    @property
    def sent_chunks(self) -> list[ChunkReport]:
        """The chunks already submitted when the run stopped (they are not undone)."""
        return list(self.result.chunks)


class ImportValidationError(_ResultError, ValidationError):
    """A record failed validation and ``on_invalid="raise"``. For a file nothing was sent;
    for an iterable the record's chunk was not sent, and ``sent_chunks`` lists those that were."""

    def __init__(self, record: InvalidRecord, result: ImportResult) -> None:
        self.record = record
        self.result = result
        self.file = record.file
        self.line = record.line
        self.index = record.index
        self.chunk = record.chunk
        if record.file is not None and not result.chunks:
            message = f"{record.location}: invalid order: {record.message} (nothing was sent)"
        else:
            message = f"{record.location}: invalid order: {record.message}; chunk {record.chunk} was not sent"
            message += _sent_so_far(result)
        super().__init__(message, path=record.message.split(":", 1)[0])


class ImportFileChangedError(_ResultError, ValidationError):
    """The import file changed between the validating scan and the sending pass (or while it
    was being sent). The run stopped before sending the first chunk whose bytes differ from
    what was validated, so no line that was not validated was sent; the message and
    ``sent_chunks`` say exactly what was sent before (those chunks are not undone). ``chunk``
    is the chunk that was not sent (None when the difference came after the last one), ``line``
    the file line where the difference was noticed.
    Keep the file unchanged while it is imported; a checkpoint of the old file does not fit
    the new one."""

    def __init__(
        self, file: str, *, chunk: int | None, line: int | None, why: str, result: ImportResult
    ) -> None:
        self.file = file
        self.chunk = chunk
        self.line = line
        self.result = result
        where = f"{file}:{line}" if line is not None else file
        stopped = f"stopped before sending chunk {chunk}" if chunk is not None else "stopped at its end"
        message = f"{where}: the file changed after it was validated ({why}); {stopped}{_sent_so_far(result)}"
        super().__init__(message, path=file)


def _sent_so_far(result: ImportResult) -> str:
    """``"; already sent: 2 chunk(s), 4 order(s) (aa_1, aa_2)"``, or ``"; nothing was sent"``."""
    sent = result.chunks
    if not sent:
        return "; nothing was sent"
    return (
        f"; already sent: {len(sent)} chunk(s), {result.submitted} order(s) "
        f"({', '.join(c.async_action_id for c in sent)})"
    )


class OrderImportError(_ResultError, VoucherifyError):
    """A chunk could not be submitted (refused by the API, or its outcome could not be
    established). ``chunk`` names it; ``result`` holds what was sent before; the cause is
    chained. With a checkpoint, rerun to resume."""

    def __init__(self, message: str, *, chunk: int, result: ImportResult) -> None:
        self.chunk = chunk
        self.result = result
        super().__init__(message)


class ImportReconcileError(OrderImportError):
    """A chunk's import response was lost and the async-action list does not say which action
    (if any) is the chunk's: more than one unclaimed ``ORDERS.IMPORT`` action appeared since
    the send, or the only one is ambiguous (created before the send, or within the clock band
    of an earlier send that got no action). Nothing was adopted and nothing was resent;
    ``candidates`` lists the actions. The checkpoint (if any) still holds the interrupted send."""

    def __init__(self, message: str, *, chunk: int, result: ImportResult, candidates: list[str]) -> None:
        self.candidates = candidates
        super().__init__(message, chunk=chunk, result=result)


class ImportTimeoutError(_ResultError, JobTimeoutError):
    """Every chunk was submitted, but the deadline passed before all actions finished. Nothing
    is cancelled: ``pending`` lists the action ids still running (wait for them with
    ``vf.async_actions.wait``); ``result`` holds the chunks finished so far."""

    def __init__(
        self, message: str, *, job_id: str, timeout: float | None, pending: list[str], result: ImportResult
    ) -> None:
        self.pending = pending
        self.result = result
        super().__init__(message, job_id=job_id, timeout=timeout)


def _enum_text(value: object) -> str:
    """An enum member's value (or any value) as text, for messages."""
    return str(getattr(value, "value", value))


# ---------------------------------------------------------------- checkpoints and async actions (issue 12)


class CheckpointLockedError(CheckpointError):
    """Another run holds the checkpoint file (``path``): two runs on one checkpoint would send
    chunks twice. ``holder`` describes it (``pid 123 on host ...``) when it is known."""

    def __init__(self, message: str, *, path: str = "", holder: str | None = None) -> None:
        self.path = path
        self.holder = holder
        super().__init__(message)


class CheckpointWriteError(CheckpointError):
    """A checkpoint record could not be written (``path``; a full disk, a file-size limit, a
    read-only file system). The run stopped before sending anything the record was for."""

    def __init__(self, message: str, *, path: str = "") -> None:
        self.path = path
        super().__init__(message)


class AsyncActionStatusError(JobError):
    """The async action kept reporting a ``status`` the client does not know (not ``ENQUEUED``,
    ``IN_PROGRESS``, ``DONE`` or ``FAILED``, or none at all) for longer than the grace period.
    ``status`` is the text it reported; ``last`` the last state fetched."""

    def __init__(self, message: str, *, job_id: str, status: str = "?", last: Any = None) -> None:
        self.status = status
        self.last = last
        super().__init__(message, job_id=job_id)


# ---------------------------------------------------------------------------- export rows


class ExportRowError(JobError, ValueError):
    """An export's CSV cannot be read faithfully at one row: bytes that are not in the declared
    encoding, a row with more or fewer cells than the header, a quoted cell still open at the
    end of the file, a cell nested too deeply to decode. ``job_id`` is the export id, ``line``
    the line of the file where the row starts (the header is line 1)."""

    def __init__(self, message: str, *, job_id: str, line: int) -> None:
        self.line = line
        super().__init__(message, job_id=job_id)
