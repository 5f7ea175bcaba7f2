"""Counting against the server's own budget when no budget is configured: how many more
requests may go now, from ``X-Rate-Limit-Remaining`` and the requests still in flight.

Without ``rate_limit=`` the client knows only what the server says. Trusting each answer's
count as it comes overruns it under concurrency: sixteen requests in flight, an answer saying
"five left", and the sixteen were not in it. :class:`ServerCount` keeps the rule that cannot
overrun, whatever the network delay or reordering:

* The server counts arrivals and answers each with what is left after it. Take the lowest count
  answered in the current window, ``R``: its request is the latest arrival among the answered
  ones, so every arrival since is a request not answered yet, one still in flight. At most
  ``R - in_flight`` more may go.
* A higher count means a new window only when its request was sent after the lowest one was
  answered (a request sent later cannot have arrived earlier). A higher count from a request
  sent before that is a late answer from earlier in the same window, and changes nothing.
* Before the first answer one request goes alone: its answer says whether the server counts at
  all (an answer without ``X-Rate-Limit-Remaining`` lifts the rule) and how much is left.
* When a window is known to be over (its end from ``X-Rate-Limit-Retry`` or a 429's
  ``Retry-After``), the next one holds ``X-Rate-Limit-Limit`` requests if the server said so,
  less those still in flight; if it did not, one request goes alone again.

Pure bookkeeping, no clock of its own and no lock: :class:`~voucherify_ext.ratelimit.RateLimiter`
calls it under its lock with its own clock.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = ["ServerCount"]


@attrs.define
class ServerCount:
    """The server's count in its current window (module documentation)."""

    #: the lowest ``X-Rate-Limit-Remaining`` answered in the current window; None: no count
    remaining: int | None = None
    #: when (the limiter's clock) the answer holding :attr:`remaining` arrived
    answered_at: float = float("-inf")
    #: the window's size from ``X-Rate-Limit-Limit``, when the server said it
    size: int | None = None
    #: None: no answer yet (one request at a time); False: the answers carry no count
    counted: bool | None = None

    def free(self, in_flight: int) -> int | None:
        """How many more requests may go now; None when the server sets no limit we know of."""
        if self.counted is None:
            return 1 - in_flight
        if self.remaining is None:
            return None
        return self.remaining - in_flight

    def left(self, in_flight: int) -> int | None:
        """What the server's count leaves now (never below 0); None when it gave none."""
        free = self.free(in_flight) if self.counted else None
        return None if free is None else max(0, free)

    def answer(self, remaining: int | None, size: int | None, *, sent_at: float | None, now: float) -> bool:
        """Learn from one answer (its request was admitted at ``sent_at``, it arrived ``now``);
        True when it moved the count to a new window."""
        if size is not None:
            self.size = size
        if remaining is None:
            if self.counted is None:
                self.counted = False
            return False
        self.counted = True
        low = self.remaining
        if low is None or remaining <= low:
            self.remaining, self.answered_at = remaining, now
            return False
        if sent_at is not None and sent_at >= self.answered_at:
            self.remaining, self.answered_at = remaining, now
            return True
        return False  # a late answer from earlier in this window

    def learn(
        self,
        headers: Mapping[str, str],
        remaining: int | None,
        reset_in: float | None,
        reset: float | None,
        *,
        sent_at: float | None,
        now: float,
    ) -> float | None:
        """:meth:`answer` from a response's headers (its ``X-Rate-Limit-Limit`` too), and the
        window's end: ``now + reset_in`` from an answer that counts in the current window, else
        ``reset`` (the end known before) kept, or forgotten when a new window began."""
        size_text = headers.get("x-rate-limit-limit")
        size = int(size_text) if size_text is not None and size_text.strip().isdigit() else None
        moved = self.answer(remaining, size, sent_at=sent_at, now=now)
        if self.answered_at != now and remaining is not None:
            return reset  # a late answer: it says nothing about the current window's end
        if reset_in is not None:
            return now + reset_in
        return None if moved else reset

    def late(self) -> None:
        """An answer that is ignored because its request was sent before the last known window
        end: it may still have arrived in the new window, so it is counted there."""
        if self.remaining is not None:
            self.remaining -= 1

    def new_window(self, at: float) -> None:
        """A window is over at ``at``: the next holds :attr:`size` requests, if known."""
        if self.size is not None:
            self.remaining, self.answered_at = self.size, at
        else:
            self.remaining, self.answered_at = None, at
            self.counted = None

    def probe(self, at: float) -> None:
        """The window's end is unknown and a guessed pause is over: let one request through."""
        self.remaining, self.answered_at = 1, at
