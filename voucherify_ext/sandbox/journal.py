"""The sandbox's request journal: which API requests arrived, with their key, body and time, for
tests that must prove what a client sent (the live-order sync's "no confirmed order sent twice").

Off by default (capacity 0), so a long-running sandbox keeps nothing. When on, it keeps the last
``capacity`` requests and counts the ones it had to let go (``dropped``): a test that needs the
whole story checks that ``dropped`` is 0. Each entry::

    {"seq": 1, "at": 1764370000.125, "done_at": 1764370000.176, "method": "POST",
     "path": "/v1/orders", "key": "ord_1", "body": {...}, "status": 200, "fault": null}

``at`` is when the request arrived and ``done_at`` when its answer was ready (the sandbox clock,
epoch seconds), so overlapping entries show how many requests the sandbox handled at once;
``key`` is the JSON body's ``id``, else its ``source_id`` (None when neither); ``fault`` the kind
of fault the sandbox applied to it, if any (``drop_before``: the request was refused unread).
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

__all__ = ["RequestJournal", "body_key", "max_concurrent"]


def body_key(body: Any) -> str | None:
    """What names the record a JSON body writes: its ``id``, else its ``source_id``."""
    if not isinstance(body, dict):
        return None
    for field in ("id", "source_id"):
        value = body.get(field)
        if isinstance(value, str) and value:
            return value
    return None


def max_concurrent(entries: list[dict[str, Any]]) -> int:
    """The most entries whose ``[at, done_at]`` intervals overlap at one time."""
    events = sorted(
        [(e["at"], 1) for e in entries if e.get("done_at") is not None]
        + [(e["done_at"], -1) for e in entries if e.get("done_at") is not None]
    )
    best = current = 0
    for _, step in events:  # at a tie an end sorts before a start: touching is not overlapping
        current += step
        best = max(best, current)
    return best


class RequestJournal:
    """The last ``capacity`` API requests (0: off). Thread-safe."""

    def __init__(self, capacity: int = 0) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=max(0, capacity))
        self.capacity = max(0, capacity)
        self.dropped = 0
        self._seq = 0

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def configure(self, capacity: int) -> None:
        """Keep the last ``capacity`` requests from now on (0: off); forgets what it held."""
        if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 0:
            raise ValueError(f"journal capacity must be an integer >= 0, got {capacity!r}")
        with self._lock:
            self.capacity = capacity
            self._entries = deque(maxlen=capacity)
            self.dropped = 0

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.dropped = 0
            self._seq = 0

    def record(self, entry: dict[str, Any]) -> None:
        if not self.capacity:
            return
        with self._lock:
            self._seq += 1
            if len(self._entries) == self.capacity:
                self.dropped += 1
            self._entries.append({"seq": self._seq, **entry})

    def entries(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """The entries kept, oldest first, of ``method`` and ``path`` (any when None)."""
        with self._lock:
            return [
                dict(e)
                for e in self._entries
                if (method is None or e["method"] == method.upper()) and (path is None or e["path"] == path)
            ]
