"""Retry policy: what to retry, when, and how long to wait. Pure functions, no I/O.

The transport asks :func:`decide` after every failed attempt. The answer depends on

* the failure: an HTTP status, or a transport error classified as *not sent* (the request
  provably never reached the server) or *ambiguous* (it may have been processed);
* whether the request is idempotent (:func:`is_idempotent`);
* the attempts left, the server's requested wait, and the per-call deadline.

Write safety. Voucherify has no idempotency keys. A request that is not idempotent is
retried only after a failure that happened before it was sent: a connection that could not be
opened (``ConnectError``, ``ConnectTimeout``, ``PoolTimeout``) or a 429 (Voucherify's rate
limiter rejects before handling). Everything else is ambiguous: read timeouts, connections
dropped after the request was written, 408 and every 5xx including 503 (a proxy may answer
503 after the backend committed). ``POST /v1/orders`` carrying ``id`` or ``source_id`` is an
upsert and therefore idempotent (:data:`ORDER_UPSERT`); a team declares its own upserts with
:class:`Upsert` in ``RetryPolicy(upserts=...)`` (or ``vf.bind(..., upserts=...)``). A refusal
says why in words that fit the request (:func:`not_idempotent_reason`): a bare create could
duplicate the record, an import is reconciled by the importer, anything else could repeat its
effect.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
import httpx

from voucherify_ext.errors import ConfigurationError
from voucherify_ext.server_waits import server_requested_delay
from voucherify_ext.upserts import ORDER_UPSERT, Upsert

__all__ = [
    "DEFAULT_ATTEMPT_TIMEOUT",
    "DEFAULT_RETRY_STATUSES",
    "ORDER_UPSERT",
    "Backoff",
    "FailureKind",
    "RetryDecision",
    "RetryPolicy",
    "Upsert",
    "backoff_delay",
    "classify_exception",
    "decide",
    "is_idempotent",
    "not_idempotent_reason",
]

#: the default limit of one attempt of an API call: send, head and body, in seconds (enforced by
#: :mod:`voucherify_ext.http.deadlines`)
DEFAULT_ATTEMPT_TIMEOUT = 60.0
DEFAULT_RETRY_STATUSES: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: Request extension a caller can set to declare a request idempotent (or not) explicitly.
IDEMPOTENT_EXTENSION = "voucherify_idempotent"


def _check_statuses(_: object, __: attrs.Attribute[frozenset[int]], value: frozenset[int]) -> None:
    if 409 in value:
        raise ConfigurationError("409 means a duplicate in Voucherify and is never retried")


def _seconds(*, positive: bool, optional: bool) -> Callable[[object, attrs.Attribute[Any], Any], None]:
    """An attrs validator that raises :class:`ConfigurationError` (a ``ValueError``) naming the
    argument: a finite number of seconds, > 0 (``positive``) or >= 0, or None if ``optional``."""
    bound = "> 0" if positive else ">= 0"

    def check(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None and optional:
            return
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if not ok or value < 0 or (positive and value == 0):
            allowed = f"a number of seconds {bound}" + (" or None" if optional else "")
            raise ConfigurationError(f"{attribute.name} must be {allowed}, got {value!r}")

    return check


def _count(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigurationError(f"{attribute.name} must be an integer >= 0, got {value!r}")


def _fraction(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not 0 <= value <= 1:
        raise ConfigurationError(f"{attribute.name} must be a number from 0 to 1, got {value!r}")


def _upserts(value: Iterable[Upsert]) -> tuple[Upsert, ...]:
    declared = tuple(value)
    for upsert in declared:
        if not isinstance(upsert, Upsert):
            raise ConfigurationError(f"upserts must be Upsert declarations, got {upsert!r}")
    return declared


@attrs.frozen
class RetryPolicy:
    """How a client retries. Immutable; derive variants with :func:`attrs.evolve`.

    ``max_retries``: retries after the first attempt (0 disables retrying).
    ``initial_delay``/``max_delay``: exponential backoff, doubling from ``initial_delay``.
    ``jitter``: each backoff is reduced by a random fraction up to this (0.25 → 75-100 %).
    ``max_retry_after``: the longest server-requested wait (``Retry-After``,
    ``X-Rate-Limit-Retry``) the client honours; a longer one fails at once with
    :class:`~voucherify_ext.errors.RateLimitError`.
    ``deadline``: optional overall budget in seconds for one call, retries and sleeps included,
    and the reading of the response's head and body (see :mod:`voucherify_ext.http.deadlines`).
    ``attempt_timeout``: the longest one attempt of an API call may take, send, head and body
    together (None: no total; httpx's timeouts still bound each socket operation). Downloads
    are not bounded by it but by a stall rule and ``deadline``.
    ``upserts``: the client's own writes declared safe to repeat (:class:`Upsert`), retried like
    the built-in :data:`ORDER_UPSERT`; every other POST keeps "not retried, outcome unknown".

    Bad values raise :class:`~voucherify_ext.errors.ConfigurationError` (a ``ValueError``)
    naming the argument.
    """

    max_retries: int = attrs.field(default=2, validator=_count)
    initial_delay: float = attrs.field(default=0.5, validator=_seconds(positive=False, optional=False))
    max_delay: float = attrs.field(default=8.0, validator=_seconds(positive=False, optional=False))
    jitter: float = attrs.field(default=0.25, validator=_fraction)
    retry_statuses: frozenset[int] = attrs.field(
        default=DEFAULT_RETRY_STATUSES, converter=frozenset, validator=_check_statuses
    )
    max_retry_after: float = attrs.field(default=60.0, validator=_seconds(positive=False, optional=False))
    deadline: float | None = attrs.field(default=None, validator=_seconds(positive=True, optional=True))
    attempt_timeout: float | None = attrs.field(
        default=DEFAULT_ATTEMPT_TIMEOUT, validator=_seconds(positive=True, optional=True)
    )
    upserts: tuple[Upsert, ...] = attrs.field(default=(), converter=_upserts)

    @property
    def backoff(self) -> Backoff:
        """This policy's :class:`Backoff`: ``initial_delay``, doubling to ``max_delay``, ``jitter``."""
        return Backoff(self.initial_delay, self.max_delay, self.jitter)


class FailureKind(enum.Enum):
    """How much the client knows about a failed attempt."""

    NOT_SENT = "not sent"  # the server provably did not process the request
    AMBIGUOUS = "ambiguous"  # the server may have processed it


@attrs.frozen
class RetryDecision:
    retry: bool
    delay: float = 0.0
    #: why the failure was not retried (None when retrying or when retrying was not relevant)
    reason: str | None = None
    #: True when a request that is not idempotent failed ambiguously: it may have been processed
    outcome_unknown: bool = False
    #: the server asked for a wait longer than the cap (fail fast with RateLimitError)
    over_cap: bool = False


def classify_exception(exc: BaseException) -> FailureKind:
    """``NOT_SENT`` for failures before the request left (connect, pool), else ``AMBIGUOUS``."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return FailureKind.NOT_SENT
    return FailureKind.AMBIGUOUS


def classify_status(status: int) -> FailureKind:
    """429 is rejected before handling; every other error status may follow processing."""
    return FailureKind.NOT_SENT if status == 429 else FailureKind.AMBIGUOUS


def _json_body(request: httpx.Request) -> Any:
    try:
        content = request.content
    except httpx.RequestNotRead:
        return None
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None


def is_idempotent(request: httpx.Request, upserts: Iterable[Upsert] = ()) -> bool:
    """Whether repeating ``request`` cannot create a second effect.

    GET, HEAD, OPTIONS, PUT and DELETE are idempotent. A POST is when it is an upsert naming its
    record: ``POST /v1/orders`` with ``id`` or ``source_id`` (:data:`ORDER_UPSERT`), or one of
    ``upserts`` with one of its keys. Every other POST is not. A request may override this with
    the ``voucherify_idempotent`` extension.
    """
    override = request.extensions.get(IDEMPOTENT_EXTENSION)
    if isinstance(override, bool):
        return override
    method = request.method.upper()
    if method in IDEMPOTENT_METHODS:
        return True
    matching = [u for u in (ORDER_UPSERT, *upserts) if u.matches(request)]
    if not matching:
        return False
    body = _json_body(request)
    return any(upsert.names_record(body) for upsert in matching)


#: Why a request that is not idempotent is not retried after an ambiguous failure.
NOT_IDEMPOTENT = "the request is not idempotent, so repeating it could repeat its effect"
BARE_ORDER_CREATE = (
    "the request is not idempotent (POST /v1/orders with no id or source_id creates a new order "
    "on every call), so repeating it could create a duplicate"
)
IMPORT = (
    "an import creates a new async action on every call; it is reconciled by the importer, "
    "not retried blindly"
)


def not_idempotent_reason(request: httpx.Request, upserts: Iterable[Upsert] = ()) -> str:
    """Why ``request`` (one :func:`is_idempotent` refused) must not be repeated blindly."""
    if request.method.upper() == "POST" and request.extensions.get(IDEMPOTENT_EXTENSION) is None:
        path = request.url.path.rstrip("/")
        if path.endswith("/v1/orders/import"):
            return IMPORT
        if path.endswith("/v1/orders"):
            return BARE_ORDER_CREATE
    if request.extensions.get(IDEMPOTENT_EXTENSION) is None:
        for upsert in upserts:
            if upsert.matches(request):
                keys = " or ".join(upsert.keys)
                return (
                    f"the request is not idempotent ({upsert.method} {upsert.path} with no {keys} "
                    "creates a new record on every call), so repeating it could create a duplicate"
                )
    return NOT_IDEMPOTENT


@attrs.frozen
class Backoff:
    """The one backoff schedule: ``initial`` seconds before the first retry, doubling with each
    retry up to ``maximum``; ``jitter`` shortens each wait by a random fraction up to it (0.25 →
    75-100 %). The transport (from its :class:`RetryPolicy`), the import submitter, the export
    download and the reconciliation scans all wait by it; only their numbers differ."""

    initial: float = attrs.field(default=0.5, validator=_seconds(positive=False, optional=False))
    maximum: float = attrs.field(default=8.0, validator=_seconds(positive=False, optional=False))
    jitter: float = attrs.field(default=0.0, validator=_fraction)

    def delay(self, retry_number: int, rand: float = 0.0) -> float:
        """The wait before the ``retry_number``-th retry (1-based); ``rand`` is a uniform number in
        [0, 1) for the jitter."""
        base: float = min(self.maximum, self.initial * 2.0 ** max(0, retry_number - 1))
        return max(0.0, base * (1.0 - self.jitter * rand))


def backoff_delay(policy: RetryPolicy, retry_number: int, rand: float) -> float:
    """The transport's wait before the ``retry_number``-th retry (1-based): ``policy.backoff``."""
    return policy.backoff.delay(retry_number, rand)


def decide(
    policy: RetryPolicy,
    *,
    attempt: int,
    idempotent: bool,
    replayable: bool = True,
    status: int | None = None,
    failure: FailureKind | None = None,
    headers: Mapping[str, str] | None = None,
    now: float = 0.0,
    elapsed: float = 0.0,
    rand: float = 0.0,
    unsafe_reason: str = NOT_IDEMPOTENT,
    write: bool = False,
) -> RetryDecision:
    """Whether to retry after attempt number ``attempt`` (1-based) failed, and after how long.

    Pass ``status`` for an HTTP answer, or ``failure`` for a transport error. ``now`` is the
    wall clock (epoch seconds, for HTTP dates); ``elapsed`` the seconds spent on this call so
    far (for the deadline); ``rand`` a uniform random number for jitter. ``unsafe_reason`` is
    what a refusal to repeat a non-idempotent request says (see :func:`not_idempotent_reason`).
    ``write``: the request changes data (not GET/HEAD/OPTIONS); when such a request, even an
    idempotent one (an upsert), gives up after an ambiguous failure, it may have been applied,
    so the decision says ``outcome_unknown``.
    """
    decision = _decide(
        policy,
        attempt=attempt,
        idempotent=idempotent,
        replayable=replayable,
        status=status,
        failure=failure,
        headers=headers,
        now=now,
        elapsed=elapsed,
        rand=rand,
        unsafe_reason=unsafe_reason,
    )
    if write and not decision.retry and not decision.outcome_unknown and decision.reason is not None:
        kind = classify_status(status) if status is not None else (failure or FailureKind.AMBIGUOUS)
        if kind is FailureKind.AMBIGUOUS:
            return attrs.evolve(decision, outcome_unknown=True)
    return decision


def _decide(
    policy: RetryPolicy,
    *,
    attempt: int,
    idempotent: bool,
    replayable: bool,
    status: int | None,
    failure: FailureKind | None,
    headers: Mapping[str, str] | None,
    now: float,
    elapsed: float,
    rand: float,
    unsafe_reason: str,
) -> RetryDecision:
    if status is not None:
        if status < 400:
            return RetryDecision(retry=False)
        if status not in policy.retry_statuses:
            return RetryDecision(retry=False)
        kind = classify_status(status)
    else:
        kind = failure or FailureKind.AMBIGUOUS

    unsafe = not idempotent and kind is FailureKind.AMBIGUOUS
    if unsafe:
        return RetryDecision(retry=False, outcome_unknown=True, reason=unsafe_reason)
    if not replayable:
        return RetryDecision(retry=False, reason="the request body is a stream that cannot be replayed")

    requested = server_requested_delay(headers, now) if headers is not None else None
    if requested is not None and requested > policy.max_retry_after:
        return RetryDecision(
            retry=False,
            over_cap=True,
            reason=f"the server asked to wait {requested:.0f}s, "
            f"more than the {policy.max_retry_after:.0f}s cap",
        )
    if attempt > policy.max_retries:
        return RetryDecision(retry=False, reason=f"no retries left (max_retries={policy.max_retries})")

    delay = requested if requested is not None else backoff_delay(policy, attempt, rand)
    if policy.deadline is not None and elapsed + delay >= policy.deadline:
        return RetryDecision(
            retry=False, reason=f"the next attempt would pass the {policy.deadline:g}s deadline"
        )
    return RetryDecision(retry=True, delay=delay)
