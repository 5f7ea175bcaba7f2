"""The import run's sans-I/O core: submitting chunks, reconciling lost responses, retrying, waiting.

Sync and async imports share one implementation: a sans-I/O core with two thin drivers, not a
generated twin. The decisions (is this chunk already done? was the refusal definitive? which
async action is this chunk's? when to retry, and after how long?) live in generators that
*yield* the I/O they need as small operations (:class:`Post`, :class:`Newest`, :class:`Scan`,
:class:`Sleep`, :class:`Wait`) and receive the outcome, or have the failure (a
:class:`~voucherify_ext.errors.VoucherifyError`) thrown into them. :func:`drive` performs those
operations with blocking calls, :func:`adrive` with ``await``;
:mod:`voucherify_ext.imports.drivers` supplies the two ``perform`` functions.

Why reconciliation, not resubmission (and its assumption): :mod:`~.drivers` and docs/jobs.md.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Generator, Iterable
from typing import Any, TypeVar, cast

import attrs
from voucherify_client.models import (
    OrdersImportCreateRequestBodyItem,
    OrdersImportCreateResponseBody,
)
from voucherify_client.types import Response

from voucherify_ext.errors import (
    APIConnectionError,
    APIError,
    APIResponseError,
    AsyncActionFailedError,
    AsyncActionStatusError,
    JobTimeoutError,
    NotFoundError,
    OrderImportError,
    RateLimitError,
    ValidationError,
    VoucherifyError,
)
from voucherify_ext.imports.checkpoint_records import Send
from voucherify_ext.imports.chunker import Chunk
from voucherify_ext.imports.state import MAX_CHUNK_SIZE, ImportRun
from voucherify_ext.logs import logger
from voucherify_ext.responses import unwrap
from voucherify_ext.retry import Backoff

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
    "run_steps",
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
    here only when the transport could not wait for the limit to reset), or a body that could
    not even be encoded (nothing was sent)."""
    if isinstance(exc, ValidationError):
        return True
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
    """Wait for an async action (``AsyncActions.wait``): the finished action. ``first_poll_in``:
    seconds before its first poll (the end the chunk before predicts)."""

    async_action_id: str
    timeout: float | None
    on_progress: Callable[[int], None]
    first_poll_in: float = 0.0
    relaxed: bool = False  # not the last chunk: one poll a little late beats two close ones


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


#: The wait before a chunk's next POST, list read or reconciliation scan (0.5 s doubling to 8 s).
BACKOFF = Backoff(initial=0.5, maximum=8.0)


def _verdict(exc: VoucherifyError) -> str:
    """What a failed import POST says about the chunk: ``"refused"`` (a 4xx other than 408:
    not created, stop), ``"not sent"`` (it failed before the request left: not created, send
    again), ``"created"`` (answered 2xx, but the body could not be read: created, find its
    action, never send again), or ``"unknown"`` (a timeout, a dropped connection, a 5xx)."""
    if _definitive(exc):
        return "refused"
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and 200 <= status < 300:
        return "created"
    if isinstance(exc, APIConnectionError) and not exc.outcome_unknown:
        return "not sent"
    return "unknown"


def run_steps(
    run: ImportRun,
    chunks: Iterable[Chunk],
    *,
    wait: bool,
    timeout: float | None,
    clock: Callable[[], float],
) -> Steps[None]:
    """A whole import run: submit every chunk in turn, then (``wait``) wait for them all."""
    for chunk in chunks:
        yield from submit(run, chunk)
    if wait:
        yield from wait_for_chunks(run, timeout, clock)


