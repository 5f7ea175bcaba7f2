"""The thread driver of a paginator: fetches a planner's pages, up to ``prefetch`` at once, in a pool.

A sans-I/O driver: one of the two thin drivers of the sans-I/O planner, written by hand beside
the task driver (:mod:`~voucherify_ext.pagination.prefetch_tasks`):
threads and tasks differ where it matters (a thread cannot be interrupted, only waited for; a
pool thread must not join itself; ``close()`` may come from any thread), so the two are not
generated one from the other. The planner (:mod:`~voucherify_ext.pagination.pages`) decides
everything; this driver only keeps at most ``prefetch`` requests in flight, hands pages to the
planner strictly in page order, and on close, early exit or error cancels what has not started
and waits for what has. With ``prefetch=1`` no thread is created at all: each page is fetched
in the caller's thread when it is needed.

The driver is a plain object, not a generator, and nothing it holds refers back to it: dropped
without closing (``break``, exception, ``del``), it is closed by reference counting the moment
its last reference goes, in that thread, quietly (from one of its own prefetch threads it does
not join itself).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from functools import partial
from typing import Any

from voucherify_ext.pagination.pages import (
    Page,
    PageRequest,
    Planner,
    RawPage,
    Verdict,
    ahead_limit,
    annotate,
)

__all__ = ["SyncRun"]


def _register(workers: set[int]) -> None:
    workers.add(threading.get_ident())


class SyncRun:
    """Yields the planner's pages. With ``prefetch=1`` each page is fetched in the caller's
    thread when it is asked for; with ``prefetch=N`` up to N requests are in flight ahead of
    the page being consumed. The first page is always fetched in the caller's thread; a pool
    is started only when there is a next page to fetch ahead.

    An object rather than a generator, so that closing works from anywhere: ``close()`` from
    another thread (also while the owner waits for a page: the owner then sees the end), from
    a finaliser, or from one of its own prefetch threads (when the garbage collector happens to
    run there), which must not join itself ("cannot join current thread"). Nothing it holds
    refers back to it, so it is closed as soon as its last reference goes.
    """

    def __init__(self, planner: Planner, fetch: Callable[[PageRequest], RawPage], prefetch: int) -> None:
        self._planner = planner
        self._fetch = fetch
        self._prefetch = prefetch
        self._ahead_limit = ahead_limit(prefetch)
        self._inflight: deque[tuple[PageRequest, Future[RawPage]]] = deque()
        self._pool: ThreadPoolExecutor | None = None
        self._workers: set[int] = set()  # thread idents of the pool (the initializer adds them)
        self._lock = threading.Lock()
        self._after = Verdict.MORE
        self._closed = False

    def __iter__(self) -> SyncRun:
        return self

    def __next__(self) -> Page[Any]:
        if self._closed:
            raise StopIteration
        try:
            return self._step()
        except BaseException:
            self.close()
            raise

    def _step(self) -> Page[Any]:
        planner = self._planner
        while True:
            if self._after is Verdict.LIMIT:
                self._closed = True
                raise planner.limit_error()
            with self._lock:  # one look: a close between two would leave no head and no stop
                if self._after is Verdict.DONE or self._closed:
                    raise StopIteration
                head = self._inflight[0] if self._inflight else None
                next_request = planner.next_request() if head is None else None
            if head is not None:
                request, future = head
                try:
                    raw = future.result()
                except CancelledError:  # closed from another thread
                    raise StopIteration from None
                except Exception as exc:
                    annotate(exc, request)
                    raise
                with self._lock:
                    if self._closed:
                        raise StopIteration
                    self._inflight.popleft()
            else:
                if next_request is None:
                    raise StopIteration
                request = next_request
                try:
                    raw = self._fetch(request)
                except Exception as exc:
                    annotate(exc, request)
                    raise
            step = planner.accept(raw)
            if step.verdict is Verdict.MORE:
                with self._lock:
                    if self._closed:
                        raise StopIteration
                    while len(self._inflight) < self._ahead_limit:
                        if (ahead := planner.next_request()) is None:
                            break
                        if self._pool is None:
                            self._pool = ThreadPoolExecutor(
                                max_workers=self._prefetch,
                                thread_name_prefix="voucherify-prefetch",
                                initializer=partial(_register, self._workers),
                            )
                        self._inflight.append((ahead, self._pool.submit(self._fetch, ahead)))
                    sent = bool(self._inflight)
                if sent:
                    time.sleep(0)  # yield the GIL so the worker sends its request before the CPU-bound check
            else:
                self._release()  # nothing more is needed: stop before the caller reads
            try:
                raw.check()  # overlaps with the requests just sent
            except Exception as exc:
                annotate(exc, request)
                raise
            self._after = step.verdict
            if step.emit:
                return step.page

    def _release(self, *, close: bool = False) -> None:
        with self._lock:
            self._closed = self._closed or close
            inflight = list(self._inflight)
            self._inflight.clear()
            pool, self._pool = self._pool, None
        for _, future in inflight:
            future.cancel()
        if pool is not None:
            # requests already on the wire finish (a thread cannot be interrupted), and are waited
            # for, except from one of the pool's own threads, which cannot join itself
            pool.shutdown(wait=threading.get_ident() not in self._workers, cancel_futures=True)

    def close(self) -> None:
        """Cancel what has not started, wait for what has; then the iteration is over. Idempotent,
        from any thread."""
        self._release(close=True)

    def __del__(self) -> None:
        if self._pool is not None or self._inflight:
            self._release(close=True)
