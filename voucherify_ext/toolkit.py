"""Building on voucherify_ext from another repository: the one module a team imports.

A team with its own OpenAPI spec for other Voucherify endpoints generates its client with our
generator, templates and settings (``python -m voucherify_ext.codegen``; docs/codegen.md), then
uses it through this module. Everything here is typed by the team's own generated package: its
client class, its functions' parameters, its models; ``mypy --strict`` follows them with no casts.

::

    from customers_client import AuthenticatedClient
    from customers_client.api.customers import list_customers, upsert_customer
    from customers_client.models import Customer, CustomerUpsert

    from voucherify_ext.toolkit import Upsert, Voucherify, call, paginate, unwrap

    with Voucherify() as vf:  # credentials, region, retries, rate limit: as for orders
        customers = vf.bind(AuthenticatedClient, upserts=[Upsert("/v1/customers", keys="source_id")])
        for customer in paginate(list_customers.sync_detailed, customers, data_ref="customers",
                                 item=Customer, prefetch=2):
            ...
        body = CustomerUpsert(source_id="c-1", name="Ada")
        saved = unwrap(call(upsert_customer.sync_detailed, client=customers, body=body), Customer)
        action = vf.async_actions.wait(started.async_action_id)  # a bulk call's async action

What each piece gives:

* :meth:`Voucherify.bind` (and :meth:`AsyncVoucherify.bind`): the team's ``AuthenticatedClient``,
  sending through the configured transport. The team passes no token: credentials are added per
  request, to the API host only. ``upserts=`` declares which of its writes are safe to repeat.
* :func:`call` / :func:`acall`: a generated ``*_detailed`` function, called so that nothing but a
  :class:`VoucherifyError` escapes; typed by the function (its parameters, its ``Response``).
* :func:`unwrap`: the success model, every field's type checked, or the typed error for the
  status (:class:`NotFoundError`, :class:`RateLimitError`, ...), with ``outcome_unknown`` when an
  undeclared write failed ambiguously.
* :func:`paginate` / :func:`apaginate`: every item of a list, lazily, with retries per page,
  ``prefetch``, ``max_items`` and no request past page 100 (:class:`PaginationLimitError`). The
  envelope is read from the function's annotation (the model with the ``data_ref`` field, whatever
  the error model is called); ``item=`` types the items.
* ``vf.async_actions.wait(id)``: polls an async action of any type to ``DONE`` and returns it
  (an :class:`AsyncAction`; :class:`AsyncActionFailedError`, :class:`JobTimeoutError`).
* :class:`Upsert`: a write declared safe to repeat, for the key that makes it idempotent. The
  default for every other POST stays: sent once, and on an ambiguous failure (a dropped response,
  a 503) an error with ``outcome_unknown=True`` rather than a blind second send.
"""

from __future__ import annotations

from voucherify_client.models import AsyncActionGetResponseBody as AsyncAction

from voucherify_ext.async_actions.actions import AsyncActions, AsyncAsyncActions
from voucherify_ext.client import AsyncVoucherify, Voucherify
from voucherify_ext.client.binding import GeneratedClient, GeneratedClientClass
from voucherify_ext.errors import (
    APIConnectionError,
    APIError,
    APIResponseError,
    APITimeoutError,
    AsyncActionFailedError,
    AsyncActionStatusError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    DeadlineExceededError,
    JobTimeoutError,
    NotFoundError,
    PaginationLimitError,
    RateLimitError,
    ServerError,
    ValidationError,
    VoucherifyError,
)
from voucherify_ext.pagination import (
    AsyncPaginator,
    EndDateCursor,
    Page,
    PageNumbers,
    PaginationStrategy,
    Paginator,
    apaginate,
    paginate,
)
from voucherify_ext.responses import GeneratedResponse, acall, call, check_model, unwrap
from voucherify_ext.retry import RetryPolicy
from voucherify_ext.upserts import ORDER_UPSERT, Upsert

__all__ = [
    "ORDER_UPSERT",
    "APIConnectionError",
    "APIError",
    "APIResponseError",
    "APITimeoutError",
    "AsyncAction",
    "AsyncActionFailedError",
    "AsyncActionStatusError",
    "AsyncActions",
    "AsyncAsyncActions",
    "AsyncPaginator",
    "AsyncVoucherify",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "DeadlineExceededError",
    "EndDateCursor",
    "GeneratedClient",
    "GeneratedClientClass",
    "GeneratedResponse",
    "JobTimeoutError",
    "NotFoundError",
    "Page",
    "PageNumbers",
    "PaginationLimitError",
    "PaginationStrategy",
    "Paginator",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "Upsert",
    "ValidationError",
    "Voucherify",
    "VoucherifyError",
    "acall",
    "apaginate",
    "call",
    "check_model",
    "paginate",
    "unwrap",
]
