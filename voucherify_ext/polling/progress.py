"""What a wait tells the client's ``on_job_progress`` hook (:class:`~voucherify_ext.hooks.Hooks`):
:func:`client_hooks` reads the hooks from a generated client sending through ext's transport,
and :func:`job_progress` wraps a wait's ``on_poll`` so each answered poll becomes one
:class:`~voucherify_ext.hooks.JobProgressEvent`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from voucherify_ext.hooks import NO_HOOKS, Hooks, JobProgressEvent

__all__ = ["client_hooks", "job_progress"]

T = TypeVar("T")


def client_hooks(client: object) -> Hooks:
    """The hooks of a generated client sending through ext's transport (``vf.client``), or the
    empty ones for a client built some other way."""
    for name in ("_async_client", "_client"):
        transport = getattr(getattr(client, name, None), "_transport", None)
        hooks = getattr(transport, "hooks", None)
        if isinstance(hooks, Hooks):
            return hooks
    return NO_HOOKS


def job_progress(
    hooks: Hooks,
    job: str,
    job_id: str,
    read: Callable[[T], tuple[str, str | None, int | None]],
    then: Callable[[T], None] | None = None,
) -> Callable[[T], None] | None:
    """An ``on_poll`` that reports each poll to ``hooks`` (``read`` gives the job's status, type
    and progress from a poll's answer), then calls ``then``; ``then`` itself when no
    ``on_job_progress`` hook is set (nothing is counted or read then)."""
    if hooks.on_job_progress is None:
        return then
    polls = 0

    def report(current: T) -> None:
        nonlocal polls
        polls += 1
        status, kind, progress = read(current)
        event = JobProgressEvent(
            job=job, job_id=job_id, type=kind, status=status, progress=progress, polls=polls
        )
        hooks.job_progress(event)
        if then is not None:
            then(current)

    return report
