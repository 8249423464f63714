from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.backup import Backup
from ...models.problem import Problem
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/admin/backups",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Backup | Problem | None:
    if response.status_code == 201:
        response_201 = Backup.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

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
) -> Response[Backup | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Backup | Problem]:
    """Take a consistent backup of the live LevelDB store

     Scope: `sigil:admin`. Copies every key through one snapshot into a new folder under
    `SIGIL_BACKUP_DIR` (never a client-chosen path). Every write acknowledged before the request is in
    the backup. 409 when the store is not LevelDB, SIGIL_BACKUP_DIR is unset, or a backup is already
    running.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Backup | Problem]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> Backup | Problem | None:
    """Take a consistent backup of the live LevelDB store

     Scope: `sigil:admin`. Copies every key through one snapshot into a new folder under
    `SIGIL_BACKUP_DIR` (never a client-chosen path). Every write acknowledged before the request is in
    the backup. 409 when the store is not LevelDB, SIGIL_BACKUP_DIR is unset, or a backup is already
    running.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Backup | Problem
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Backup | Problem]:
    """Take a consistent backup of the live LevelDB store

     Scope: `sigil:admin`. Copies every key through one snapshot into a new folder under
    `SIGIL_BACKUP_DIR` (never a client-chosen path). Every write acknowledged before the request is in
    the backup. 409 when the store is not LevelDB, SIGIL_BACKUP_DIR is unset, or a backup is already
    running.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Backup | Problem]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> Backup | Problem | None:
    """Take a consistent backup of the live LevelDB store

     Scope: `sigil:admin`. Copies every key through one snapshot into a new folder under
    `SIGIL_BACKUP_DIR` (never a client-chosen path). Every write acknowledged before the request is in
    the backup. 409 when the store is not LevelDB, SIGIL_BACKUP_DIR is unset, or a backup is already
    running.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Backup | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
