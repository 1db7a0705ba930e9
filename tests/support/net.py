"""Loopback networking for tests: free ports, the embedded server's test credentials, ``/api``."""

from __future__ import annotations

import contextlib
import socket
import time
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


def close_stream(response: requests.Response) -> None:
    """Close a ``stream=True`` response that another thread is reading, at once.

    ``response.close()`` alone waits for the reading thread's pending read (it holds the
    buffer's lock), i.e. for the server's next bytes: the review stream's keepalive comes every
    15 s. Shutting the socket down first ends that read now.
    """
    connection = getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    response.close()


def answers(url: str, deadline: float) -> bool:
    """Whether a server starting at ``url`` answers a GET yet: False while nothing listens.

    Once it accepts the connection its answer is waited for until ``deadline`` (a monotonic
    time), however slowly it comes on a loaded machine; only connecting gives up after a second.
    """
    read = max(1.0, deadline - time.monotonic())
    try:
        requests.get(url, timeout=(1, read))
        return True
    except requests.ConnectionError:  # refused, or no connection within the second
        return False
