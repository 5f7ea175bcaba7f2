from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.orders_export_create_request_body import OrdersExportCreateRequestBody
from ...models.orders_export_create_response_body import OrdersExportCreateResponseBody
from ...types import Response


def _get_kwargs(
    *,
    body: OrdersExportCreateRequestBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/orders/export",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | OrdersExportCreateResponseBody | None:
    if response.status_code == 200:
        response_200 = OrdersExportCreateResponseBody.from_dict(response.json())

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
) -> Response[Error | OrdersExportCreateResponseBody]:
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
    body: OrdersExportCreateRequestBody,
) -> Response[Error | OrdersExportCreateResponseBody]:
    """Create Orders Export

     Schedules a CSV export of orders. `fields` become the CSV columns (default `id`,
    `source_id`, `status`); `metadata.<key>` exports one metadata key. Poll `getExport`
    until `status` is `DONE`, then download `result.url` (see `x-export-download`).

    Args:
        body (OrdersExportCreateRequestBody): Every part is optional; `{}` exports `id`,
            `source_id` and `status`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrdersExportCreateResponseBody]
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
    body: OrdersExportCreateRequestBody,
) -> Error | OrdersExportCreateResponseBody | None:
    """Create Orders Export

     Schedules a CSV export of orders. `fields` become the CSV columns (default `id`,
    `source_id`, `status`); `metadata.<key>` exports one metadata key. Poll `getExport`
    until `status` is `DONE`, then download `result.url` (see `x-export-download`).

    Args:
        body (OrdersExportCreateRequestBody): Every part is optional; `{}` exports `id`,
            `source_id` and `status`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrdersExportCreateResponseBody
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: OrdersExportCreateRequestBody,
) -> Response[Error | OrdersExportCreateResponseBody]:
    """Create Orders Export

     Schedules a CSV export of orders. `fields` become the CSV columns (default `id`,
    `source_id`, `status`); `metadata.<key>` exports one metadata key. Poll `getExport`
    until `status` is `DONE`, then download `result.url` (see `x-export-download`).

    Args:
        body (OrdersExportCreateRequestBody): Every part is optional; `{}` exports `id`,
            `source_id` and `status`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrdersExportCreateResponseBody]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: OrdersExportCreateRequestBody,
) -> Error | OrdersExportCreateResponseBody | None:
    """Create Orders Export

     Schedules a CSV export of orders. `fields` become the CSV columns (default `id`,
    `source_id`, `status`); `metadata.<key>` exports one metadata key. Poll `getExport`
    until `status` is `DONE`, then download `result.url` (see `x-export-download`).

    Args:
        body (OrdersExportCreateRequestBody): Every part is optional; `{}` exports `id`,
            `source_id` and `status`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrdersExportCreateResponseBody
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
