"""The import run: submitting chunks, reconciling lost responses, retrying, waiting.

Sync and async imports share one implementation. The decisions (is this chunk already done?
was the refusal definitive? which async action is this chunk's? when to retry, and after how
long?) live in generators that *yield* the I/O they need as small operations
(:class:`Post`, :class:`Newest`, :class:`Scan`, :class:`Sleep`, :class:`Wait`) and receive
the outcome, or have the failure (a :class:`~voucherify_ext.errors.VoucherifyError`) thrown
into them. :func:`drive` performs those operations with blocking calls, :func:`adrive` with
``await``; :mod:`voucherify_ext.importing` supplies the two ``perform`` functions.

Why reconciliation rather than resubmission, and the assumption it rests on (this run is the
only importer in the project), is explained in :mod:`voucherify_ext.importing` and docs/jobs.md.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar, cast

import attrs
from voucherify_client.models import (
    OrdersImportCreateRequestBodyItem,
    OrdersImportCreateResponseBody,
)
from voucherify_client.types import Response

from .errors import (
    APIError,
    AsyncActionFailedError,
    JobTimeoutError,
    OrderImportError,
    RateLimitError,
    VoucherifyError,
)
from .import_sources import Chunk
from .import_state import MAX_CHUNK_SIZE, ImportRun, Since
from .logs import logger
from .responses import unwrap

__all__ = [
    "MAX_CHUNK_SIZE",
    "ImportRun",
    "Newest",
    "Post",
    "Scan",
    "Sleep",
    "Wait",
    "adrive",
    "drive",
    "submit",
    "wait_for_chunks",
]

SUBMIT_ATTEMPTS = 5
RECONCILE_ATTEMPTS = 4
T = TypeVar("T")


class _Prevalidated:
    """A validated order dict where the generated operation expects a model: it only calls
    ``to_dict()``, and a round trip through ``from_dict`` would cost time and drop nothing."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def to_dict(self) -> dict[str, Any]:
        return self._data


def request_body(orders: list[dict[str, Any]]) -> list[OrdersImportCreateRequestBodyItem]:
    return cast(list[OrdersImportCreateRequestBodyItem], [_Prevalidated(o) for o in orders])


def _refusal(chunk: Chunk, exc: VoucherifyError) -> str:
    if isinstance(exc, RateLimitError):
        return (
            f"chunk {chunk.index} was rate limited ({exc}); nothing was created for it. Rerun (with the "
            "same checkpoint, if any) once the limit resets"
        )
    return f"chunk {chunk.index} was refused: {exc}"


def _definitive(exc: VoucherifyError) -> bool:
    """A refusal that says the import was not created: a 4xx other than 408 (a 429 reaches
    here only when the transport could not wait for the limit to reset)."""
    return isinstance(exc, APIError) and 400 <= exc.status_code < 500 and exc.status_code != 408


# ---------------------------------------------------------------------------- operations


@attrs.frozen
class Post:
    """POST one chunk to ``/v1/orders/import``: the generated ``Response``."""

    orders: list[OrdersImportCreateRequestBodyItem]


@attrs.frozen
class Newest:
    """The first page (``limit=1``) of the async-action list."""


@attrs.frozen
class Scan:
    """Async actions, newest first, up to and including the first one ``older`` says is older
    than the send being reconciled (or to the end of the list)."""

    older: Callable[[Any], bool]


@attrs.frozen
class Sleep:
    seconds: float


@attrs.frozen
class Wait:
    """Wait for an async action (``AsyncActions.wait``): the finished action."""

    async_action_id: str
    timeout: float | None
    on_progress: Callable[[int], None]


Op = Post | Newest | Scan | Sleep | Wait
#: A decision procedure: yields operations, receives their outcomes, returns ``T``.
Steps = Generator[Op, Any, T]


def drive(steps: Steps[T], perform: Callable[[Op], Any]) -> T:
    """Run ``steps`` with blocking I/O: each operation's outcome is sent back, and a
    :class:`VoucherifyError` it raised is thrown back in. Anything else (``KeyboardInterrupt``)
    propagates, and the steps are closed."""
    try:
        value: Any = None
        error: VoucherifyError | None = None
        while True:
            try:
                op = steps.send(value) if error is None else steps.throw(error)
            except StopIteration as stop:
                return cast(T, stop.value)
            value, error = None, None
            try:
                value = perform(op)
            except VoucherifyError as exc:
                error = exc
    finally:
        steps.close()


async def adrive(steps: Steps[T], perform: Callable[[Op], Awaitable[Any]]) -> T:
    """:func:`drive` with ``await``: the same steps, async I/O."""
    try:
        value: Any = None
        error: VoucherifyError | None = None
        while True:
            try:
                op = steps.send(value) if error is None else steps.throw(error)
            except StopIteration as stop:
                return cast(T, stop.value)
            value, error = None, None
            try:
                value = await perform(op)
            except VoucherifyError as exc:
                error = exc
    finally:
        steps.close()


