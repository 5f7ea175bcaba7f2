"""Client configuration: arguments, environment variables, clusters, hosts and defaults.

Resolution order for each setting: the constructor argument, then the environment variable,
then the default. ``base_url`` and ``cluster`` are mutually exclusive as arguments; between
environment variables ``VOUCHERIFY_API_URL`` wins over ``VOUCHERIFY_CLUSTER``.
"""

from __future__ import annotations

import ipaddress
import os
import platform
import time
from collections.abc import Callable, Mapping, Sequence

import attrs
import httpx

from . import __version__
from .auth import AppKeys, CredentialProvider, OAuthTokenProvider, StaticToken
from .errors import ConfigurationError
from .logs import hide_userinfo, remember_secret

__all__ = [
    "CLUSTERS",
    "DEFAULT_API_VERSION",
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "ClientConfig",
    "Origin",
    "download_origin",
    "is_loopback",
    "resolve_config",
    "user_agent",
]

CLUSTERS: dict[str, str] = {
    "eu": "https://api.voucherify.io",
    "us1": "https://us1.api.voucherify.io",
    "as1": "https://as1.api.voucherify.io",
}
_CLUSTER_ALIASES = {
    "api": "eu",
    "europe": "eu",
    "us1.api": "us1",
    "us": "us1",
    "as1.api": "as1",
    "asia": "as1",
}
DEFAULT_API_VERSION = "v2018-08-01"
#: per attempt: 5 s to connect, 30 s for each read/write, 10 s to get a pooled connection
DEFAULT_TIMEOUT: httpx.Timeout = httpx.Timeout(30.0, connect=5.0, pool=10.0)
DEFAULT_LIMITS: httpx.Limits = httpx.Limits(
    max_connections=20, max_keepalive_connections=10, keepalive_expiry=30.0
)

ENV_APP_ID = "VOUCHERIFY_APP_ID"
ENV_APP_TOKEN = "VOUCHERIFY_APP_TOKEN"
ENV_API_URL = "VOUCHERIFY_API_URL"
ENV_CLUSTER = "VOUCHERIFY_CLUSTER"


def user_agent() -> str:
    return f"voucherify-orders/{__version__} python/{platform.python_version()}"


@attrs.frozen
class Origin:
    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: httpx.URL) -> Origin:
        port = url.port or (443 if url.scheme == "https" else 80)
        return cls(url.scheme, url.host.lower(), port)


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def download_origin(api: Origin) -> Origin:
    """The export download host for an API host: ``api.`` → ``download.``, ``us1.api.`` →
    ``us1.download.``; a loopback or unknown host serves its own downloads."""
    labels = api.host.split(".")
    if api.host.endswith(".voucherify.io") and "api" in labels:
        index = labels.index("api")
        labels[index] = "download"
        return Origin(api.scheme, ".".join(labels), api.port)
    return api


def _repr_url(value: object) -> str:
    """A URL setting in a repr: the password of its userinfo hidden."""
    return hide_userinfo(repr(value))


@attrs.frozen
class ClientConfig:
    base_url: str = attrs.field(repr=_repr_url)
    api_origin: Origin
    download_origin: Origin
    credentials: CredentialProvider
    api_version: str
    user_agent: str
    proxy: str | httpx.Proxy | None = attrs.field(repr=_repr_url)

    @property
    def trusted_origins(self) -> frozenset[Origin]:
        return frozenset({self.api_origin, self.download_origin})


def _env_proxy_for(url: httpx.URL, environ: Mapping[str, str]) -> str | None:
    """The proxy the environment (``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``) names for ``url``.

    httpx ignores environment proxies when it is given a transport, so the client reads them
    here and builds them into its own inner transport."""
    proxies: dict[str, str] = {}
    for key, value in environ.items():
        if key.lower().endswith("_proxy") and value:
            proxies.setdefault(key[:-6].lower(), value)
    if not proxies or is_loopback(url.host):
        return None
    no_proxy = proxies.get("no", "")
    if no_proxy.strip() == "*":
        return None
    host = url.host.lower()
    for entry in (e.strip().lower().lstrip(".") for e in no_proxy.split(",")):
        if entry and (host == entry or host.endswith("." + entry)):
            return None
    return proxies.get(url.scheme) or proxies.get("all")


def _check_header_value(name: str, value: str) -> None:
    """Credentials travel in headers: refuse what a header cannot carry (never echo the value)."""
    if not value.isascii() or not value.isprintable() or value != value.strip():
        raise ConfigurationError(
            f"{name} contains characters an HTTP header cannot carry (non-ASCII, control "
            "characters or surrounding whitespace); check for a stray newline or quote"
        )


