"""The Python SDK against a live Sigil-DNA (see conftest.py): every call, every error class."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from sigil_dna import RetryPolicy, SigilApiError, SigilClient


def tag() -> str:
    """A tag no other test uses, so lists can be checked exactly in a shared tenant."""
    return f"py-{uuid.uuid4().hex[:12]}"


def problem(call: Any) -> SigilApiError:
    with pytest.raises(SigilApiError) as caught:
        call()
    return caught.value


class CountingTransport(httpx.BaseTransport):
    """Counts what the server answered, retries included."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.statuses: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        self.statuses.append(response.status_code)
        return response


def test_encode_without_a_key_mints_each_time_and_decode_returns_the_data(admin: SigilClient) -> None:
    first = admin.encode({"data": {"invoice": "INV-1001", "amount": 42.5}, "metadata": {"tags": ["invoice"]}})
    second = admin.encode(
        {"data": {"invoice": "INV-1001", "amount": 42.5}, "metadata": {"tags": ["invoice"]}}
    )
    assert first.id.startswith("sigil_")
    assert first.id != second.id
    decoded = admin.get(first.id)
    assert decoded.data.additional_properties == {"invoice": "INV-1001", "amount": 42.5}
    assert decoded.signature == first.signature
    assert decoded.metadata.tags == ["invoice"]


def test_encode_with_a_key_twice_returns_the_same_sigil(admin: SigilClient) -> None:
    key = str(uuid.uuid4())
    body = {"data": {"order": 7}}
    first = admin.encode(body, idempotency_key=key)
    again = admin.encode(body, idempotency_key=key)
    assert again.id == first.id
    assert again.created_at == first.created_at


def test_verify_ok_data_mismatch_and_signature_mismatch(admin: SigilClient) -> None:
    sigil = admin.encode({"data": {"invoice": "INV-2", "amount": 1}})
    ok = admin.verify(
        {"id": sigil.id, "data": {"amount": 1, "invoice": "INV-2"}, "signature": sigil.signature}
    )
    assert (ok.valid, ok.reason) == (True, "ok")
    data = admin.verify({"id": sigil.id, "data": {"invoice": "INV-2", "amount": 2}})
    assert (data.valid, data.reason) == (False, "data_mismatch")
    signature = admin.verify({"id": sigil.id, "signature": "0" * 64})
    assert (signature.valid, signature.reason) == (False, "signature_mismatch")


def test_iter_sigils_reads_every_page_of_250_without_repeats_or_gaps(admin: SigilClient) -> None:
    label = tag()
    minted = {admin.encode({"data": {"n": n}, "metadata": {"tags": [label]}}).id for n in range(250)}
    pages = admin.list(tag=label, limit=40)
    assert len(pages.items) == 40 and isinstance(pages.next_cursor, str)
    seen = [s.id for s in admin.iter_sigils(tag=label, limit=40)]
    assert len(seen) == 250
    assert set(seen) == minted
    assert seen == sorted(seen, reverse=True)  # newest first: ids are ULIDs


def test_match_finds_the_twin_and_excludes_the_query_sigil(admin: SigilClient) -> None:
    label = tag()
    base = admin.encode({"data": {"twin": label}})
    twin = admin.encode({"data": {"twin": label}})
    found = admin.match({"sigilId": base.id, "threshold": 0.999, "topN": 100})
    ids = [m.sigil_id for m in found.matches]
    assert twin.id in ids and base.id not in ids
    by_pattern = admin.match({"dnaPattern": base.dna.resonance_pattern, "threshold": 0.999, "topN": 100})
    assert base.id in [m.sigil_id for m in by_pattern.matches]


