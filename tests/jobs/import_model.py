"""A model of the import in logical time: the real sans-I/O import steps against the real
sandbox state, with the network between them simulated, so that any schedule of faults runs
in well under 100 ms and shrinks deterministically.

* The **server** is a :class:`~voucherify_ext.sandbox.state.SandboxState` on a clock the model
  moves (:class:`LogicalClock`); a restart saves its state and loads it into a new one.
* The **network** decides, per request, what happens to it (:data:`POST_FAULTS`,
  :data:`READ_FAULTS`): delivered and answered; dropped before the server saw it; committed but
  the answer lost; answered 5xx/429; answered 2xx with a body the client cannot read; or
  committed *late*, after ``k`` later requests reached the server or the clock passed a delay
  (the "late commit" that the client's read timeout gives up on).
* The **client** is :func:`voucherify_ext.imports.steps.run_steps`, the same generator the sync
  and async imports drive, with a real checkpoint file. A *kill* abandons it at a yield without
  running anything more (the process is gone; its checkpoint file is what is left); a *cancel*
  closes it (``finally`` blocks run, as on ``task.cancel()``).

The record the invariants are checked on is the sandbox's own: for every ``source_id``, which
import actions carried it (``SandboxState.import_carriers``).
"""

from __future__ import annotations

import email.utils
import json
import tempfile
from collections.abc import Callable, Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

from voucherify_client.models import (
    AsyncActionGetResponseBody,
    AsyncActionsListResponseBody,
    OrdersImportCreateResponseBody,
)
from voucherify_client.types import Response

from voucherify_ext.errors import (
    APIConnectionError,
    APIResponseError,
    APITimeoutError,
    AsyncActionFailedError,
    NotFoundError,
    RateLimitError,
    ServerError,
    VoucherifyError,
)
from voucherify_ext.imports.chunker import Chunk
from voucherify_ext.imports.steps import ImportRun, Newest, Op, Post, Scan, Sleep, Wait, run_steps
from voucherify_ext.sandbox.clock import ManualClock
from voucherify_ext.sandbox.config import SandboxConfig
from voucherify_ext.sandbox.errors import SandboxError
from voucherify_ext.sandbox.state import SandboxState

START = 1_764_000_000.0
HORIZON = 30.0  # the client's late-commit horizon in the model; late commits stay within it
BAND = 2.0  # the client's clock-uncertainty band in the model

#: What may happen to an import POST.
POST_FAULTS = (
    "ok",
    "drop_before",  # never reached the server; the client knows it was not sent
    "drop_after",  # committed, the answer lost
    "late",  # committed after k later requests (or a delay); the client timed out
    "very_late",  # committed only after the client's commit horizon: the documented assumption broken
    "s500",  # answered 500 before committing
    "s502_after",  # committed, then a 502 from a gateway
    "s429",  # refused by the rate limit
    "cut_2xx",  # committed, answered 200 with a body cut short
    "junk_2xx",  # committed, answered 200 with a body that is not JSON
)
#: What may happen to a read (the async-action list, one action).
READ_FAULTS = ("ok", "s503", "drop", "s429", "junk")
#: What may happen to the finished action a wait reads: its result unreadable or its counts wrong.
RESULT_FAULTS = ("no_result", "bad_counts")


class LogicalClock(ManualClock):
    """The sandbox's manual clock, also the client's wall and monotonic clocks (one clock, so
    the client's ``Date`` offset is zero unless a test skews it)."""


def _date_header(now: float) -> str:
    return email.utils.formatdate(now, usegmt=True)