def submit(run: ImportRun, chunk: Chunk) -> Steps[None]:
    """Submit one chunk: skip it if the checkpoint has its action, reconcile it if an earlier
    run was interrupted while sending it, else POST it (up to 5 attempts). A send is repeated
    only once it is proven not accepted: refused before processing (429 or a failure before the
    request left) or, after a lost answer, no action for it within the commit horizon."""
    t0 = time.perf_counter()
    try:
        recorded, interrupted, digest = run.prior(chunk)
        if recorded is not None:
            run.adopt(chunk, recorded, resumed=True, reconciled=False, attempts=0, record=False)
            return
        if interrupted is not None:
            found = yield from _reconcile(run, chunk, interrupted, created=False)
            if found is not None:
                run.adopt(chunk, found, resumed=True, reconciled=True, attempts=0)
                return
            run.refused(chunk, interrupted, "horizon")
        if not run.baseline_taken and run.origin is not None and not run.predecessor_known:
            # a rerun reads the newest action before its first send; a fresh run does without
            run.set_baseline((yield from _newest()))
        last: VoucherifyError | None = None
        for attempt in range(1, SUBMIT_ATTEMPTS + 1):
            send = run.intent(chunk, digest)
            try:
                response: Response[Any] = yield Post(request_body(chunk.orders))
                run.observe_date(response.headers)
                action_id = unwrap(response, OrdersImportCreateResponseBody).async_action_id
            except VoucherifyError as exc:
                verdict = _verdict(exc)
                if verdict == "refused":
                    run.refused(chunk, send, "answer")
                    raise OrderImportError(
                        _refusal(chunk, exc), chunk=chunk.index, result=run.result
                    ) from exc
                last = exc
                if verdict == "not sent":
                    logger.warning("chunk %d: import POST not sent (%s); sending again", chunk.index, exc)
                    run.refused(chunk, send, "not sent")
                    yield Sleep(BACKOFF.delay(attempt))
                    continue
                logger.warning(
                    "chunk %d: import POST %s (%s); looking for its async action",
                    chunk.index,
                    "answered without a readable body" if verdict == "created" else "failed",
                    exc,
                )
                found = yield from _reconcile(run, chunk, send, created=verdict == "created")
                if found is not None:
                    run.adopt(chunk, found, resumed=False, reconciled=True, attempts=attempt)
                    return
                run.refused(chunk, send, "horizon")
                continue
            run.adopt(chunk, action_id, resumed=False, reconciled=False, attempts=attempt)
            return
        raise OrderImportError(
            f"chunk {chunk.index} could not be submitted in {SUBMIT_ATTEMPTS} attempts "
            f"(none was accepted): {last}",
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
            yield Sleep(BACKOFF.delay(attempt + 1))
    return None


def _reconcile(run: ImportRun, chunk: Chunk, send: Send, *, created: bool) -> Steps[str | None]:
    """The action of ``send``, whose answer was lost: scan the list until exactly one
    unambiguous candidate appears (its id), or until the commit horizon has passed with none
    since the send's outcome became unknown (None: not accepted; but an import answered 2xx,
    ``created``, was accepted, so that raises). Raises :class:`ImportReconcileError` when the
    list makes it ambiguous and :class:`OrderImportError` when the list cannot be read: then
    nothing is resent."""
    run.doubted = True
    failures = 0
    polls = 0
    slept = 0.0
    # The horizon counts from now, not from the intent: the POST may have left much later than
    # its intent was written (a rate-limit wait, a paused or killed process), but no later than
    # now, when its failure (or the rerun) is known.
    since = run.server_now()
    last: VoucherifyError | None = None
    while True:
        try:
            actions = yield Scan(lambda action: run.precedes(action, send))
        except VoucherifyError as exc:
            last, failures = exc, failures + 1
            if failures >= RECONCILE_ATTEMPTS:
                raise OrderImportError(
                    f"chunk {chunk.index}: the import response was lost and the async-action list could "
                    f"not be read to find out whether it was created ({last}); not resubmitting blind. "
                    "Rerun with the same checkpoint to reconcile it later.",
                    chunk=chunk.index,
                    result=run.result,
                ) from last
            yield Sleep(BACKOFF.delay(failures))
            continue
        found = run.judge(chunk, send, actions)
        if found is not None:
            return found
        # the time since the send is at least what this loop slept (an injected sleep may not
        # move the wall clock)
        remaining = run.commit_horizon - max(run.server_now() - since, slept)
        if remaining <= 0:
            if created:
                raise OrderImportError(
                    f"chunk {chunk.index}: the import was accepted (answered 2xx) but its response could not "
                    f"be read, and no unclaimed ORDERS.IMPORT action appeared within commit_horizon "
                    f"({run.commit_horizon:g}s); not resubmitting. Rerun with the same checkpoint to look "
                    "again.",
                    chunk=chunk.index,
                    result=run.result,
                )
            logger.warning(
                "chunk %d: no import action appeared within %gs of the send: taken as not accepted",
                chunk.index,
                run.commit_horizon,
            )
            return None
        polls += 1
        pause = min(BACKOFF.delay(polls), remaining)
        slept += pause
        yield Sleep(pause)


def wait_for_chunks(run: ImportRun, timeout: float | None, clock: Callable[[], float]) -> Steps[None]:
    """Wait for every chunk's action in turn (each next first polled at the end the one before
    predicts), within one ``timeout``; record counts and refused orders; then, if a send was in
    doubt, look once for stray import actions (unclaimed, created since the first send)."""
    t0 = time.perf_counter()
    deadline = None if timeout is None else clock() + timeout
    pace: tuple[float, float] | None = None  # (server time the last chunk ended, orders/s)
    try:
        for report in run.result.chunks:
            remaining = None if deadline is None else max(0.0, deadline - clock())
            first = run.first_poll_in(pace, report.count)

            def on_progress(value: int, _index: int = report.index) -> None:
                run.progress("waiting", _index, value)

            try:
                relaxed = report is not run.result.chunks[-1]
                action = yield Wait(report.async_action_id, remaining, on_progress, first, relaxed)
            except AsyncActionFailedError as exc:
                action = exc.action
            except NotFoundError as exc:
                run.record_missing(report, exc)
                continue
            except (AsyncActionStatusError, APIResponseError) as exc:
                # an answer that cannot be used (a status the client does not know, a result
                # that is not an object): the chunk's orders are not accounted for
                run.record_unusable(report, exc)
                continue
            except JobTimeoutError as exc:
                raise run.timeout_error(exc, report, timeout) from exc
            run.record_action(report, action)
            pace = run.pace(action, report.count)
        if run.origin is not None and (run.doubted or run.horizon_refused or run.in_flight):
            try:
                actions = yield Scan(run.before_import)
            except VoucherifyError as exc:
                logger.warning("could not read the async-action list to look for stray imports: %s", exc)
            else:
                run.result.orphans = run.stray(actions)
        run.result.waited = True
    finally:
        run.result.timings["wait"] += time.perf_counter() - t0
