"""Work bounded before it is done: a text the server scans, logs, hashes or stores is cut to its
limit before any of that, so one request with a huge field costs about what a small one does
(on SQLite and on PostgreSQL with 4 workers).

Seen failing first: a review session whose ``availability`` is 1 MB of one letter was never
answered (the audit trail scrubbed the whole text for secrets with a quadratic pattern before
cutting it to 2,000 characters: 16,000 letters took 9 s, 1 MB hours), the request timed out after
60 s; the trail's ``source`` was scrubbed the same way (a 12,000-letter ``X-Forwarded-For`` took
5.6 s).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Dict, Iterator, List

import requests
from support.trust import call, create, delete, make_task, ok, query

MAX_TEXT = 2000  # ft_dcc.server.audit.entry.MAX_TEXT
MAX_DETAIL_TEXT = 20_000  # ft_dcc.server.audit.entry.MAX_DETAIL_TEXT

MEGABYTE = 1024 * 1024


def trail(server: Any, session_id: str) -> List[Dict[str, Any]]:
    reply = call(server, [{"action": "ft_dcc.audit", "review_session_id": session_id}])
    assert reply.status_code == 200, reply.text[:2000]
    return list(reply.json()[0]["entries"])


@contextmanager
def removed_after(server: Any, made: Dict[str, Any]) -> Iterator[None]:
    """Remove the session ``made`` when the test ends: a megabyte name or description left open
    on the worker's shared server would be listed by every later test of the worker."""
    try:
        yield
    finally:
        ok(server, [delete("ReviewSession", made["entity_key"][0])])


def test_a_megabyte_availability_is_recorded_cut(server_on_each_backend: Any) -> None:
    server = server_on_each_backend
    task = make_task(server)
    made = create("ReviewSession", name="huge", project_id=task["project"],
                  availability="a" * MEGABYTE)  # fmt: skip

    ok(server, [made])  # answered (before: never, the request timed out)

    with removed_after(server, made):
        entries = [e for e in trail(server, made["entity_key"][0])
                   if e["act"] == "session.changed"]  # fmt: skip
        assert entries, "the session's creation is in its trail"
        shown = entries[0]["detail"]["values"]["availability"]
        assert shown == "a" * MAX_TEXT  # cut to the trail's limit, nothing else changed


def test_a_detail_of_many_long_values_is_bounded_in_all(server_on_each_backend: Any) -> None:
    server = server_on_each_backend
    task = make_task(server)
    made = create("ReviewSession", name="n" * MEGABYTE, description="d" * MEGABYTE,
                  availability="token=" + "s" * MEGABYTE, project_id=task["project"])  # fmt: skip

    ok(server, [made])

    with removed_after(server, made):
        entry = next(e for e in trail(server, made["entity_key"][0])
                     if e["act"] == "session.changed")  # fmt: skip
        values = entry["detail"]["values"]
        assert values["availability"] == "token=[removed]"  # scrubbed after the cut, not leaked
        assert sum(len(str(value)) for value in values.values()) <= MAX_DETAIL_TEXT
    gone = f'select id from ReviewSession where id is "{made["entity_key"][0]}"'
    assert query(server, gone) == [], "the megabyte session is removed when the test ends"


def test_a_body_of_escaped_quotes_is_refused_at_once(server_on_each_backend: Any) -> None:
    """Seen failing first: an unterminated JSON string of 300,000 escaped quotes (600 KB) was
    not answered within 60 s: the depth check's string pattern, tried again from every quote,
    scanned the rest of the body each time (16 KB: 0.7 s)."""
    server = server_on_each_backend
    body = b'["' + b'\\"' * 300_000
    headers = {"ftrack-user": server.api_user, "ftrack-api-key": server.api_key,
               "ftrack-strict-api": "true", "content-type": "application/json"}  # fmt: skip

    reply = requests.post(server.url + "/api", data=body, headers=headers, timeout=60)

    assert reply.status_code == 400, reply.text[:500]
    assert "JSON" in reply.json()["content"]
