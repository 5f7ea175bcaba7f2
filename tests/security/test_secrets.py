"""Planted secrets (the app token, an OAuth bearer token, an export download token) never show up
in logs at any level, exception text or chains, or reprs, across every failure path: success,
retries, timeouts, dropped connections, a closed port, cut-off bodies, a cross-host redirect,
and an export download refused with 401."""

from __future__ import annotations

import socket
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from voucherify_ext import (
    AsyncVoucherify,
    AuthenticationError,
    Voucherify,
    VoucherifyError,
)
from voucherify_ext.sandbox import Sandbox, serve

from .conftest import RootCapture, assert_no_secret, exception_texts, planted

APP_TOKEN = planted("app-token")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with serve(app_token=APP_TOKEN, import_speed=1_000_000) as sb:
        yield sb


@pytest.fixture
def sb(sandbox: Sandbox) -> Iterator[Sandbox]:
    sandbox.reset()
    yield sandbox
    sandbox.clear_faults()


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()
    return port


def _no_sleep(seconds: float) -> None:
    return None


class Sweep:
    """Collects everything that could show a secret, and the errors of each path."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.texts: list[str] = []
        self.errors: dict[str, BaseException] = {}

    def expect_error(self, name: str, fn: Callable[[], Any]) -> None:
        try:
            fn()
        except VoucherifyError as exc:
            self.errors[name] = exc
            self.texts += exception_texts(exc)
        else:
            pytest.fail(f"path {name!r} raised nothing")
        finally:
            self.sb.clear_faults()  # faults a path did not use must not hit the next one

    def reprs(self, vf: Voucherify) -> None:
        self.texts += [
            repr(vf),
            repr(vf.client),
            repr(vf.http),
            repr(vf.orders),
            repr(vf.async_actions),
            repr(vf.rate_limiter),
            repr(vf.http._transport),  # the retrying transport (it holds the credentials)
            repr(vf.client.get_httpx_client().headers),
        ]


def _export_token(url: str | None) -> str:
    assert url is not None
    tokens = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["token"]
    assert tokens and tokens[0]
    return tokens[0]


def _exercise(vf: Voucherify, sb: Sandbox, sweep: Sweep, tmp: Path) -> str:
    """Every path, on one client; returns the export download token it saw."""
    sweep.reprs(vf)
    # success
    vf.orders.create({"source_id": "sec-1", "amount": 100, "status": "PAID"})
    vf.orders.get("sec-1")
    vf.orders.update("sec-1", {"status": "FULFILLED"})
    list(vf.orders.iter())
    # retries that succeed, and retries that run out
    sb.inject("status", method="GET", path="/v1/orders/sec-1", times=2, status=503)
    vf.orders.get("sec-1")
    # responses with their headers (errors keep theirs: exception_texts shows their attributes)
    sb.inject("status", method="GET", path="/v1/orders/sec-1", times=1, status=503)
    raw = vf.orders.with_raw_response.get("sec-1")
    assert raw.attempts == 2
    sweep.texts += [repr(raw), repr(raw.headers), repr(raw.headers.raw), repr(vf.rate_limit_state())]
    sb.inject("status", method="GET", path="/v1/orders/sec-1", times=5, status=503)
    sweep.expect_error("503 after retries", lambda: vf.with_options(max_retries=1).orders.get("sec-1"))
    sb.inject("status", method="GET", path="/v1/orders/sec-1", times=5, status=429)
    sweep.expect_error("429 after retries", lambda: vf.with_options(max_retries=0).orders.get("sec-1"))
    # timeouts
    sb.inject("latency", method="GET", path="/v1/orders/sec-1", times=3, delay_ms=600)
    sweep.expect_error(
        "read timeout", lambda: vf.with_options(timeout=0.15, max_retries=1).orders.get("sec-1")
    )
    # dropped connections, before and after the write
    sb.inject("drop_before", method="GET", path="/v1/orders/sec-1", times=5)
    sweep.expect_error("drop before", lambda: vf.with_options(max_retries=1).orders.get("sec-1"))
    sb.inject("drop_after", method="POST", path="/v1/orders", times=1)
    sweep.expect_error("drop after (outcome unknown)", lambda: vf.orders.create({"amount": 1}))
    # cut-off and broken bodies
    sb.inject("truncate", method="GET", path="/v1/orders/sec-1", times=5)
    sweep.expect_error("truncated body", lambda: vf.with_options(max_retries=1).orders.get("sec-1"))
    sb.inject("truncate", method="POST", path="/v1/orders", times=1)
    sweep.expect_error("truncated POST body", lambda: vf.orders.create({"amount": 2}))
    sb.inject("invalid_json", method="GET", path="/v1/orders/sec-1", times=1)
    sweep.expect_error("invalid JSON", lambda: vf.with_options(max_retries=0).orders.get("sec-1"))
    sb.inject("html", method="GET", path="/v1/orders/sec-1", times=5)
    sweep.expect_error("HTML page", lambda: vf.with_options(max_retries=0).orders.get("sec-1"))
    # API errors
    sweep.expect_error("404", lambda: vf.orders.get("missing"))
    sweep.expect_error("400", lambda: vf.orders.create({"source_id": "x", "status": "SHIPPED"}))
    # an import whose POST was lost (reconciled), and an export downloaded through a fault
    sb.inject("drop_after", method="POST", path="/v1/orders/import", times=1)
    vf.orders.import_orders([{"source_id": f"imp-{i}", "amount": i} for i in range(5)])
    handle = vf.orders.export(fields=["id", "source_id"])
    token = _export_token(handle.url)
    sweep.texts += [repr(handle), str(handle)]
    sb.inject("truncate", method="GET", path=f"/v1/exports/{handle.id}", times=1)
    handle.download(tmp / "orders.csv")
    assert (tmp / "orders.csv").read_text().count("\n") >= 6
    # the download refused with 401, and again after the URL was fetched afresh
    sb.inject(
        "status", status=401, method="GET", path=f"/v1/exports/{handle.id}", query={"token": token}, times=5
    )
    sweep.expect_error("download 401", lambda: handle.download(tmp / "again.csv"))
    assert isinstance(sweep.errors["download 401"], AuthenticationError)
    sweep.reprs(vf)
    return token


def test_app_token_and_export_token_never_leak(sb: Sandbox, logs: RootCapture, tmp_path: Path) -> None:
    sweep = Sweep(sb)
    with Voucherify(app_id=sb.app_id, app_token=APP_TOKEN, base_url=sb.url, sleep=_no_sleep) as vf:
        export_token = _exercise(vf, sb, sweep, tmp_path)
    # a connection that cannot be opened
    with Voucherify(
        app_id=sb.app_id, app_token=APP_TOKEN, base_url=f"http://127.0.0.1:{_closed_port()}", sleep=_no_sleep
    ) as closed:
        sweep.expect_error("closed port", lambda: closed.orders.get("sec-1"))
        sweep.reprs(closed)
    # wrong app id: 401 with the planted token sent
    with Voucherify(app_id="someone-else", app_token=APP_TOKEN, base_url=sb.url) as wrong:
        sweep.expect_error("401", lambda: wrong.orders.get("sec-1"))

    assert len(sweep.errors) >= 14
    assert {"voucherify", "httpx", "httpcore"} <= logs.names, logs.names
    assert any("retrying" in line for line in logs.lines)
    # the download URL was logged by httpx, with its token redacted
    assert any("/v1/exports/" in line and "[REDACTED]" in line for line in logs.lines)
    assert_no_secret(sweep.texts + logs.lines, [APP_TOKEN, export_token])


def test_bearer_token_never_leaks(sb: Sandbox, logs: RootCapture, tmp_path: Path) -> None:
    sweep = Sweep(sb)
    with Voucherify(
        app_id=sb.app_id, app_token=APP_TOKEN, base_url=sb.url, oauth_scopes=["api"], sleep=_no_sleep
    ) as vf:
        vf.orders.create({"source_id": "first", "amount": 1})
        bearers = sb.oauth_tokens()  # what the sandbox issued: the secret to look for
        assert len(bearers) == 1
        export_token = _exercise(vf, sb, sweep, tmp_path)
        # an expired token: the sandbox forgets it, the client refreshes once and goes on
        sb.expire_tokens()
        vf.orders.get("sec-1")
        bearers += sb.oauth_tokens()
        assert len(bearers) == 2
        sweep.reprs(vf)
    # a token request that fails: wrong app keys
    with Voucherify(
        app_id="someone-else", app_token=APP_TOKEN, base_url=sb.url, oauth_scopes=["api"]
    ) as wrong:
        sweep.expect_error("token request 401", lambda: wrong.orders.get("sec-1"))
    assert any(line.startswith("voucherify") and "OAuth token" in line for line in logs.lines)
    assert_no_secret(sweep.texts + logs.lines, [APP_TOKEN, export_token, *bearers])


async def test_async_paths_never_leak(sb: Sandbox, logs: RootCapture, tmp_path: Path) -> None:
    texts: list[str] = []

    async def no_sleep(seconds: float) -> None:
        return None

    async with AsyncVoucherify(
        app_id=sb.app_id, app_token=APP_TOKEN, base_url=sb.url, sleep=no_sleep, oauth_scopes=["api"]
    ) as avf:
        texts += [repr(avf), repr(avf.client), repr(avf.http), repr(avf.http._transport)]
        await avf.orders.create({"source_id": "a-1", "amount": 1})
        for kind, extra in (
            ("status", {"status": 503}),
            ("drop_before", {}),
            ("truncate", {}),
            ("latency", {"delay_ms": 600}),
        ):
            sb.inject(kind, method="GET", path="/v1/orders/a-1", times=5, **extra)
            try:
                await avf.with_options(max_retries=1, timeout=0.2).orders.get("a-1")
            except VoucherifyError as exc:
                texts += exception_texts(exc)
            else:
                pytest.fail(f"{kind}: no error")
            sb.clear_faults()
        handle = await avf.orders.export(fields=["id"])
        export_token = _export_token(handle.url)
        await handle.download(tmp_path / "a.csv")
        path = f"/v1/exports/{handle.id}"  # refused, and refused again after a refresh
        sb.inject("status", status=401, method="GET", path=path, query={"token": export_token}, times=5)
        try:
            await handle.download(tmp_path / "b.csv")
        except AuthenticationError as exc:
            texts += exception_texts(exc)
        else:
            pytest.fail("download with a stale token succeeded")
        texts += [repr(handle)]
        bearers = sb.oauth_tokens()
    assert bearers
    assert_no_secret(texts + logs.lines, [APP_TOKEN, export_token, *bearers])
