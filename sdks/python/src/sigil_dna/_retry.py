"""Retries of 429 and 503 at the transport, so every attempt is the same request (Idempotency-Key included)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from .errors import parse_retry_after

RETRYABLE_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class RetryPolicy:
    """``max_retries`` after the first attempt (0: off); waits as Retry-After says, never more than ``max_delay``."""

    max_retries: int = 3
    max_delay: float = 10.0
    base_delay: float = 0.5

    def delay(self, retry_after: str | None, attempt: int) -> float:
        seconds = parse_retry_after(retry_after, time.time())
        wanted = float(seconds) if seconds is not None else self.base_delay * 2**attempt
        return min(wanted, self.max_delay)


class RetryTransport(httpx.BaseTransport):
    def __init__(
        self,
        inner: httpx.BaseTransport,
        policy: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._inner = inner
        self._policy = policy
        self._sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            response = self._inner.handle_request(request)
            if response.status_code not in RETRYABLE_STATUSES or attempt >= self._policy.max_retries:
                return response
            retry_after = response.headers.get("retry-after")
            response.close()
            self._sleep(self._policy.delay(retry_after, attempt))
            attempt += 1

    def close(self) -> None:
        self._inner.close()
