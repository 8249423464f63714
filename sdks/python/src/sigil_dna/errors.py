"""The API's problem+json errors as one exception type."""

from __future__ import annotations

import email.utils
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass(frozen=True)
class FieldError:
    """One offending field, as a dotted path (``metadata.tags``), and what is wrong with it."""

    field: str
    message: str


@dataclass
class SigilApiError(Exception):
    """Any answer that is not a success (RFC 9457 problem+json). Branch on ``code``, which is stable."""

    status: int
    code: str
    title: str
    detail: str
    request_id: str
    field_errors: list[FieldError] = field(default_factory=list)
    retry_after_seconds: int | None = None
    problem: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.status} {self.code}: {self.detail}")

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.detail} (request {self.request_id})"

    def field_error(self, name: str) -> FieldError | None:
        """The first error for ``name``, if the server named that field."""
        return next((e for e in self.field_errors if e.field == name), None)

    @classmethod
    def from_response(cls, response: httpx.Response) -> SigilApiError:
        try:
            body: Any = json.loads(response.content)
        except ValueError:
            body = None
        if not isinstance(body, dict) or "code" not in body:
            text = (
                response.text[:500]
                if response.content
                else f"HTTP {response.status_code} without a problem body"
            )
            body = {
                "type": "about:blank",
                "title": f"HTTP {response.status_code}",
                "status": response.status_code,
                "detail": text,
                "code": "INTERNAL" if response.status_code >= 500 else "VALIDATION_FAILED",
                "requestId": response.headers.get("x-request-id", ""),
            }
        return cls(
            status=response.status_code,
            code=str(body.get("code")),
            title=str(body.get("title", "")),
            detail=str(body.get("detail", "")),
            request_id=str(body.get("requestId", "")),
            field_errors=[
                FieldError(str(e.get("field", "")), str(e.get("message", "")))
                for e in body.get("errors") or []
                if isinstance(e, dict)
            ],
            retry_after_seconds=parse_retry_after(response.headers.get("retry-after"), time.time()),
            problem=body,
        )


def parse_retry_after(value: str | None, now: float) -> int | None:
    """Seconds from ``Retry-After`` (delta-seconds or an HTTP date), or None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        at = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0, int(at - now + 0.999))
