"""Loopback networking for tests: free ports, the embedded server's test credentials, ``/api``."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
import time
from typing import Any, Dict, Iterator, List

import requests

#: The credentials every test server (embedded server, event broker) accepts.
TEST_USER = "test.user"
TEST_KEY = "test-key-7f3c1d9e2b"


def free_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answered_by(url: str, pid: int, deadline: float) -> bool:
    """Whether the ft-dcc server at ``url`` answers yet and is process ``pid`` (or a worker of
    it): its ``/health`` names the process that answered. False while nothing listens, and for
    another process's answer on the port (parallel workers pick free ports at the same moment).
    """
    try:
        reply = requests.get(url + "/health", timeout=(1, max(1.0, deadline - time.monotonic())))
        worker = reply.json().get("worker") if reply.ok else None
    except (requests.ConnectionError, ValueError, AttributeError):
        return False
    return isinstance(worker, int) and pid in (worker, _parent(worker))


def _parent(pid: int) -> int:
    """``pid``'s parent process (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


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


def _answering(delay: float) -> type:
    """A request handler that answers any GET, empty, after ``delay`` seconds."""

    class Answering(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(delay)  # the answer's own slowness under test, never a wait for one
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    return Answering


@contextlib.contextmanager
def serving(delay: float) -> Iterator[int]:
    """Another process's HTTP server, on a free loopback port (yielded), answering after
    ``delay`` seconds."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _answering(delay))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
