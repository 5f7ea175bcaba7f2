"""``default_headers`` (issue 16, point 4): accepted headers reach the API and the export download
host exactly, on every request, and change nothing on a request to any other host (a foreign
URL, a redirect); refused ones raise ``ConfigurationError`` naming the header; ``with_options``
merges over the client's own without changing it.

The API is the loopback sandbox, through a real ``httpx.HTTPTransport`` wrapped to record each
request as it goes on the wire; the foreign host is a second loopback server that records what
it receives. A regional download host (``us1.download.voucherify.io``) and redirects to it or
elsewhere need names the sandbox cannot have: those run on ``httpx.MockTransport``.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voucherify_ext import AsyncVoucherify, ConfigurationError, Voucherify
from voucherify_ext.exports import acreate_export, create_export
from voucherify_ext.polling import PollSchedule
from voucherify_ext.sandbox import Sandbox

FAST_POLL = PollSchedule(0.01, 1.5, 0.05)
#: what the client manages itself (the issue's list), and what frames a message or connection
MANAGED = ("user-agent", "x-voucherify-api-version", "x-app-id", "x-app-token", "authorization")
FRAMING = (
    "host",
    "content-length",
    "content-type",
    "content-encoding",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "te",
    "trailer",
    "upgrade",
)
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
VISIBLE = re.compile(r"[\x21-\x7e]([\x21-\x7e \t]*[\x21-\x7e])?|")
#: a client that is built but sends nothing needs no TLS context
NOWHERE = httpx.MockTransport(lambda request: httpx.Response(500))
ORDER = {"id": "ord_1", "source_id": "s-1", "object": "order", "status": "PAID", "amount": 1}


# -- what the test expects, written here independently of the client -------------------------------


def refusal(headers: dict[Any, Any]) -> str | None:
    """What the first refused entry's error must name (None: all accepted)."""
    seen: set[str] = set()
    for name, value in headers.items():
        if not isinstance(name, str):
            return type(name).__name__
        if not TOKEN.fullmatch(name):
            return repr(name)
        if name.lower() in MANAGED or name.lower() in FRAMING or name.lower() in seen:
            return name
        seen.add(name.lower())
        if value is not None and (not isinstance(value, str) or not VISIBLE.fullmatch(value)):
            return name
    return None


def merged(base: dict[str, str], changes: dict[str, str | None]) -> dict[str, str]:
    """``changes`` over ``base``, names ignoring case, ``None`` removing."""
    out = {k: v for k, v in base.items() if k.lower() not in {c.lower() for c in changes}}
    out.update({k: v for k, v in changes.items() if v is not None})
    return out


def any_case(name: str) -> st.SearchStrategy[str]:
    return st.tuples(*[st.sampled_from(sorted({c.lower(), c.upper()})) for c in name]).map("".join)


NAMES = st.one_of(
    st.from_regex(r"\AX-[A-Za-z0-9-]{1,12}\Z"),
    st.from_regex(TOKEN.pattern, fullmatch=True).filter(lambda n: len(n) < 20),
    st.sampled_from(MANAGED).flatmap(any_case),
    st.sampled_from(FRAMING).flatmap(any_case),
    st.sampled_from(["Accept", "accept-encoding", "Cookie", "X-Voucherify-Channel"]),
    st.text(st.sampled_from("Xab-: \r\n\t\x00é/"), min_size=1, max_size=8),  # mostly not tokens
)
VALUES = st.one_of(
    st.from_regex(r"\A[\x21-\x7e]([\x21-\x7e \t]{0,20}[\x21-\x7e])?\Z"),
    st.just(""),
    st.text(st.sampled_from("ab \t\r\n\x00\x7fé"), max_size=6),  # CR, LF, controls, non-ASCII, edges
    st.sampled_from([None, 7, b"bytes"]),
)
HEADERS = st.dictionaries(NAMES, VALUES, max_size=4)
GOOD_NAMES = st.one_of(
    st.from_regex(r"\AX-[A-Za-z0-9-]{1,12}\Z"),
    st.from_regex(TOKEN.pattern, fullmatch=True).filter(
        lambda n: len(n) < 20 and n.lower() not in MANAGED + FRAMING
    ),
    st.sampled_from(["Accept", "accept-encoding", "Cookie", "X-Voucherify-Channel"]).flatmap(any_case),
)
GOOD_VALUES = st.one_of(
    st.from_regex(r"\A[\x21-\x7e]([\x21-\x7e \t]{0,20}[\x21-\x7e])?\Z"), st.just(""), st.none()
)
#: accepted: each name once, whatever its case
ACCEPTED = st.dictionaries(GOOD_NAMES, GOOD_VALUES, max_size=4).filter(
    lambda h: len({name.lower() for name in h}) == len(h)
)


