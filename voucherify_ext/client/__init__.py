"""The façade users construct: :class:`Voucherify` and :class:`AsyncVoucherify`.

Each builds one connection pool (a real httpx transport with the caller's proxy, TLS and pool
settings), wraps it in the retrying transport, and hands an httpx client using it to the
generated ``AuthenticatedClient`` (``vf.client``). Every generated operation called with
``vf.client`` therefore gets auth, retries, rate limiting and logging; the generated client
object itself never holds a secret (its ``token`` is a placeholder: credentials are added by
the transport, per request, for the API hosts only).

Thread and task safety: one ``Voucherify`` may be shared by any number of threads; one
``AsyncVoucherify`` by the tasks of one event loop. They share the pool, the rate limiter and
the OAuth token.

Layout: ``facade_async.py`` is the one source of :class:`AsyncVoucherify`; ``facade_sync.py``,
holding :class:`Voucherify`, is generated from it by ``scripts/unasync.py``; ``base.py`` holds
what both share without I/O; the pools and httpx clients are built by
:mod:`voucherify_ext.http.builders`.
"""

from voucherify_ext.client.facade_async import AsyncVoucherify
from voucherify_ext.client.facade_sync import Voucherify

__all__ = ["AsyncVoucherify", "Voucherify"]
