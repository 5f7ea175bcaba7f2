"""What both façade twins share and that does no I/O: the read-only properties, the repr, and
the placeholder that stands in for the generated client's token."""

from __future__ import annotations

from typing import Any

import httpx
from voucherify_client.client import AuthenticatedClient

from voucherify_ext.http.builders import Shared
from voucherify_ext.http.lifecycle import AsyncSharedPool, SharedPool
from voucherify_ext.logs import hide_userinfo
from voucherify_ext.ratelimit import LimiterState, RateLimiter
from voucherify_ext.retry import RetryPolicy

__all__ = ["TOKEN_PLACEHOLDER", "ClientBase"]

#: stands in for the token field of the generated client; the real credentials never go there
TOKEN_PLACEHOLDER = "<managed by voucherify_ext transport>"


class ClientBase:
    """The state of a client (set by its ``__init__`` or ``with_options``) and what reads it."""

    _shared: Shared
    _shared_pool: SharedPool | AsyncSharedPool
    _policy: RetryPolicy
    _timeout: httpx.Timeout
    _follow_redirects: bool
    _owns_pool: bool
    client: AuthenticatedClient

    @property
    def base_url(self) -> str:
        """The API base URL, with the password of any userinfo hidden (``[REDACTED]``)."""
        return hide_userinfo(self._shared.config.base_url)

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._policy

    @property
    def timeout(self) -> httpx.Timeout:
        return self._timeout

    @property
    def default_headers(self) -> dict[str, str]:
        """A copy of the headers this client adds to requests for the API and download hosts."""
        return self._shared.config.default_headers.as_dict()

    @property
    def rate_limiter(self) -> RateLimiter:
        return self._shared.limiter

    def rate_limit_state(self) -> LimiterState:
        """The rate limit as this client knows it now: its own budget (used, in flight,
        available, paused) and, in ``server``, the ``X-Rate-Limit-*`` state of the last response
        that had any. Shared with the variants of ``with_options``. See docs/responses.md."""
        return self._shared.limiter.state()

    @property
    def _inner(self) -> Any:
        """The real httpx transport the pool currently sends on (for inspection)."""
        return self._shared_pool.transport

    def __repr__(self) -> str:
        creds = self._shared.config.credentials
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, credentials={creds!r}, "
            f"max_retries={self._policy.max_retries}, rate_limiter={self._shared.limiter!r})"
        )
