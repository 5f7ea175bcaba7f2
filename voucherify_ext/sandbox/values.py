"""The spec values the sandbox chooses by its own rules, each checked against the spec at start.

The spec lists what a field may hold; it cannot say which value a new order starts in, which
states an import or an export walks through, or what a list sorts by when asked for nothing.
Those are the sandbox's behaviour (Voucherify's, as ``shared/reference/voucherify-api-facts.md``
records it), so they are named here, once, and :func:`check_emitted` makes a sandbox refuse to
start on a spec that no longer has one of them, instead of answering outside its spec. No list of
a spec enum is kept here or anywhere in the sandbox: the lists come from :mod:`.spec_model`.
"""

from __future__ import annotations

from voucherify_ext.sandbox.spec_model import SpecError, SpecModel

__all__ = ["check_emitted"]

NEW_ORDER_STATUS = "CREATED"
"""A new order's status when the request names none (the spec has no ``default``)."""
SEED_STATUS = "PAID"
"""The status of orders seeded through the control plane, unless the caller names one."""
IMPORT_TYPE = "ORDERS.IMPORT"
ACTION_ENQUEUED = "ENQUEUED"
ACTION_IN_PROGRESS = "IN_PROGRESS"
ACTION_DONE = "DONE"
ACTION_SUCCEEDED = "SUCCESS"
EXPORT_SCHEDULED = "SCHEDULED"
EXPORT_IN_PROGRESS = "IN_PROGRESS"
EXPORT_DONE = "DONE"
EXPORTED_OBJECT = "order"
RATE_LIMIT_TYPE = "api_calls"
TOKEN_TYPE = "Bearer"
DEFAULT_JUNCTION = "and"
OR_JUNCTION = "or"
"""The junction that makes a filter match when any condition does (the others: all must)."""
DEFAULT_LIST_SORT = "created_at"
DEFAULT_EXPORT_SORT = "created_at"
DEFAULT_EXPORT_FIELDS = ("id", "source_id", "status")
"""The columns of an export that names none (the spec says so in prose only)."""
ORDER_OBJECT = "order"
ITEM_OBJECT = "order_item"
CUSTOMER_OBJECT = "customer"
LIST_OBJECT = "list"
ORDERS_DATA_REF = "orders"
ACTION_OBJECT = "async_action"
ACTIONS_DATA_REF = "async_actions"
EXPORT_OBJECT = "export"

BEYOND_SPEC = (("GET", "/v1/exports"),)
"""Operations of the real API that the bundled sandbox serves although our spec has none (the one
named exception to "the sandbox serves the spec's operations"): List Exports, the worked example
of docs/extending.md. Their values cannot be checked against our spec, so they are written out
below from the real API's facts (``shared/reference/voucherify-api-facts.md`` §2.10), and
``tests/sandbox/test_spec_following.py`` holds both to this list."""
EXPORT_LIST_SORTS = ("created_at", "-created_at", "status", "-status")
"""``order`` of List Exports (the real API's ``ParameterOrderListExports``)."""
DEFAULT_EXPORT_LIST_SORT = "-created_at"
"""List Exports without ``order``: newest first (the real API does not say)."""
EXPORTS_DATA_REF = "exports"

_EMITTED = (
    ("OrderStatus", NEW_ORDER_STATUS),
    ("OrderStatus", SEED_STATUS),
    ("AsyncActionType", IMPORT_TYPE),
    ("AsyncActionStatus", ACTION_ENQUEUED),
    ("AsyncActionStatus", ACTION_IN_PROGRESS),
    ("AsyncActionStatus", ACTION_DONE),
    ("AsyncActionOperationStatus", ACTION_SUCCEEDED),
    ("ExportStatus", EXPORT_SCHEDULED),
    ("ExportStatus", EXPORT_IN_PROGRESS),
    ("ExportStatus", EXPORT_DONE),
    ("OrdersExportCreateResponseBody.exported_object", EXPORTED_OBJECT),
    ("ExportedObject", EXPORTED_OBJECT),
    ("OAuthToken.token_type", TOKEN_TYPE),
    ("headers.X-Rate-Limit-Type", RATE_LIMIT_TYPE),
    ("ExportOrderFilters.junction", DEFAULT_JUNCTION),
    ("ExportOrderFilters.junction", OR_JUNCTION),
    ("ParameterOrderListOrders", DEFAULT_LIST_SORT),
    ("ExportOrderOrder", DEFAULT_EXPORT_SORT),
    ("OrderCalculated.object", ORDER_OBJECT),
    ("OrderCalculatedItem.object", ITEM_OBJECT),
    ("CustomerId.object", CUSTOMER_OBJECT),
    ("OrdersListResponseBody.object", LIST_OBJECT),
    ("OrdersListResponseBody.data_ref", ORDERS_DATA_REF),
    ("AsyncActionBase.object", ACTION_OBJECT),
    ("AsyncActionsListResponseBody.object", LIST_OBJECT),
    ("AsyncActionsListResponseBody.data_ref", ACTIONS_DATA_REF),
    ("Export.object", EXPORT_OBJECT),
)


def check_emitted(model: SpecModel) -> None:
    """Raise :class:`SpecError` if the spec lacks a value the sandbox emits or defaults to."""
    for schema, value in _EMITTED:
        model.require(schema, value)
    for field in DEFAULT_EXPORT_FIELDS:
        if not model.export_field_pattern.search(field):
            raise SpecError(f"{model.source}: the default export column {field!r} is no ExportOrderField")
