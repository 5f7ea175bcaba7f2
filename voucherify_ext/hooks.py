"""Hooks: your callbacks for what the client does between a call and its answer.

``Voucherify(hooks=Hooks(on_retry=..., on_rate_limit_wait=..., on_job_progress=...))`` calls
them with small frozen events, so a metrics library (Prometheus, StatsD, OpenTelemetry metrics)
can count retries, time spent waiting for the rate budget, and the progress of imports and
exports, without parsing log lines. Each event carries what its log line carries, never a
header or a body, so no secret can reach a hook.

A hook runs on the thread (or event loop) that sends the request, so keep it quick. A hook
that raises does not break the call it reports on: the error is logged (``voucherify`` logger,
WARNING, with its traceback) and the call goes on. docs/observability.md shows them in use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import attrs

from voucherify_ext.logs import logger

__all__ = ["Hooks", "JobProgressEvent", "RateLimitWaitEvent", "RetryEvent"]


@attrs.frozen(kw_only=True)
class RetryEvent:
    """An attempt failed and will be retried after ``delay`` seconds."""

    method: str
    path: str
    #: the attempt that failed (1 for the first send)
    attempt: int
    #: what went wrong: a status (``"503"``) or a transport failure (``"read timeout"``)
    outcome: str
    delay: float
    request_id: str | None = None


@attrs.frozen(kw_only=True)
class RateLimitWaitEvent:
    """A request waits ``seconds`` for the rate budget (the client's own, or what the server's
    ``X-Rate-Limit-*`` headers said) before it is sent. Reported for each pause, so the sum of
    ``seconds`` is the time spent waiting. (A 429's ``Retry-After`` is a retry: :class:`RetryEvent`.)"""

    method: str
    path: str
    seconds: float


@attrs.frozen(kw_only=True)
class JobProgressEvent:
    """One answered poll of a job: an async action (an import's chunk, among others) or an
    export, from ``vf.async_actions.wait``, an import's waits and an export's ``wait``."""

    #: ``"async_action"`` or ``"export"``
    job: str
    job_id: str
    #: the async action's ``type`` (``"ORDERS.IMPORT"``, ...); None for an export
    type: str | None
    #: the status the server reported (``"IN_PROGRESS"``, ``"DONE"``, ``"SCHEDULED"``, ...)
    status: str
    #: percent done when the server says, else None
    progress: int | None
    #: polls of this job so far, this one included
    polls: int


E = TypeVar("E")
Hook = Callable[[E], object]


def _run(name: str, hook: Hook[E] | None, event: E) -> None:
    if hook is None:
        return
    try:
        hook(event)
    except Exception:
        logger.warning("the %s hook raised; the call goes on", name, exc_info=True)


@attrs.frozen(kw_only=True)
class Hooks:
    """The callbacks, each optional. ``Hooks()`` (the default) calls nothing."""

    on_retry: Hook[RetryEvent] | None = None
    on_rate_limit_wait: Hook[RateLimitWaitEvent] | None = None
    on_job_progress: Hook[JobProgressEvent] | None = None

    def retry(self, event: RetryEvent) -> None:
        _run("on_retry", self.on_retry, event)

    def rate_limit_wait(self, event: RateLimitWaitEvent) -> None:
        _run("on_rate_limit_wait", self.on_rate_limit_wait, event)

    def job_progress(self, event: JobProgressEvent) -> None:
        _run("on_job_progress", self.on_job_progress, event)


#: what a client without hooks uses
NO_HOOKS = Hooks()