def test_revoke_then_verify_says_revoked_then_delete_makes_it_not_found(admin: SigilClient) -> None:
    sigil = admin.encode({"data": {"retire": True}})
    revoked = admin.revoke(sigil.id, "key compromise")
    assert revoked.revocation_reason == "key compromise"
    assert admin.revoke(sigil.id).revoked_at == revoked.revoked_at  # idempotent
    assert admin.verify({"id": sigil.id}).reason == "revoked"
    admin.delete(sigil.id)
    gone = problem(lambda: admin.get(sigil.id))
    assert (gone.status, gone.code) == (404, "NOT_FOUND")


def test_400_names_the_field(admin: SigilClient) -> None:
    error = problem(
        lambda: admin.encode({"data": {"a": 1}, "metadata": {"tags": [f"t{i}" for i in range(11)]}})
    )
    assert (error.status, error.code) == (400, "VALIDATION_FAILED")
    assert error.field_error("metadata.tags") is not None
    assert error.request_id


def test_401_for_an_expired_token(client_for: Any, tokens: dict[str, str]) -> None:
    error = problem(lambda: client_for(tokens["expired"]).keys())
    assert (error.status, error.code) == (401, "UNAUTHORIZED")


def test_403_for_a_missing_scope(client_for: Any, tokens: dict[str, str]) -> None:
    error = problem(lambda: client_for(tokens["readOnly"]).encode({"data": {"a": 1}}))
    assert (error.status, error.code) == (403, "FORBIDDEN")


def test_404_for_another_tenants_sigil(admin: SigilClient, client_for: Any, tokens: dict[str, str]) -> None:
    sigil = admin.encode({"data": {"mine": True}})
    error = problem(lambda: client_for(tokens["otherTenant"]).get(sigil.id))
    assert (error.status, error.code) == (404, "NOT_FOUND")


def test_409_for_a_key_reused_with_another_body(admin: SigilClient) -> None:
    key = str(uuid.uuid4())
    admin.encode({"data": {"v": 1}}, idempotency_key=key)
    error = problem(lambda: admin.encode({"data": {"v": 2}}, idempotency_key=key))
    assert (error.status, error.code) == (409, "CONFLICT")


def test_413_names_data(admin: SigilClient, serve: dict[str, Any]) -> None:
    error = problem(lambda: admin.encode({"data": {"blob": "x" * (serve["maxDataBytes"] + 1)}}))
    assert (error.status, error.code) == (413, "PAYLOAD_TOO_LARGE")
    assert error.field_error("data") is not None


def test_429_is_a_typed_error_without_retries(
    client_for: Any, serve: dict[str, Any], tokens: dict[str, str]
) -> None:
    client = client_for(tokens["writer"], url=serve["limitedUrl"])
    with pytest.raises(SigilApiError) as caught:
        for _ in range(serve["limitedRequests"] + 5):
            client.list(limit=1)
    assert (caught.value.status, caught.value.code) == (429, "RATE_LIMITED")
    assert caught.value.retry_after_seconds is not None


def test_429_is_retried_after_retry_after_and_a_retried_encode_mints_once(
    client_for: Any, serve: dict[str, Any], tokens: dict[str, str]
) -> None:
    counting = CountingTransport()
    client = client_for(
        tokens["admin"],
        url=serve["limitedUrl"],
        retry=RetryPolicy(max_retries=5, max_delay=3),
        transport=counting,
    )
    label = tag()
    calls = serve["limitedRequests"] + 3
    minted = [client.encode({"data": {"n": n}, "metadata": {"tags": [label]}}).id for n in range(calls)]
    assert 429 in counting.statuses  # some attempts were throttled, and retried
    listed = [s.id for s in client.iter_sigils(tag=label, limit=100)]
    assert sorted(listed) == sorted(minted)  # one sigil per call: no retry minted a second


def test_a_token_callback_is_asked_before_every_request(
    serve: dict[str, Any], tokens: dict[str, str]
) -> None:
    asked: list[int] = []

    def token() -> str:
        asked.append(1)
        return tokens["admin"]

    with SigilClient(serve["url"], token, retry=RetryPolicy(max_retries=0)) as client:
        client.keys()
        client.keys()
    assert len(asked) == 2
