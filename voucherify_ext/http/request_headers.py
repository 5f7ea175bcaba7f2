"""The request one attempt sends: our headers and credentials added to a copy, for our hosts only.

:class:`RequestPreparer` adds ``User-Agent``, and for the configured API host and its download
host only (:attr:`~voucherify_ext.config.ClientConfig.trusted_origins`),
``X-Voucherify-API-Version`` and the credentials; a redirect elsewhere carries none. Whatever
the caller set for these headers is dropped. The credentials go into a per-attempt copy, never
into the caller's request object, and each attempt's timeouts are capped by what is left of the
call's deadline.
"""

from __future__ import annotations

import httpx

from voucherify_ext.auth import RawHeaders
from voucherify_ext.config import ClientConfig, Origin
from voucherify_ext.errors import DeadlineExceededError
from voucherify_ext.http.attempt import Call
from voucherify_ext.logs import redact

__all__ = ["MANAGED_HEADERS", "RequestPreparer", "log_path"]

#: headers the transport sets itself; a caller's own values for them are dropped (credentials
#: are never forwarded to a foreign host, whoever set them)
MANAGED_HEADERS = frozenset(
    {b"user-agent", b"x-voucherify-api-version", b"x-app-id", b"x-app-token", b"authorization"}
)
_TRUST_CACHE_SIZE = 64
_HEADERS_CACHE_SIZE = 64


def log_path(url: httpx.URL, trusted: bool) -> str:
    """How a request's URL shows in logs and errors: the path (with the host when it is not
    ours), with anything that looks like a token redacted."""
    path = url.raw_path.decode("ascii", "replace")
    if not trusted:
        path = f"{url.scheme}://{url.host}{path}"
    return redact(path) if "token" in path.lower() else path


class RequestPreparer:
    """Builds each attempt's request (see the module docstring); caches per client."""

    def __init__(self, config: ClientConfig) -> None:
        self.trusted = config.trusted_origins
        base = {"User-Agent": config.user_agent, "X-Voucherify-API-Version": config.api_version}
        self._base_raw = [(k.encode("ascii"), v.encode("ascii")) for k, v in base.items()]
        self._user_agent_raw = (b"User-Agent", config.user_agent.encode("ascii"))
        #: (scheme, netloc) -> trusted?, so a request costs a dict lookup, not an Origin
        self._trust: dict[tuple[str, bytes], bool] = {}
        #: (the request's raw headers, credentials) -> the headers to send: requests of one
        #: client repeat the same few header sets, and building ``httpx.Headers`` is not free.
        self._headers: dict[tuple[RawHeaders, RawHeaders, bool], httpx.Headers] = {}

    def is_trusted(self, url: httpx.URL) -> bool:
        key = (url.scheme, url.netloc)
        trusted = self._trust.get(key)
        if trusted is None:
            trusted = Origin.of(url) in self.trusted
            if len(self._trust) < _TRUST_CACHE_SIZE:
                self._trust[key] = trusted
        return trusted

    def prepare(self, request: httpx.Request, auth: RawHeaders, call: Call) -> httpx.Request:
        """A per-attempt copy of ``request`` with our headers; the original stays secret-free."""
        trusted = call.trusted
        given = tuple(request.headers.raw)
        cache_key = (given, auth, trusted)
        template = self._headers.get(cache_key)
        if template is None:
            # drop the headers we manage (whoever set them), append ours (pre-encoded)
            raw = [(k, v) for k, v in given if k.lower() not in MANAGED_HEADERS]
            if trusted:
                raw += self._base_raw
                raw += auth
            else:
                raw.append(self._user_agent_raw)
            template = httpx.Headers(raw)
            if len(self._headers) >= _HEADERS_CACHE_SIZE:
                self._headers.clear()
            self._headers[cache_key] = template
        extensions = request.extensions
        remaining = call.time_left()
        if remaining is not None:
            if remaining <= 0:
                raise DeadlineExceededError(
                    f"the {call.policy.deadline:g}s deadline passed before the request could be sent",
                    method=request.method,
                    path=call.path,
                )
            timeouts = dict(extensions.get("timeout") or {})
            for key in ("connect", "read", "write", "pool"):
                current = timeouts.get(key)
                timeouts[key] = remaining if current is None else min(current, remaining)
            extensions = {**extensions, "timeout": timeouts}
        # httpx.Request copies the headers it is given: the cached template itself is never sent
        return httpx.Request(
            request.method, request.url, headers=template, stream=request.stream, extensions=extensions
        )
