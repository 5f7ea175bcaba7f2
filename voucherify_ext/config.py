"""Client configuration: arguments, environment variables, clusters, hosts and defaults.

Resolution order for each setting: the constructor argument, then the environment variable,
then the default. ``base_url`` and ``cluster`` are mutually exclusive as arguments; between
environment variables ``VOUCHERIFY_API_URL`` wins over ``VOUCHERIFY_CLUSTER``.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import platform
import time
from collections.abc import Callable, Mapping, Sequence

import attrs
import httpx

from voucherify_ext._version import __version__
from voucherify_ext.auth import AppKeys, CredentialProvider, OAuthTokenProvider, StaticToken
from voucherify_ext.custom_headers import DefaultHeaders, check_default_headers
from voucherify_ext.errors import ConfigurationError
from voucherify_ext.logs import hide_userinfo, remember_secret

__all__ = [
    "CLUSTERS",
    "DEFAULT_API_VERSION",
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "ClientConfig",
    "Origin",
    "bypasses_proxy",
    "check_proxy",
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
    #: sent to the trusted origins only (:mod:`voucherify_ext.custom_headers`)
    default_headers: DefaultHeaders = attrs.field(factory=DefaultHeaders)

    @property
    def trusted_origins(self) -> frozenset[Origin]:
        return frozenset({self.api_origin, self.download_origin})


def _split_entry(entry: str) -> tuple[str, int | None]:
    """A ``NO_PROXY`` entry as (host or network, port): ``host:443``, ``[::1]:443``, ``10.0.0.0/8``,
    ``::1`` (an IPv6 address without brackets has no port)."""
    if entry.startswith("["):
        close = entry.find("]")
        if close > 0:
            rest = entry[close + 1 :]
            port = int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
            return entry[1:close], port
    if entry.count(":") == 1:
        name, _, port_text = entry.partition(":")
        if port_text.isdigit():
            return name, int(port_text)
    return entry, None


def bypasses_proxy(host: str, port: int, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` (comma-separated) sends ``host:port`` direct, as curl and requests
    read it: ``*`` matches every host; ``example.com``, ``.example.com`` and ``*.example.com``
    match the domain and every host under it (not ``badexample.com``); ``host:8443`` only that
    port; an IP address or CIDR network (``10.0.0.0/8``, ``::1``) IP hosts inside it. Names are
    compared case-insensitively and are never resolved."""
    host = host.strip("[]").lower().rstrip(".")
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if entry == "*":
            return True
        if not entry:
            continue
        name, entry_port = _split_entry(entry)
        if entry_port is not None and entry_port != port:
            continue
        if address is not None:
            try:
                if address in ipaddress.ip_network(name, strict=False):
                    return True
            except ValueError:
                pass
        name = name.removeprefix("*.").lstrip(".").rstrip(".")
        if name and (host == name or host.endswith("." + name)):
            return True
    return False


def _env_proxies(environ: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """``scheme -> (variable, value)`` for the ``*_PROXY`` variables set: the lowercase spelling
    wins over the uppercase one, as in curl and urllib (``no`` is ``NO_PROXY``)."""
    proxies: dict[str, tuple[str, str]] = {}
    for key, value in environ.items():
        if not key.lower().endswith("_proxy") or not value:
            continue
        scheme = key[:-6].lower()
        if scheme not in proxies or key.islower():
            proxies[scheme] = (key, value)
    return proxies


def _env_proxy_for(url: httpx.URL, environ: Mapping[str, str]) -> tuple[str, str] | None:
    """The proxy the environment (``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``) names for ``url``,
    as (variable, value).

    httpx ignores environment proxies when it is given a transport, so the client reads them
    here and builds them into its own inner transport."""
    proxies = _env_proxies(environ)
    if not proxies or is_loopback(url.host):
        return None
    port = url.port or (443 if url.scheme == "https" else 80)
    if "no" in proxies and bypasses_proxy(url.host, port, proxies["no"][1]):
        return None
    return proxies.get(url.scheme) or proxies.get("all")


def _without_userinfo(value: str) -> str:
    """A proxy URL fit for a message: a password in it is replaced."""
    scheme, sep, rest = value.partition("://")
    if not sep:
        scheme, rest = "", value
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "[REDACTED]@" + authority.rsplit("@", 1)[1]
    return f"{scheme}{sep}{authority}{slash}{path}"


_PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


def check_proxy(value: str, source: str) -> str:
    """A proxy URL from ``source`` (the ``proxy`` argument or an environment variable), checked
    as httpx will use it; ``host:port`` without a scheme means ``http://host:port`` (as curl
    reads it). Refused with a :class:`ConfigurationError` naming the source."""
    text = value.strip()
    if "://" not in text:
        text = "http://" + text
    shown = _without_userinfo(value)
    try:
        url = httpx.URL(text)
        port = url.port
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise ConfigurationError(
            f"{source}: invalid proxy URL {shown!r}: {_without_userinfo(str(exc))}"
        ) from None
    if url.scheme not in _PROXY_SCHEMES:
        raise ConfigurationError(
            f"{source}: unsupported proxy scheme {url.scheme!r} in {shown!r}: use one of "
            f"{', '.join(_PROXY_SCHEMES)}"
        )
    if not url.host or (port is not None and not 0 < port < 65536):
        raise ConfigurationError(f"{source}: proxy URL {shown!r} needs a host (and a port in 1-65535)")
    if url.scheme.startswith("socks") and importlib.util.find_spec("socksio") is None:
        raise ConfigurationError(
            f"{source}: a SOCKS proxy needs the 'socksio' package: pip install 'httpx[socks]'"
        )
    return text


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
    default_headers: Mapping[str, str | None] | None = None,
    environ: Mapping[str, str] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ClientConfig:
    env = os.environ if environ is None else environ
    headers = check_default_headers(default_headers)
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
    if url.path.lower().endswith("/v1"):
        # the API's paths carry /v1 themselves: "https://api.voucherify.io/v1" means the host
        url = httpx.URL(str(url)[: -len("/v1")].rstrip("/"))
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
    if isinstance(proxy, str):
        proxy = check_proxy(proxy, "proxy")
    elif proxy is not None and not isinstance(proxy, httpx.Proxy):
        raise ConfigurationError(f"proxy must be a URL string or an httpx.Proxy, got {type(proxy).__name__}")
    elif proxy is None and trust_env:
        found = _env_proxy_for(url, env)
        if found is not None:
            proxy = check_proxy(found[1], f"environment variable {found[0]}")
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
        default_headers=headers,
    )
