"""Finding 9: secrets the client knows are redacted by value, whatever a server echoes, and the
base URL's password never shows. The server here is an httpx MockTransport that echoes the
X-App-Token into its error body and headers: the sandbox never does, a misbehaving proxy might."""

from __future__ import annotations

import json
import logging
import pickle

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voucherify_ext import Voucherify, VoucherifyError

from .conftest import RootCapture, forgotten_secrets

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
# "K9~" keeps a drawn secret from spelling a word that is in every log line ("voucheri")
secrets_st = (
    st.text(ALPHABET, min_size=5, max_size=40).map(lambda s: f"K9~{s}").filter(lambda s: "REDACTED" not in s)
)


def _echo(status: int, html: bool) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        token = request.headers.get("x-app-token", "")
        headers = {"x-echo": token}
        if html:
            return httpx.Response(status, text=f"<html>bad gateway for {token}</html>", headers=headers)
        body = {
            "code": status,
            "key": "bad",
            "message": f"token {token} refused",
            "details": token,
            "request_id": f"v-{token}",
            "resource_id": token,
        }
        return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(("status", "html"), [(400, False), (404, False), (502, True), (500, False)])
@settings(max_examples=10, deadline=None)
@given(secret=secrets_st)
def test_an_echoed_app_token_never_shows(status: int, html: bool, secret: str) -> None:
    with forgotten_secrets():
        capture = RootCapture()
        root = logging.getLogger()
        root.addHandler(capture)
        logging.getLogger("voucherify").setLevel(logging.DEBUG)
        try:
            with (
                Voucherify(
                    app_id="app",
                    app_token=secret,
                    base_url="https://api.voucherify.io",
                    http_transport=_echo(status, html),
                    max_retries=0,
                ) as vf,
                pytest.raises(VoucherifyError) as caught,
            ):
                vf.orders.get("o1")
                logging.getLogger("voucherify").warning("failed: %s", caught.value)
        finally:
            root.removeHandler(capture)
            logging.getLogger("voucherify").setLevel(logging.NOTSET)
        error = caught.value
        texts = [str(error), repr(error), repr(vars(error)), "\n".join(capture.lines)]
        for text in texts:
            assert secret not in text
        assert secret.encode() not in pickle.dumps(error)


def test_the_base_url_password_never_shows() -> None:
    password = "hunter2-very-secret"
    with forgotten_secrets():
        vf = Voucherify(
            app_id="a", app_token="t0ken-value", base_url=f"https://user:{password}@api.voucherify.io"
        )
        try:
            shown = [repr(vf), vf.base_url, repr(vf._shared.config)]
            for text in shown:
                assert password not in text
            assert "user:[REDACTED]@api.voucherify.io" in vf.base_url
        finally:
            vf.close()
