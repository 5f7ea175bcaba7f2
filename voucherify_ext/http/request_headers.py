"""The request one attempt sends: our headers and credentials added to a copy, for our hosts only.

:class:`RequestPreparer` adds ``User-Agent``, and for the configured API host and its download
host only (:attr:`~voucherify_ext.config.ClientConfig.trusted_origins`),
``X-Voucherify-API-Version``, the client's ``default_headers`` and the credentials; a redirect
elsewhere carries none of them. Whatever the caller set for the managed headers is dropped. A
default header replaces a header of the same name on the request (httpx's own ``Accept``, or one
set on the httpx client), except one passed for that call (``headers=``, recorded by the client's
``build_request`` in :data:`CALL_HEADERS_EXTENSION`), which wins. The credentials and default
headers go into a per-attempt copy, never into the caller's request object, and each attempt's
timeouts are capped by what is left of the call's deadline.
"""

from __future__ import annotations

from typing import Any

import httpx

from voucherify_ext.auth import RawHeaders
from voucherify_ext.config import ClientConfig, Origin
from voucherify_ext.custom_headers import MANAGED_HEADERS
from voucherify_ext.errors import DeadlineExceededError
from voucherify_ext.http.attempt import Call
from voucherify_ext.logs import redact

__all__ = ["CALL_HEADERS_EXTENSION", "MANAGED_HEADERS", "RequestPreparer", "call_header_names", "log_path"]

#: the request extension holding the lower-case names of the headers passed for one call
CALL_HEADERS_EXTENSION = "voucherify.call_headers"
_NONE: frozenset[bytes] = frozenset()
_TRUST_CACHE_SIZE = 64
_HEADERS_CACHE_SIZE = 64


def log_path(url: httpx.URL, trusted: bool) -> str:
    """How a request's URL shows in logs and errors: the path (with the host when it is not
    ours), with anything that looks like a token redacted."""
    path = url.raw_path.decode("ascii", "replace")
    if not trusted:
        path = f"{url.scheme}://{url.host}{path}"
    return redact(path) if "token" in path.lower() else path


def call_header_names(headers: Any) -> frozenset[bytes]:
    """The lower-case names of a call's ``headers=`` (any form httpx accepts)."""
    if isinstance(headers, dict) and all(isinstance(name, str) for name in headers):
        return frozenset(name.lower().encode("ascii", "replace") for name in headers)
    return frozenset(name.lower() for name, _ in httpx.Headers(headers).raw)


class RequestPreparer:
    """Builds each attempt's request (see the module docstring); caches per client."""

    def __init__(self, config: ClientConfig) -> None:
        self.trusted = config.trusted_origins
        base = {"User-Agent": config.user_agent, "X-Voucherify-API-Version": config.api_version}
        self._base_raw = [(k.encode("ascii"), v.encode("ascii")) for k, v in base.items()]
        self._user_agent_raw = (b"User-Agent", config.user_agent.encode("ascii"))
        self._defaults = config.default_headers.raw
        #: (scheme, netloc) -> trusted?, so a request costs a dict lookup, not an Origin
        self._trust: dict[tuple[str, bytes], bool] = {}
        #: (the request's raw headers, credentials, trusted, the call's own header names) -> the
        #: headers to send: requests of one client repeat the same few header sets, and building
        #: ``httpx.Headers`` is not free. A client's default headers are fixed (a ``with_options``
        #: variant has a preparer of its own), so they need no place in the key.
        self._headers: dict[tuple[RawHeaders, RawHeaders, bool, frozenset[bytes]], httpx.Headers] = {}

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
        defaults = self._defaults if trusted else ()
        own = request.extensions.get(CALL_HEADERS_EXTENSION, _NONE) if defaults else _NONE
        if not isinstance(own, frozenset):
            own = _NONE
        cache_key = (given, auth, trusted, own)
        template = self._headers.get(cache_key)
        if template is None:
            # drop the headers we manage (whoever set them), append ours (pre-encoded)
            raw = [(k, v) for k, v in given if k.lower() not in MANAGED_HEADERS]
            if defaults:
                added = [(k, v) for k, v in defaults if k.lower() not in own]
                replaced = {k.lower() for k, _ in added}
                raw = [(k, v) for k, v in raw if k.lower() not in replaced]
                raw += added
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
