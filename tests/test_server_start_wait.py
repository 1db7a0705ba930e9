"""Waiting for a test server to start does not depend on the machine's speed: a server that
listens but answers its first request slowly (a loaded machine, its first request warming it up)
is waited for until the start's deadline, not failed after a second. And the answer waited for is
the started server's own: another process answering on its port (parallel workers pick free
ports at the same moment) is not taken for it."""

from __future__ import annotations

import time
from typing import Iterator

import pytest
from support.net import answers, serving
from support.trust import root_conftest

#: longer than a read timeout of one second
SLOW_SECONDS = 1.5


@pytest.fixture()
def slow_url() -> Iterator[str]:
    with serving(SLOW_SECONDS) as port:
        yield f"http://127.0.0.1:{port}/"


def test_a_server_that_answers_slowly_is_waited_for(slow_url: str) -> None:
    assert answers(slow_url, time.monotonic() + 60)


def test_nothing_listening_is_not_yet_an_answer() -> None:
    from support.net import free_port

    assert not answers(f"http://127.0.0.1:{free_port()}/", time.monotonic() + 60)


def test_a_port_another_server_answers_on_is_not_taken_for_the_started_one(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The free port handed out first is already served by another process (another worker's
    server that picked it the same moment): the started server cannot bind it, and the start
    goes on with another port instead of handing the other server's answers to the tests (seen
    in a whole run: the PostgreSQL group's tests ran against another worker's server, then
    failed, refused, when it stopped)."""
    conftest = root_conftest()  # by its path: another folder's conftest may hold the name
    free_port = conftest.free_port
    with serving(0) as taken:
        handed = [taken]
        monkeypatch.setattr(conftest, "free_port", lambda: handed.pop() if handed else free_port())
        server = conftest.start_server(tmp_path)
    try:
        assert server.port != taken
        assert server.process is not None and server.process.poll() is None
        assert server.requests_since(0), "the started server answered none of the start's probes"
    finally:
        server.stop()
