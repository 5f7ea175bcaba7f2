"""The record of one exchange: what the retrying transport learned about a call.

The transport hands back the server's response as the server sent it (no header of ours is
added to it) and attaches one :class:`Exchange` to ``response.extensions`` under
:data:`EXCHANGE_EXTENSION`. :func:`exchange_of` reads it back from an ``httpx.Response`` or
from a generated ``voucherify_client.types.Response``, whose ``extensions`` are the httpx
response's (our generator template ``openapi/templates/endpoint_module.py.jinja`` passes them
on). :mod:`voucherify_ext.responses` builds its typed errors from it.
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["EXCHANGE_EXTENSION", "Exchange", "deadline_of", "exchange_of"]

#: response extension: the :class:`Exchange` of the call that produced the response
EXCHANGE_EXTENSION = "voucherify_exchange"


@attrs.frozen
class Exchange:
    """What the transport learned while getting one final response.

    ``method`` and ``path`` are the request's (the path as the transport logs it: secret-free);
    ``attempts`` counts the attempts made; ``not_retried_reason`` says why a failed answer was
    handed back instead of retried (None for a success, or when retrying was not relevant);
    ``outcome_unknown``: a write that failed ambiguously may have been applied;
    ``requested_delay``: for an error response (status >= 400), the wait in seconds the server
    asked for (``Retry-After``, else ``X-Rate-Limit-Retry``), read by the transport on its
    injected wall clock when the response arrived; ``deadline_at``: when (on the client's
    monotonic clock) the call's deadline passes, if it has one (a download's later attempts and
    the reading of its body keep to it).
    """

    method: str
    path: str
    attempts: int
    not_retried_reason: str | None = None
    outcome_unknown: bool = False
    requested_delay: float | None = None
    deadline_at: float | None = None


def exchange_of(response: Any) -> Exchange | None:
    """The :class:`Exchange` of an ``httpx.Response`` or a generated ``Response``, or None
    when it did not come through the retrying transport."""
    extensions = getattr(response, "extensions", None)
    if not extensions:
        return None
    exchange = extensions.get(EXCHANGE_EXTENSION)
    return exchange if isinstance(exchange, Exchange) else None


def deadline_of(response: Any, default: float | None = None) -> float | None:
    """The ``deadline_at`` of ``response``'s :class:`Exchange`, or ``default`` when the call had
    no deadline or the response did not come through the retrying transport."""
    exchange = exchange_of(response)
    if exchange is None or exchange.deadline_at is None:
        return default
    return exchange.deadline_at
