"""The async-actions resource, sync and async: :class:`AsyncActions` (generated ``actions_sync``)
and :class:`AsyncAsyncActions` (its source, ``actions_async``)."""

from voucherify_ext.async_actions.actions_async import AsyncAsyncActions
from voucherify_ext.async_actions.actions_sync import AsyncActions

__all__ = ["AsyncActions", "AsyncAsyncActions"]
