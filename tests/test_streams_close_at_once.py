"""Every test module that reads a ``stream=True`` response on a thread closes it with
``support.net.close_stream``.

``response.close()`` alone waits for the reading thread's pending read (it holds the buffer's
lock), i.e. for the server's next bytes: on a review ``/live`` stream that is the next keepalive,
up to 15 s of nothing per stream still open at the end of a test. Seen first: the grants' and the
sign-in's streams (``LiveStream`` of ``test_live_revocation``), about 15 s in each test that left
its stream open, on both backends.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

TESTS = Path(__file__).resolve().parent


def thread_readers() -> List[Path]:
    """The suite's modules that read a streamed response's lines on a thread."""
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name != Path(__file__).name and "iter_lines(" in text and "Thread(" in text:
            found.append(path)
    return found


def test_each_stream_read_on_a_thread_closes_at_once() -> None:
    readers = thread_readers()
    assert readers, "no module reads a stream on a thread: is the search still right?"
    plain = [str(p.relative_to(TESTS)) for p in readers if "close_stream(" not in p.read_text()]
    assert not plain, f"close these streams with support.net.close_stream: {plain}"