class World:
    """The server, the network and the client's files for one schedule."""

    def __init__(self, *, seed: int = 0, directory: Path | None = None) -> None:
        self.clock = LogicalClock(START)
        self.directory = directory or Path(tempfile.mkdtemp(prefix="import-model-"))
        self.state_file = self.directory / "sandbox-state.json"
        self.snapshot_file = self.directory / "sandbox-snapshot.json"
        self.config = SandboxConfig(import_speed=1_000_000.0, seed=seed)
        self.server = SandboxState(self.config, clock=self.clock)
        self.log: list[str] = []
        #: a commit was scheduled later than the client's horizon: a resend may then duplicate,
        #: and the client must at least not report ok=True
        self.broken_assumption = False
        #: action ids whose result the current run was shown unreadable or wrong
        self.tampered: set[str] = set()
        #: for each action the current run saw DONE: the carriers of its orders at that moment
        #: (what the result can be held to; a restore from older data may lose them later)
        self.confirmed: dict[str, dict[str, list[str]]] = {}

    # -- the server side

    def arrive(self, method: str = "GET", path: str = "/v1/async-actions") -> None:
        """A request reached the server (late commits whose turn has come are committed)."""
        self.server.count_request(method, path)

    def late(self, payload: list[dict[str, Any]], after_requests: int, *, beyond: bool = False) -> None:
        """Accept an import that commits after ``after_requests`` later requests, or once the
        clock passes half the client's commit horizon, whichever comes first; ``beyond``: about
        when the client's horizon runs out, or later (later than the client assumes possible)."""
        if beyond:  # after ~10 more requests (about the horizon's worth of scans) or 2 horizons
            due_ms = (self.clock() + 2 * HORIZON) * 1000.0
            self.server.enqueue_import(payload, commit_after_requests=10, commit_at_ms=due_ms)
            self.broken_assumption = True
            return
        due_ms = (self.clock() + HORIZON / 2) * 1000.0
        self.server.enqueue_import(payload, commit_after_requests=after_requests, commit_at_ms=due_ms)

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def restart(self, *, from_snapshot: bool = False) -> None:
        """The sandbox process restarts from its saved state (or an older snapshot)."""
        if not from_snapshot:
            self.server.save(self.state_file)
        source = self.snapshot_file if from_snapshot and self.snapshot_file.exists() else self.state_file
        if not source.exists():
            self.server.save(source)
        self.server = SandboxState.from_file(source, self.config, clock=self.clock)
        self.log.append(f"sandbox restarted from {source.name}")

    def snapshot(self) -> None:
        self.server.save(self.snapshot_file)

    def carriers(self) -> dict[str | None, list[str]]:
        return self.server.import_carriers()

    # -- the network: one operation of the client, with a fault

    def perform(self, op: Op, fault: str, late_after: int = 2) -> Any:
        if isinstance(op, Sleep):
            self.advance(op.seconds)
            return None
        if isinstance(op, Post):
            return self._post(op, fault, late_after)
        if isinstance(op, Wait):
            return self._wait(op, fault)
        self._read_fault(fault)
        if isinstance(op, Newest):
            items, _ = self.server.list_async_actions(1, None)
            return AsyncActionsListResponseBody.from_dict(_list_body(items))
        assert isinstance(op, Scan), op
        collected: list[Any] = []
        end_ms: int | None = None
        while True:
            items, has_more = self.server.list_async_actions(100, end_ms)
            page = AsyncActionsListResponseBody.from_dict(_list_body(items)).async_actions
            for action in page:
                collected.append(action)
                if op.older(action):
                    return collected
            if not has_more or not items:
                return collected
            end_ms = _ms(items[-1]["created_at"])
            self.arrive()

    def _read_fault(self, fault: str) -> None:
        if fault == "drop":
            raise APIConnectionError("connection dropped (model)", method="GET", path="/v1/async-actions")
        self.arrive()
        if fault == "s503":
            raise ServerError("503 (model)", status_code=503, method="GET", path="/v1/async-actions")
        if fault == "s429":
            raise RateLimitError("429 (model)", status_code=429, method="GET", path="/v1/async-actions")
        if fault == "junk":
            raise APIResponseError(
                "not JSON (model)", status_code=200, method="GET", path="/v1/async-actions"
            )

    def _post(self, op: Post, fault: str, late_after: int) -> Any:
        payload = [o.to_dict() for o in op.orders]
        where = {"method": "POST", "path": "/v1/orders/import"}
        if fault == "drop_before":
            raise APIConnectionError(
                "connection refused (model) (before the request was sent)", attempts=1, **where
            )
        self.arrive("POST", "/v1/orders/import")
        if fault == "s429":
            raise RateLimitError("429 (model)", status_code=429, **where)
        if fault == "s500":
            raise ServerError("500 (model)", status_code=500, outcome_unknown=True, **where)
        if fault in ("late", "very_late"):
            self.late(payload, late_after, beyond=fault == "very_late")
            raise APITimeoutError("read timeout (model)", outcome_unknown=True, **where)
        action_id = self.server.enqueue_import(payload)
        if fault == "drop_after":
            raise APIConnectionError("connection dropped (model)", outcome_unknown=True, **where)
        if fault == "s502_after":
            raise ServerError("502 (model)", status_code=502, outcome_unknown=True, **where)
        if fault in ("cut_2xx", "junk_2xx"):
            raise APIResponseError("the body could not be read (model)", status_code=200, **where)
        body = OrdersImportCreateResponseBody(async_action_id=action_id)
        return Response(
            status_code=HTTPStatus.OK,
            content=json.dumps(body.to_dict()).encode(),
            headers={"date": _date_header(self.clock())},
            parsed=body,
        )

    def _wait(self, op: Wait, fault: str) -> Any:
        if fault not in ("ok", *RESULT_FAULTS):
            self._read_fault(fault)
        for _ in range(10_000):
            self.arrive()
            try:
                view = self.server.get_async_action(op.async_action_id)
            except SandboxError as exc:
                raise NotFoundError(
                    f"async action {op.async_action_id} not found (model)",
                    status_code=exc.status,
                    resource_id=op.async_action_id,
                    resource_type="async_action",
                ) from None
            if view.get("status") == "DONE" and fault in RESULT_FAULTS:
                self.tampered.add(op.async_action_id)
                if fault == "no_result":
                    view = {k: v for k, v in view.items() if k != "result"}
                else:
                    result = dict(view.get("result") or {})
                    result["done_count"] = int(result.get("done_count") or 0) + 1
                    view = {**view, "result": result}
            action = AsyncActionGetResponseBody.from_dict(view)
            if view.get("status") == "DONE":
                carriers = self.carriers()
                self.confirmed[op.async_action_id] = {
                    s: list(ids) for s, ids in carriers.items() if op.async_action_id in ids
                }
                return action
            if view.get("status") == "FAILED":
                raise AsyncActionFailedError(action)
            self.advance(1.0)
        raise AssertionError("the sandbox never finished the import")


