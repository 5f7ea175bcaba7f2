from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.orders_list_response_body import OrdersListResponseBody
from ...models.parameter_order_list_orders import ParameterOrderListOrders
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 10,
    page: int | Unset = 1,
    order: ParameterOrderListOrders | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["page"] = page

    json_order: str | Unset = UNSET
    if not isinstance(order, Unset):
        json_order = order.value

    params["order"] = json_order

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/orders",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | OrdersListResponseBody | None:
    if response.status_code == 200:
        response_200 = OrdersListResponseBody.from_dict(response.json())

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
) -> Response[Error | OrdersListResponseBody]:
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
    page: int | Unset = 1,
    order: ParameterOrderListOrders | Unset = UNSET,
) -> Response[Error | OrdersListResponseBody]:
    """List Orders

     Returns a page of orders. Pages are numbered from 1 to 100, so at most
    100 × `limit` (10,000) orders can be reached through this endpoint; use an export
    beyond that. The default sort order is documented inconsistently: always send `order`.

    Args:
        limit (int | Unset):  Default: 10.
        page (int | Unset):  Default: 1.
        order (ParameterOrderListOrders | Unset): Sort order of the order list; a leading `-`
            sorts descending.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrdersListResponseBody]
    """

    kwargs = _get_kwargs(
        limit=limit,
        page=page,
        order=order,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    page: int | Unset = 1,
    order: ParameterOrderListOrders | Unset = UNSET,
) -> Error | OrdersListResponseBody | None:
    """List Orders

     Returns a page of orders. Pages are numbered from 1 to 100, so at most
    100 × `limit` (10,000) orders can be reached through this endpoint; use an export
    beyond that. The default sort order is documented inconsistently: always send `order`.

    Args:
        limit (int | Unset):  Default: 10.
        page (int | Unset):  Default: 1.
        order (ParameterOrderListOrders | Unset): Sort order of the order list; a leading `-`
            sorts descending.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrdersListResponseBody
    """

    return sync_detailed(
        client=client,
        limit=limit,
        page=page,
        order=order,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    page: int | Unset = 1,
    order: ParameterOrderListOrders | Unset = UNSET,
) -> Response[Error | OrdersListResponseBody]:
    """List Orders

     Returns a page of orders. Pages are numbered from 1 to 100, so at most
    100 × `limit` (10,000) orders can be reached through this endpoint; use an export
    beyond that. The default sort order is documented inconsistently: always send `order`.

    Args:
        limit (int | Unset):  Default: 10.
        page (int | Unset):  Default: 1.
        order (ParameterOrderListOrders | Unset): Sort order of the order list; a leading `-`
            sorts descending.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrdersListResponseBody]
    """

    kwargs = _get_kwargs(
        limit=limit,
        page=page,
        order=order,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 10,
    page: int | Unset = 1,
    order: ParameterOrderListOrders | Unset = UNSET,
) -> Error | OrdersListResponseBody | None:
    """List Orders

     Returns a page of orders. Pages are numbered from 1 to 100, so at most
    100 × `limit` (10,000) orders can be reached through this endpoint; use an export
    beyond that. The default sort order is documented inconsistently: always send `order`.

    Args:
        limit (int | Unset):  Default: 10.
        page (int | Unset):  Default: 1.
        order (ParameterOrderListOrders | Unset): Sort order of the order list; a leading `-`
            sorts descending.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrdersListResponseBody
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            page=page,
            order=order,
        )
    ).parsed
