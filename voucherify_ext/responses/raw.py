"""A response with its headers: :class:`RawResponse`, what the ``with_raw_response`` calls return
(``vf.orders.with_raw_response.get(...)``, in the style of openai-python), and
:func:`raw_response`, which builds one from a generated ``Response`` and its parsed model.

A :class:`RawResponse` holds a copy of the headers safe to print and log (the credential headers
and cookies replaced, every known secret redacted: :func:`~voucherify_ext.logs.safe_headers`),
the attempts the retrying transport made (from the exchange record,
:mod:`voucherify_ext.http.exchange`), the rate-limit state the response reported
(:class:`~voucherify_ext.server_waits.RateLimitState`) and the typed model, checked as the plain
call checks it. An error status raises the same typed error as the plain call (its ``headers``
are there too); a raw call never hands back an error response.

Voucherify sends no request id with a successful response (only error bodies carry one:
``APIError.request_id``), so a :class:`RawResponse` has none.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import attrs
import httpx

from voucherify_ext.http.exchange import exchange_of
from voucherify_ext.logs import safe_headers
from voucherify_ext.responses.shapes import GeneratedResponse
from voucherify_ext.server_waits import RateLimitState, rate_limit_state

__all__ = ["RawResponse", "raw_response"]

T = TypeVar("T")


@attrs.frozen(eq=False)
class RawResponse(Generic[T]):
    """One successful call with its HTTP details.

    ``status_code``; ``headers`` (``httpx.Headers``: case-insensitive, repeated headers kept;
    ``Set-Cookie``, ``Authorization`` and the other credential headers read ``[REDACTED]``);
    ``attempts``: how many HTTP attempts the retrying transport made for the call (None when it
    did not come through it); ``rate_limit``: the ``X-Rate-Limit-*`` state the response reported
    (None when it sent none); ``method`` and ``path`` as the transport logs them; :meth:`parse`:
    the model the plain call returns.
    """

    status_code: int
    headers: httpx.Headers = attrs.field(repr=lambda headers: f"<{len(headers.raw)} headers>")
    attempts: int | None
    rate_limit: RateLimitState | None
    method: str | None
    path: str | None
    _parsed: T = attrs.field(repr=False, alias="parsed")

    def parse(self) -> T:
        """The typed result, the same the plain call returns (already checked against the spec)."""
        return self._parsed


def raw_response(response: GeneratedResponse[object], parsed: T) -> RawResponse[T]:
    """The :class:`RawResponse` of a generated ``response`` whose model is ``parsed`` (what
    :func:`~voucherify_ext.responses.unwrap` returned for it, or built from it)."""
    headers = safe_headers(response.headers)
    exchange = exchange_of(response)
    return RawResponse(
        status_code=int(response.status_code),
        headers=headers,
        attempts=exchange.attempts if exchange is not None else None,
        rate_limit=rate_limit_state(headers),
        method=exchange.method if exchange is not None else None,
        path=exchange.path if exchange is not None else None,
        parsed=parsed,
    )
