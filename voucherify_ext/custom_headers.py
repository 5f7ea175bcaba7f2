"""A client's ``default_headers``: checked where they are given, merged by ``with_options``.

Default headers go, like the credentials, only to the configured API host and its export
download host (:mod:`voucherify_ext.http.request_headers` adds them there); a request to any
other host (a redirect, a foreign URL) carries none of them. Names are case-insensitive. Refused
with a :class:`~voucherify_ext.errors.ConfigurationError` naming the header:

* the headers the client manages (:data:`MANAGED_HEADERS`: ``User-Agent``,
  ``X-Voucherify-API-Version``, ``X-App-Id``, ``X-App-Token``, ``Authorization``);
* the headers that frame a message or a connection (:data:`FRAMING_HEADERS`: ``Host``,
  ``Content-Length``, ``Content-Type``, ``Transfer-Encoding``, ``Connection``, ...), which httpx
  sets per request;
* a name that is not an HTTP token, a value that is not a string of visible ASCII characters
  and inner spaces or tabs (a CR or LF would start another header), and a name given twice.

A value is never echoed in an error or a ``repr``: it may be a secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import attrs

from voucherify_ext.errors import ConfigurationError

__all__ = ["FRAMING_HEADERS", "MANAGED_HEADERS", "DefaultHeaders", "check_default_headers"]

#: headers the transport sets itself; a caller's own values for them are dropped (credentials
#: are never forwarded to a foreign host, whoever set them)
MANAGED_HEADERS = frozenset(
    {b"user-agent", b"x-voucherify-api-version", b"x-app-id", b"x-app-token", b"authorization"}
)
#: headers that describe one message's body or the connection: httpx sets them per request
FRAMING_HEADERS = frozenset(
    {
        b"host",
        b"content-length",
        b"content-type",
        b"content-encoding",
        b"transfer-encoding",
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"upgrade",
    }
)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: visible ASCII, with spaces and tabs inside only (h11 strips them at the ends)
_VALUE = re.compile(r"(?:[\x21-\x7e](?:[\x21-\x7e \t]*[\x21-\x7e])?)?")


def _names(items: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(name for name, _ in items)


@attrs.frozen(repr=False)
class DefaultHeaders:
    """Checked default headers, in the order given, each name once (any case); the ``repr``
    shows the names only."""

    items: tuple[tuple[str, str], ...] = ()

    def __repr__(self) -> str:
        return f"DefaultHeaders([{_names(self.items)}])"

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def raw(self) -> tuple[tuple[bytes, bytes], ...]:
        """The headers encoded as httpx carries them."""
        return tuple((name.encode("ascii"), value.encode("ascii")) for name, value in self.items)

    def as_dict(self) -> dict[str, str]:
        return dict(self.items)

    def merged(self, changes: object, source: str = "with_options(default_headers=...)") -> DefaultHeaders:
        """These headers with ``changes`` over them: a name given replaces the header of that
        name (any case; the new spelling is sent), ``None`` removes it."""
        updates = _check(changes, source)
        replaced = {name.lower() for name, _ in updates}
        kept = [(name, value) for name, value in self.items if name.lower() not in replaced]
        kept += [(name, value) for name, value in updates if value is not None]
        return DefaultHeaders(tuple(kept))


def _check(value: object, source: str) -> list[tuple[str, str | None]]:
    if not isinstance(value, Mapping):
        raise ConfigurationError(
            f"{source} must be a mapping of header names to values, got {type(value).__name__}"
        )
    seen: set[str] = set()
    checked: list[tuple[str, str | None]] = []
    for name, header in value.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            shown = repr(name) if isinstance(name, str) else type(name).__name__
            raise ConfigurationError(
                f"{source}: {shown} is not a valid header name (letters, digits and !#$%&'*+-.^_`|~)"
            )
        lower = name.lower()
        key = lower.encode("ascii")
        if key in MANAGED_HEADERS:
            raise ConfigurationError(
                f"{source}: the {name} header is managed by the client and cannot be set "
                "(credentials, User-Agent and X-Voucherify-API-Version come from the client's "
                "own settings)"
            )
        if key in FRAMING_HEADERS:
            raise ConfigurationError(
                f"{source}: the {name} header describes one request's body or connection; httpx "
                "sets it for each request, so it cannot be a default header"
            )
        if lower in seen:
            raise ConfigurationError(f"{source}: the {name} header is given twice (names ignore case)")
        seen.add(lower)
        if header is not None and (not isinstance(header, str) or not _VALUE.fullmatch(header)):
            raise ConfigurationError(
                f"{source}: the value of the {name} header must be a string of visible ASCII "
                "characters (spaces and tabs inside only; no CR, LF or other control characters)"
            )
        checked.append((name, header))
    return checked


def check_default_headers(value: object, source: str = "default_headers") -> DefaultHeaders:
    """``default_headers=`` checked (see the module docstring); ``None`` values are ignored."""
    if value is None:
        return DefaultHeaders()
    return DefaultHeaders().merged(value, source)
