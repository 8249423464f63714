from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.legacy_created_view import LegacyCreatedView
from ...models.legacy_encode_sigil_body import LegacyEncodeSigilBody
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: LegacyEncodeSigilBody,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/consciousness/sigils",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> LegacyCreatedView | Problem | None:
    if response.status_code == 200:
        response_200 = LegacyCreatedView.from_dict(response.json())

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
) -> Response[LegacyCreatedView | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: LegacyEncodeSigilBody,
    idempotency_key: str | Unset = UNSET,
) -> Response[LegacyCreatedView | Problem]:
    """Mint a sigil from any JSON object (legacy format)

     Scope: `sigil:write`. Every member of the body but `id` and `timestamp` (the server's, as before)
    becomes the sigil's `data`; `v1` is reserved. Deprecated: answers carry `Deprecation`, `Sunset`
    (SIGIL_LEGACY_SUNSET) and `Link: </api/v1/sigils>; rel="successor-version"`. Same authentication,
    scopes, tenancy and limits as v1. Use POST /api/v1/sigils.

    Args:
        idempotency_key (str | Unset):  Example: 7c4a8d09-ca37-4e1c-9a5f-2b6f4f1f0c11.
        body (LegacyEncodeSigilBody):  Example: {'name': 'aurora', 'level': 3}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LegacyCreatedView | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: LegacyEncodeSigilBody,
    idempotency_key: str | Unset = UNSET,
) -> LegacyCreatedView | Problem | None:
    """Mint a sigil from any JSON object (legacy format)

     Scope: `sigil:write`. Every member of the body but `id` and `timestamp` (the server's, as before)
    becomes the sigil's `data`; `v1` is reserved. Deprecated: answers carry `Deprecation`, `Sunset`
    (SIGIL_LEGACY_SUNSET) and `Link: </api/v1/sigils>; rel="successor-version"`. Same authentication,
    scopes, tenancy and limits as v1. Use POST /api/v1/sigils.

    Args:
        idempotency_key (str | Unset):  Example: 7c4a8d09-ca37-4e1c-9a5f-2b6f4f1f0c11.
        body (LegacyEncodeSigilBody):  Example: {'name': 'aurora', 'level': 3}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LegacyCreatedView | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: LegacyEncodeSigilBody,
    idempotency_key: str | Unset = UNSET,
) -> Response[LegacyCreatedView | Problem]:
    """Mint a sigil from any JSON object (legacy format)

     Scope: `sigil:write`. Every member of the body but `id` and `timestamp` (the server's, as before)
    becomes the sigil's `data`; `v1` is reserved. Deprecated: answers carry `Deprecation`, `Sunset`
    (SIGIL_LEGACY_SUNSET) and `Link: </api/v1/sigils>; rel="successor-version"`. Same authentication,
    scopes, tenancy and limits as v1. Use POST /api/v1/sigils.

    Args:
        idempotency_key (str | Unset):  Example: 7c4a8d09-ca37-4e1c-9a5f-2b6f4f1f0c11.
        body (LegacyEncodeSigilBody):  Example: {'name': 'aurora', 'level': 3}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LegacyCreatedView | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: LegacyEncodeSigilBody,
    idempotency_key: str | Unset = UNSET,
) -> LegacyCreatedView | Problem | None:
    """Mint a sigil from any JSON object (legacy format)

     Scope: `sigil:write`. Every member of the body but `id` and `timestamp` (the server's, as before)
    becomes the sigil's `data`; `v1` is reserved. Deprecated: answers carry `Deprecation`, `Sunset`
    (SIGIL_LEGACY_SUNSET) and `Link: </api/v1/sigils>; rel="successor-version"`. Same authentication,
    scopes, tenancy and limits as v1. Use POST /api/v1/sigils.

    Args:
        idempotency_key (str | Unset):  Example: 7c4a8d09-ca37-4e1c-9a5f-2b6f4f1f0c11.
        body (LegacyEncodeSigilBody):  Example: {'name': 'aurora', 'level': 3}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LegacyCreatedView | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
