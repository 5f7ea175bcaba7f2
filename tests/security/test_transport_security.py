"""TLS verification is on unless the caller turns it off explicitly; plain HTTP to a
non-loopback host is refused unless allowed explicitly; redirects never carry credentials to
another origin (host, port or scheme), over real sockets and with respx."""

from __future__ import annotations

import http.server
import json
import ssl
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from voucherify_ext import AsyncVoucherify, ConfigurationError, Voucherify, VoucherifyError

from .conftest import RootCapture, assert_no_secret, exception_texts, planted

APP_TOKEN = planted("redirect-app-token")
BEARER = planted("redirect-bearer")
URL_TOKEN = planted("redirect-url-token")  # a download-style token in the redirect's query
ORDER = {"id": "ord_1", "source_id": "s-1", "object": "order", "status": "PAID", "amount": 1}
CREDENTIAL_HEADERS = ("x-app-token", "x-app-id", "authorization")


# ---------------------------------------------------------------------------- TLS


def _ssl_context(vf: Voucherify | AsyncVoucherify) -> ssl.SSLContext:
    inner = vf._inner  # the real httpx transport the client built
    assert isinstance(inner, httpx.HTTPTransport | httpx.AsyncHTTPTransport)
    context = inner._pool._ssl_context
    assert isinstance(context, ssl.SSLContext)
    return context


@pytest.mark.parametrize("cls", [Voucherify, AsyncVoucherify])
@pytest.mark.parametrize(
    "where", [{"cluster": "eu"}, {"cluster": "us1"}, {"base_url": "https://acme.api.voucherify.io"}]
)
def test_tls_verification_is_on_by_default(cls: type[Any], where: dict[str, str]) -> None:
    vf = cls(app_id="a", app_token="t", **where)
    context = _ssl_context(vf)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert vf.base_url.startswith("https://")


def test_tls_verification_is_off_only_when_asked() -> None:
    context = _ssl_context(Voucherify(app_id="a", app_token="t", verify=False))
    assert context.verify_mode == ssl.CERT_NONE
    assert context.check_hostname is False
    # a caller's own context is used as it is
    own = ssl.create_default_context()
    assert _ssl_context(Voucherify(app_id="a", app_token="t", verify=own)) is own


def test_tls_is_not_switched_off_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PYTHONHTTPSVERIFY", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE"):
        monkeypatch.setenv(name, "0" if name == "PYTHONHTTPSVERIFY" else "")
    context = _ssl_context(Voucherify(app_id="a", app_token="t"))
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


@pytest.mark.parametrize(
    "url", ["http://api.voucherify.io", "http://10.0.0.5:8080", "http://proxy.internal/api"]
)
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="allow_insecure_http=True") as info:
        Voucherify(app_id="a", app_token=APP_TOKEN, base_url=url)
    assert_no_secret(exception_texts(info.value), [APP_TOKEN])
    # only an explicit opt-in allows it
    assert Voucherify(app_id="a", app_token="t", base_url=url, allow_insecure_http=True).base_url.startswith(
        "http://"
    )


def test_plain_http_to_loopback_is_allowed() -> None:
    for url in ("http://127.0.0.1:8080", "http://localhost:9000", "http://[::1]:8000"):
        assert Voucherify(app_id="a", app_token="t", base_url=url).base_url.startswith("http://")


