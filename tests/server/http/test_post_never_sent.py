"""Whether a failed POST may have reached the server is told by the socket error's type.

The answer decides whether the client may send a write again (``PostFailed.arrived``). Through
``requests`` (used when a proxy is configured) the socket's error is wrapped by urllib3 and
``requests``; the poster finds it along the chain of causes, never by the text: a refused
connection never arrived, a connection the server closed after reading the request may have.
The same for the standard-library poster. Real sockets on 127.0.0.1.

Before: decided by the class name ``ConnectTimeout`` and by words in the error's ``repr``
(same answers for these cases: this guards the typed rule, it did not fail before).
"""

from __future__ import annotations

import socket
import threading
from typing import Iterator

import pytest
from support.net import free_port

from ft_dcc.session.http_post import PostFailed, RequestsPoster, StdlibPoster


@pytest.fixture
def hangs_up() -> Iterator[str]:
    """A server that reads a request, then closes the connection without a reply."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/api"
    stop.set()
    socket.create_connection(("127.0.0.1", port), timeout=30).close()  # wakes its accept()
    thread.join(30)
    listener.close()


@pytest.mark.parametrize("poster", ["requests", "stdlib"])
def test_a_refused_post_never_arrived_and_a_dropped_one_may_have(hangs_up: str,
                                                                 poster: str) -> None:  # fmt: skip
    refused_url = f"http://127.0.0.1:{free_port()}/api"
    for url, arrived in ((refused_url, False), (hangs_up, True)):
        sender = RequestsPoster(30) if poster == "requests" else StdlibPoster(url, 30)
        try:
            with pytest.raises(PostFailed) as failed:
                sender.post(url, b"[]", {"content-type": "application/json"})
        finally:
            sender.close()
        assert failed.value.arrived is arrived, (url, failed.value.reason)
        if not arrived:
            assert failed.value.reason == "connection refused"
