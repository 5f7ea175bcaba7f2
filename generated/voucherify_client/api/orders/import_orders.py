from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.orders_import_create_request_body_item import OrdersImportCreateRequestBodyItem
from ...models.orders_import_create_response_body import OrdersImportCreateResponseBody
from ...types import Response


def _get_kwargs(
    *,
    body: list[OrdersImportCreateRequestBodyItem],
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/orders/import",
    }

    _kwargs["json"] = []
    for componentsschemas_orders_import_create_request_body_item_data in body:
        componentsschemas_orders_import_create_request_body_item = (
            componentsschemas_orders_import_create_request_body_item_data.to_dict()
        )
        _kwargs["json"].append(componentsschemas_orders_import_create_request_body_item)

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | OrdersImportCreateResponseBody | None:
    if response.status_code == 200:
        response_200 = OrdersImportCreateResponseBody.from_dict(response.json())

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
) -> Response[Error | OrdersImportCreateResponseBody]:
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
    body: list[OrdersImportCreateRequestBodyItem],
) -> Response[Error | OrdersImportCreateResponseBody]:
    """Import Orders

     Imports historical orders as an `ORDERS.IMPORT` async action; poll
    `getAsyncAction` for the result. At most 2000 orders a request. Only one order import
    runs per project at a time; further imports wait in a queue. No webhooks, events or
    order-based distributions are triggered, and `created_at` is set to the time of
    import. Every call schedules a new async action: a retry is not idempotent.

    Args:
        body (list[OrdersImportCreateRequestBodyItem]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrdersImportCreateResponseBody]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: list[OrdersImportCreateRequestBodyItem],
) -> Error | OrdersImportCreateResponseBody | None:
    """Import Orders

     Imports historical orders as an `ORDERS.IMPORT` async action; poll
    `getAsyncAction` for the result. At most 2000 orders a request. Only one order import
    runs per project at a time; further imports wait in a queue. No webhooks, events or
    order-based distributions are triggered, and `created_at` is set to the time of
    import. Every call schedules a new async action: a retry is not idempotent.

    Args:
        body (list[OrdersImportCreateRequestBodyItem]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrdersImportCreateResponseBody
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: list[OrdersImportCreateRequestBodyItem],
) -> Response[Error | OrdersImportCreateResponseBody]:
    """Import Orders

     Imports historical orders as an `ORDERS.IMPORT` async action; poll
    `getAsyncAction` for the result. At most 2000 orders a request. Only one order import
    runs per project at a time; further imports wait in a queue. No webhooks, events or
    order-based distributions are triggered, and `created_at` is set to the time of
    import. Every call schedules a new async action: a retry is not idempotent.

    Args:
        body (list[OrdersImportCreateRequestBodyItem]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrdersImportCreateResponseBody]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: list[OrdersImportCreateRequestBodyItem],
) -> Error | OrdersImportCreateResponseBody | None:
    """Import Orders

     Imports historical orders as an `ORDERS.IMPORT` async action; poll
    `getAsyncAction` for the result. At most 2000 orders a request. Only one order import
    runs per project at a time; further imports wait in a queue. No webhooks, events or
    order-based distributions are triggered, and `created_at` is set to the time of
    import. Every call schedules a new async action: a retry is not idempotent.

    Args:
        body (list[OrdersImportCreateRequestBodyItem]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrdersImportCreateResponseBody
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
