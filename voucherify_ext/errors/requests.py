"""The errors of an HTTP exchange: the API's error statuses (:class:`APIError` and a class per
status, :func:`error_for_status`), no usable response (:class:`APIConnectionError`, timeouts,
the call's deadline), and a response that is not what the spec promises
(:class:`APIResponseError`, :class:`UnreadableSuccessError`).

An error status whose body is not Voucherify's JSON (an HTML page from a proxy) raises the
status's class combined with :class:`APIResponseError` (see :func:`error_with_bad_body`), so
``except ServerError`` and ``except APIResponseError`` both catch a 502 HTML page; a status whose
body did not arrive in time is combined with :class:`APITimeoutError` (:func:`error_timed_out`).

Voucherify sends the request id only inside error bodies, so ``request_id`` is set only for
:class:`APIError`; when present it is part of ``str(error)`` for support tickets. When a write
could not be retried safely (a POST without ``id``/``source_id`` whose response was lost),
``outcome_unknown`` is true and the message says why it was not retried.

Every error of an exchange that got a response carries its ``headers`` (``httpx.Headers``; None
without a response), with ``Set-Cookie``, ``Authorization`` and the other credential headers
replaced by ``[REDACTED]`` and every known secret redacted from the rest; they are never part of
``str(error)``.
"""

from __future__ import annotations

from typing import Any

from voucherify_ext.errors.base import PUBLIC_MODULE, VoucherifyError, register_combiner
from voucherify_ext.logs import redact, safe_headers

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "DeadlineExceededError",
    "NotFoundError",
    "PaymentRequiredError",
    "RateLimitError",
    "ServerError",
    "UnreadableSuccessError",
    "UnreadableSuccessTimeoutError",
    "error_for_status",
    "error_timed_out",
    "error_with_bad_body",
]


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
        headers: Any = None,
    ) -> None:
        self.method = method
        self.path = redact(path) if path else path
        # the response's headers, when there was a response: credentials and cookies replaced
        self.headers = safe_headers(headers) if headers is not None else None
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
        headers: Any = None,
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
            headers=headers,
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
        headers: Any = None,
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
            headers=headers,
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
            {"__module__": PUBLIC_MODULE, "__doc__": cls.__doc__, "_combined_from": ("bad_body", cls)},
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
            {"__module__": PUBLIC_MODULE, "__doc__": cls.__doc__, "_combined_from": ("timed_out", cls)},
        )
        _TIMED_OUT[cls] = combined
    return combined


register_combiner("bad_body", error_with_bad_body)
register_combiner("timed_out", error_timed_out)


def error_for_status(status_code: int) -> type[APIError]:
    """The :class:`APIError` subclass for an HTTP status (``APIError`` itself for the rest)."""
    if status_code >= 500:
        return ServerError
    return _BY_STATUS.get(status_code, APIError)