# ---------------------------------------------------------------------------- redirects, real sockets


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every request with ``self.server.reply`` and records its headers."""

    def _answer(self) -> None:
        server: Any = self.server
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        server.seen.append({k.lower(): v for k, v in self.headers.items()})
        status, headers, body = server.reply(self.path)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, format: str, *args: Any) -> None:
        return None


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, reply: Any) -> None:
        super().__init__((host, 0), _Recorder)
        self.seen: list[dict[str, str]] = []
        self.reply = reply

    @property
    def origin(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}"


@pytest.fixture
def servers() -> Iterator[tuple[_Server, _Server]]:
    """An "API" on one loopback origin that redirects to an "other host" on another."""
    other = _Server(
        "127.0.0.1", lambda path: (200, {"Content-Type": "application/json"}, json.dumps(ORDER).encode())
    )

    def api_reply(path: str) -> tuple[int, dict[str, str], bytes]:
        status = 307 if "post" in path else 302
        return status, {"Location": f"{other.origin}/landing{path}?token={URL_TOKEN}"}, b""

    api = _Server("127.0.0.1", api_reply)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (api, other)]
    for t in threads:
        t.start()
    yield api, other
    for s in (api, other):
        s.shutdown()
        s.server_close()


def _no_credentials(seen: list[dict[str, str]]) -> None:
    assert seen, "the other host was never reached"
    for headers in seen:
        for name in CREDENTIAL_HEADERS:
            assert name not in headers, f"{name} forwarded to another host"
        assert APP_TOKEN not in json.dumps(headers)
        assert BEARER not in json.dumps(headers)


@pytest.mark.parametrize("credentials", ["app_keys", "access_token"])
def test_redirect_to_another_host_carries_no_credentials(
    servers: tuple[_Server, _Server], logs: RootCapture, credentials: str
) -> None:
    api, other = servers
    auth: dict[str, Any] = (
        {"app_id": "app", "app_token": APP_TOKEN} if credentials == "app_keys" else {"access_token": BEARER}
    )
    texts: list[str] = []
    with Voucherify(base_url=api.origin, **auth) as vf:
        vf.orders.get("s-1")  # GET, 302 → the other host answers
        try:
            vf.orders.update("s-1", {"status": "PAID"})  # PUT, 302
        except VoucherifyError as exc:
            texts += exception_texts(exc)
        vf.http.post("/post-here", json={"a": 1})  # POST, 307 keeps method and body
        texts += [repr(vf), repr(vf.client), repr(vf.http)]
    # the API host did get them
    assert api.seen and all(
        ("x-app-token" in h) if credentials == "app_keys" else ("authorization" in h) for h in api.seen
    )
    _no_credentials(other.seen)
    assert len(other.seen) >= 2
    assert any("token=[REDACTED]" in line for line in logs.lines), "the redirect URL was not logged"
    assert_no_secret(texts + logs.lines, [APP_TOKEN, BEARER, URL_TOKEN])


async def test_async_redirect_to_another_host_carries_no_credentials(
    servers: tuple[_Server, _Server], logs: RootCapture
) -> None:
    api, other = servers
    async with AsyncVoucherify(app_id="app", app_token=APP_TOKEN, base_url=api.origin) as vf:
        await vf.orders.get("s-1")
    _no_credentials(other.seen)
    assert_no_secret(logs.lines, [APP_TOKEN, URL_TOKEN])


def test_redirect_to_another_port_of_the_same_host_is_another_origin(logs: RootCapture) -> None:
    other = _Server(
        "127.0.0.1", lambda p: (200, {"Content-Type": "application/json"}, json.dumps(ORDER).encode())
    )
    api = _Server("127.0.0.1", lambda p: (301, {"Location": f"{other.origin}{p}"}, b""))
    for s in (api, other):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    try:
        with Voucherify(app_id="app", app_token=APP_TOKEN, base_url=api.origin) as vf:
            vf.orders.get("s-1")
        _no_credentials(other.seen)
    finally:
        for s in (api, other):
            s.shutdown()
            s.server_close()


# ---------------------------------------------------------------------------- redirects, respx


def _respx_client(router: respx.MockRouter, **kw: Any) -> Voucherify:
    kw.setdefault("app_id", "app")
    kw.setdefault("app_token", APP_TOKEN)
    return Voucherify(http_transport=httpx.MockTransport(router.handler), **kw)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/x",  # another host
        "http://api.voucherify.io/v1/orders/s-1",  # same host, downgraded to plain HTTP
        "https://api.voucherify.io:8443/v1/orders/s-1",  # same host, another port
        "https://api.voucherify.io.evil.example/x",  # a look-alike suffix
    ],
)
def test_redirect_to_another_origin_carries_no_credentials(target: str, logs: RootCapture) -> None:
    router = respx.MockRouter(assert_all_called=False)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if str(request.url) == "https://api.voucherify.io/v1/orders/s-1":
            return httpx.Response(302, headers={"Location": target})
        return httpx.Response(200, json=ORDER)

    router.route().mock(side_effect=handler)
    with _respx_client(router) as vf:
        vf.orders.get("s-1")
    assert len(seen) == 2
    assert seen[0].headers["x-app-token"] == APP_TOKEN
    for name in CREDENTIAL_HEADERS:
        assert name not in seen[1].headers
    assert_no_secret(logs.lines, [APP_TOKEN])


def test_redirect_to_the_regional_download_host_keeps_credentials() -> None:
    """The one other host credentials go to is the API host's own download host."""
    router = respx.MockRouter(assert_all_called=False)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "us1.api.voucherify.io":
            return httpx.Response(
                302, headers={"Location": "https://us1.download.voucherify.io/v1/orders/s-1"}
            )
        return httpx.Response(200, json=ORDER)

    router.route().mock(side_effect=handler)
    with _respx_client(router, cluster="us1") as vf:
        vf.orders.get("s-1")
    assert [r.url.host for r in seen] == ["us1.api.voucherify.io", "us1.download.voucherify.io"]
    assert seen[1].headers["x-app-token"] == APP_TOKEN
    # but not the download host of another region
    seen.clear()
    router2 = respx.MockRouter(assert_all_called=False)

    def handler2(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "us1.api.voucherify.io":
            return httpx.Response(302, headers={"Location": "https://download.voucherify.io/v1/orders/s-1"})
        return httpx.Response(200, json=ORDER)

    router2.route().mock(side_effect=handler2)
    with _respx_client(router2, cluster="us1") as vf:
        vf.orders.get("s-1")
    assert "x-app-token" not in seen[1].headers


def test_caller_set_credential_headers_are_not_forwarded_either() -> None:
    """Headers a caller sets on vf.http by hand are managed by the transport: never sent to
    another host."""
    router = respx.MockRouter(assert_all_called=False)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "api.voucherify.io":
            return httpx.Response(307, headers={"Location": "https://evil.example/x"})
        return httpx.Response(200, json=ORDER)

    router.route().mock(side_effect=handler)
    with _respx_client(router) as vf:
        vf.http.get("/v1/orders/s-1", headers={"Authorization": f"Bearer {BEARER}", "X-App-Token": APP_TOKEN})
    assert seen[1].url.host == "evil.example"
    for name in CREDENTIAL_HEADERS:
        assert name not in seen[1].headers


# ---------------------------------------------------------------------------- default headers


HEADER_VALUE = planted("default-header")


@pytest.mark.parametrize("cls", [Voucherify, AsyncVoucherify])
async def test_default_headers_do_not_follow_a_redirect_to_another_host(
    servers: tuple[_Server, _Server], logs: RootCapture, cls: type[Any]
) -> None:
    """Over real sockets: the API host receives the default headers; the host it redirects to
    (GET 302, PUT 302, POST 307) receives none of them; no log line at DEBUG holds a value."""
    api, other = servers
    headers = {"X-Voucherify-Channel": "web", "X-Gateway-Key": HEADER_VALUE}
    vf = cls(app_id="app", app_token=APP_TOKEN, base_url=api.origin, default_headers=headers)
    variant = vf.with_options(default_headers={"X-Voucherify-Channel": "pos"})
    calls = [
        lambda: vf.orders.get("s-1"),
        lambda: variant.orders.get("s-1"),
        lambda: vf.http.post("/post-here", json={"a": 1}),
    ]
    for call in calls:
        result = call()
        if cls is AsyncVoucherify:
            await result
    if cls is AsyncVoucherify:
        await vf.close()
    else:
        vf.close()
    assert len(api.seen) == len(other.seen) == 3
    assert [h.get("x-voucherify-channel") for h in api.seen] == ["web", "pos", "web"]
    assert all(h.get("x-gateway-key") == HEADER_VALUE for h in api.seen)
    for received in other.seen:
        assert "x-voucherify-channel" not in received and "x-gateway-key" not in received
        assert HEADER_VALUE not in json.dumps(received)
    _no_credentials(other.seen)
    assert logs.lines, "nothing was logged"
    assert_no_secret([*logs.lines, repr(vf), repr(variant)], [HEADER_VALUE, APP_TOKEN])
