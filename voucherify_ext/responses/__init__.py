"""From generated ``Response`` objects to models or typed errors.

Generated ``*_detailed`` functions parse inside the call (``response.json()``, ``from_dict``),
so a body that is not JSON raises from inside generated code, and ``from_dict`` checks no
types. Two helpers close those gaps for any generated operation:

* :func:`call` / :func:`acall` invoke a ``*_detailed`` function and turn whatever escapes
  it (httpx, JSON, attrs, ``KeyError``/``TypeError``/``ValueError`` from parsing) into
  :class:`~voucherify_ext.errors.VoucherifyError` subclasses. ``KeyboardInterrupt`` and
  ``CancelledError`` pass untouched.
* :func:`unwrap` returns the success model after checking every field against the model's
  type annotations, or raises the typed error for the status.

* :func:`raw_response` (:mod:`voucherify_ext.responses.raw`) keeps a response's status, headers,
  attempts and rate-limit state next to its model, as a :class:`RawResponse`: what the
  resources' ``with_raw_response`` calls return, and what another team's resource can return too.

Both are typed by the generated package they are given, whichever it is (``GeneratedResponse``
is the protocol its ``Response`` meets), so another team's client type-checks through them.
Pagination and jobs use these for their own operations::

    response = call(list_orders.sync_detailed, client=vf.client, page=2)
    page = unwrap(response, OrdersListResponseBody)

Where the errors' details come from. The retrying transport attaches what it learned about an
exchange (attempts, why it was not retried, outcome unknown, the server's requested wait, the
request's method and path) to the httpx response as one
:class:`~voucherify_ext.http.exchange.Exchange`, in ``response.extensions``; it adds nothing
to the server's headers. Two ways bring it here, one for each case the other cannot cover:

* the generated ``Response`` carries the httpx response's ``extensions`` (our generator
  template ``openapi/templates/endpoint_module.py.jinja`` passes them on, ``types.py.jinja``
  declares the field), so :func:`unwrap` reads the record wherever the ``Response`` went;
* when the generated parse raises, there is no ``Response``: :func:`call` hands the generated
  function a stand-in for the client (``Watched``, in ``call_sync``) whose httpx client keeps the response
  it returned, read before the generated code parses it. Nothing is kept beyond the call: no
  context variable carries a "last response" between calls.
"""

from voucherify_ext.responses.call_async import acall
from voucherify_ext.responses.call_sync import call
from voucherify_ext.responses.raw import RawResponse, raw_response
from voucherify_ext.responses.reading import api_error, check_model, unwrap
from voucherify_ext.responses.shapes import GeneratedResponse

__all__ = [
    "GeneratedResponse",
    "RawResponse",
    "acall",
    "api_error",
    "call",
    "check_model",
    "raw_response",
    "unwrap",
]
