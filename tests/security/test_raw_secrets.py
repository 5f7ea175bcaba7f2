"""Responses with their headers keep no secret: a planted X-App-Token, echoed into the response
headers of the real sandbox by a careless reverse proxy (a TCP proxy in front of it, so the
client's whole HTTP stack, httpcore's debug log included, sees the headers), together with a
cookie and a bearer token of the proxy's own, never shows in the ``repr``/``str`` of a
:class:`~voucherify_ext.RawResponse`, its headers, the errors' ``headers``, the client's
rate-limit state, pickles or log lines, sync or async."""

from __future__ import annotations

import contextlib
import pickle
import re
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from voucherify_ext import AsyncVoucherify, Voucherify, VoucherifyError
from voucherify_ext.sandbox import Sandbox, serve

from .conftest import RootCapture, assert_no_secret, exception_texts, planted

APP_TOKEN = planted("raw-app-token")
COOKIE = planted("raw-cookie")
BEARER = planted("raw-bearer")
SECRETS = [APP_TOKEN, COOKIE, BEARER]


def _proxy_headers(token: bytes) -> bytes:
    """The header lines a careless reverse proxy adds to a response: the request's app token
    echoed back (in a header of its own and in a debug dump), a session cookie, a bearer token."""
    lines = [
        b"X-Echo-Token: " + token,
        b"X-Debug: x-app-token: " + token + b"; via proxy",
        b"Set-Cookie: sid=" + COOKIE.encode() + b"; HttpOnly",
        b"Set-Cookie: theme=dark",
        b"Authorization: Bearer " + BEARER.encode(),
        b"X-Upstream-Auth: Bearer " + BEARER.encode(),
        b"Connection: close",  # one exchange per connection: the next response head is ours too
    ]
    return b"".join(line + b"\r\n" for line in lines)


