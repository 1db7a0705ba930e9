"""Loopback networking for tests: free ports, the embedded server's test credentials, ``/api``."""

from __future__ import annotations

import socket
from typing import Any, Dict, List

import requests

#: The credentials every test server (embedded server, event broker) accepts.
TEST_USER = "test.user"
TEST_KEY = "test-key-7f3c1d9e2b"


def free_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post_api(server: Any, operations: List[Dict[str, Any]], *, expect_list: bool = True) -> Any:
    """POST ``operations`` to ``server``'s ``/api`` with valid credentials; the decoded reply.

    Asserts HTTP 200 and, with ``expect_list``, a list of replies (one per operation).
    """
    response = requests.post(
        server.url + "/api",
        json=operations,
        headers={"ftrack-user": server.api_user, "ftrack-api-key": server.api_key},
        timeout=30,
    )
    assert response.status_code == 200, response.text[:2000]
    body = response.json()
    if expect_list:
        assert isinstance(body, list), body
    return body
