"""The customers team's code: Voucherify's Customers endpoints, built on voucherify_ext.

Their client (``customers_client``) is generated from ``openapi/customers.yaml`` with
``python -m voucherify_ext.codegen`` and is not committed; :class:`Customers` binds it to a
configured :class:`~voucherify_ext.toolkit.Voucherify`.
"""

from customers_team.customers import CUSTOMER_UPSERT, Customers

__all__ = ["CUSTOMER_UPSERT", "Customers"]