class CarelessProxy:
    """A TCP reverse proxy in front of the sandbox that adds :func:`_proxy_headers` to every
    response head, below the client's HTTP stack (httpcore's debug log sees them too)."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._exchange, args=(client,), daemon=True).start()

    @staticmethod
    def _head(sock: socket.socket) -> tuple[bytes, bytes]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return data, b""
            data += chunk
        head, rest = data.split(b"\r\n\r\n", 1)
        return head + b"\r\n", rest

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                target.sendall(chunk)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)

    def _exchange(self, client: socket.socket) -> None:
        with client, socket.create_connection(self._upstream) as upstream:
            head, rest = self._head(client)
            if not head:
                return
            token = re.search(rb"(?im)^x-app-token:\s*(\S+)", head)
            upstream.sendall(head + b"\r\n" + rest)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            response_head, body = self._head(upstream)
            extra = _proxy_headers(token.group(1) if token else b"")
            client.sendall(response_head + extra + b"\r\n" + body)
            self._pump(upstream, client)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with serve(app_token=APP_TOKEN, import_speed=1_000_000) as sb:
        yield sb


@pytest.fixture(scope="module")
def proxy(sandbox: Sandbox) -> Iterator[CarelessProxy]:
    url = httpx.URL(sandbox.url)
    careless = CarelessProxy((url.host, url.port or 80))
    yield careless
    careless.close()


@pytest.fixture
def sb(sandbox: Sandbox) -> Iterator[Sandbox]:
    sandbox.reset()
    sandbox.set_rate_limit("100/min")
    yield sandbox
    sandbox.clear_faults()
    sandbox.set_rate_limit(None)


def _no_sleep(seconds: float) -> None:
    return None


def _texts_of_raw(raw: Any) -> list[str]:
    headers = raw.headers
    return [
        repr(raw),
        str(raw),
        repr(headers),
        str(dict(headers)),
        repr(headers.raw),
        repr(headers.multi_items()),
        repr(raw.rate_limit),
        repr(pickle.dumps(headers)),
    ]


def _texts_of_error(exc: VoucherifyError) -> list[str]:
    texts = exception_texts(exc)
    headers = getattr(exc, "headers", None)
    assert headers is not None, f"{type(exc).__name__} carries no headers"
    assert headers.get_list("set-cookie") == ["[REDACTED]", "[REDACTED]"]
    assert headers["x-echo-token"] == "[REDACTED]"
    texts += [repr(headers), str(dict(headers)), repr(headers.raw), repr(pickle.dumps(exc))]
    return texts


def test_raw_responses_errors_and_logs_keep_no_secret(
    sb: Sandbox, proxy: CarelessProxy, logs: RootCapture
) -> None:
    texts: list[str] = []
    with Voucherify(app_id=sb.app_id, app_token=APP_TOKEN, base_url=proxy.url, sleep=_no_sleep) as vf:
        raws = [vf.orders.with_raw_response.create({"source_id": "sec-raw", "amount": 100})]
        sb.inject("status", method="GET", path="/v1/orders/sec-raw", times=1, status=503)
        raws.append(vf.orders.with_raw_response.get("sec-raw"))
        assert raws[-1].attempts == 2
        raws.append(vf.orders.with_raw_response.update("sec-raw", {"status": "PAID"}))
        raws.append(vf.orders.with_raw_response.list(limit=2))
        raws.append(vf.async_actions.with_raw_response.list_page(limit=2))
        for raw in raws:
            # the proxy's headers did reach the client, and arrive replaced
            assert raw.headers["x-echo-token"] == "[REDACTED]"
            assert raw.headers.get_list("set-cookie") == ["[REDACTED]", "[REDACTED]"]
            assert raw.headers["authorization"] == "[REDACTED]"
            assert "[REDACTED]" in raw.headers["x-debug"] and raw.headers["x-debug"].endswith("via proxy")
            assert raw.headers["x-upstream-auth"] == "Bearer [REDACTED]"
            assert raw.rate_limit is not None and raw.rate_limit.limit == 100
            texts += _texts_of_raw(raw)
        errors: list[VoucherifyError] = []
        for call in (
            lambda: vf.orders.with_raw_response.get("missing"),
            lambda: vf.orders.get("missing"),
            lambda: vf.with_options(max_retries=0).orders.with_raw_response.get("sec-raw"),
        ):
            if len(errors) == 2:
                sb.inject("status", method="GET", path="/v1/orders/sec-raw", times=1, status=500)
            try:
                call()
            except VoucherifyError as exc:
                errors.append(exc)
                texts += _texts_of_error(exc)
            else:
                pytest.fail("no error")
        assert [e.status_code for e in errors] == [404, 404, 500]  # type: ignore[attr-defined]
        texts += [repr(vf.rate_limit_state()), repr(vf.rate_limiter), repr(vf)]
    assert any("sec-raw" in line for line in logs.lines)
    # httpcore logged the response heads, with the proxy's headers in them
    assert any("x-upstream-auth" in line.lower() for line in logs.lines)
    assert_no_secret(texts + logs.lines, SECRETS)


async def test_async_raw_responses_keep_no_secret(
    sb: Sandbox, proxy: CarelessProxy, logs: RootCapture
) -> None:
    async def no_sleep(seconds: float) -> None:
        return None

    texts: list[str] = []
    async with AsyncVoucherify(
        app_id=sb.app_id,
        app_token=APP_TOKEN,
        base_url=proxy.url,
        sleep=no_sleep,
    ) as avf:
        raw = await avf.orders.with_raw_response.create({"source_id": "sec-araw", "amount": 1})
        assert raw.headers["x-echo-token"] == "[REDACTED]"
        texts += _texts_of_raw(raw)
        texts += _texts_of_raw(await avf.async_actions.with_raw_response.list_page())
        try:
            await avf.orders.with_raw_response.get("missing")
        except VoucherifyError as exc:
            texts += _texts_of_error(exc)
        else:
            pytest.fail("no error")
        texts += [repr(avf.rate_limit_state())]
    assert_no_secret(texts + logs.lines, SECRETS)


@pytest.mark.parametrize(
    "text",
    [
        f"(b'Set-Cookie', b'sid={COOKIE}; HttpOnly'), (b'date', b'x')",  # httpcore's debug log
        f"Set-Cookie: sid={COOKIE}; Path=/\r\nX-Next: 1",  # a header dump
        f"{{'cookie': 'sid={COOKIE}', 'x': 1}}",  # a dict of request headers
        f"(b'COOKIE', b'sid={COOKIE}')",
    ],
    # fixed ids: the planted value is random (each xdist worker must collect the same names) and
    # a secret, which has no place in a test's name
    ids=["httpcore-tuple", "header-dump", "header-dict", "upper-case-name"],
)
def test_log_redaction_replaces_cookie_values(text: str) -> None:
    from voucherify_ext.logs import redact

    cleaned = redact(text)
    assert COOKIE not in cleaned and "[REDACTED]" in cleaned


def test_log_redaction_leaves_prose_about_cookies() -> None:
    from voucherify_ext.logs import redact

    for text in ("cookies are not used", "X-Set-Cookie-Policy: strict", "the cookie jar is empty"):
        assert redact(text) == text
