"""Credentials: application keys, an OAuth token fetched and refreshed, or a ready token.

Secrets are held in :class:`Secret`, whose ``repr`` and ``str`` never show the value. A
provider hands the transport the headers for one request; the transport adds them only for
the configured API host and its download host.

OAuth: with ``oauth_scopes`` the client exchanges its app keys for a bearer token
(``POST /v1/oauth/token``, ``grant_type=client_credentials``), caches it, refreshes it a minute
before it expires (tokens live 900 s) and once more when a request answers 401, and sends only
``Authorization: Bearer …`` on API calls. The app keys then travel on the token request alone.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence

import attrs

from voucherify_ext.logs import remember_secret

__all__ = ["AppKeys", "CredentialProvider", "OAuthTokenProvider", "Secret", "StaticToken", "TokenGrant"]

#: Header name/value pairs as bytes, ready for ``httpx.Headers``: encoded once, not per request.
RawHeaders = tuple[tuple[bytes, bytes], ...]

#: credential headers whose value is a secret (``X-App-Id`` is not)
_SECRET_HEADERS = frozenset({"x-app-token", "authorization"})


class _SecretHeader(tuple[bytes, bytes]):
    """A ``(name, value)`` header pair whose ``repr`` hides the value. The encoded headers sit
    in the transport's frames while it sends, and error trackers (Sentry) and rich tracebacks
    show frame locals; a plain tuple would show the token there."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"({self[0]!r}, b'********')"


def _encode(headers: dict[str, str]) -> RawHeaders:
    return tuple(
        _SecretHeader((k.encode("ascii"), v.encode("ascii")))
        if k.lower() in _SECRET_HEADERS
        else (k.encode("ascii"), v.encode("ascii"))
        for k, v in headers.items()
    )


class Secret:
    """A string that does not show itself in ``repr``, ``str``, f-strings or logs. Its value
    is also redacted by value from every text the package produces (see
    :func:`~voucherify_ext.logs.remember_secret`), should a server echo it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        remember_secret(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


@attrs.frozen
class TokenGrant:
    """An access token and the monotonic time it stops being used."""

    token: Secret
    expires_at: float


class CredentialProvider:
    """Base class. ``headers()`` gives the auth headers for the next request."""

    #: whether a 401 should trigger one refresh and resend
    refreshable: bool = False
    #: whether headers() may need a token fetch first (see OAuthTokenProvider)
    needs_token: bool = False

    def headers(self) -> dict[str, str]:
        raise NotImplementedError

    def raw_headers(self) -> RawHeaders:
        """:meth:`headers` encoded; providers whose headers never change encode them once."""
        return _encode(self.headers())

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class AppKeys(CredentialProvider):
    """``X-App-Id`` + ``X-App-Token`` on every request."""

    def __init__(self, app_id: str, app_token: str | Secret) -> None:
        self.app_id = app_id
        self.app_token = app_token if isinstance(app_token, Secret) else Secret(app_token)
        self._raw = _encode(self.headers())

    def headers(self) -> dict[str, str]:
        return {"X-App-Id": self.app_id, "X-App-Token": self.app_token.reveal()}

    def raw_headers(self) -> RawHeaders:
        return self._raw

    def __repr__(self) -> str:
        return f"AppKeys(app_id={self.app_id!r}, app_token=Secret('********'))"


class StaticToken(CredentialProvider):
    """A ready OAuth access token (``Authorization: Bearer …``), never refreshed."""

    def __init__(self, token: str | Secret) -> None:
        self.token = token if isinstance(token, Secret) else Secret(token)
        self._raw = _encode(self.headers())

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token.reveal()}"}

    def raw_headers(self) -> RawHeaders:
        return self._raw

    def __repr__(self) -> str:
        return "StaticToken(token=Secret('********'))"


class OAuthTokenProvider(CredentialProvider):
    """Obtains tokens with the app keys and keeps a valid one cached.

    The transport performs the token request (so it gets retries and rate limiting) and
    stores the result with :meth:`store`; :meth:`current` returns a token still valid for at
    least ``refresh_margin`` seconds, or None when a fetch is due. Fetches are serialised:
    ``lock`` for threads, ``async_lock`` for tasks.
    """

    refreshable = True
    needs_token = True

    def __init__(
        self,
        keys: AppKeys,
        scopes: Sequence[str],
        *,
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if isinstance(scopes, str):
            scopes = scopes.split()
        self.keys = keys
        self.scopes = tuple(scopes)
        self.refresh_margin = refresh_margin
        self._clock = clock
        self._grant: TokenGrant | None = None
        self._raw: tuple[TokenGrant, RawHeaders] | None = None  # the grant's encoded header
        self.lock = threading.Lock()
        self._async_lock: asyncio.Lock | None = None
        self.fetch_count = 0

    @property
    def async_lock(self) -> asyncio.Lock:
        if self._async_lock is None:
            self._async_lock = asyncio.Lock()
        return self._async_lock

    def form(self) -> dict[str, str]:
        return {"grant_type": "client_credentials", "scope": " ".join(self.scopes)}

    def token_request_headers(self) -> dict[str, str]:
        return self.keys.headers()

    def current(self) -> Secret | None:
        grant = self._grant
        if grant is None or self._clock() >= grant.expires_at - self.refresh_margin:
            return None
        return grant.token

    def store(self, access_token: str | Secret, expires_in: float | None) -> TokenGrant:
        lifetime = float(expires_in) if expires_in and expires_in > 0 else 900.0
        token = access_token if isinstance(access_token, Secret) else Secret(access_token)
        grant = self._grant = TokenGrant(token, self._clock() + lifetime)
        self.fetch_count += 1
        return grant

    def valid_raw_headers(self) -> RawHeaders | None:
        """The encoded ``Authorization`` header of the current token, or None when a fetch is
        due. The grant is read once, so another thread invalidating it in between (its 401)
        cannot turn a checked token into a missing one."""
        grant = self._grant
        if grant is None or self._clock() >= grant.expires_at - self.refresh_margin:
            return None
        return self.raw_headers_of(grant)

    def raw_headers_of(self, grant: TokenGrant) -> RawHeaders:
        cached = self._raw
        if cached is None or cached[0] is not grant:
            cached = self._raw = (grant, _encode({"Authorization": f"Bearer {grant.token.reveal()}"}))
        return cached[1]

    def invalidate(self, used: str | None) -> None:
        """Forget the token after a 401, unless another request already replaced it."""
        grant = self._grant
        if grant is not None and (used is None or grant.token.reveal() == used):
            self._grant = None

    def headers(self) -> dict[str, str]:
        grant = self._grant
        if grant is None:
            raise RuntimeError("no OAuth token yet; the transport fetches one first")
        return {"Authorization": f"Bearer {grant.token.reveal()}"}

    def raw_headers(self) -> RawHeaders:
        grant = self._grant
        if grant is None:
            raise RuntimeError("no OAuth token yet; the transport fetches one first")
        return self.raw_headers_of(grant)

    def __repr__(self) -> str:
        return f"OAuthTokenProvider(app_id={self.keys.app_id!r}, scopes={list(self.scopes)!r})"
