"""Waiting for a test server to start does not depend on the machine's speed: a server that
listens but answers its first request slowly (a loaded machine, its first request warming it up)
is waited for until the start's deadline, not failed after a second."""

from __future__ import annotations

import http.server
import threading
import time
from typing import Iterator

import pytest
from support.net import answers

#: longer than a read timeout of one second
SLOW_SECONDS = 1.5


class _Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        time.sleep(SLOW_SECONDS)  # the slow first answer the test is about, not a wait for one
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def slow_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_that_answers_slowly_is_waited_for(slow_url: str) -> None:
    assert answers(slow_url, time.monotonic() + 60)


def test_nothing_listening_is_not_yet_an_answer() -> None:
    from support.net import free_port

    assert not answers(f"http://127.0.0.1:{free_port()}/", time.monotonic() + 60)
