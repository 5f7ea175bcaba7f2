"""Secrets held in frames and exception chains. Error trackers (Sentry) and rich tracebacks
capture the ``repr`` of every local of every frame of an error's traceback, and follow
``__cause__``/``__context__`` (``raise ... from None`` inside an ``except`` block still sets
``__context__``). So every failure below is walked whole: each exception of the chain, its
attributes, every local of every frame (``tb_next`` chain), and rich's
``Traceback(show_locals=True)`` rendering, looking for the planted app token, the bearer tokens
the sandbox issued and the export download tokens, and for any 12-character piece of them (a
body cut in half keeps half a token)."""

from __future__ import annotations

import json
import string
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voucherify_ext import (
    APIConnectionError,
    APIResponseError,
    AsyncVoucherify,
    AuthenticationError,
    Voucherify,
    VoucherifyError,
)
from voucherify_ext.auth import AppKeys, OAuthTokenProvider, StaticToken
from voucherify_ext.config import resolve_config
from voucherify_ext.http.oauth import store_token
from voucherify_ext.sandbox import Sandbox, serve

from .conftest import exception_texts, frame_texts, planted, rich_texts

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


def _pieces(secret: str, size: int = 12) -> set[str]:
    return {secret[i : i + size] for i in range(max(1, len(secret) - size + 1))}


def assert_nothing_kept(exc: BaseException, secrets: list[str]) -> None:
    texts = frame_texts(exc) + rich_texts(exc) + exception_texts(exc)
    pieces = {p for s in secrets if s for p in _pieces(s)}
    assert pieces
    for text in texts:
        for piece in pieces:
            if piece in text:
                at = text.index(piece)
                raise AssertionError(f"a secret is kept here: {text[max(0, at - 300) : at]!r}<SECRET>")


def _export_token(url: str | None) -> str:
    assert url is not None
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["token"][0]


def _caught(fn: Callable[[], Any]) -> VoucherifyError:
    try:
        fn()
    except VoucherifyError as exc:
        return exc
    pytest.fail("no error")


def _client(sb: Sandbox, **options: Any) -> Voucherify:
    return Voucherify(
        app_id=sb.app_id, app_token=APP_TOKEN, base_url=sb.url, sleep=lambda s: None, max_retries=0, **options
    )


def test_credential_header_pairs_repr_redacted() -> None:
    secret = planted("header")
    for raw in (
        AppKeys("app", secret).raw_headers(),
        StaticToken(secret).raw_headers(),
        OAuthTokenProvider(AppKeys("app", secret), ["api"]).keys.raw_headers(),
    ):
        assert secret not in repr(raw) and secret not in repr(list(raw))
        assert secret.encode() in b"".join(v for _, v in raw)  # what is sent is unchanged
    provider = OAuthTokenProvider(AppKeys("app", "k"), ["api"])
    grant = provider.store(secret, 900)
    assert secret not in repr(provider.raw_headers_of(grant)) and secret not in repr(grant)


def test_app_keys_401_and_dropped_connection(sb: Sandbox) -> None:
    with Voucherify(app_id="someone-else", app_token=APP_TOKEN, base_url=sb.url) as wrong:
        error = _caught(lambda: wrong.orders.get("x"))
        assert isinstance(error, AuthenticationError)
        assert_nothing_kept(error, [APP_TOKEN])
    with _client(sb) as vf:
        for kind in ("drop_before", "truncate"):
            sb.inject(kind, method="GET", path="/v1/orders/x", times=3)
            error = _caught(lambda: vf.orders.get("x"))
            assert_nothing_kept(error, [APP_TOKEN])
            sb.clear_faults()


