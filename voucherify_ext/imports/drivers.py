"""Bulk order import: ``vf.orders.import_orders(source, ...)`` and its async twin, the two
sans-I/O drivers of :mod:`voucherify_ext.imports.steps`.

One call takes any iterable of order dicts or generated models, or a JSON Lines / CSV file,
and imports it in chunks (at most ``MAX_CHUNK_SIZE``, 2000 orders each, Voucherify's limit), safely:

* **Streamed.** At most one chunk is held in memory (plus the one being sent). A file is read
  twice: a validating scan, then the sending pass.
* **Validated** against the spec's own ``OrdersImportCreateRequestBodyItem`` schema
  (:mod:`voucherify_ext.validation`), with a ``source_id`` on every order unless
  ``require_source_id=False``. A *file* is scanned whole before anything is sent, so a bad
  line stops the run with an error naming the file and line and nothing sent. An *iterable*
  is validated chunk by chunk: a bad record stops the run before its chunk is sent and the
  error reports the chunks already sent. ``on_invalid="skip"`` imports the rest and reports
  each skipped record in :attr:`ImportResult.skipped`.
* **Never resubmitted blind.** Voucherify has no idempotency keys and every import POST
  creates a new async action. When the answer to an import POST is lost (connection dropped,
  timeout, 5xx, unreadable body) the importer looks for the chunk's action in the async-action
  list (newest first, back to the newest action known before the send) and adopts it only when
  exactly one unclaimed ``ORDERS.IMPORT`` action appeared and nothing makes it ambiguous
  (created before the send, beyond the ``reconcile_window`` clock band; or within the band of
  an earlier send that got no action). "No action yet" proves nothing: commits can be late, so
  it keeps looking for ``commit_horizon`` seconds (60) after the send, and only then takes the
  send as not accepted and sends the chunk again. A send refused outright (429, or a failure
  before the request left) is sent again at once; one answered 2xx is never sent again. When
  the list is ambiguous the run stops with :class:`~voucherify_ext.errors.ImportReconcileError`
  naming the chunk and the candidates, and stays resumable. *Assumptions*: this run is the only
  importer in the project, and a commit appears within ``commit_horizon`` (the API states no
  bound); a stray action found after the run (one no chunk claimed) makes the result not ``ok``.
* **Resumable.** With ``checkpoint=PATH`` the run records its intent before each POST and the
  async-action id after it (:mod:`voucherify_ext.imports.checkpoint`), bound to a hash of the input
  and the chunk size. A rerun skips finished chunks and reconciles an interrupted one the same
  way.
* **Interruptible.** ``KeyboardInterrupt`` and task cancellation are never swallowed; the
  partial :class:`ImportResult` (what was sent so far) is attached to the exception as
  ``exc.import_result`` and summarised in a note, and the checkpoint is already on disk.

The CSV column mapping is in :mod:`voucherify_ext.imports.csv_reader` (and docs/jobs.md).

Where things are: this module holds the two thin drivers of a sans-I/O core, one sync
(:func:`import_orders`) and one async (:func:`aimport_orders`); they are not line-for-line
twins (the async one reads files in a worker thread and takes async iterables), so they are
written by hand, not generated. They do the I/O (the generated client, the async-action
poller, worker threads for file reading); what they set up alike is in
:mod:`~voucherify_ext.imports.driver_setup`. The core, shared by both, decides:
:mod:`~voucherify_ext.imports.steps` (what to send, adopt, retry and record),
:mod:`~voucherify_ext.imports.state` and :mod:`~voucherify_ext.imports.reconcile` (the run's
state and the reconciliation predicates); :mod:`~voucherify_ext.imports.plan` turns the source
into chunks (:mod:`~voucherify_ext.imports.readers`, :mod:`~voucherify_ext.imports.csv_reader`,
:mod:`~voucherify_ext.imports.chunker`); :mod:`~voucherify_ext.imports.results` holds the result
types.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from voucherify_client.api.orders import import_orders as import_orders_op
from voucherify_client.client import AuthenticatedClient

from voucherify_ext.async_actions.actions import AsyncActions, AsyncAsyncActions
from voucherify_ext.errors import (
    ImportTimeoutError,
    ImportValidationError,
    InputTypeError,
    OrderImportError,
)
from voucherify_ext.imports.chunker import Chunk, Chunker, OnInvalid, aiter_chunks
from voucherify_ext.imports.csv_reader import CSV_COLUMNS, read_csv_orders
from voucherify_ext.imports.driver_setup import reporting, set_up
from voucherify_ext.imports.plan import Plan, iter_chunks
from voucherify_ext.imports.readers import read_jsonl_orders
from voucherify_ext.imports.results import (
    ChunkReport,
    ChunkStatus,
    ImportFailure,
    ImportProgress,
    ImportResult,
    InvalidRecord,
)
from voucherify_ext.imports.state import DEFAULT_BAND, DEFAULT_COMMIT_HORIZON
from voucherify_ext.imports.steps import (
    MAX_CHUNK_SIZE,
    ImportRun,
    Newest,
    Op,
    Post,
    Scan,
    Sleep,
    Wait,
    adrive,
    drive,
    run_steps,
    submit,
    wait_for_chunks,
)
from voucherify_ext.polling import DEFAULT_STRATEGY, EstimatingSchedule, PollStrategy, check_timeout
from voucherify_ext.responses import acall, call

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_BAND",
    "DEFAULT_COMMIT_HORIZON",
    "MAX_CHUNK_SIZE",
    "ChunkReport",
    "ChunkStatus",
    "ImportFailure",
    "ImportProgress",
    "ImportResult",
    "ImportTimeoutError",
    "ImportValidationError",
    "InvalidRecord",
    "OrderImportError",
    "aimport_orders",
    "import_orders",
    "read_csv_orders",
    "read_jsonl_orders",
]


# ---------------------------------------------------------------------------- sync


class _SyncIO:
    """Performs :mod:`~voucherify_ext.imports.steps`'s operations with blocking calls."""

    def __init__(
        self, client: AuthenticatedClient, actions: AsyncActions, sleep: Callable[[float], None]
    ) -> None:
        self.client = client
        self.actions = actions
        self.sleep = sleep
        self.relaxed: PollStrategy | None = None

    def perform(self, op: Op) -> Any:
        if isinstance(op, Post):
            return call(import_orders_op.sync_detailed, client=self.client, body=op.orders)
        if isinstance(op, Newest):
            return self.actions.list_page(limit=1)
        if isinstance(op, Scan):
            collected: list[Any] = []
            with self.actions.iter(limit=100) as actions:
                for action in actions:
                    collected.append(action)
                    if op.older(action):
                        break
            return collected
        if isinstance(op, Sleep):
            return self.sleep(op.seconds)
        assert isinstance(op, Wait), op
        return self.actions.wait(
            op.async_action_id,
            timeout=op.timeout,
            on_progress=op.on_progress,
            first_poll_in=op.first_poll_in,
            schedule=self.relaxed if op.relaxed else None,
        )


