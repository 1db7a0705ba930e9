"""The open ``/live`` streams of the grants' tests (``test_live_revocation``,
``test_project_revocation``)."""

from __future__ import annotations

from typing import Any, Iterator, List

import pytest
from support.waiting import wait_until

from .test_live_revocation import LiveStream


@pytest.fixture
def streams(trust_world: Any) -> Iterator[Any]:
    """Opens a session's ``/live`` stream through a link, connected; all closed at the end."""
    opened: List[LiveStream] = []

    def open_stream(session: str, token: str) -> LiveStream:
        stream = LiveStream(trust_world.url, session, token)
        opened.append(stream)
        wait_until(lambda: stream.mentions("connected"), "the stream to open")
        return stream

    yield open_stream
    for stream in opened:
        stream.close()
