"""What a live-order sync (``vf.orders.upsert_many``) reports: one :class:`UpsertResult` per order,
streamed as they finish, :class:`UpsertProgress` for ``on_progress``, the run's
:class:`UpsertSummary`, and :class:`UpsertEstimate` (``vf.orders.estimate_upserts``). Pure data.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

__all__ = ["UpsertEstimate", "UpsertProgress", "UpsertResult", "UpsertStatus", "UpsertSummary"]

#: ``created``: the response has no ``updated_at``; ``updated``: it has one; ``failed``: see
#: ``error``; ``skipped``: confirmed by an earlier run in the checkpoint, not sent again
UpsertStatus = Literal["created", "updated", "failed", "skipped"]


@attrs.frozen
class UpsertResult:
    """One order's outcome.

    ``index``: its position in the input (0-based); ``line``: its line in a file (None for an
    iterable); ``key``: what names it (its ``id``, else its ``source_id``; None when it has
    neither); ``order``: the order Voucherify returned (``created``/``updated``); ``error``: the
    typed error (``failed``); ``attempts``: the requests this run sent for it (0 when it was
    not sent)."""

    index: int
    line: int | None
    key: str | None
    status: UpsertStatus
    order: Any = None
    error: BaseException | None = None
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@attrs.frozen
class UpsertProgress:
    """Counts so far, given to ``on_progress`` after each order; ``total`` is None when the
    input's size is unknown (an iterable without ``len``)."""

    done: int
    created: int
    updated: int
    failed: int
    skipped: int
    total: int | None


@attrs.frozen
class UpsertSummary:
    """A finished run: the counts, the createOrder requests sent (retries included), and the
    seconds it took on the client's clock."""

    created: int
    updated: int
    failed: int
    skipped: int
    requests: int
    elapsed_seconds: float

    @property
    def ok(self) -> bool:
        return self.failed == 0


@attrs.frozen
class UpsertEstimate:
    """Before a run: ``orders`` to send, ``requests`` (one createOrder each, retries aside) and
    the ``seconds`` it takes at the client's configured rate budget (None without one: the pace
    is then set by the latency and ``max_in_flight`` alone)."""

    orders: int
    requests: int
    seconds: float | None
