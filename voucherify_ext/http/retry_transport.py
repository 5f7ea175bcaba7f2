"""httpx transports that make every request retry-safe, rate-limit aware, observable and
secret-safe: :class:`RetryTransport` (sync) and :class:`AsyncRetryTransport`.

They wrap a real ``httpx.HTTPTransport``/``AsyncHTTPTransport`` built with the caller's proxy,
TLS and pool settings (an httpx client given ``transport=`` ignores its own
``proxy``/``verify``/``limits`` and the environment's proxies, so they must live in the inner
transport). For each request they

* add ``User-Agent``, and for the configured API host and its download host only,
  ``X-Voucherify-API-Version`` and the credentials, to a per-attempt copy of the request
  (:mod:`voucherify_ext.http.request_headers`);
* wait for the client's rate limiter, and feed it the response's ``X-Rate-Limit-*`` headers;
* retry as :mod:`voucherify_ext.retry` decides, closing the discarded response first
  (:mod:`voucherify_ext.http.retry_core`);
* sleep with the injected ``sleep`` and read time from the injected clocks
  (:mod:`voucherify_ext.http.attempt`);
* fetch and refresh OAuth tokens, once more after a 401 (:mod:`voucherify_ext.http.oauth`);
* log metadata (method, path, status, attempt, delay, request id, elapsed), never secrets;
* bound every attempt as a whole (send, head and body) by its
  :class:`~voucherify_ext.http.deadlines.ExchangeLimit` (:mod:`voucherify_ext.http.deadlines`,
  :mod:`voucherify_ext.http.limit_scopes`, :mod:`voucherify_ext.http.limited_stream_async`);
* parse a JSON body once (:mod:`voucherify_ext.http.json_body`). A 2xx answer to an idempotent
  request whose body is unusable is retried within ``max_retries``; a request that is not
  idempotent gets :class:`~voucherify_ext.errors.UnreadableSuccessError` (``succeeded=True``).

They never raise on an HTTP status. Transport failures become
:class:`~voucherify_ext.errors.APIConnectionError`/``APITimeoutError``
(:mod:`voucherify_ext.http.failures`). The response handed back is the server's, with no
header added: what the transport learned about the exchange (attempts, why it was not retried,
outcome unknown, the server's requested wait) is one
:class:`~voucherify_ext.http.exchange.Exchange` in ``response.extensions``.

The async transport is the source (:mod:`voucherify_ext.http.retry_transport_async`); the sync
one is generated from it (``retry_transport_sync``); this module names both.
"""

from __future__ import annotations

from voucherify_ext.http.retry_transport_async import AsyncRetryTransport
from voucherify_ext.http.retry_transport_sync import RetryTransport

__all__ = ["AsyncRetryTransport", "RetryTransport"]
