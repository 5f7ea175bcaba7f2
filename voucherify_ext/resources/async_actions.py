"""The async-actions resource, sync and async: :class:`AsyncActions` (generated
``async_actions_sync``) and :class:`AsyncAsyncActions` (its source, ``async_actions_async``)."""

from voucherify_ext.resources.async_actions_async import AsyncAsyncActions
from voucherify_ext.resources.async_actions_sync import AsyncActions

__all__ = ["AsyncActions", "AsyncAsyncActions"]
