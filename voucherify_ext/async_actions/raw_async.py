"""``vf.async_actions.with_raw_response`` of :class:`~voucherify_ext.AsyncVoucherify`: ``get``
and ``list_page`` as ``vf.async_actions`` (:class:`AsyncAsyncActions`) has them, each
returning a :class:`~voucherify_ext.responses.raw.RawResponse` (status, headers, attempts,
rate-limit state, and ``.parse()`` for the model).

The one source; ``raw_sync.py`` (:class:`AsyncActionsWithRawResponse`) is generated from it by
``scripts/unasync.py``.
"""

from __future__ import annotations

from voucherify_client.api.async_actions import get_async_action, list_async_actions
from voucherify_client.client import AuthenticatedClient
from voucherify_client.models import AsyncActionGetResponseBody, AsyncActionsListResponseBody

from voucherify_ext.async_actions.inputs import EndDate, action_id, list_kwargs
from voucherify_ext.responses import acall, unwrap
from voucherify_ext.responses.raw import RawResponse, raw_response

__all__ = ["AsyncAsyncActionsWithRawResponse"]  # unasync: __all__ = ["AsyncActionsWithRawResponse"]


class AsyncAsyncActionsWithRawResponse:
    """The async-action reads of :class:`~voucherify_ext.AsyncVoucherify`, each with its
    response's HTTP details: ``raw = await avf.async_actions.with_raw_response.get("aa_...")``."""

    def __init__(self, client: AuthenticatedClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    async def get(self, async_action_id: str) -> RawResponse[AsyncActionGetResponseBody]:
        """``async_actions.get``, with its HTTP details."""
        response = await acall(
            get_async_action.asyncio_detailed, action_id(async_action_id), client=self._client
        )
        return raw_response(response, unwrap(response, AsyncActionGetResponseBody))

    async def list_page(
        self, *, limit: int = 100, end_date: EndDate | None = None
    ) -> RawResponse[AsyncActionsListResponseBody]:
        """``async_actions.list_page`` (one page, newest first), with its HTTP details."""
        response = await acall(
            list_async_actions.asyncio_detailed, client=self._client, **list_kwargs(limit, end_date)
        )
        return raw_response(response, unwrap(response, AsyncActionsListResponseBody))