def _list_body(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"object": "list", "data_ref": "async_actions", "async_actions": items, "has_more": False}


def _ms(text: str) -> int:
    from dateutil.parser import isoparse

    return int(isoparse(text).timestamp() * 1000)


def make_orders(count: int, tag: str = "m") -> list[dict[str, Any]]:
    return [{"source_id": f"{tag}{i}", "status": "PAID", "amount": 100 + i} for i in range(count)]


def chunks_of(orders: list[dict[str, Any]], size: int) -> list[Chunk]:
    return [
        Chunk(n + 1, orders[start : start + size], start)
        for n, start in enumerate(range(0, len(orders), size))
    ]


class Client:
    """One import run after another over the same checkpoint, driven one operation at a time."""

    def __init__(
        self,
        world: World,
        orders: list[dict[str, Any]],
        chunk_size: int,
        *,
        horizon: float = HORIZON,
        band: float = BAND,
    ) -> None:
        self.world = world
        self.orders = orders
        self.chunk_size = chunk_size
        self.horizon = horizon
        self.band = band
        self.checkpoint = world.directory / "import.checkpoint"
        self.run: ImportRun | None = None
        self.steps: Iterator[Op] | None = None
        self.op: Op | None = None
        self.abandoned: list[Any] = []  # killed runs' generators, kept so nothing finalises them
        self.outcome: Any = None  # the last run's ImportResult or typed error
        self.carriers_at_end: dict[str, list[str]] = {}
        self.runs = 0

    def _start(self) -> None:
        self.runs += 1
        self.world.tampered.clear()  # what an earlier run was shown does not bind this one
        self.world.confirmed.clear()
        self.run = ImportRun(
            chunk_size=self.chunk_size,
            on_progress=None,
            checkpoint_path=self.checkpoint,
            reconcile_window=self.band,
            commit_horizon=self.horizon,
            wall_clock=self.world.clock,
        )
        self.run.open_checkpoint(None)
        gen = run_steps(
            self.run,
            iter(chunks_of(self.orders, self.chunk_size)),
            wait=True,
            timeout=None,
            clock=self.world.clock,
        )
        self.steps = gen
        self.outcome = None
        try:
            self.op = next(gen)
        except StopIteration:
            self._finish(self.run.result)
        except VoucherifyError as exc:
            self._finish(exc)

    @property
    def active(self) -> bool:
        return self.steps is not None

    def step(self, fault: str, late_after: int = 2) -> None:
        """Perform the pending operation with ``fault`` and feed its outcome back."""
        if self.steps is None:
            self._start()
            return
        assert self.op is not None and self.run is not None
        gen: Any = self.steps
        try:
            try:
                value = self.world.perform(self.op, fault, late_after)
            except VoucherifyError as exc:
                self.op = gen.throw(exc)
            else:
                self.op = gen.send(value)
        except StopIteration:
            self._finish(self.run.result)
        except VoucherifyError as exc:
            self._finish(exc)

    def _finish(self, outcome: Any) -> None:
        assert self.run is not None
        self.run.close()
        self.outcome = outcome
        #: the sandbox's record when the run ended: what the result can be held to
        self.carriers_at_end = self.world.carriers()
        self.steps, self.op, self.run = None, None, None

    def kill(self, *, after_send: bool = False, late_after: int = 2) -> None:
        """The process dies at this yield (``after_send``: its pending POST reached the server,
        committed late). Nothing of it runs any more; its checkpoint file stays as written."""
        if self.steps is None or self.run is None:
            return
        if after_send and isinstance(self.op, Post):
            self.world.arrive("POST", "/v1/orders/import")
            self.world.late([o.to_dict() for o in self.op.orders], late_after)
        self.abandoned.append(self.steps)
        if self.run.checkpoint is not None:
            self.run.checkpoint.close()  # the OS closes a dead process's files
        self.steps, self.op, self.run = None, None, None
        self.outcome = "killed"

    def cancel(self) -> None:
        """``task.cancel()`` at this yield: the steps are closed, ``finally`` blocks run."""
        if self.steps is None or self.run is None:
            return
        gen: Any = self.steps
        gen.close()
        self._finish("cancelled")

    def finish(self, *, max_runs: int = 6, max_steps: int = 4000) -> Any:
        """Let the import run to its end without new faults (reruns from the checkpoint after a
        typed stop, as a user would, up to ``max_runs``)."""
        reruns = 0
        steps = 0
        while True:
            if self.steps is None:
                if (
                    self.outcome is not None
                    and not isinstance(self.outcome, str)
                    and (not isinstance(self.outcome, VoucherifyError) or reruns >= max_runs)
                ):
                    return self.outcome
                reruns += 1
            self.step("ok")
            steps += 1
            if steps > max_steps:
                raise AssertionError("the import did not finish")


