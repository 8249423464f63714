"""A live Sigil-DNA for the tests: test/sdk/serve.ts (the built service in production mode, a JWKS
on loopback, tokens for every role), started once per session and stopped at the end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sigil_dna import RetryPolicy, SigilClient

REPO = Path(__file__).resolve().parents[3]


def _node() -> str:
    """Node 24 (type stripping runs serve.ts): $SIGIL_NODE, the repo's pinned one, else PATH's."""
    pinned = REPO / "node_modules" / ".bin" / "node"
    return os.environ.get("SIGIL_NODE") or (
        str(pinned) if pinned.exists() else shutil.which("node") or "node"
    )


@pytest.fixture(scope="session")
def serve() -> Iterator[dict[str, Any]]:
    process = subprocess.Popen(
        [_node(), str(REPO / "test" / "sdk" / "serve.ts")],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=30)
        pytest.fail(f"test/sdk/serve.ts exited ({process.returncode}) before reporting; see its stderr above")
    try:
        yield json.loads(line)
    finally:
        assert process.stdin is not None
        process.stdin.close()  # serve.ts stops when its stdin closes
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def tokens(serve: dict[str, Any]) -> dict[str, str]:
    return serve["tokens"]


@pytest.fixture
def admin(serve: dict[str, Any], tokens: dict[str, str]) -> Iterator[SigilClient]:
    with SigilClient(serve["url"], tokens["admin"], retry=RetryPolicy(max_retries=0)) as client:
        yield client


@pytest.fixture
def client_for(serve: dict[str, Any]) -> Iterator[Any]:
    opened: list[SigilClient] = []

    def make(
        token: str, *, url: str | None = None, retry: RetryPolicy | None = None, **kwargs: Any
    ) -> SigilClient:
        client = SigilClient(url or serve["url"], token, retry=retry or RetryPolicy(max_retries=0), **kwargs)
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.close()
