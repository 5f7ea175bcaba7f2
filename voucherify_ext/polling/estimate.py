"""A poll schedule that polls at a job's predicted end: :class:`EstimatingSchedule`.

Every poll counts against the client's rate budget, so polling a long job every 10 s wastes
it. A job that reports ``progress`` (0-100) and how long it has run (``processing_time``, or
two polls' worth of progress) predicts its own end, assuming it advances at the rate seen so
far. ``progress`` is a whole percent, so it only bounds the rate: a job at ``p`` % after ``t``
seconds ends between ``t * (100 - (p + 1)) / (p + 1)`` seconds from now (the earliest) and
``t * (100 - p) / p`` (the latest). The schedule sleeps to the earliest end while that range is
wide, which never overshoots a job that advances evenly and narrows the range at each poll,
and once the range is within ``tolerance`` of the job's expected duration it sleeps to the
likely end plus half that tolerance, so the poll that finds it done comes just after it.

Without a signal (no progress yet, a job that reports none such as an export, a failed poll)
it falls back to the backoff (:class:`~voucherify_ext.polling.schedule.PollSchedule`). Every
interval is at least ``minimum`` and at most ``maximum`` seconds; when less than ``reserve`` of
the rate budget is free, polls are spread over the window (at least ``period / free`` seconds
apart), so polling never takes the last requests the job's other calls need.
"""

from __future__ import annotations

import attrs

from voucherify_ext.polling.schedule import DEFAULT_SCHEDULE, PollObservation, PollSchedule

__all__ = ["DEFAULT_STRATEGY", "EstimatingSchedule", "predicted_end"]


def predicted_end(progress: int, running_for: float) -> tuple[float, float]:
    """``(earliest, likely)`` seconds from now to the end of a job at ``progress`` % (a whole
    percent, so the true share is in ``[progress, progress + 1)``) after ``running_for``
    seconds, assuming it keeps its rate. ``progress`` is 1-99, ``running_for`` more than 0."""
    earliest = running_for * max(0.0, 99.0 - progress) / (progress + 1.0)
    likely = running_for * (99.5 - progress) / (progress + 0.5)
    return earliest, likely


@attrs.frozen
class EstimatingSchedule:
    """Polls at the end a job's progress predicts; the backoff when there is nothing to go by
    (module documentation). A :class:`~voucherify_ext.polling.PollStrategy`."""

    fallback: PollSchedule = DEFAULT_SCHEDULE
    minimum: float = 0.05
    maximum: float = 900.0
    tolerance: float = 0.01
    reserve: float = 0.25

    def estimate(self, observed: PollObservation) -> float | None:
        """Seconds to the next poll from the job's progress, or None when it gives no signal."""
        progress, running_for = observed.progress, observed.running_for
        if observed.found != "pending" or progress is None or running_for is None:
            return None
        if not 0 < progress < 100 or not running_for > 0:
            return None
        earliest, likely = predicted_end(progress, running_for)
        slack = self.tolerance * (running_for + likely)
        if likely - earliest <= slack:
            return likely + slack / 2
        return earliest

    def budget_floor(self, observed: PollObservation) -> float:
        """The shortest interval the rate budget allows: 0 while at least ``reserve`` of it is
        free, else the window spread over the free requests."""
        budget = observed.budget
        if budget is None or budget.free >= budget.limit * self.reserve:
            return 0.0
        return budget.period / max(budget.free, 1)

    def relaxed(self, tolerance: float = 0.25) -> EstimatingSchedule:
        """This schedule, aiming past the predicted end by up to ``tolerance`` of the job's
        duration instead: one poll that finds the job done rather than two that close in on its
        end, for a job whose exact end does not matter (an import chunk other than the last:
        the next one's first poll is placed from the end the server reports)."""
        return attrs.evolve(self, tolerance=max(self.tolerance, tolerance))

    def next_interval(self, observed: PollObservation) -> float:
        interval = self.estimate(observed)
        if interval is None:
            interval = self.fallback.next_interval(observed)
        interval = min(self.maximum, max(self.minimum, interval))
        return max(interval, self.budget_floor(observed))


#: The schedule jobs use by default: :class:`EstimatingSchedule` with its defaults.
DEFAULT_STRATEGY = EstimatingSchedule()