# -- the recorders -----------------------------------------------------------------------------------


class Recording(httpx.BaseTransport):
    """A real transport that keeps each request it sends: what the client put on the wire."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class AsyncRecording(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        server: Any = self.server
        server.seen.append([(k.lower(), v) for k, v in self.headers.items()])
        body = json.dumps(ORDER).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


class Foreign(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[list[tuple[str, str]]] = []

    @property
    def origin(self) -> str:
        return f"http://localhost:{self.server_address[1]}"  # another host name than the sandbox's


@pytest.fixture(scope="module")
def foreign() -> Iterator[Foreign]:
    server = Foreign()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def pairs(request: httpx.Request) -> list[tuple[str, str]]:
    return [(k.decode().lower(), v.decode()) for k, v in request.headers.raw]


def with_defaults(
    baseline: tuple[tuple[str, str], ...], headers: dict[str, str]
) -> tuple[tuple[str, str], ...]:
    """A request's headers as the same request without default headers had them, with
    ``headers`` replacing any of the same name: what must be sent to the API."""
    names = {name.lower() for name in headers}
    kept = [(k, v) for k, v in baseline if k not in names]
    return tuple(sorted(kept + [(k.lower(), v) for k, v in headers.items()]))


def without_volatile(headers: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in headers if k not in ("host", "content-length")))


def kinds(requests: list[httpx.Request]) -> dict[tuple[str, str], set[tuple[tuple[str, str], ...]]]:
    """The header sets sent per kind of request (method, path without ids, download or not)."""
    out: dict[tuple[str, str], set[tuple[tuple[str, str], ...]]] = {}
    for request in requests:
        path = re.sub(r"/(exp|ord|aa)_[^/]+|/h-\d+", "/ID", request.url.path)
        kind = (request.method, path + ("?token" if request.url.params.get("token") else ""))
        out.setdefault(kind, set()).add(without_volatile(pairs(request)))
    return out


# -- the sandbox run -----------------------------------------------------------------------------


def run(sb: Sandbox, foreign: Foreign, key: str, **options: Any) -> tuple[list[httpx.Request], list[Any]]:
    """The same calls with the given options: an upsert, a read, a page, an export created,
    waited for and downloaded, and a GET to the foreign host. Returns the requests to the
    sandbox and what the foreign host received."""
    recording = Recording()
    foreign.seen.clear()
    with Voucherify(
        app_id=sb.app_id, app_token=sb.app_token, base_url=sb.url, http_transport=recording, **options
    ) as vf:
        vf.orders.create({"source_id": key, "amount": 100})
        vf.orders.get(key)
        vf.orders.list(limit=1)
        handle = create_export(vf.client, schedule=FAST_POLL)
        assert list(handle.iter_rows())
        vf.http.get(f"{foreign.origin}/landing")
    ours = [r for r in recording.sent if r.url.host == "127.0.0.1"]
    return ours, list(foreign.seen)


_BASELINES: dict[str, tuple[list[httpx.Request], list[Any]]] = {}


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(headers=ACCEPTED, n=st.integers(0, 10**9))
def test_accepted_headers_reach_the_api_and_downloads_exactly_and_no_other_host(
    sandbox_session: Sandbox, foreign: Foreign, headers: dict[str, Any], n: int
) -> None:
    assert refusal(headers) is None
    sb = sandbox_session
    # the same calls without default headers, once per sandbox: what each kind of request
    # carries does not depend on the key (kinds() puts ids and keys out of the path)
    if sb.url not in _BASELINES:
        _BASELINES[sb.url] = run(sb, foreign, "h-0")
    baseline, foreign_baseline = _BASELINES[sb.url]
    sent, foreign_seen = run(sb, foreign, f"h-{n}", default_headers=headers)
    given_ = {k: v for k, v in headers.items() if v is not None}
    assert any(r.url.params.get("token") for r in sent)  # the export download
    # each kind of request (polls may differ in number) carries what it carried without
    # default headers, with those replacing any of their names
    assert kinds(sent) == {
        kind: {with_defaults(h, given_) for h in hs} for kind, hs in kinds(baseline).items()
    }
    for request in sent:
        for name, value in given_.items():
            assert request.headers.get_list(name) == [value]  # once, exactly
        assert request.headers["user-agent"].startswith("voucherify-orders/")
        assert request.headers["x-app-token"] == sb.app_token
    # the foreign host received what it receives from a client without default headers
    assert len(foreign_seen) == len(foreign_baseline) == 1
    assert without_volatile(foreign_seen[0]) == without_volatile(foreign_baseline[0])


@settings(max_examples=100)
@given(headers=HEADERS.filter(lambda h: refusal(h) is not None))
def test_refused_headers_raise_a_configuration_error_naming_the_header(headers: dict[Any, Any]) -> None:
    named = refusal(headers)
    assert named is not None
    with pytest.raises(ConfigurationError) as info:
        Voucherify(app_id="a", app_token="t", default_headers=headers)
    assert named in str(info.value)
    assert "default_headers" in str(info.value)
    with pytest.raises(ConfigurationError) as info:
        AsyncVoucherify(app_id="a", app_token="t", default_headers=headers)
    assert named in str(info.value)
    parent = Voucherify(app_id="a", app_token="t", default_headers={"X-Kept": "1"}, http_transport=NOWHERE)
    with pytest.raises(ConfigurationError) as info:
        parent.with_options(default_headers=headers)
    assert named in str(info.value)
    assert parent.default_headers == {"X-Kept": "1"}


@settings(max_examples=100)
@given(base=ACCEPTED, changes=ACCEPTED)
def test_with_options_merges_over_the_parent_and_leaves_it_alone(
    base: dict[str, str | None], changes: dict[str, str | None]
) -> None:
    assert refusal(base) is None and refusal(changes) is None
    parent = Voucherify(app_id="a", app_token="t", default_headers=base, http_transport=NOWHERE)
    own = {k: v for k, v in base.items() if v is not None}
    child = parent.with_options(default_headers=changes)
    assert child.default_headers == merged(own, changes)
    assert parent.default_headers == own
    assert parent.with_options(max_retries=0).default_headers == own  # other options keep them


# -- a regional download host and redirects (names only a mock can have) ----------------------------


def _regional(headers: dict[str, str], seen: list[httpx.Request]) -> Voucherify:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "us1.api.voucherify.io" and request.url.path == "/v1/orders/to-download":
            return httpx.Response(302, headers={"Location": "https://us1.download.voucherify.io/v1/orders/x"})
        if request.url.host == "us1.api.voucherify.io" and request.url.path == "/v1/orders/to-evil":
            return httpx.Response(307, headers={"Location": "https://evil.example/x"})
        return httpx.Response(200, json=ORDER)

    return Voucherify(
        app_id="app", app_token="tok", cluster="us1", default_headers=headers,
        http_transport=httpx.MockTransport(handler),
    )  # fmt: skip


@settings(max_examples=50)
@given(headers=ACCEPTED)
def test_redirects_carry_them_to_the_download_host_only(headers: dict[str, str | None]) -> None:
    given_ = {k: v for k, v in headers.items() if v is not None}
    seen: list[httpx.Request] = []
    baseline: list[httpx.Request] = []
    for client, log in ((_regional(given_, seen), seen), (_regional({}, baseline), baseline)):
        with client as vf:
            vf.orders.get("to-download")
            vf.orders.get("to-evil")
            vf.http.get("https://download.voucherify.io/v1/x")  # another region's download host
            vf.http.get("https://us1.api.voucherify.io.evil.example/x")  # a look-alike
        assert [r.url.host for r in log] == [
            "us1.api.voucherify.io",
            "us1.download.voucherify.io",
            "us1.api.voucherify.io",
            "evil.example",
            "download.voucherify.io",
            "us1.api.voucherify.io.evil.example",
        ]
    for request, before in zip(seen, baseline, strict=True):
        if request.url.host in ("us1.api.voucherify.io", "us1.download.voucherify.io"):
            assert tuple(sorted(pairs(request))) == with_defaults(tuple(pairs(before)), given_)
        else:
            assert pairs(request) == pairs(before)


# -- with_options against the sandbox ----------------------------------------------------------------


def test_variants_send_their_own_headers_and_the_parent_keeps_its(sandbox: Sandbox) -> None:
    recording = Recording()
    with Voucherify(
        app_id=sandbox.app_id,
        app_token=sandbox.app_token,
        base_url=sandbox.url,
        http_transport=recording,
        default_headers={"X-Voucherify-Channel": "web", "X-Team": "checkout"},
    ) as vf:
        pos = vf.with_options(default_headers={"x-voucherify-channel": "pos", "X-Team": None})
        till = pos.with_options(default_headers={"X-Till": "7"}, max_retries=0)
        vf.orders.create({"source_id": "w-1", "amount": 1})
        pos.orders.get("w-1")
        till.orders.get("w-1")
        vf.orders.get("w-1")
    web, pos_get, till_get, web_again = recording.sent
    for request in (web, web_again):
        assert request.headers.get_list("x-voucherify-channel") == ["web"]
        assert request.headers["x-team"] == "checkout"
        assert "x-till" not in request.headers
    assert pos_get.headers.get_list("x-voucherify-channel") == ["pos"]
    assert ("x-voucherify-channel", "pos") in [(k.decode(), v.decode()) for k, v in pos_get.headers.raw]
    assert "x-team" not in pos_get.headers
    assert till_get.headers.get_list("x-voucherify-channel") == ["pos"]
    assert till_get.headers["x-till"] == "7"
    assert "x-team" not in till_get.headers


def test_a_header_passed_for_one_call_wins(sandbox: Sandbox) -> None:
    recording = Recording()
    with Voucherify(
        app_id=sandbox.app_id,
        app_token=sandbox.app_token,
        base_url=sandbox.url,
        http_transport=recording,
        default_headers={"X-Voucherify-Channel": "web", "Accept": "application/json"},
    ) as vf:
        vf.http.get("/v1/orders", headers={"x-voucherify-channel": "manual"})
        vf.http.get("/v1/orders")
        vf.client.get_httpx_client().headers["X-Voucherify-Channel"] = "client-level"
        vf.http.get("/v1/orders")
    manual, plain, client_level = recording.sent
    assert manual.headers.get_list("x-voucherify-channel") == ["manual"]
    assert manual.headers.get_list("accept") == ["application/json"]  # replaces httpx's */*
    assert plain.headers.get_list("x-voucherify-channel") == ["web"]
    assert client_level.headers.get_list("x-voucherify-channel") == ["web"]


async def test_async_client_sends_them_to_the_api_and_downloads(sandbox: Sandbox, foreign: Foreign) -> None:
    recording = AsyncRecording()
    foreign.seen.clear()
    async with AsyncVoucherify(
        app_id=sandbox.app_id,
        app_token=sandbox.app_token,
        base_url=sandbox.url,
        http_transport=recording,
        default_headers={"X-Voucherify-Channel": "web"},
    ) as vf:
        await vf.orders.create({"source_id": "a-1", "amount": 1})
        handle = await acreate_export(vf.client, schedule=FAST_POLL)
        rows = [row async for row in handle.iter_rows()]
        await vf.with_options(default_headers={"X-Voucherify-Channel": "pos"}).orders.get("a-1")
        await vf.http.get(f"{foreign.origin}/landing")
        assert vf.default_headers == {"X-Voucherify-Channel": "web"}
    assert rows
    ours = [r for r in recording.sent if r.url.host == "127.0.0.1"]
    download = [r for r in ours if r.url.params.get("token")]
    assert download
    assert all(r.headers.get_list("x-voucherify-channel") == ["web"] for r in ours[:-1])
    assert ours[-1].headers.get_list("x-voucherify-channel") == ["pos"]
    assert len(foreign.seen) == 1
    assert "x-voucherify-channel" not in dict(foreign.seen[0])


def test_values_stay_out_of_reprs(sandbox: Sandbox) -> None:
    secret = "PLANTED-header-value-4d1f"
    with Voucherify(
        app_id=sandbox.app_id,
        app_token=sandbox.app_token,
        base_url=sandbox.url,
        default_headers={"X-Api-Key-Of-A-Gateway": secret},
    ) as vf:
        texts = [repr(vf), repr(vf._shared.config), repr(vf.with_options(max_retries=1)), repr(vf.http)]
    assert all(secret not in text for text in texts)
    assert "X-Api-Key-Of-A-Gateway" in repr(vf._shared.config)
    with pytest.raises(ConfigurationError) as info:
        Voucherify(app_id="a", app_token="t", default_headers={"X-Key": secret + "\n"})
    assert secret not in str(info.value)
