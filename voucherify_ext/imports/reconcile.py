"""The predicates that reconciliation rests on, without I/O: which async actions certainly
precede a send, which one (if any) is the send's, and which appeared unclaimed during the import.

When the answer to an import POST is lost, :mod:`voucherify_ext.imports.steps` scans the
async-action list (newest first) and asks :meth:`ReconcileRules.judge` which action is the
chunk's; :class:`~voucherify_ext.imports.state.ImportRun` holds these rules with the rest of
an import's state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from voucherify_client.types import Unset

from voucherify_ext.errors import ImportReconcileError
from voucherify_ext.imports.checkpoint_records import Send
from voucherify_ext.imports.chunker import Chunk
from voucherify_ext.imports.results import ImportResult
from voucherify_ext.logs import logger

__all__ = ["ReconcileRules"]


class ReconcileRules:
    """What reconciliation knows (the action ids claimed, the clock band, the commit horizon,
    the sends that got no action, the import's first send) and the predicates it rests on
    (:meth:`precedes`, :meth:`judge`, :meth:`stray`)."""

    def __init__(self, *, band: float, commit_horizon: float, result: ImportResult) -> None:
        #: the clock-uncertainty band (seconds) around a send time
        self.band = band
        #: how long after a send its import action may still appear (a documented assumption)
        self.commit_horizon = commit_horizon
        self.result = result
        #: action id -> the chunk that claimed it
        self.claimed: dict[str, int] = {}
        #: the first send of this import (this run or a checkpointed one): where the scan for
        #: stray actions stops
        self.origin: Send | None = None
        #: send times that got no action because the commit horizon passed: an action created
        #: within the band of one of them could be that send's, late
        self.horizon_refused: list[float] = []
        #: whether a send of this import (this run or a checkpointed one) had an unknown outcome:
        #: only then can a stray action of ours exist, so only then is the list scanned for one
        self.doubted = False

    def precedes(self, action: Any, send: Send) -> bool:
        """Whether ``action`` certainly existed before ``send`` (so it, and every older action,
        cannot be the send's): an action this import claimed, the newest action known before
        the send, or one created more than the band before it (when that action is unknown)
        or more than band + horizon before it (a bound on the scan)."""
        action_id = action.id
        if action_id in self.claimed or (
            send.after_known and send.after_id is not None and action_id == send.after_id
        ):
            return True
        created = _created(action)
        if created is None:
            return False
        slack = self.band if not send.after_known else self.band + self.commit_horizon
        return created < send.sent_at - slack

    def judge(self, chunk: Chunk, send: Send, actions: Iterable[Any]) -> str | None:
        """The action of a send whose answer was lost, from a scan of the list (newest first):
        its id when exactly one unclaimed ``ORDERS.IMPORT`` action appeared since the send and
        nothing makes it ambiguous; None when none appeared. Raises
        :class:`ImportReconcileError` otherwise (nothing is adopted or resent)."""
        found: list[tuple[str, str | None]] = []
        for action in actions:
            if self.precedes(action, send):
                break
            if str(action.type_) != "ORDERS.IMPORT" or not isinstance(action.id, str):
                continue
            found.append((action.id, self._doubt(action, send)))
        if not found:
            return None
        if len(found) == 1 and found[0][1] is None:
            logger.info(
                "chunk %d: the import response was lost; adopted %s from the async-action list",
                chunk.index,
                found[0][0],
            )
            return found[0][0]
        described = ", ".join(
            f"{action_id}{f' ({why})' if why else ''}" for action_id, why in reversed(found)
        )
        raise ImportReconcileError(
            f"chunk {chunk.index}: its import response was lost, and {len(found)} unclaimed ORDERS.IMPORT "
            f"action(s) appeared since it was sent: {described}. Which of them (if any) is this chunk's "
            "cannot be told, so none was adopted and nothing was resent. Another import in this project, "
            f"or a commit later than commit_horizon ({self.commit_horizon:g}s), explains this; check "
            "those actions (vf.async_actions.get) before rerunning with the same checkpoint",
            chunk=chunk.index,
            result=self.result,
            candidates=[action_id for action_id, _ in reversed(found)],
        )

    def _doubt(self, action: Any, send: Send) -> str | None:
        """Why ``action`` might not be ``send``'s, or None."""
        created = _created(action)
        if created is None:
            return "no created_at"
        if created < send.sent_at - self.band:
            return f"created {send.sent_at - created:.1f}s before the send"
        if not send.after_known and created < send.sent_at:
            # no action was known to precede the send (a fresh run's first chunk, or a list
            # that could not be read): an import created just before it cannot be told from
            # this send's by the list, only by the clock
            return f"created {send.sent_at - created:.1f}s before the send, which followed no known action"
        for other in self.horizon_refused:
            # An earlier send concluded by the horizon (it lies at least that long before this
            # one, unless an injected sleep did not move the clock): if the assumption broke and
            # it committed late, its action appears at any time after it, not only near it, and
            # nothing in the list tells the two apart.
            if other < send.sent_at - self.band and created >= other - self.band:
                return "created after an earlier send that got no action within the commit horizon"
        return None

    def before_import(self, action: Any) -> bool:
        """Whether ``action`` existed before this import's first send: the newest action known
        before it, or one created more than band + horizon before it. (Not a claimed action: a
        stray one may be older than a chunk's action.)"""
        origin = self.origin
        if origin is None:
            return True
        if origin.after_known and origin.after_id is not None and action.id == origin.after_id:
            return True
        created = _created(action)
        return created is not None and created < origin.sent_at - self.band - self.commit_horizon

    def stray(self, actions: Iterable[Any]) -> list[str]:
        """Unclaimed ``ORDERS.IMPORT`` actions created since this import's first send."""
        if self.origin is None:
            return []
        found: list[str] = []
        for action in actions:
            if self.before_import(action):
                break
            created = _created(action)
            if (
                str(action.type_) == "ORDERS.IMPORT"
                and isinstance(action.id, str)
                and action.id not in self.claimed
                and (created is None or created >= self.origin.sent_at - self.band)
            ):
                found.append(action.id)
        return list(reversed(found))


def _created(action: Any) -> float | None:
    created = action.created_at
    return None if isinstance(created, Unset) or created is None else float(created.timestamp())