def import_orders(
    client: AuthenticatedClient,
    source: Iterable[Any] | str | os.PathLike[str],
    *,
    chunk_size: int = MAX_CHUNK_SIZE,
    wait: bool = True,
    timeout: float | None = None,
    on_progress: Callable[[ImportProgress], None] | None = None,
    on_invalid: OnInvalid = "raise",
    checkpoint: str | os.PathLike[str] | None = None,
    require_source_id: bool = True,
    file_format: Literal["jsonl", "csv"] | None = None,
    reconcile_window: float = DEFAULT_BAND,
    commit_horizon: float = DEFAULT_COMMIT_HORIZON,
    strict: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], float] = time.time,
    schedule: PollStrategy = DEFAULT_STRATEGY,
) -> ImportResult:
    """Import orders from ``source`` in chunks; see the module documentation.

    ``source``: an iterable of order dicts or generated models, or the path of a ``.jsonl``
    or ``.csv`` file (``file_format`` overrides the suffix). ``wait``: poll every chunk's
    async action and fill in counts and per-order ``failures`` (else return once every chunk
    is submitted). ``timeout``: overall deadline in seconds for the waiting
    (:class:`ImportTimeoutError`). ``on_progress``: called with an :class:`ImportProgress`
    after each chunk is submitted and as the actions progress. ``on_invalid``: ``"raise"``
    (default) or ``"skip"``. ``checkpoint``: a file path that makes the run resumable.
    ``strict``: an order with an item that names a product or SKU by ``source_id`` without
    ``related_object`` is invalid (else it is sent, with an :class:`~voucherify_ext.OrderItemWarning`).
    """
    timeout = check_timeout(timeout)
    setup = set_up(
        source,
        chunk_size=chunk_size,
        on_progress=on_progress,
        on_invalid=on_invalid,
        checkpoint=checkpoint,
        require_source_id=require_source_id,
        file_format=file_format,
        reconcile_window=reconcile_window,
        commit_horizon=commit_horizon,
        wall_clock=wall_clock,
        strict=strict,
    )
    run = setup.run
    plan = setup.plan()
    if plan.async_records is not None:
        raise InputTypeError("an async iterable needs aimport_orders (AsyncVoucherify)", path="source")
    io = _SyncIO(client, AsyncActions(client, sleep=sleep, clock=clock, schedule=schedule), sleep)
    io.relaxed = _relaxed(schedule)
    chunker = setup.chunker(plan)
    with reporting(run, chunker):
        run.open_checkpoint(plan.input_hash)
        chunks = iter_chunks(plan, setup.path, file_format, chunker, run.result)
        drive(
            run_steps(run, _counted(chunks, run, chunker), wait=wait, timeout=timeout, clock=clock),
            io.perform,
        )
    return run.result