def test_bearer_401_and_dropped_connection(sb: Sandbox) -> None:
    with _client(sb, oauth_scopes=["api"]) as vf:
        vf.orders.create({"source_id": "b-1", "amount": 1})
        bearers = sb.oauth_tokens()
        sb.inject("drop_before", method="GET", path="/v1/orders/b-1", times=3)
        error = _caught(lambda: vf.orders.get("b-1"))
        assert isinstance(error, APIConnectionError)
        assert_nothing_kept(error, [APP_TOKEN, *bearers])
        sb.clear_faults()
        sb.expire_tokens()  # the next request answers 401; the refresh is refused too
        sb.inject("status", method="POST", path="/v1/oauth/token", times=3, status=401)
        error = _caught(lambda: vf.orders.get("b-1"))
        assert_nothing_kept(error, [APP_TOKEN, *bearers])


@pytest.mark.parametrize("kind", ["invalid_json", "truncate"])
def test_cut_off_oauth_token_response(sb: Sandbox, kind: str) -> None:
    """The reported finding: a token response cut in half raised an error whose hidden
    ``__context__`` (a JSONDecodeError) kept the bearer token in ``.doc``."""
    sb.inject(kind, method="POST", path="/v1/oauth/token", times=3)
    with _client(sb, oauth_scopes=["api"]) as vf:
        error = _caught(lambda: vf.orders.get("x"))
    issued = sb.oauth_tokens()
    assert issued, "the sandbox issued the token whose response was cut"
    assert isinstance(error, APIResponseError)
    assert error.__context__ is None and error.__cause__ is None
    assert_nothing_kept(error, [APP_TOKEN, *issued])


def test_export_download_refused_dropped_and_broken_off(sb: Sandbox, tmp_path: Path) -> None:
    with _client(sb, oauth_scopes=["api"]) as vf:
        vf.orders.create({"source_id": "e-1", "amount": 1})
        handle = vf.orders.export(fields=["id"])
        secrets = [APP_TOKEN, _export_token(handle.url), *sb.oauth_tokens()]
        # an export read whose body is not JSON (half of it: the URL may be in it)
        sb.inject("invalid_json", method="GET", path=f"/v1/exports/{handle.id}", times=1)
        error = _caught(handle.refresh)
        assert error.__context__ is None
        assert_nothing_kept(error, secrets)
        # a download whose connection drops every time; one broken off while rows are read
        path = f"/v1/exports/{handle.id}"
        sb.inject("drop_before", method="GET", path=path, query={"token": secrets[1]}, times=9)
        assert_nothing_kept(_caught(lambda: handle.download(tmp_path / "a.csv")), secrets)
        sb.clear_faults()
        sb.inject("truncate", method="GET", path=path, query={"token": secrets[1]}, times=9)
        error = _caught(lambda: list(handle.iter_rows()))
        assert isinstance(error, APIConnectionError) and error.__context__ is None
        assert_nothing_kept(error, secrets)
        sb.clear_faults()
        # refused, and the fresh URL refused too (a rotated token alone is refreshed away)
        sb.inject("status", status=401, method="GET", path=path, query={"token": secrets[1]}, times=9)
        for attempt in (lambda: handle.download(tmp_path / "b.csv"), lambda: list(handle.iter_rows())):
            error = _caught(attempt)
            assert isinstance(error, AuthenticationError)
            assert_nothing_kept(error, secrets)


