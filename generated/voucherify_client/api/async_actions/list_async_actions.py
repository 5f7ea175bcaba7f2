import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.async_actions_list_response_body import AsyncActionsListResponseBody
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 10,
    end_date: datetime.date | datetime.datetime | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_end_date: str | Unset
    if isinstance(end_date, Unset):
        json_end_date = UNSET
    elif isinstance(end_date, datetime.datetime):
        json_end_date = end_date.isoformat()
    else:
        json_end_date = end_date.isoformat()

    params["end_date"] = json_end_date

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/async-actions",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AsyncActionsListResponseBody | Error | None:
    if response.status_code == 200:
        response_200 = AsyncActionsListResponseBody.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if 500 <= response.status_code <= 599:
        response_5xx = Error.from_dict(response.json())

        return response_5xx

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AsyncActionsListResponseBody | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
        extensions=response.extensions,
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    end_date: datetime.date | datetime.datetime | Unset = UNSET,
) -> Response[AsyncActionsListResponseBody | Error]:
    """List Async Actions

     Lists async actions, newest first. There is no page number: to read further, pass the
    `created_at` of the last item as the next `end_date`. Items never carry `result`.

    Args:
        limit (int | Unset):  Default: 10.
        end_date (datetime.date | datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AsyncActionsListResponseBody | Error]
    """

    kwargs = _get_kwargs(
        limit=limit,
        end_date=end_date,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    end_date: datetime.date | datetime.datetime | Unset = UNSET,
) -> AsyncActionsListResponseBody | Error | None:
    """List Async Actions

     Lists async actions, newest first. There is no page number: to read further, pass the
    `created_at` of the last item as the next `end_date`. Items never carry `result`.

    Args:
        limit (int | Unset):  Default: 10.
        end_date (datetime.date | datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AsyncActionsListResponseBody | Error
    """

    return sync_detailed(
        client=client,
        limit=limit,
        end_date=end_date,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    end_date: datetime.date | datetime.datetime | Unset = UNSET,
) -> Response[AsyncActionsListResponseBody | Error]:
    """List Async Actions

     Lists async actions, newest first. There is no page number: to read further, pass the
    `created_at` of the last item as the next `end_date`. Items never carry `result`.

    Args:
        limit (int | Unset):  Default: 10.
        end_date (datetime.date | datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AsyncActionsListResponseBody | Error]
    """

    kwargs = _get_kwargs(
        limit=limit,
        end_date=end_date,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    end_date: datetime.date | datetime.datetime | Unset = UNSET,
) -> AsyncActionsListResponseBody | Error | None:
    """List Async Actions

     Lists async actions, newest first. There is no page number: to read further, pass the
    `created_at` of the last item as the next `end_date`. Items never carry `result`.

    Args:
        limit (int | Unset):  Default: 10.
        end_date (datetime.date | datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AsyncActionsListResponseBody | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            end_date=end_date,
        )
    ).parsed
