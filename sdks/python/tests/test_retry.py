"""Retries against scripted answers (httpx.MockTransport), no server. A wait past the 10 ms cap
would hang a test, not fail an assertion on time."""

from __future__ import annotations

import json

import httpx
import pytest

from sigil_dna import RetryPolicy, SigilApiError, SigilClient

KEYS = {"activeKid": "3f9a1c2b", "verifyOnlyKids": []}


def problem(status: int, code: str, retry_after: str | None = None) -> httpx.Response:
    body = {"type": "urn:x", "title": "t", "status": status, "detail": "d", "code": code, "requestId": "r-1"}
    headers = {"content-type": "application/problem+json"}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    return httpx.Response(status, content=json.dumps(body), headers=headers)


def scripted(*answers: httpx.Response) -> tuple[SigilClient, list[httpx.Request]]:
    queue = list(answers)
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return queue.pop(0)

    client = SigilClient(
        "http://sigil.test", "t", transport=httpx.MockTransport(handler), retry=RetryPolicy(max_delay=0.01)
    )
    return client, sent


def test_retries_a_503_and_caps_a_long_retry_after() -> None:
    client, sent = scripted(
        problem(503, "STORAGE_UNAVAILABLE", "3600"),
        problem(503, "STORAGE_UNAVAILABLE", "0"),
        httpx.Response(200, json=KEYS),
    )
    assert client.keys().active_kid == "3f9a1c2b"
    assert len(sent) == 3


def test_gives_up_after_max_retries_with_the_last_answer() -> None:
    client, sent = scripted(*(problem(429, "RATE_LIMITED", "1") for _ in range(4)))
    with pytest.raises(SigilApiError) as caught:
        client.keys()
    assert (caught.value.status, caught.value.code, caught.value.retry_after_seconds) == (
        429,
        "RATE_LIMITED",
        1,
    )
    assert len(sent) == 4  # the first attempt and 3 retries


def test_resends_an_encode_with_the_same_idempotency_key_and_body() -> None:
    sigil = httpx.Response(503, headers={"retry-after": "0"}, content=b"{}")
    client, sent = scripted(sigil, problem(403, "FORBIDDEN"))
    with pytest.raises(SigilApiError):
        client.encode({"data": {"a": 1}})
    keys = [r.headers["idempotency-key"] for r in sent]
    assert len(keys) == 2 and keys[0] == keys[1]
    assert [json.loads(r.content) for r in sent] == [{"data": {"a": 1}}] * 2


def test_does_not_retry_other_errors() -> None:
    client, sent = scripted(problem(403, "FORBIDDEN"))
    with pytest.raises(SigilApiError) as caught:
        client.keys()
    assert (caught.value.status, caught.value.request_id) == (403, "r-1")
    assert len(sent) == 1
