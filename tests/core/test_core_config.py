"""Configuration: environment, clusters, HTTPS rule, credentials, user agent."""

from __future__ import annotations

import platform

import httpx
import pytest

from voucherify_ext import ConfigurationError, Voucherify, __version__
from voucherify_ext.auth import AppKeys, OAuthTokenProvider, StaticToken
from voucherify_ext.config import Origin, download_origin, resolve_config

KEYS = {"app_id": "id", "app_token": "tok"}


@pytest.mark.parametrize(
    ("cluster", "url"),
    [
        ("eu", "https://api.voucherify.io"),
        ("us1", "https://us1.api.voucherify.io"),
        ("as1", "https://as1.api.voucherify.io"),
        ("US1", "https://us1.api.voucherify.io"),
        ("api", "https://api.voucherify.io"),
    ],
)
def test_clusters(cluster: str, url: str) -> None:
    assert resolve_config(cluster=cluster, environ={}, **KEYS).base_url == url


def test_default_is_eu() -> None:
    assert resolve_config(environ={}, **KEYS).base_url == "https://api.voucherify.io"


def test_unknown_cluster_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigurationError, match="eu, us1, as1"):
        resolve_config(cluster="mars", environ={}, **KEYS)


def test_base_url_and_cluster_are_exclusive() -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        resolve_config(cluster="eu", base_url="https://x.example", environ={}, **KEYS)


def test_environment_is_read_when_arguments_are_missing() -> None:
    env = {
        "VOUCHERIFY_APP_ID": "env-id",
        "VOUCHERIFY_APP_TOKEN": "env-token",
        "VOUCHERIFY_CLUSTER": "as1",
    }
    config = resolve_config(environ=env)
    assert config.base_url == "https://as1.api.voucherify.io"
    assert isinstance(config.credentials, AppKeys)
    assert config.credentials.app_id == "env-id"
    assert config.credentials.app_token.reveal() == "env-token"
    env["VOUCHERIFY_API_URL"] = "https://acme.api.voucherify.io"
    assert resolve_config(environ=env).base_url == "https://acme.api.voucherify.io"
    # arguments win over the environment
    assert resolve_config(environ=env, cluster="us1", app_id="arg").credentials.app_id == "arg"  # type: ignore[attr-defined]


def test_missing_credentials_name_the_variables() -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_config(environ={})
    text = str(info.value)
    assert "VOUCHERIFY_APP_ID" in text and "VOUCHERIFY_APP_TOKEN" in text
    assert isinstance(info.value, ValueError)
    with pytest.raises(ConfigurationError, match="app_token"):
        resolve_config(environ={"VOUCHERIFY_APP_ID": "x"})


def test_missing_credentials_fail_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOUCHERIFY_APP_ID", raising=False)
    monkeypatch.delenv("VOUCHERIFY_APP_TOKEN", raising=False)
    with pytest.raises(ConfigurationError, match="VOUCHERIFY_APP_TOKEN"):
        Voucherify()


@pytest.mark.parametrize(
    "url", ["http://api.voucherify.io", "http://10.0.0.5:8080", "http://sandbox.internal"]
)
def test_plain_http_is_refused_for_non_loopback_hosts(url: str) -> None:
    with pytest.raises(ConfigurationError, match="allow_insecure_http"):
        resolve_config(base_url=url, environ={}, **KEYS)
    assert resolve_config(base_url=url, allow_insecure_http=True, environ={}, **KEYS).base_url == url


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://localhost:9", "http://[::1]:80"])
def test_plain_http_is_fine_on_loopback(url: str) -> None:
    assert resolve_config(base_url=url, environ={}, **KEYS)


@pytest.mark.parametrize("url", ["ftp://x.example", "not a url", "https://x.example/?a=1"])
def test_bad_base_urls(url: str) -> None:
    with pytest.raises(ConfigurationError):
        resolve_config(base_url=url, environ={}, **KEYS)


@pytest.mark.parametrize(
    ("api", "download"),
    [
        ("api.voucherify.io", "download.voucherify.io"),
        ("us1.api.voucherify.io", "us1.download.voucherify.io"),
        ("as1.api.voucherify.io", "as1.download.voucherify.io"),
        ("127.0.0.1", "127.0.0.1"),
        ("voucherify.example.com", "voucherify.example.com"),
    ],
)
def test_download_host(api: str, download: str) -> None:
    assert download_origin(Origin("https", api, 443)).host == download


def test_oauth_and_static_token_credentials() -> None:
    config = resolve_config(oauth_scopes=["api"], environ={}, **KEYS)
    assert isinstance(config.credentials, OAuthTokenProvider)
    assert config.credentials.form() == {"grant_type": "client_credentials", "scope": "api"}
    config = resolve_config(access_token="abc", environ={})
    assert isinstance(config.credentials, StaticToken)
    with pytest.raises(ConfigurationError):
        resolve_config(oauth_scopes=[], environ={}, **KEYS)
    with pytest.raises(ConfigurationError):
        resolve_config(oauth_scopes=["api"], access_token="abc", environ={}, **KEYS)


def test_user_agent_and_api_version() -> None:
    config = resolve_config(environ={}, **KEYS)
    assert config.user_agent == f"voucherify-orders/{__version__} python/{platform.python_version()}"
    assert config.api_version == "v2018-08-01"
    assert resolve_config(environ={}, api_version="v2024-01-01", **KEYS).api_version == "v2024-01-01"


def test_environment_proxy_is_built_into_the_transport() -> None:
    env = {"HTTPS_PROXY": "http://proxy.internal:3128", "NO_PROXY": "example.com"}
    assert resolve_config(environ=env, **KEYS).proxy == "http://proxy.internal:3128"
    assert resolve_config(environ=env, base_url="https://api.example.com", **KEYS).proxy is None
    assert resolve_config(environ=env, base_url="http://127.0.0.1:1", **KEYS).proxy is None
    explicit = httpx.Proxy("http://other:1")
    assert resolve_config(environ=env, proxy=explicit, **KEYS).proxy is explicit
    assert resolve_config(environ=env, trust_env=False, **KEYS).proxy is None


@pytest.mark.parametrize(
    "token",
    ["s3cr3tvalue\n", " s3cr3tvalue", "s3cr3t\u00f6value", "s3cr3t\x00value", "s3cr3tvalue\r\nX-Evil: 1"],
)
def test_credentials_that_cannot_be_headers_are_refused_without_echo(token: str) -> None:
    with pytest.raises(ConfigurationError, match="app_token") as info:
        resolve_config(app_id="id", app_token=token, environ={})
    assert "s3cr3t" not in str(info.value)
    with pytest.raises(ConfigurationError, match="access_token"):
        resolve_config(access_token=token, environ={})