# ---------------------------------------------------------------------------- decisions


def _backoff(attempt: int, base: int = 0) -> float:
    return min(8.0, 0.5 * 2.0 ** (attempt - base))


def submit(run: ImportRun, chunk: Chunk) -> Steps[None]:
    """Submit one chunk: skip it if the checkpoint has its action, reconcile it if an earlier
    run was interrupted while sending it, else POST it (up to 5 attempts), reconciling after
    every failure whose outcome is unknown."""
    t0 = time.perf_counter()
    try:
        recorded, interrupted_at, digest = run.prior(chunk)
        if recorded is not None:
            run.adopt(chunk, recorded, resumed=True, reconciled=False, attempts=0, record=False)
            return
        if interrupted_at is not None:
            found = yield from _reconcile(run, chunk, interrupted_at)
            if found is not None:
                run.adopt(chunk, found, resumed=True, reconciled=True, attempts=0)
                return
        if not run.baseline_taken:
            run.set_baseline((yield from _newest()))
        last: VoucherifyError | None = None
        for attempt in range(1, SUBMIT_ATTEMPTS + 1):
            sent_at = run.intent(chunk, digest)
            try:
                response: Response[Any] = yield Post(request_body(chunk.orders))
                run.observe_date(response.headers)
                action_id = unwrap(response, OrdersImportCreateResponseBody).async_action_id
            except VoucherifyError as exc:
                if _definitive(exc):
                    raise OrderImportError(
                        _refusal(chunk, exc), chunk=chunk.index, result=run.result
                    ) from exc
                last = exc
                logger.warning(
                    "chunk %d: import POST failed (%s); checking whether it was created", chunk.index, exc
                )
                found = yield from _reconcile(run, chunk, sent_at)
                if found is not None:
                    run.adopt(chunk, found, resumed=False, reconciled=True, attempts=attempt)
                    return
                yield Sleep(_backoff(attempt, base=1))
                continue
            run.adopt(chunk, action_id, resumed=False, reconciled=False, attempts=attempt)
            return
        raise OrderImportError(
            f"chunk {chunk.index} could not be submitted in {SUBMIT_ATTEMPTS} attempts "
            f"(none was created): {last}",
            chunk=chunk.index,
            result=run.result,
        ) from last
    finally:
        run.result.timings["send"] += time.perf_counter() - t0


def _newest() -> Steps[list[Any] | None]:
    """The newest async action (as a 0- or 1-item list), or None if the list cannot be read."""
    for attempt in range(RECONCILE_ATTEMPTS):
        try:
            page = yield Newest()
            return list(page.async_actions[:1])
        except VoucherifyError:
            yield Sleep(_backoff(attempt))
    return None


def _reconcile(run: ImportRun, chunk: Chunk, since: Since) -> Steps[str | None]:
    """The id of an unclaimed import action created since ``since``, or None when there is
    none. Raises :class:`OrderImportError` when the list cannot be read: then the outcome is
    unknown and resubmitting would risk a duplicate."""
    last: VoucherifyError | None = None
    for attempt in range(RECONCILE_ATTEMPTS):
        try:
            actions = yield Scan(lambda action: run.is_before(action, since))
        except VoucherifyError as exc:
            last = exc
            yield Sleep(_backoff(attempt))
            continue
        found, _ = run.candidates_since(actions, since)
        return run.pick(chunk, found)
    raise OrderImportError(
        f"chunk {chunk.index}: the import response was lost and the async-action list could not be read "
        f"to find out whether it was created ({last}); not resubmitting blind. Rerun with the same "
        "checkpoint to reconcile it later.",
        chunk=chunk.index,
        result=run.result,
    ) from last


def wait_for_chunks(run: ImportRun, timeout: float | None, clock: Callable[[], float]) -> Steps[None]:
    """Wait for every chunk's action in turn, within one overall ``timeout``; record each
    one's counts and refused orders."""
    t0 = time.perf_counter()
    deadline = None if timeout is None else clock() + timeout
    try:
        for report in run.result.chunks:
            remaining = None if deadline is None else max(0.0, deadline - clock())

            def on_progress(value: int, _index: int = report.index) -> None:
                run.progress("waiting", _index, value)

            try:
                action = yield Wait(report.async_action_id, remaining, on_progress)
            except AsyncActionFailedError as exc:
                action = exc.action
            except JobTimeoutError as exc:
                raise run.timeout_error(exc, report, timeout) from exc
            run.record_action(report, action)
        run.result.waited = True
    finally:
        run.result.timings["wait"] += time.perf_counter() - t0
