"""The OAuth token refresh: which credentials a request carries, the token request, and what
is kept of its answer.

The retrying transport performs the token request itself (so it gets retries, within the
token's own small policy, and rate limiting) and serialises fetches with the provider's lock
(:attr:`~voucherify_ext.auth.OAuthTokenProvider.lock` for threads, ``async_lock`` for tasks):
:func:`credentials_without_fetch` is the check made before taking the lock and again inside
it, so concurrent requests that find no valid token fetch one, not one each.

The token response's body is the bearer token: no error keeps it, neither in a chained
exception nor in a local that an error tracker would show (:func:`_token_fields`).
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import attrs
import httpx

from voucherify_ext.auth import CredentialProvider, OAuthTokenProvider, RawHeaders, Secret, TokenGrant
from voucherify_ext.errors import APIResponseError, error_for_status
from voucherify_ext.http.exchange import exchange_of
from voucherify_ext.logs import logger
from voucherify_ext.retry import IDEMPOTENT_EXTENSION, RetryPolicy

__all__ = [
    "AUTH_EXTENSION",
    "TOKEN_DEADLINE",
    "TOKEN_MAX_RETRIES",
    "credentials_without_fetch",
    "is_token_request",
    "store_token",
    "token_policy",
    "token_request",
]

#: request extension: "app_keys" on the OAuth token request itself (it carries the app keys)
AUTH_EXTENSION = "voucherify_auth"
TOKEN_PATH = "/v1/oauth/token"

#: The OAuth token request's retries: one at most, soon, within a short time: every repeat of a
#: token POST whose response was lost issues another live token (1,000 per project at most).
TOKEN_MAX_RETRIES = 1
TOKEN_DEADLINE = 30.0


def token_policy(policy: RetryPolicy) -> RetryPolicy:
    """The token request's own policy, derived from the client's."""
    return attrs.evolve(
        policy,
        max_retries=min(policy.max_retries, TOKEN_MAX_RETRIES),
        max_delay=min(policy.max_delay, 2.0),
        max_retry_after=min(policy.max_retry_after, 10.0),
        deadline=TOKEN_DEADLINE if policy.deadline is None else min(policy.deadline, TOKEN_DEADLINE),
    )


def is_token_request(request: httpx.Request) -> bool:
    return request.extensions.get(AUTH_EXTENSION) == "app_keys"


def credentials_without_fetch(creds: CredentialProvider, request: httpx.Request) -> RawHeaders | None:
    """The credential headers ``request`` carries, or None when an OAuth token must be fetched
    first. The provider's grant is read once per check: another thread's 401 may invalidate the
    token at any moment, and a checked token must not turn into a missing one."""
    if isinstance(creds, OAuthTokenProvider):
        if is_token_request(request):
            return creds.keys.raw_headers()
        return creds.valid_raw_headers()
    return creds.raw_headers()


def token_request(base_url: str, provider: OAuthTokenProvider) -> httpx.Request:
    """The client-credentials token request (idempotent for the retry policy: a lost answer
    costs one more live token, nothing else)."""
    return httpx.Request(
        "POST",
        httpx.URL(base_url + TOKEN_PATH),
        data=provider.form(),
        headers={"Accept": "application/json"},
        extensions={AUTH_EXTENSION: "app_keys", IDEMPOTENT_EXTENSION: True},
    )


def store_token(provider: OAuthTokenProvider, response: httpx.Response) -> TokenGrant:
    """Keep the token of a token response, or raise the typed error it calls for."""
    exchange = exchange_of(response)
    attempts = exchange.attempts if exchange is not None else None
    if response.status_code != 200:
        body: Any = None
        with contextlib.suppress(ValueError, RecursionError):
            body = json.loads(response.content)
        fields = body if isinstance(body, dict) else {}
        cls = error_for_status(response.status_code)
        raise cls(
            f"OAuth token request failed: {fields.get('message') or response.reason_phrase}",
            status_code=response.status_code,
            code=fields.get("code") if isinstance(fields.get("code"), int) else None,
            key=fields.get("key") if isinstance(fields.get("key"), str) else None,
            details=fields.get("details") if isinstance(fields.get("details"), str) else None,
            request_id=fields.get("request_id") if isinstance(fields.get("request_id"), str) else None,
            retry_after=exchange.requested_delay if exchange is not None else None,
            method="POST",
            path=TOKEN_PATH,
            attempts=attempts,
            headers=response.headers,
        )
    # The body is the bearer token: no error may keep it, neither in a chained exception (a
    # JSONDecodeError's ``.doc`` is the whole body, and ``raise ... from None`` inside the
    # except block still sets ``__context__``) nor in a local that Sentry or rich would show.
    token, expires_in = _token_fields(response.content)
    if token is None or isinstance(token, str):
        raise APIResponseError(
            token or "OAuth token response has no access_token string",
            status_code=200,
            path=TOKEN_PATH,
            attempts=attempts,
            field=None if token else "access_token",
        )
    grant = provider.store(token, expires_in)
    logger.debug("obtained an OAuth token (scopes=%s, expires_in=%ss)", " ".join(provider.scopes), expires_in)
    return grant


def _token_fields(content: bytes) -> tuple[Secret | str | None, float]:
    """The access token (a :class:`Secret`) and lifetime of an OAuth token response; instead
    of the token, None when the body has no access token string, or a message when it is not
    JSON. The parsed body and any JSON error die with this frame: the caller raises outside
    any ``except`` block."""
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        return "OAuth token response is not the expected JSON", 0.0
    raw = data.pop("access_token", None)
    if not isinstance(raw, str) or not raw:
        return None, 0.0
    expires_in = data.get("expires_in", 900)
    if not isinstance(expires_in, int | float) or isinstance(expires_in, bool):
        expires_in = 900
    return Secret(raw), float(expires_in)
