"""Facade construction: the inner transport carries the caller's network settings, logging
configuration from the environment, reprs, lifecycle."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import textwrap

import httpx
import pytest

from voucherify_ext import AsyncVoucherify, Voucherify

API = "https://api.voucherify.io"


def inner(vf: Voucherify) -> httpx.HTTPTransport:
    transport = vf.http._transport  # type: ignore[attr-defined]
    return transport.inner  # type: ignore[no-any-return]


def test_inner_transport_carries_limits_verify_and_proxy() -> None:
    vf = Voucherify(
        app_id="a",
        app_token="t",
        limits=httpx.Limits(max_connections=3, max_keepalive_connections=1),
        verify=False,
        proxy="http://proxy.internal:3128",
        trust_env=False,
    )
    pool = inner(vf)._pool
    assert type(pool).__name__ == "HTTPProxy"
    assert pool._max_connections == 3  # type: ignore[attr-defined]
    assert pool._ssl_context.verify_mode == ssl.CERT_NONE  # type: ignore[attr-defined]
    vf.close()


def test_environment_proxy_reaches_the_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://envproxy.internal:8080")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with Voucherify(app_id="a", app_token="t") as vf:
        assert type(inner(vf)._pool).__name__ == "HTTPProxy"
    with Voucherify(app_id="a", app_token="t", trust_env=False) as vf:
        assert type(inner(vf)._pool).__name__ == "ConnectionPool"


def test_one_pool_per_client_shared_by_variants() -> None:
    with Voucherify(app_id="a", app_token="t") as vf:
        variant = vf.with_options(max_retries=0)
        assert inner(variant) is inner(vf)
        other = Voucherify(app_id="a", app_token="t")
        assert inner(other) is not inner(vf)
        other.close()


def test_voucherify_log_env_enables_the_logger() -> None:
    script = textwrap.dedent(
        """
        import httpx
        from voucherify_ext import Voucherify
        ok = {"id": "ord_1", "object": "order"}
        vf = Voucherify(app_id="a", app_token="SECRET-TOKEN-XYZ",
                        http_transport=httpx.MockTransport(lambda r: httpx.Response(200, json=ok)))
        vf.orders.get("ord_1")
        """
    )
    env = {**os.environ, "VOUCHERIFY_LOG": "debug"}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "voucherify INFO GET /v1/orders/ord_1 -> 200 attempt=1" in result.stderr
    assert "voucherify DEBUG" in result.stderr
    assert "SECRET-TOKEN-XYZ" not in result.stderr
    env.pop("VOUCHERIFY_LOG")
    quiet = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert "voucherify" not in quiet.stderr


def test_reprs() -> None:
    vf = Voucherify(app_id="app-1", app_token="t0ken-value", rate_limit="100/min")
    text = repr(vf)
    assert "app-1" in text and "t0ken-value" not in text and "100/60s" in text
    assert "t0ken-value" not in repr(vf.client)
    vf.close()


async def test_async_lifecycle() -> None:
    avf = AsyncVoucherify(app_id="a", app_token="t")
    variant = avf.with_options(timeout=3)
    assert variant.timeout.read == 3.0
    await avf.close()
    assert avf.http.is_closed
