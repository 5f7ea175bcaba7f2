"""An exclusive lock on a file for as long as one run uses it: ``<path>.lock``, held with
:mod:`filelock` (an OS lock, so a killed process leaves nothing to clean up). The holder writes
who it is (pid, host, since when) into the lock file, so a refused run can name it.

Used by import checkpoints (:mod:`voucherify_ext.imports.checkpoint`) and the CLI's ``--sandbox-state``.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import socket
from pathlib import Path

import filelock

__all__ = ["HeldLock", "LockBusy", "lock_path", "take"]


class LockBusy(Exception):
    """Internal: the lock is held by someone else (``holder``: who, when the file says)."""

    def __init__(self, lock_file: Path, holder: str | None) -> None:
        self.lock_file = lock_file
        self.holder = holder
        super().__init__(f"{lock_file} is held by {holder or 'another process'}")


def lock_path(target: Path) -> Path:
    """The lock file of ``target``: ``<target>.lock`` beside it."""
    return target.with_name(target.name + ".lock")


def holder_text() -> str:
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"pid {os.getpid()} on host {socket.gethostname()} since {started}"


class HeldLock:
    """A lock this process holds; :meth:`release` it (twice is harmless)."""

    def __init__(self, lock: filelock.BaseFileLock, path: Path) -> None:
        self._lock: filelock.BaseFileLock | None = lock
        self.path = path

    def release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            with contextlib.suppress(OSError):
                lock.release()


def take(target: Path, *, timeout: float = 0) -> HeldLock:
    """Lock ``target`` (through :func:`lock_path`), waiting up to ``timeout`` seconds.

    Raises :class:`LockBusy` when another holder keeps it, ``OSError`` when the lock file
    cannot be created. Another open of the same file in this process is another holder too.
    """
    path = lock_path(target)
    lock = filelock.FileLock(str(path), thread_local=False)
    try:
        lock.acquire(timeout=timeout)
    except filelock.Timeout:
        raise LockBusy(path, read_holder(path)) from None
    with contextlib.suppress(OSError), open(path, "r+", encoding="utf-8") as handle:
        handle.truncate(0)
        handle.write(holder_text() + "\n")
    return HeldLock(lock, path)


def read_holder(path: Path) -> str | None:
    """Who holds ``path`` (a lock file), as its holder wrote it; None when unknown."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    return text.splitlines()[0][:200] if text else None