def check(world: World, client: Client, outcome: Any) -> None:
    """The invariants, on the sandbox's record of which actions carried which order."""
    carriers = world.carriers()
    wanted = {o["source_id"] for o in client.orders}
    twice = {s: ids for s, ids in carriers.items() if s in wanted and len(ids) > 1}
    if isinstance(outcome, VoucherifyError):
        assert str(outcome), "a typed stop says why"
        assert not twice or world.broken_assumption, f"orders carried by more than one action: {twice}"
        return
    assert outcome.waited
    if not outcome.ok:
        assert outcome.problems() or outcome.failed_count, "a result that is not ok says why"
        assert not twice or world.broken_assumption, f"orders carried by more than one action: {twice}"
        return
    # a commit later than the horizon may land after the run ended, and a restore from older
    # data may lose orders after they were confirmed: the result is held to the record as each
    # chunk's wait saw it, and a later duplicate to the assumption it breaks
    assert not twice or world.broken_assumption, f"orders carried by more than one action: {twice}"
    at_end = client.carriers_at_end
    twice_at_end = {s: ids for s, ids in at_end.items() if s in wanted and len(ids) > 1}
    assert not twice_at_end, f"ok=True but orders carried by more than one import action: {twice_at_end}"
    seen = {report.async_action_id for report in outcome.chunks}
    assert not seen & world.tampered, (
        f"ok=True although the results of {sorted(seen & world.tampered)} were unusable"
    )
    for report, chunk in zip(outcome.chunks, chunks_of(client.orders, client.chunk_size), strict=True):
        confirmed = world.confirmed.get(report.async_action_id)
        assert confirmed is not None, f"ok=True but chunk {report.index}'s action was never seen DONE"
        expected = {o["source_id"] for o in chunk.orders}
        assert set(confirmed) == expected, (
            f"ok=True but chunk {report.index}'s action {report.async_action_id} carried "
            f"{sorted(confirmed)}, not the chunk's {sorted(expected)}"
        )
        doubled = {s: ids for s, ids in confirmed.items() if len(ids) > 1}
        assert not doubled, f"ok=True but orders of chunk {report.index} were carried twice: {doubled}"


def replay(
    world: World, client: Client, script: list[tuple[str, Any]], on_step: Callable[[], None] | None = None
) -> Any:
    """Run a hand-written schedule: ("step", fault), ("late", k), ("kill", after_send),
    ("cancel", None), ("restart", older), ("snapshot", None), ("advance", seconds)."""
    for action, arg in script:
        if action == "step":
            client.step(arg)
        elif action == "late":
            client.step("late", late_after=arg)
        elif action == "kill":
            client.kill(after_send=bool(arg))
        elif action == "cancel":
            client.cancel()
        elif action == "restart":
            world.restart(from_snapshot=bool(arg))
        elif action == "snapshot":
            world.snapshot()
        elif action == "advance":
            world.advance(float(arg))
        if on_step is not None:
            on_step()
    outcome = client.finish()
    check(world, client, outcome)
    return outcome
