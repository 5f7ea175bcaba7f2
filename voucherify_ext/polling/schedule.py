"""When to poll next: the poll schedule, written as a strategy.

A :class:`PollStrategy` is given what the last poll observed (:class:`PollObservation`: how many
polls so far, the time since waiting began, the status and progress the job reported, the
previous interval) and returns the seconds to wait before the next poll. The engine
(:mod:`voucherify_ext.polling`) cuts that to the deadline. :class:`PollSchedule`, the default,
grows geometrically and ignores what was seen; a strategy that polls more often near a job's
expected end (from its progress and the time elapsed) plugs in the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, Protocol

import attrs

__all__ = ["DEFAULT_SCHEDULE", "Budget", "Observed", "PollObservation", "PollSchedule", "PollStrategy"]

#: What a poll found: the job's state (see :data:`voucherify_ext.polling.PollState`), or
#: ``"error"`` when the poll itself failed with a transient error.
Observed = Literal["pending", "unknown", "error"]


@attrs.frozen
class Budget:
    """The client's rate budget when a poll is scheduled: at most ``limit`` requests per
    ``period`` seconds, ``free`` of them unused right now (the rate limiter's count)."""

    limit: int
    period: float
    free: int


@attrs.frozen
class PollObservation:
    """What the engine knows when it asks for the next interval.

    ``attempt``: polls made so far (1 after the first). ``elapsed``: seconds since the wait
    began (on the injected clock). ``found``: what the last poll found. ``status`` and
    ``progress``: the job's ``status`` (as text) and ``progress`` (0-100), when the last poll
    read a job that has them (None otherwise, and after a failed poll). ``previous``: the
    interval the strategy returned last time, before the deadline cut it (None the first time).
    ``running_for``: seconds the job has been running by the server's own count
    (``processing_time``), or, when it reports none, extrapolated from how ``progress`` moved
    between two polls; None when neither says. ``budget``: the client's rate budget
    (:class:`Budget`), None when it has none.
    """

    attempt: int
    elapsed: float
    found: Observed
    status: str | None = None
    progress: int | None = None
    previous: float | None = None
    running_for: float | None = None
    budget: Budget | None = None


class PollStrategy(Protocol):
    """Decides the wait before the next poll. Immutable settings; shared by every wait."""

    def next_interval(self, observed: PollObservation) -> float:
        """Seconds to wait before the next poll (the engine cuts it to the deadline)."""
        ...


@attrs.frozen
class PollSchedule:
    """Poll intervals: ``initial`` seconds, multiplied by ``factor`` after each poll, at most
    ``maximum``. The default :class:`PollStrategy`; it looks only at the previous interval."""

    initial: float = 1.0
    factor: float = 1.5
    maximum: float = 10.0

    def next_interval(self, observed: PollObservation) -> float:
        if observed.previous is None:
            return self.initial
        return min(self.maximum, observed.previous * self.factor)

    def intervals(self) -> Iterator[float]:
        """The intervals one after the other, as :meth:`next_interval` gives them."""
        interval = self.initial
        while True:
            yield interval
            interval = min(self.maximum, interval * self.factor)


#: 1 s, ×1.5 per poll, at most 10 s.
DEFAULT_SCHEDULE = PollSchedule()
