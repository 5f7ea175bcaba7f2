"""Customers through voucherify_ext: list (with prefetch), get, upsert (retried safely), and a
bulk update waited to its end. Everything is typed by the team's generated package."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from customers_client import AuthenticatedClient
from customers_client.api.customers import (
    get_customer,
    list_customers,
    update_customers_in_bulk,
    upsert_customer,
)
from customers_client.models import AsyncActionStarted, Customer, CustomersOrder, CustomerUpsert

from voucherify_ext.toolkit import (
    AsyncAction,
    PageNumbers,
    Paginator,
    Upsert,
    Voucherify,
    call,
    paginate,
    unwrap,
)

#: ``POST /v1/customers`` with an ``id`` or ``source_id`` updates that customer: safe to repeat.
#: The bulk call is not declared: every call starts a new async action.
CUSTOMER_UPSERT = Upsert("/v1/customers", keys=("id", "source_id"))

_PAGES = PageNumbers(noun="customers", remedy="Filter the list, or export the customers instead")


class Customers:
    """The customers resource, on the credentials, retries and rate limit of ``vf``."""

    def __init__(self, vf: Voucherify, *, upserts: Sequence[Upsert] = (CUSTOMER_UPSERT,)) -> None:
        self._vf = vf
        self.client: AuthenticatedClient = vf.bind(AuthenticatedClient, upserts=upserts)

    def iter(
        self, *, order: str = "-created_at", page_size: int = 100, prefetch: int = 1
    ) -> Paginator[Customer]:
        """Every customer, lazily, ``prefetch`` pages in flight."""
        return paginate(
            list_customers.sync_detailed,
            self.client,
            data_ref="customers",
            item=Customer,
            params={"order": CustomersOrder(order)},
            strategy=_PAGES,
            page_size=page_size,
            prefetch=prefetch,
        )

    def get(self, key: str) -> Customer:
        """The customer with this ``id`` or ``source_id``."""
        return unwrap(call(get_customer.sync_detailed, key, client=self.client), Customer)

    def upsert(self, customer: CustomerUpsert) -> Customer:
        """Create the customer, or update the one its ``id``/``source_id`` names."""
        return unwrap(call(upsert_customer.sync_detailed, client=self.client, body=customer), Customer)

    def update_in_bulk(
        self,
        customers: Sequence[CustomerUpsert],
        *,
        timeout: float = 600.0,
        on_progress: Callable[[int], None] | None = None,
    ) -> AsyncAction:
        """Upsert ``customers`` in one async action and wait for it to finish."""
        response = call(update_customers_in_bulk.sync_detailed, client=self.client, body=list(customers))
        started = unwrap(response, AsyncActionStarted)
        return self._vf.async_actions.wait(started.async_action_id, timeout=timeout, on_progress=on_progress)
