"""pytest fixtures for testing code that talks to Voucherify, against the bundled sandbox.

Installed as a ``pytest11`` entry point, so after ``pip install "voucherify-orders[sandbox]"``
the fixtures are available in any test suite without imports:

.. code-block:: python

    def test_my_sync_job(voucherify_client, voucherify_sandbox):
        voucherify_sandbox.seed_orders(250)
        assert my_job(voucherify_client) == 250

    def test_my_job_survives_a_503(voucherify_client, voucherify_sandbox):
        voucherify_sandbox.inject("status", method="GET", path="/v1/orders", status=503)
        ...

One sandbox server runs per test session (starting it costs a thread and two sockets); each
test gets it reset to empty, with no faults, no rate limit and no latency. The client fixtures
point at it with the sandbox's credentials and are closed after the test; ``voucherify_env``
points the ``VOUCHERIFY_*`` environment variables at it instead; ``voucherify_sandbox_clock``
puts it in logical time (a ``ManualClock`` the test moves) for one test, and the client
fixtures of that test run on the same clock: their waits (polling, backoff, rate-limit pauses)
move the sandbox's time instead of passing in real time.

The ini option ``voucherify_sandbox_spec`` (a path relative to the rootdir) makes the sandbox
follow another spec than its own copy, e.g. a patched one (docs/sandbox.md, "Following the spec").

A team's sandbox extensions (routes and resources, docs/sandbox.md, "Extensions") are served by
the session's sandbox when the ini option ``voucherify_sandbox_extensions`` names them
(``package.module:ATTR``, one a line), or when the suite overrides the session fixture
``voucherify_sandbox_extensions`` in its conftest to return them.

Nothing here is imported until a fixture is used, so the plugin costs nothing in suites that
do not use it, and needs the ``sandbox`` extra only when they do.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from voucherify_ext.client import AsyncVoucherify, Voucherify
    from voucherify_ext.sandbox import ManualClock, Sandbox, SandboxExtension


@contextlib.contextmanager
def _sandbox_extra() -> Iterator[None]:
    """Around an import of the sandbox: without the ``sandbox`` extra the fixture fails with
    one line naming the extra to install, not a starlette traceback."""
    try:
        yield
    except ModuleNotFoundError as exc:
        if exc.name not in ("starlette", "uvicorn"):
            raise
        raise pytest.fail.Exception(str(exc), pytrace=False) from None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "voucherify_sandbox_spec",
        "OpenAPI document the sandbox follows (relative to the rootdir; default: its own copy)",
        default="",
    )
    parser.addini(
        "voucherify_sandbox_extensions",
        "sandbox extensions to serve, as package.module:ATTR (a SandboxExtension or a list of them)",
        type="linelist",
        default=[],
    )


@pytest.fixture(scope="session")
def voucherify_sandbox_extensions(pytestconfig: pytest.Config) -> list[SandboxExtension]:
    """The extensions the session's sandbox serves: those the ini option
    ``voucherify_sandbox_extensions`` names. Override this session fixture in a conftest to
    return your own (``[MY_EXTENSION]``) instead."""
    with _sandbox_extra():
        from voucherify_ext.sandbox import load_extensions

    references: list[str] = pytestconfig.getini("voucherify_sandbox_extensions")
    return [extension for reference in references for extension in load_extensions(reference)]


@pytest.fixture(scope="session")
def voucherify_sandbox_server(
    pytestconfig: pytest.Config, voucherify_sandbox_extensions: list[SandboxExtension]
) -> Iterator[Sandbox]:
    """The session's sandbox server, as it is (use ``voucherify_sandbox`` for a clean one)."""
    with _sandbox_extra():
        from voucherify_ext.sandbox import serve

    spec = str(pytestconfig.getini("voucherify_sandbox_spec") or "")
    with serve(
        spec=pytestconfig.rootpath / spec if spec else None, extensions=voucherify_sandbox_extensions
    ) as sandbox:
        yield sandbox