def resolve_config(
    *,
    app_id: str | None = None,
    app_token: str | None = None,
    access_token: str | None = None,
    oauth_scopes: Sequence[str] | None = None,
    cluster: str | None = None,
    base_url: str | None = None,
    api_version: str | None = None,
    allow_insecure_http: bool = False,
    proxy: str | httpx.Proxy | None = None,
    trust_env: bool = True,
    environ: Mapping[str, str] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ClientConfig:
    env = os.environ if environ is None else environ
    for name, value in (
        ("app_id", app_id),
        ("app_token", app_token),
        ("access_token", access_token),
        ("cluster", cluster),
        ("base_url", base_url),
        ("api_version", api_version),
    ):
        if value is not None and not isinstance(value, str):  # never echo the value: it may be a secret
            raise ConfigurationError(f"{name} must be a string, got {type(value).__name__}")
    if oauth_scopes is not None and not (
        isinstance(oauth_scopes, str)
        or (isinstance(oauth_scopes, Sequence) and all(isinstance(scope, str) for scope in oauth_scopes))
    ):
        raise ConfigurationError("oauth_scopes must be a list of scope names (strings), e.g. ['api']")

    if base_url is not None and cluster is not None:
        raise ConfigurationError("pass either base_url or cluster, not both")
    if base_url is None and cluster is None:
        base_url = env.get(ENV_API_URL) or None
        if base_url is None:
            cluster = env.get(ENV_CLUSTER) or None
    if base_url is None:
        name = (cluster or "eu").strip().lower()
        name = _CLUSTER_ALIASES.get(name, name)
        if name not in CLUSTERS:
            raise ConfigurationError(
                f"unknown cluster {cluster!r}: use one of {', '.join(CLUSTERS)} or pass base_url "
                f"(env {ENV_CLUSTER} / {ENV_API_URL})"
            )
        base_url = CLUSTERS[name]

    try:
        url = httpx.URL(base_url.rstrip("/"))
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError(f"invalid base_url {base_url!r}: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"base_url must be an http(s) URL with a host, got {base_url!r}")
    if url.query or url.fragment:
        raise ConfigurationError("base_url must not carry a query or fragment")
    if url.scheme != "https" and not is_loopback(url.host) and not allow_insecure_http:
        raise ConfigurationError(
            f"refusing plain-HTTP base_url {base_url!r}: credentials would travel unencrypted. "
            "Use https, a loopback host, or pass allow_insecure_http=True."
        )

    if access_token is not None and oauth_scopes is not None:
        raise ConfigurationError("pass either access_token or oauth_scopes, not both")
    credentials: CredentialProvider
    if access_token is not None:
        if not access_token:
            raise ConfigurationError("access_token is empty")
        _check_header_value("access_token", access_token)
        credentials = StaticToken(access_token)
    else:
        app_id = app_id if app_id is not None else env.get(ENV_APP_ID)
        app_token = app_token if app_token is not None else env.get(ENV_APP_TOKEN)
        missing = [
            name
            for name, value in (("app_id", app_id), ("app_token", app_token))
            if not value  # None or empty
        ]
        if missing:
            raise ConfigurationError(
                f"missing Voucherify credentials ({', '.join(missing)}): pass app_id and app_token, "
                f"or set the environment variables {ENV_APP_ID} and {ENV_APP_TOKEN} "
                "(or pass access_token)"
            )
        assert app_id is not None and app_token is not None
        _check_header_value("app_id", app_id)
        _check_header_value("app_token", app_token)
        keys = AppKeys(app_id, app_token)
        if oauth_scopes is not None:
            scopes = oauth_scopes.split() if isinstance(oauth_scopes, str) else list(oauth_scopes)
            if not scopes:
                raise ConfigurationError("oauth_scopes is empty: name at least one scope, e.g. ['api']")
            credentials = OAuthTokenProvider(keys, scopes, clock=clock)
        else:
            credentials = keys

    api = Origin.of(url)
    if proxy is None and trust_env:
        proxy = _env_proxy_for(url, env)
    remember_secret(str(url))  # its password, if any, is redacted by value from now on
    if isinstance(proxy, httpx.Proxy):
        remember_secret(proxy.auth[1] if proxy.auth else None)
    else:
        remember_secret(proxy)
    return ClientConfig(
        base_url=str(url),
        api_origin=api,
        download_origin=download_origin(api),
        credentials=credentials,
        api_version=api_version or DEFAULT_API_VERSION,
        user_agent=user_agent(),
        proxy=proxy,
    )
