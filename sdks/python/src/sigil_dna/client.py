"""The Sigil-DNA API: the generated functions behind a small client with the conventions of the API."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Self, TypeVar

import httpx

from ._generated.api.admin import create_backup
from ._generated.api.keys import get_keys
from ._generated.api.sigils import (
    delete_sigil,
    encode_sigil,
    get_sigil,
    list_sigils,
    match_sigils,
    revoke_sigil,
    verify_sigil,
)
from ._generated.client import AuthenticatedClient
from ._generated.models import (
    Backup,
    EncodeSigilRequest,
    KeyStatus,
    MatchByPatternRequest,
    MatchBySigilRequest,
    MatchResult,
    RevokeSigilRequest,
    Sigil,
    SigilList,
    SigilSummary,
    VerifyResult,
    VerifySigilRequest,
)
from ._generated.types import UNSET, Response
from ._retry import RetryPolicy, RetryTransport
from ._version import __version__
from .errors import SigilApiError

#: A bearer token, or a function returning a current one (called before every request).
TokenProvider = str | Callable[[], str]
MatchRequest = MatchByPatternRequest | MatchBySigilRequest

T = TypeVar("T")


class _BearerAuth(httpx.Auth):
    def __init__(self, token: TokenProvider) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        token = self._token() if callable(self._token) else self._token
        request.headers["Authorization"] = f"Bearer {token}"
        yield request


def _model(cls: Any, value: Any) -> Any:
    """A generated model from itself or from a plain dict (`{"data": {...}}`)."""
    return cls.from_dict(dict(value)) if isinstance(value, Mapping) else value


def _match_model(value: MatchRequest | Mapping[str, Any]) -> MatchRequest:
    if isinstance(value, Mapping):
        return (MatchBySigilRequest if "sigilId" in value else MatchByPatternRequest).from_dict(dict(value))
    return value


class SigilClient:
    """The Sigil-DNA API. Methods return the generated models or raise SigilApiError.

    ``api`` is the generated client, for the generated functions themselves (``sigil_dna.api``).
    """

    def __init__(
        self,
        base_url: str,
        token: TokenProvider,
        *,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        base_url = base_url.rstrip("/")
        http = httpx.Client(
            base_url=base_url,
            auth=_BearerAuth(token),
            timeout=timeout,
            headers={"User-Agent": f"sigil-dna-python/{__version__}"},
            transport=RetryTransport(transport or httpx.HTTPTransport(), retry or RetryPolicy()),
        )
        # The generated client's own token is unused: the httpx client above authenticates every request.
        self.api = AuthenticatedClient(base_url=base_url, token="").set_httpx_client(http)

    def close(self) -> None:
        self.api.get_httpx_client().close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def encode(
        self, body: EncodeSigilRequest | Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> Sigil:
        """Mints a sigil. Retries never mint twice: every attempt carries the same Idempotency-Key,
        generated here unless you pass your own (to make your own retries safe too)."""
        key = idempotency_key or str(uuid.uuid4())
        return _ok(
            encode_sigil.sync_detailed(
                client=self.api, body=_model(EncodeSigilRequest, body), idempotency_key=key
            ),
            Sigil,
        )

    def get(self, sigil_id: str) -> Sigil:
        """The sigil with its data; NOT_FOUND (404) when it is not in the caller's tenant."""
        return _ok(get_sigil.sync_detailed(sigil_id, client=self.api), Sigil)

    def list(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        tag: str | None = None,
        source: str | None = None,
        revoked: bool | None = None,
    ) -> SigilList:
        """One page, newest first; pass ``next_cursor`` back as ``cursor``."""
        return _ok(
            list_sigils.sync_detailed(
                client=self.api,
                limit=UNSET if limit is None else limit,
                cursor=UNSET if cursor is None else cursor,
                tag=UNSET if tag is None else tag,
                source=UNSET if source is None else source,
                revoked=UNSET if revoked is None else revoked,
            ),
            SigilList,
        )

    def iter_sigils(
        self,
        *,
        limit: int | None = None,
        tag: str | None = None,
        source: str | None = None,
        revoked: bool | None = None,
    ) -> Iterator[SigilSummary]:
        """Every sigil matching the filters, page after page, until the last."""
        cursor: str | None = None
        while True:
            page = self.list(limit=limit, cursor=cursor, tag=tag, source=source, revoked=revoked)
            yield from page.items
            if not isinstance(page.next_cursor, str):
                return
            cursor = page.next_cursor

    def verify(self, body: VerifySigilRequest | Mapping[str, Any]) -> VerifyResult:
        """Always a result for a well-formed request: ``valid`` and the first failing check in ``reason``."""
        return _ok(
            verify_sigil.sync_detailed(client=self.api, body=_model(VerifySigilRequest, body)), VerifyResult
        )

    def match(self, body: MatchRequest | Mapping[str, Any]) -> MatchResult:
        """Sigils whose pattern is like ``dnaPattern``, or like that of the sigil ``sigilId``."""
        return _ok(match_sigils.sync_detailed(client=self.api, body=_match_model(body)), MatchResult)

    def revoke(self, sigil_id: str, reason: str | None = None) -> Sigil:
        """Revokes (idempotent: revoking again returns it as first revoked)."""
        # Always a body: the generated function declares JSON even without one, and an empty JSON body is a 400.
        body = RevokeSigilRequest() if reason is None else RevokeSigilRequest(reason=reason)
        return _ok(revoke_sigil.sync_detailed(sigil_id, client=self.api, body=body), Sigil)

    def delete(self, sigil_id: str) -> None:
        """Erases the sigil for good (scope sigil:admin)."""
        response = delete_sigil.sync_detailed(sigil_id, client=self.api)
        if response.status_code != 204:
            raise _error(response)

    def keys(self) -> KeyStatus:
        """The key ring by kid (scope sigil:admin)."""
        return _ok(get_keys.sync_detailed(client=self.api), KeyStatus)

    def create_backup(self) -> Backup:
        """An online backup of a LevelDB store (scope sigil:admin)."""
        return _ok(create_backup.sync_detailed(client=self.api), Backup)


def _error(response: Response[Any]) -> SigilApiError:
    return SigilApiError.from_response(
        httpx.Response(response.status_code, headers=response.headers, content=response.content)
    )


def _ok(response: Response[Any], expected: type[T]) -> T:
    if 200 <= response.status_code < 300 and isinstance(response.parsed, expected):
        return response.parsed
    raise _error(response)
