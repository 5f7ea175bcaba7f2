"""Responses with their headers keep no secret: a planted X-App-Token, echoed into the response
headers of the real sandbox by a misbehaving proxy (an httpx transport between the client and
the sandbox's socket), together with a cookie and a bearer token of the proxy's own, never shows
in the ``repr``/``str`` of a :class:`~voucherify_ext.RawResponse`, its headers, the errors'
``headers``, the client's rate-limit state, pickles or log lines, sync or async."""

from __future__ import annotations

import pickle
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


def _echoed(request: httpx.Request, response: httpx.Response) -> httpx.Response:
    """``response`` with the headers a careless proxy adds: the request's token echoed back
    (in a header of its own and in a debug dump), a session cookie, a bearer token."""
    token = request.headers.get("x-app-token", "")
    extra = [
        (b"X-Echo-Token", token.encode()),
        (b"X-Debug", f"x-app-token: {token}; via proxy".encode()),
        (b"Set-Cookie", f"sid={COOKIE}; HttpOnly".encode()),
        (b"Set-Cookie", b"theme=dark"),
        (b"Authorization", f"Bearer {BEARER}".encode()),
        (b"X-Upstream-Auth", f"Bearer {BEARER}".encode()),
    ]
    return httpx.Response(
        response.status_code,
        headers=[*response.headers.raw, *extra],
        stream=response.stream,
        extensions=response.extensions,
    )


class EchoingTransport(httpx.HTTPTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return _echoed(request, super().handle_request(request))


class AsyncEchoingTransport(httpx.AsyncHTTPTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return _echoed(request, await super().handle_async_request(request))


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with serve(app_token=APP_TOKEN, import_speed=1_000_000) as sb:
        yield sb


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
    texts += [repr(headers), str(dict(headers)), repr(headers.raw), repr(pickle.dumps(exc))]
    return texts


def test_raw_responses_errors_and_logs_keep_no_secret(sb: Sandbox, logs: RootCapture) -> None:
    texts: list[str] = []
    with Voucherify(
        app_id=sb.app_id,
        app_token=APP_TOKEN,
        base_url=sb.url,
        sleep=_no_sleep,
        http_transport=EchoingTransport(),
    ) as vf:
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
    assert_no_secret(texts + logs.lines, SECRETS)


async def test_async_raw_responses_keep_no_secret(sb: Sandbox, logs: RootCapture) -> None:
    async def no_sleep(seconds: float) -> None:
        return None

    texts: list[str] = []
    async with AsyncVoucherify(
        app_id=sb.app_id,
        app_token=APP_TOKEN,
        base_url=sb.url,
        sleep=no_sleep,
        http_transport=AsyncEchoingTransport(),
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
