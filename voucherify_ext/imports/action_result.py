"""What an import's async action says: its ``ORDERS.IMPORT`` result, typed and checked against
the spec (:func:`import_result`). No I/O. (Its state for the poller, ``action_state``, is the
async-actions resource's: :mod:`voucherify_ext.async_actions.states`.)"""

from __future__ import annotations

from voucherify_client.models import AsyncActionGetResponseBody, OrdersImportResult
from voucherify_client.types import Unset

from voucherify_ext.errors import APIResponseError
from voucherify_ext.logs import logger
from voucherify_ext.model_check import check_model

__all__ = ["import_result"]


def _text(value: object) -> str:
    return "?" if value is None or isinstance(value, Unset) else str(value)


def import_result(action: AsyncActionGetResponseBody) -> OrdersImportResult | None:
    """The typed result of an ``ORDERS.IMPORT`` action (``done_count``, ``failed_count``,
    ``failed`` entries with ``source_id`` and ``reason``), or None when the action has no result
    yet, is of another type, or carries a result that does not match the spec's
    ``OrdersImportResult`` (logged as a warning: the caller then knows no counts)."""
    result = action.result
    if isinstance(result, Unset) or _text(action.type_) not in ("ORDERS.IMPORT", "?"):
        return None
    try:
        parsed = OrdersImportResult.from_dict(result.to_dict())
        check_model(parsed)
    except (APIResponseError, KeyError, TypeError, ValueError, AttributeError) as exc:
        logger.warning(
            "async action %s: its ORDERS.IMPORT result does not match the spec: %s", action.id, exc
        )
        return None
    return parsed