async def test_async_paths_keep_nothing(sb: Sandbox, tmp_path: Path) -> None:
    async def no_sleep(seconds: float) -> None:
        return None

    async def caught(coro: Any) -> VoucherifyError:
        try:
            await coro
        except VoucherifyError as exc:
            return exc
        pytest.fail("no error")

    async def rows(handle: Any) -> list[Any]:
        return [row async for row in handle.iter_rows()]

    sb.inject("invalid_json", method="POST", path="/v1/oauth/token", times=1)
    async with AsyncVoucherify(
        app_id=sb.app_id,
        app_token=APP_TOKEN,
        base_url=sb.url,
        sleep=no_sleep,
        max_retries=0,
        oauth_scopes=["api"],
    ) as avf:
        error = await caught(avf.orders.get("x"))
        assert_nothing_kept(error, [APP_TOKEN, *sb.oauth_tokens()])
        await avf.orders.create({"source_id": "a-1", "amount": 1})
        sb.inject("drop_before", method="GET", path="/v1/orders/a-1", times=3)
        assert_nothing_kept(await caught(avf.orders.get("a-1")), [APP_TOKEN, *sb.oauth_tokens()])
        handle = await avf.orders.export(fields=["id"])
        secrets = [APP_TOKEN, _export_token(handle.url), *sb.oauth_tokens()]
        sb.inject(
            "truncate", method="GET", path=f"/v1/exports/{handle.id}", query={"token": secrets[1]}, times=9
        )
        assert_nothing_kept(await caught(rows(handle)), secrets)
        sb.clear_faults()
        path = f"/v1/exports/{handle.id}"
        sb.inject("status", status=401, method="GET", path=path, query={"token": secrets[1]}, times=9)
        assert_nothing_kept(await caught(handle.download(tmp_path / "a.csv")), secrets)
        assert_nothing_kept(await caught(rows(handle)), secrets)


@settings(max_examples=300, deadline=None)
@given(
    token=st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=24, max_size=64),
    cut=st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
    extra=st.dictionaries(
        st.sampled_from(["client_id", "scope", "expires_at", "x"]), st.integers(), max_size=3
    ),
)
def test_a_token_response_cut_anywhere_leaves_no_piece_of_the_token(
    token: str, cut: float, extra: dict[str, int]
) -> None:
    """Wherever the body of a token response ends (a proxy, a dropped connection after a
    complete-looking body), the error holds no 12-character piece of the token."""
    config = resolve_config(
        app_id="app", app_token="key", oauth_scopes=["api"], base_url="http://127.0.0.1:9"
    )
    provider = config.credentials
    assert isinstance(provider, OAuthTokenProvider)
    body = json.dumps({"access_token": token, "token_type": "Bearer", "expires_in": 900, **extra}).encode()
    error = _store(provider, httpx.Response(200, content=body[: int(len(body) * cut)]))
    if error is not None:
        assert error.__context__ is None and error.__cause__ is None
        texts = frame_texts(error) + exception_texts(error)
        pieces = _pieces(token)
        assert not [t for t in texts for p in pieces if p in t]
    else:  # only a complete body parses
        grant = provider.current()
        assert grant is not None and grant.reveal() == token


def _store(provider: OAuthTokenProvider, response: httpx.Response) -> VoucherifyError | None:
    """The error of storing ``response`` (caught here: the test's own frame, which holds the
    token it made, is not on the traceback)."""
    try:
        store_token(provider, response)
    except VoucherifyError as exc:
        return exc
    return None


CONSTRUCTOR_TOKEN = planted("constructor-token")


@pytest.mark.parametrize(
    "settings",
    [
        {"base_url": "ftp://api.example.com"},
        {"cluster": "mars"},
        {"base_url": "http://api.example.com"},
        {"rate_limit": "many"},
        {"oauth_scopes": []},
    ],
    ids=["scheme", "cluster", "insecure-http", "rate-limit", "scopes"],
)
@pytest.mark.parametrize("cls", [Voucherify, AsyncVoucherify])
def test_a_client_refused_at_construction_keeps_no_credential_in_its_frames(
    cls: type[Voucherify] | type[AsyncVoucherify], settings: dict[str, Any]
) -> None:
    # the token is a module global: the test's own frame (a local) is not what is checked
    with pytest.raises(VoucherifyError) as caught:
        cls(app_id="app", app_token=CONSTRUCTOR_TOKEN, **settings)
    texts = frame_texts(caught.value) + exception_texts(caught.value) + rich_texts(caught.value)
    assert not [t for t in texts if CONSTRUCTOR_TOKEN in t]
