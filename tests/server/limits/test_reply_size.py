"""A reply's size and the memory a request may hold are bounded: a 234 kB body of 3,000 read
queries, each answered by 300 shots, is refused with a clear ftrack-shaped error naming the limit
(not a 135 MB reply), the server's processes do not grow by more than a generous 150 MB, and
everyone else's requests are still answered (SQLite; PostgreSQL with 4 workers).

Seen failing first (the limit lifted, ``FT_DCC_MAX_REPLY_BYTES=10**12``, as on the code before):
neither ~135 MB reply arrived within the client's minute, and the server's peak memory grew by
416 MB.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any, Dict, List

import requests
from support.trust import call, create, new_id, ok, query

from .memory import MB, peak_growth, reset_peaks

QUERIES = 3_000
SHOTS = 300


def _project_of_shots(server: Any) -> str:
    project = new_id()
    name = "wide_" + uuid.uuid4().hex[:8]
    batch = [create("Project", id=project, name=name, full_name=name)]
    batch += [create("Shot", name=f"sh{i:04d}", parent_id=project, description="x" * 40)
              for i in range(SHOTS)]  # fmt: skip
    ok(server, batch)
    return project


def _hostile(project: str) -> List[Dict[str, Any]]:
    expression = (
        "select id, name, description, parent_id, project_id from Shot "
        f'where project_id is "{project}"'
    )
    return [{"action": "query", "expression": expression}] * QUERIES


def test_a_batch_of_huge_replies_is_refused_naming_the_limit(any_server: Any) -> None:
    body = _hostile(_project_of_shots(any_server))
    replies: List[requests.Response] = []
    before = reset_peaks(any_server)

    threads = [threading.Thread(target=lambda: replies.append(call(any_server, body)))
               for _ in range(2)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    growth = peak_growth(any_server, before)
    assert len(replies) == 2  # both answered (a 135 MB reply did not arrive within a minute)
    for reply in replies:
        assert reply.status_code == 400, (reply.status_code, len(reply.content))
        content = reply.json()["content"]
        assert reply.json()["exception"] == "ValidationError"
        assert "larger than 16 MB" in content and "FT_DCC_MAX_REPLY_BYTES" in content, content
    assert growth < 150 * MB, f"a server process grew by {growth / MB:.0f} MB"
    assert query(any_server, "select id from Project limit 1")  # the others are still answered


def test_a_reply_under_the_limit_is_answered_whole(any_server: Any) -> None:
    project = _project_of_shots(any_server)
    replies = ok(any_server, _hostile(project)[:20])
    assert [len(reply["data"]) for reply in replies] == [SHOTS] * 20