# ---------------------------------------------------------------------------- async


class _AsyncIO:
    """Performs :mod:`~voucherify_ext.imports.steps`'s operations with ``await``."""

    def __init__(
        self,
        client: AuthenticatedClient,
        actions: AsyncAsyncActions,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.client = client
        self.actions = actions
        self.sleep = sleep
        self.relaxed: PollStrategy | None = None

    async def perform(self, op: Op) -> Any:
        if isinstance(op, Post):
            return await acall(import_orders_op.asyncio_detailed, client=self.client, body=op.orders)
        if isinstance(op, Newest):
            return await self.actions.list_page(limit=1)
        if isinstance(op, Scan):
            collected: list[Any] = []
            async with self.actions.iter(limit=100) as actions:
                async for action in actions:
                    collected.append(action)
                    if op.older(action):
                        break
            return collected
        if isinstance(op, Sleep):
            return await self.sleep(op.seconds)
        assert isinstance(op, Wait), op
        return await self.actions.wait(
            op.async_action_id,
            timeout=op.timeout,
            on_progress=op.on_progress,
            first_poll_in=op.first_poll_in,
            schedule=self.relaxed if op.relaxed else None,
        )


def _relaxed(schedule: PollStrategy) -> PollStrategy | None:
    """The schedule for chunks other than the last (see ``steps.Wait.relaxed``): an estimating
    one aiming a little past the end; any other strategy as it is."""
    return schedule.relaxed() if isinstance(schedule, EstimatingSchedule) else None


def _counted(chunks: Iterator[Chunk], run: ImportRun, chunker: Chunker) -> Iterator[Chunk]:
    """The chunks, and once they are all read, the total number of records in the result."""
    yield from chunks
    run.result.total = chunker.index


def _next_chunk(chunks: Iterator[Chunk]) -> Chunk | None:
    return next(chunks, None)


async def _chunks(
    plan: Plan, path: Path | None, file_format: str | None, chunker: Chunker, result: ImportResult
) -> AsyncGenerator[Chunk]:
    """Chunks of an async iterable; of a file, read in a worker thread; of an iterable, inline."""
    if plan.async_records is not None:
        async with contextlib.aclosing(aiter_chunks(plan.async_records, chunker)) as chunks:
            async for chunk in chunks:
                yield chunk
        return
    sync_chunks = iter_chunks(plan, path, file_format, chunker, result)
    while True:
        ready = (
            await asyncio.to_thread(_next_chunk, sync_chunks)
            if path is not None
            else _next_chunk(sync_chunks)
        )
        if ready is None:
            return
        yield ready


async def aimport_orders(
    client: AuthenticatedClient,
    source: Iterable[Any] | AsyncIterable[Any] | str | os.PathLike[str],
    *,
    chunk_size: int = MAX_CHUNK_SIZE,
    wait: bool = True,
    timeout: float | None = None,  # noqa: ASYNC109 - an overall deadline for the polling, like the sync twin
    on_progress: Callable[[ImportProgress], None] | None = None,
    on_invalid: OnInvalid = "raise",
    checkpoint: str | os.PathLike[str] | None = None,
    require_source_id: bool = True,
    file_format: Literal["jsonl", "csv"] | None = None,
    reconcile_window: float = DEFAULT_BAND,
    commit_horizon: float = DEFAULT_COMMIT_HORIZON,
    strict: bool = False,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], float] = time.time,
    schedule: PollStrategy = DEFAULT_STRATEGY,
) -> ImportResult:
    """Async twin of :func:`import_orders`; ``source`` may also be an async iterable. File
    reading and validation run in a worker thread so the event loop stays responsive."""
    timeout = check_timeout(timeout)
    setup = set_up(
        source,
        chunk_size=chunk_size,
        on_progress=on_progress,
        on_invalid=on_invalid,
        checkpoint=checkpoint,
        require_source_id=require_source_id,
        file_format=file_format,
        reconcile_window=reconcile_window,
        commit_horizon=commit_horizon,
        wall_clock=wall_clock,
        strict=strict,
    )
    run = setup.run
    plan = setup.plan() if setup.path is None else await asyncio.to_thread(setup.plan)
    io = _AsyncIO(client, AsyncAsyncActions(client, sleep=sleep, clock=clock, schedule=schedule), sleep)
    io.relaxed = _relaxed(schedule)
    chunker = setup.chunker(plan)
    with reporting(run, chunker):
        await asyncio.to_thread(run.open_checkpoint, plan.input_hash)
        async with contextlib.aclosing(_chunks(plan, setup.path, file_format, chunker, run.result)) as chunks:
            async for chunk in chunks:
                await adrive(submit(run, chunk), io.perform)
        run.result.total = chunker.index
        if wait:
            await adrive(wait_for_chunks(run, timeout, clock), io.perform)
    return run.result