@pytest.fixture
def voucherify_sandbox(voucherify_sandbox_server: Sandbox) -> Sandbox:
    """A running sandbox, emptied for this test: no data, faults, rate limit or latency.

    Its control API: ``seed_orders(n)``, ``inject(kind, method=, path=, times=, status=)``,
    ``set_fault_rate(rate)``, ``set_rate_limit("20/s")``, ``set_latency(ms)``,
    ``count_orders(source_id=)``, ``orders()``, ``request_count(method, path)``; see
    docs/sandbox.md.
    """
    sandbox = voucherify_sandbox_server
    sandbox.use_clock(None)  # real time, and reset (a test may have switched it)
    sandbox.set_rate_limit(None)
    sandbox.set_latency(0)
    sandbox.set_fault_rate(0.0)
    return sandbox


@pytest.fixture
def voucherify_sandbox_clock(voucherify_sandbox: Sandbox) -> Iterator[ManualClock]:
    """Put this test's sandbox in logical time: a ``ManualClock`` that only the test moves
    (``clock.advance(s)`` or ``voucherify_sandbox.advance(s)``); real time again afterwards."""
    with _sandbox_extra():
        from voucherify_ext.sandbox import ManualClock

    clock = ManualClock()
    voucherify_sandbox.use_clock(clock)
    yield clock
    voucherify_sandbox.use_clock(None)


def _test_clock(request: pytest.FixtureRequest) -> ManualClock | None:
    """The test's ``voucherify_sandbox_clock``, if it asks for one (directly or not)."""
    if "voucherify_sandbox_clock" not in request.fixturenames:
        return None
    clock: ManualClock = request.getfixturevalue("voucherify_sandbox_clock")
    return clock


@pytest.fixture
def voucherify_client(voucherify_sandbox: Sandbox, request: pytest.FixtureRequest) -> Iterator[Voucherify]:
    """A ``Voucherify`` client pointed at the sandbox, closed after the test; on the sandbox's
    clock when the test uses ``voucherify_sandbox_clock``."""
    from voucherify_ext.client import Voucherify

    clock = _test_clock(request)
    timing: dict[str, Any] = (
        {} if clock is None else {"sleep": clock.sleep, "clock": clock, "wall_clock": clock}
    )
    with Voucherify(
        app_id=voucherify_sandbox.app_id,
        app_token=voucherify_sandbox.app_token,
        base_url=voucherify_sandbox.url,
        **timing,
    ) as client:
        yield client


@pytest.fixture
def voucherify_env(voucherify_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """``VOUCHERIFY_API_URL``/``_APP_ID``/``_APP_TOKEN`` pointing at the sandbox for this test
    (``VOUCHERIFY_CLUSTER`` removed), for code that builds its own ``Voucherify()``."""
    monkeypatch.setenv("VOUCHERIFY_API_URL", voucherify_sandbox.url)
    monkeypatch.setenv("VOUCHERIFY_APP_ID", voucherify_sandbox.app_id)
    monkeypatch.setenv("VOUCHERIFY_APP_TOKEN", voucherify_sandbox.app_token)
    monkeypatch.delenv("VOUCHERIFY_CLUSTER", raising=False)
    return voucherify_sandbox


try:  # the async fixture needs pytest-asyncio; without it, only the sync fixtures exist
    import pytest_asyncio
except ImportError:  # pragma: no cover - depends on the user's environment
    pass
else:

    @pytest_asyncio.fixture
    async def voucherify_async_client(
        voucherify_sandbox: Sandbox, request: pytest.FixtureRequest
    ) -> AsyncIterator[AsyncVoucherify]:
        """An ``AsyncVoucherify`` client pointed at the sandbox, closed after the test; on the
        sandbox's clock when the test uses ``voucherify_sandbox_clock``."""
        from voucherify_ext.client import AsyncVoucherify

        sandbox = voucherify_sandbox
        clock = _test_clock(request)
        timing: dict[str, Any] = (
            {} if clock is None else {"sleep": clock.asleep, "clock": clock, "wall_clock": clock}
        )
        async with AsyncVoucherify(
            app_id=sandbox.app_id, app_token=sandbox.app_token, base_url=sandbox.url, **timing
        ) as client:
            yield client
