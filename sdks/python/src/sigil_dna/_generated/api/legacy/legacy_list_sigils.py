from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.legacy_list_view import LegacyListView
from ...models.problem import Problem
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/consciousness/sigils",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> LegacyListView | Problem | None:
    if response.status_code == 200:
        response_200 = LegacyListView.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[LegacyListView | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[LegacyListView | Problem]:
    """The newest sigils and the count (legacy format)

     Scope: `sigil:read`. The tenant's newest 10, newest first. Deprecated: answers carry `Deprecation`,
    `Sunset` (SIGIL_LEGACY_SUNSET) and `Link: </api/v1/sigils>; rel="successor-version"`. Same
    authentication, scopes, tenancy and limits as v1. Use GET /api/v1/sigils.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LegacyListView | Problem]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> LegacyListView | Problem | None:
    """The newest sigils and the count (legacy format)

     Scope: `sigil:read`. The tenant's newest 10, newest first. Deprecated: answers carry `Deprecation`,
    `Sunset` (SIGIL_LEGACY_SUNSET) and `Link: </api/v1/sigils>; rel="successor-version"`. Same
    authentication, scopes, tenancy and limits as v1. Use GET /api/v1/sigils.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LegacyListView | Problem
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[LegacyListView | Problem]:
    """The newest sigils and the count (legacy format)

     Scope: `sigil:read`. The tenant's newest 10, newest first. Deprecated: answers carry `Deprecation`,
    `Sunset` (SIGIL_LEGACY_SUNSET) and `Link: </api/v1/sigils>; rel="successor-version"`. Same
    authentication, scopes, tenancy and limits as v1. Use GET /api/v1/sigils.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LegacyListView | Problem]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> LegacyListView | Problem | None:
    """The newest sigils and the count (legacy format)

     Scope: `sigil:read`. The tenant's newest 10, newest first. Deprecated: answers carry `Deprecation`,
    `Sunset` (SIGIL_LEGACY_SUNSET) and `Link: </api/v1/sigils>; rel="successor-version"`. Same
    authentication, scopes, tenancy and limits as v1. Use GET /api/v1/sigils.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LegacyListView | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
