from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.orders_create_request_body import OrdersCreateRequestBody
from ...models.orders_create_response_body import OrdersCreateResponseBody
from ...types import Response


def _get_kwargs(
    *,
    body: OrdersCreateRequestBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/orders",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | OrdersCreateResponseBody | None:
    if response.status_code == 200:
        response_200 = OrdersCreateResponseBody.from_dict(response.json())

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
) -> Response[Error | OrdersCreateResponseBody]:
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
    body: OrdersCreateRequestBody,
) -> Response[Error | OrdersCreateResponseBody]:
    """Create Order

     Creates an order and fires an order-created event. Upsert: when `id` or `source_id`
    names an existing order, that order is updated and returned, which makes a create with
    either of them safe to retry. Creating an order also upserts its customer.

    Args:
        body (OrdersCreateRequestBody): An order to create or, when `id` or `source_id` names an
            existing order, to update.
            To link a customer send `customer` with `id` or `source_id` (there is no `customer_id`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrdersCreateResponseBody]
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
    body: OrdersCreateRequestBody,
) -> Error | OrdersCreateResponseBody | None:
    """Create Order

     Creates an order and fires an order-created event. Upsert: when `id` or `source_id`
    names an existing order, that order is updated and returned, which makes a create with
    either of them safe to retry. Creating an order also upserts its customer.

    Args:
        body (OrdersCreateRequestBody): An order to create or, when `id` or `source_id` names an
            existing order, to update.
            To link a customer send `customer` with `id` or `source_id` (there is no `customer_id`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrdersCreateResponseBody
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: OrdersCreateRequestBody,
) -> Response[Error | OrdersCreateResponseBody]:
    """Create Order

     Creates an order and fires an order-created event. Upsert: when `id` or `source_id`
    names an existing order, that order is updated and returned, which makes a create with
    either of them safe to retry. Creating an order also upserts its customer.

    Args:
        body (OrdersCreateRequestBody): An order to create or, when `id` or `source_id` names an
            existing order, to update.
            To link a customer send `customer` with `id` or `source_id` (there is no `customer_id`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrdersCreateResponseBody]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: OrdersCreateRequestBody,
) -> Error | OrdersCreateResponseBody | None:
    """Create Order

     Creates an order and fires an order-created event. Upsert: when `id` or `source_id`
    names an existing order, that order is updated and returned, which makes a create with
    either of them safe to retry. Creating an order also upserts its customer.

    Args:
        body (OrdersCreateRequestBody): An order to create or, when `id` or `source_id` names an
            existing order, to update.
            To link a customer send `customer` with `id` or `source_id` (there is no `customer_id`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrdersCreateResponseBody
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
