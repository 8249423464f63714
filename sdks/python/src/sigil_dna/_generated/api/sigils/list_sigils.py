from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.sigil_list import SigilList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    source: str | Unset = UNSET,
    legacy_id: str | Unset = UNSET,
    revoked: bool | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["cursor"] = cursor

    params["tag"] = tag

    params["source"] = source

    params["legacyId"] = legacy_id

    params["revoked"] = revoked

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/sigils",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | SigilList | None:
    if response.status_code == 200:
        response_200 = SigilList.from_dict(response.json())

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
) -> Response[Problem | SigilList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    source: str | Unset = UNSET,
    legacy_id: str | Unset = UNSET,
    revoked: bool | Unset = UNSET,
) -> Response[Problem | SigilList]:
    """List sigils, newest first

     Scope: `sigil:read`. Items omit `data`; pass `nextCursor` back as `cursor` for the next page.

    Args:
        limit (int | Unset):  Default: 50. Example: 50.
        cursor (str | Unset):
        tag (str | Unset):  Example: invoice.
        source (str | Unset):  Example: billing-service.
        legacy_id (str | Unset):  Example: sigil-1700000000000.
        revoked (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SigilList]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        tag=tag,
        source=source,
        legacy_id=legacy_id,
        revoked=revoked,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    source: str | Unset = UNSET,
    legacy_id: str | Unset = UNSET,
    revoked: bool | Unset = UNSET,
) -> Problem | SigilList | None:
    """List sigils, newest first

     Scope: `sigil:read`. Items omit `data`; pass `nextCursor` back as `cursor` for the next page.

    Args:
        limit (int | Unset):  Default: 50. Example: 50.
        cursor (str | Unset):
        tag (str | Unset):  Example: invoice.
        source (str | Unset):  Example: billing-service.
        legacy_id (str | Unset):  Example: sigil-1700000000000.
        revoked (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SigilList
    """

    return sync_detailed(
        client=client,
        limit=limit,
        cursor=cursor,
        tag=tag,
        source=source,
        legacy_id=legacy_id,
        revoked=revoked,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    source: str | Unset = UNSET,
    legacy_id: str | Unset = UNSET,
    revoked: bool | Unset = UNSET,
) -> Response[Problem | SigilList]:
    """List sigils, newest first

     Scope: `sigil:read`. Items omit `data`; pass `nextCursor` back as `cursor` for the next page.

    Args:
        limit (int | Unset):  Default: 50. Example: 50.
        cursor (str | Unset):
        tag (str | Unset):  Example: invoice.
        source (str | Unset):  Example: billing-service.
        legacy_id (str | Unset):  Example: sigil-1700000000000.
        revoked (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SigilList]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        tag=tag,
        source=source,
        legacy_id=legacy_id,
        revoked=revoked,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    source: str | Unset = UNSET,
    legacy_id: str | Unset = UNSET,
    revoked: bool | Unset = UNSET,
) -> Problem | SigilList | None:
    """List sigils, newest first

     Scope: `sigil:read`. Items omit `data`; pass `nextCursor` back as `cursor` for the next page.

    Args:
        limit (int | Unset):  Default: 50. Example: 50.
        cursor (str | Unset):
        tag (str | Unset):  Example: invoice.
        source (str | Unset):  Example: billing-service.
        legacy_id (str | Unset):  Example: sigil-1700000000000.
        revoked (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SigilList
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            cursor=cursor,
            tag=tag,
            source=source,
            legacy_id=legacy_id,
            revoked=revoked,
        )
    ).parsed
