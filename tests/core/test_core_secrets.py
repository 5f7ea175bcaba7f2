"""A planted secret never shows up: not in the ``voucherify``, ``httpx`` or ``httpcore`` logs at
any level, not in exception text or tracebacks, not in ``repr(vf)`` or ``repr(vf.client)`` -
across success, retry, timeout, connection failure, cross-host redirect and OAuth paths."""

from __future__ import annotations

import logging
import socket
import traceback
from collections.abc import Iterator

import httpx
import pytest

from voucherify_ext import AsyncVoucherify, Voucherify, VoucherifyError
from voucherify_ext.sandbox import Sandbox, serve

SECRET = "PLANTED-s3cr3t-9f2c1e"
LOGGERS = ("voucherify", "httpx", "httpcore")


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured() -> Iterator[Capture]:
    handler = Capture()
    saved = {}
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved[name] = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    yield handler
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.removeHandler(handler)
        logger.setLevel(saved[name])


@pytest.fixture(scope="module")
def secret_sandbox() -> Iterator[Sandbox]:
    with serve(app_token=SECRET) as sb:
        yield sb


def _texts_of(exc: BaseException) -> list[str]:
    texts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    # the whole chain, suppressed or not, and any request an exception in it holds
    seen: BaseException | None = exc
    while seen is not None:
        texts += [repr(seen), repr(vars(seen))]
        request = getattr(seen, "_request", None)
        if request is not None:
            texts.append(repr(dict(request.headers)))
        seen = seen.__cause__ or seen.__context__
    return texts


def _assert_clean(texts: list[str]) -> None:
    for text in texts:
        assert SECRET not in text


def _client(sb: Sandbox, **kw: object) -> Voucherify:
    kw.setdefault("base_url", sb.url)
    return Voucherify(app_id=sb.app_id, app_token=SECRET, sleep=lambda s: None, **kw)  # type: ignore[arg-type]


def test_planted_secret_never_leaks(secret_sandbox: Sandbox, captured: Capture) -> None:
    sb = secret_sandbox
    sb.reset()
    texts: list[str] = []
    errors: list[BaseException] = []

    def attempt(fn: object) -> None:
        try:
            fn()  # type: ignore[operator]
        except VoucherifyError as exc:
            errors.append(exc)

    with _client(sb) as vf:
        texts += [repr(vf), repr(vf.client), repr(vf.orders), repr(vf.http), repr(vf.rate_limiter)]
        # success
        vf.orders.create({"source_id": "s-1", "amount": 100})
        vf.orders.get("s-1")
        # retry
        sb.inject("status", method="GET", times=2, status=503)
        vf.orders.get("s-1")
        # ambiguous write, outcome unknown
        sb.inject("drop_after", method="POST", times=1)
        attempt(lambda: vf.orders.create({"amount": 1}))
        # error bodies
        attempt(lambda: vf.orders.get("missing"))
        # an export download URL carries its token in the query string
        vf.http.get(f"/v1/exports/exp_x?token={SECRET}")
    # timeout
    sb.inject("latency", method="GET", times=5, delay_ms=800)
    with _client(sb, timeout=0.2, max_retries=1) as vf:
        attempt(lambda: vf.orders.get("s-1"))
    sb.clear_faults()
    # connection failure
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with _client(sb, base_url=f"http://127.0.0.1:{port}") as vf:
        attempt(lambda: vf.orders.get("s-1"))
        texts.append(repr(vf))
    # wrong credentials answered 401
    with Voucherify(app_id="other", app_token=SECRET, base_url=sb.url) as vf:
        attempt(lambda: vf.orders.get("s-1"))
    # OAuth: the app token and the bearer token are both secrets
    with _client(sb, oauth_scopes=["api"]) as vf:
        vf.orders.get("s-1")
        bearer = vf.client.get_httpx_client()._transport._core.credentials.current().reveal()  # type: ignore[attr-defined]
        texts += [repr(vf), repr(vf.client)]
        sb.inject("status", method="GET", times=3, status=500)
        attempt(lambda: vf.orders.get("s-1"))

    assert len(errors) >= 5
    for exc in errors:
        texts += _texts_of(exc)
    texts += captured.lines
    assert any("httpx" in line for line in captured.lines), "the httpx logger was not captured"
    assert any(line.startswith("httpcore") for line in captured.lines), "httpcore was not captured"
    assert any("retrying" in line for line in captured.lines)
    _assert_clean(texts)
    for text in texts:
        assert bearer not in text
    assert any("[REDACTED]" in line for line in captured.lines)  # the download token was there


def test_cross_host_redirect_leaks_nothing(captured: Capture) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "api.voucherify.io":
            return httpx.Response(307, headers={"Location": f"https://evil.example/x?token={SECRET}"})
        return httpx.Response(500, json={"code": 500, "message": "nope"})

    vf = Voucherify(
        app_id="app", app_token=SECRET, http_transport=httpx.MockTransport(handler), sleep=lambda s: None
    )
    with pytest.raises(VoucherifyError) as info:
        vf.orders.get("ord_1")
    foreign = [r for r in seen if r.url.host == "evil.example"]
    assert foreign
    for request in foreign:
        assert SECRET not in str(dict(request.headers))
    _assert_clean(_texts_of(info.value) + captured.lines + [repr(vf), repr(vf.client)])


async def test_async_paths_leak_nothing(secret_sandbox: Sandbox, captured: Capture) -> None:
    sb = secret_sandbox
    sb.reset()
    texts: list[str] = []
    async with AsyncVoucherify(
        app_id=sb.app_id, app_token=SECRET, base_url=sb.url, sleep=_no_sleep, timeout=0.2
    ) as avf:
        texts += [repr(avf), repr(avf.client)]
        await avf.orders.create({"source_id": "a-1", "amount": 1})
        sb.inject("status", method="GET", times=1, status=502)
        await avf.orders.get("a-1")
        sb.inject("latency", method="GET", times=3, delay_ms=800)
        try:
            await avf.orders.get("a-1")
        except VoucherifyError as exc:
            texts += _texts_of(exc)
        sb.inject("drop_after", method="POST", times=1)
        try:
            await avf.orders.create({"amount": 1})
        except VoucherifyError as exc:
            texts += _texts_of(exc)
    sb.clear_faults()
    _assert_clean(texts + captured.lines)
    assert len(captured.lines) > 5


async def _no_sleep(seconds: float) -> None:
    return None
