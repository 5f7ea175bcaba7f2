"""The sandbox's OAuth bearer tokens: issued for scopes, expiring on the sandbox clock.

At most :data:`MAX_TOKENS` are kept (the oldest go first). Tokens are secrets: they are never
saved in a state file. Not thread-safe by itself:
:class:`~voucherify_ext.sandbox.state.SandboxState` calls it under its lock.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from typing import Any

from voucherify_ext.sandbox.values import TOKEN_TYPE

__all__ = ["MAX_TOKENS", "TokenStore"]

MAX_TOKENS = 1000


class TokenStore:
    """token -> (app id, scopes, expiry in epoch seconds), oldest first."""

    def __init__(self, ttl: int) -> None:
        self.ttl = ttl
        self._tokens: OrderedDict[str, tuple[str, frozenset[str], int]] = OrderedDict()

    def issue(self, app_id: str, scope: str, now: float) -> dict[str, Any]:
        """A new token for ``scope`` (space-separated; empty means ``api``), as the API answers."""
        scopes = frozenset(scope.split()) or frozenset({"api"})
        token = secrets.token_urlsafe(32)
        expires_at = int(now) + self.ttl
        self._tokens[token] = (app_id, scopes, expires_at)
        while len(self._tokens) > MAX_TOKENS:
            self._tokens.popitem(last=False)
        return {
            "access_token": token,
            "client_id": app_id,
            "expires_at": expires_at,
            "expires_in": self.ttl,
            "scope": " ".join(sorted(scopes)),
            "token_type": TOKEN_TYPE,
        }

    def clear(self) -> int:
        """Forget (revoke) every token; returns how many there were."""
        count = len(self._tokens)
        self._tokens.clear()
        return count

    def info(self, token: str, now: float) -> tuple[str, frozenset[str]] | None:
        """``(app id, scopes)`` of a live token; None for an unknown or expired one."""
        entry = self._tokens.get(token)
        if entry is None:
            return None
        if entry[2] <= now:
            del self._tokens[token]
            return None
        return entry[0], entry[1]

    def tokens(self) -> list[str]:
        return list(self._tokens)
