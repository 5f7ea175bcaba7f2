"""Running the sandbox for real: uvicorn plus the fault proxy, in a thread or in the foreground.

Sync code needs a real server (``httpx.ASGITransport`` is async-only and buffers whole
bodies), so :func:`serve` starts uvicorn on a free loopback port in a background thread, puts
the fault proxy in front of it on another free port, and yields a :class:`Sandbox` handle whose
``url`` points at the proxy. Both run on one event loop in that thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

from voucherify_ext.sandbox.app import create_app
from voucherify_ext.sandbox.clock import ManualClock
from voucherify_ext.sandbox.config import (
    DEFAULT_APP_ID,
    DEFAULT_APP_TOKEN,
    DEFAULT_IMPORT_SPEED,
    JOURNAL_CAPACITY,
    SandboxConfig,
    parse_rate_limit,
)
from voucherify_ext.sandbox.extensions import SandboxExtension
from voucherify_ext.sandbox.proxy import FaultProxy
from voucherify_ext.sandbox.state import SandboxState
from voucherify_ext.sandbox.values import SEED_STATUS

log = logging.getLogger("voucherify.sandbox")


def _bind(host: str, port: int) -> socket.socket:
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted sockets only when the
    # listening socket says TCP, and without it every keep-alive response waits ~40 ms for
    # a delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


class Runner:
    """uvicorn on a private port plus the proxy on the public one, on the current event loop."""

    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.upstream_port = 0
        self._server: uvicorn.Server | None = None
        self._proxy: FaultProxy | None = None
        self.started = asyncio.Event()

    async def run(self) -> None:
        sock = _bind(self.host, 0)
        self.upstream_port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,  # the access log would print export download tokens
            lifespan="off",
            timeout_keep_alive=3600,
            date_header=False,  # the app sends Date from the sandbox clock (logical time too)
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        self._server = server
        self.app.state.behind_proxy = True
        proxy = FaultProxy(self.host, self.upstream_port)
        self._proxy = proxy
        self.port = await proxy.start(self.host, self.port)
        # uvicorn installs signal handlers only when run in the main thread (the CLI).
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():  # noqa: ASYNC110 - uvicorn exposes a flag only
            await asyncio.sleep(0.005)
        self.started.set()
        try:
            await task
        finally:
            await proxy.close()
            sock.close()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True


class Sandbox:
    """Handle on a running sandbox: its URL, credentials and the Python control API."""

    def __init__(self, url: str, direct_url: str, app: Starlette) -> None:
        self.url = url
        """Base URL through the fault proxy; what clients should use."""
        self.direct_url = direct_url
        """Base URL of uvicorn itself, bypassing the proxy (no connection-level faults)."""
        self.app = app
        self.state: SandboxState = app.state.sandbox

    @property
    def app_id(self) -> str:
        return self.state.app_id

    @property
    def app_token(self) -> str:
        return self.state.app_token

    @property
    def headers(self) -> dict[str, str]:
        """Authentication headers for plain httpx clients."""
        return {"X-App-Id": self.state.app_id, "X-App-Token": self.state.app_token}

    def __repr__(self) -> str:  # never show the token
        return f"Sandbox(url={self.url!r}, app_id={self.app_id!r})"

    def reset(self) -> None:
        self.state.reset()

    @property
    def clock(self) -> Callable[[], float]:
        """The clock the sandbox runs on (epoch seconds)."""
        return self.state.clock

    def advance(self, seconds: float) -> float:
        """Move the sandbox's :class:`ManualClock` forward (imports progress, late commits and
        exports fall due, rate windows and tokens expire); returns the new time."""
        clock = self.state.clock
        if not isinstance(clock, ManualClock):
            raise TypeError("advance() needs a sandbox started with clock=ManualClock()")
        now = clock.advance(seconds)
        self.state.summary()  # bring jobs and pending commits up to the new time right away
        return now

    def use_clock(self, clock: Callable[[], float] | None) -> None:
        """Run on ``clock`` from now on (None: real time), and reset: for switching a shared
        sandbox, such as the pytest plugin's, into logical time for one test."""
        self.state.set_clock(clock if clock is not None else time.time)

    def seed_orders(
        self,
        count: int,
        *,
        source_id_prefix: str = "seed-",
        status: str = SEED_STATUS,
        amount: int = 1000,
        metadata: dict[str, Any] | None = None,
    ) -> list[str]:
        return self.state.seed_orders(
            count, source_id_prefix=source_id_prefix, status=status, amount=amount, metadata=metadata
        )

    def inject(
        self,
        kind: str,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        status: int | None = None,
        delay_ms: float | None = None,
        query: Mapping[str, object] | str | None = None,
        items: int | None = None,
        after_requests: int | None = None,
    ) -> None:
        """Fail the next ``times`` requests matching ``method``, ``path`` (exact or a glob; may
        end in ``?page=3``) and ``query`` (parameters the request must carry). ``items``: how
        many items a ``short_page`` keeps (default half). ``late_commit`` (default path
        ``POST /v1/orders/import``): the response is lost and the action appears after
        ``after_requests`` more requests or ``delay_ms`` on the sandbox clock."""
        self.state.faults.inject(
            kind,
            method=method,
            path=path,
            times=times,
            status=status,
            delay_ms=delay_ms,
            query=query,
            items=items,
            after_requests=after_requests,
        )

    def commit_pending(self) -> list[str]:
        """Commit every late commit still pending, now; their action ids in commit order."""
        return self.state.commit_pending()

    def pending_imports(self) -> list[str]:
        """Ids of the late commits accepted but not visible yet."""
        return self.state.pending_imports()

    def expire_tokens(self) -> int:
        """Expire every OAuth token issued so far (the next bearer request gets 401)."""
        return self.state.expire_tokens()

    def clear_faults(self) -> None:
        self.state.faults.clear()

    def set_fault_rate(
        self, rate: float, kinds: Sequence[str] | str | None = None, seed: int | None = None
    ) -> None:
        self.state.faults.set_rate(rate, kinds, seed)

    def set_rate_limit(self, rate_limit: str | None) -> None:
        self.state.ratelimiter.set_limit(parse_rate_limit(rate_limit))

    def set_latency(self, ms: float) -> None:
        if ms < 0:
            raise ValueError("latency must not be negative")
        self.state.latency_ms = float(ms)

    def set_import_speed(self, orders_per_second: float) -> None:
        self.state.set_import_speed(orders_per_second)

    def count_orders(self, source_id: str | None = None) -> int:
        return self.state.count_orders(source_id)

    def orders(self) -> list[dict[str, Any]]:
        return self.state.orders()

    def request_count(self, method: str | None = None, path: str | None = None) -> int:
        return self.state.request_count(method, path)

    def record_requests(self, capacity: int = JOURNAL_CAPACITY) -> None:
        """Keep the last ``capacity`` API requests in the request journal (0: stop); forgets
        what it held. Off by default, so a long-running sandbox keeps nothing."""
        self.state.journal.configure(capacity)

    def journal(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """The requests the journal kept, oldest first (see ``voucherify_ext.sandbox.journal`` for an entry):
        ``journal("POST", "/v1/orders")`` is every createOrder that arrived, with its key, body
        and time. :attr:`journal_dropped` says how many older ones it let go."""
        return self.state.journal.entries(method, path)

    @property
    def journal_dropped(self) -> int:
        return self.state.journal.dropped

    def export_ids(self) -> list[str]:
        return self.state.export_ids()

    def rotate_export_token(self, export_id: str) -> None:
        self.state.rotate_export_token(export_id)

    def oauth_tokens(self) -> list[str]:
        return self.state.oauth_tokens()

    def export_tokens(self) -> list[str]:
        return self.state.export_tokens()

    def async_action_count(self) -> int:
        return self.state.async_action_count()

    def resource_items(self, name: str) -> list[dict[str, Any]]:
        """Every object of the extension resource ``name``, oldest first."""
        return self.state.resource_items(name)

    def seed_resource(self, name: str, items: Iterable[Mapping[str, object]]) -> list[str]:
        """Upsert ``items`` into the extension resource ``name`` without HTTP; their ids."""
        return self.state.seed_resource(name, items)

    def import_carriers(self) -> dict[str, list[str]]:
        """source_id -> ids of the import actions that carried it, oldest first."""
        return self.state.import_carriers()

    def save(self, path: str | Path | None = None) -> None:
        self.state.save(path)

    def restart(self, path: str | Path | None = None) -> None:
        """Restart from the state saved in ``path`` (default: the configured state file), as a
        process restart would, on the same URL and clock: what happened after that save is
        gone, and so are scripted faults, tokens, request counts, rate windows and run-time
        settings (latency, import speed, fault rate: back to the configuration). Ids get a new
        per-start part, so none handed out before is handed out again."""
        source = Path(path) if path is not None else self.state.config.state_file
        if source is None:
            raise ValueError("restart() needs a path: no state file configured")
        state = SandboxState.from_file(
            source, self.state.config, clock=self.state.clock, resources=self.state.resources
        )
        self.app.state.sandbox = state
        self.state = state


@contextlib.contextmanager
def serve(
    *,
    app_id: str = DEFAULT_APP_ID,
    app_token: str = DEFAULT_APP_TOKEN,
    rate_limit: str | None = None,
    latency_ms: float = 0,
    fault_rate: float = 0.0,
    faults: Sequence[str] | str | None = None,
    import_speed: float = DEFAULT_IMPORT_SPEED,
    seed: int = 0,
    state_file: str | Path | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    config: SandboxConfig | None = None,
    clock: Callable[[], float] | None = None,
    spec: str | Path | None = None,
    extensions: Sequence[SandboxExtension] = (),
    journal: int = 0,
) -> Iterator[Sandbox]:
    """Run a sandbox in a background thread for the duration of the ``with`` block.

    ``port=0`` picks a free port. With ``state_file`` the data is loaded at start (if the file
    exists) and saved on exit. ``clock`` (epoch seconds; a :class:`ManualClock` for logical
    time, moved with :meth:`Sandbox.advance`) is the time the sandbox runs on. ``spec`` is the
    OpenAPI document whose enums, fields and limits it enforces (default: its own copy).
    ``extensions``: the routes and resources a team adds (docs/sandbox.md, "Extensions").
    ``journal``: how many requests the request journal keeps (0: none; :meth:`Sandbox.journal`).
    """
    if config is None:
        config = SandboxConfig(
            app_id=app_id,
            app_token=app_token,
            rate_limit=parse_rate_limit(rate_limit),
            latency_ms=latency_ms,
            fault_rate=fault_rate,
            faults=[faults] if isinstance(faults, str) and "," not in faults else faults,
            import_speed=import_speed,
            seed=seed,
            state_file=Path(state_file) if state_file is not None else None,
            journal=journal,
        )
    app = create_app(config, clock=clock, spec=spec, extensions=extensions)
    runner = Runner(app, host, port)
    ready = threading.Event()
    errors: list[BaseException] = []

    def main() -> None:
        async def run() -> None:
            async def signal_ready() -> None:
                await runner.started.wait()
                ready.set()

            waiter = asyncio.create_task(signal_ready())
            try:
                await runner.run()
            finally:
                waiter.cancel()

        try:
            asyncio.run(run())
        except BaseException as exc:  # reported to the caller's thread
            errors.append(exc)
        finally:
            ready.set()

    thread = threading.Thread(target=main, name="voucherify-sandbox", daemon=True)
    thread.start()
    ready.wait(30)
    if errors or not runner.started.is_set():
        runner.stop()
        thread.join(5)
        raise RuntimeError("the sandbox failed to start") from (errors[0] if errors else None)
    sandbox = Sandbox(f"http://{host}:{runner.port}", f"http://{host}:{runner.upstream_port}", app)
    try:
        yield sandbox
    finally:
        runner.stop()
        thread.join(10)
        if config.state_file is not None:
            sandbox.state.save(config.state_file)
