"""Audit rows are bounded per grant: past ``FT_DCC_AUDIT_ROWS_PER_MINUTE`` (5 here) entries of a
repeated act (a refused request, a page opened) by one link's holder in a minute, the rest are
counted into one ``audit.counted`` entry instead of a row each; the chain still verifies. On
SQLite and on PostgreSQL with 4 workers (the rows counted over the workers: 5 in all).

Seen failing first: 40 requests of a revoked link wrote 40 ``access.refused`` rows.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List

import pytest
import requests
from support.trust import call
from support.waiting import wait_until

from ..client_review.gate_world import Dailies, gate_server, make_owner
from ..client_review.test_gate_revoked import mark

ROWS = 5
REQUESTS = 40


@pytest.fixture(scope="module", params=["sqlite", "postgresql-4-workers"])
def world(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Any]]:  # fmt: skip
    base = tmp_path_factory.mktemp(f"audit-rows-{request.param}")
    args: List[str] = []
    if request.param != "sqlite":
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database("auditrows", template=cluster.template)
        args = ["--database", url, "--workers", "4"]
    with gate_server(base, *args, FT_DCC_AUDIT_ROWS_PER_MINUTE=str(ROWS),
                     FT_DCC_AUDIT_WINDOW="3600") as server:  # fmt: skip
        for owner in make_owner(server, base):
            yield {"server": server, "owner": owner, "base": base}


def trail(server: Any, session_id: str) -> List[Dict[str, Any]]:
    answer = call(server, [{"action": "ft_dcc.audit", "review_session_id": session_id,
                            "verify": True}])  # fmt: skip
    assert answer.status_code == 200, answer.text
    reply = answer.json()[0]
    assert reply["verify"]["ok"], reply["verify"]
    return list(reply["entries"])


@pytest.mark.slow
def test_refused_requests_of_a_revoked_link_are_counted_past_the_cap(world: Dict[str, Any]) -> None:
    server = world["server"]
    session = Dailies(server, world["owner"], world["base"])
    ann = session.invitee("ann")
    who = f"invitee:{session.dailies.ann['id']}"
    revoked = call(server, [mark(f"invitee_links_revoked_at:{session.dailies.ann['id']}",
                                 session.id)])  # fmt: skip
    assert revoked.status_code == 200, revoked.text

    statuses = [requests.get(ann.base + "/feedback", params={"token": ann.token},
                             headers={"Connection": "close"}, timeout=30).status_code
                for _ in range(REQUESTS)]  # fmt: skip
    assert statuses == [403] * REQUESTS

    def settled() -> List[Dict[str, Any]]:
        """The grant's entries once every refusal is a row or counted (each read writes out
        the counts of the worker that answers it)."""
        mine = [e for e in trail(server, session.id) if e["who"] == who]
        rows = sum(1 for e in mine if e["act"] == "access.refused")
        counted = sum(int(e["detail"]["counted"].get("access.refused", 0))
                      for e in mine if e["act"] == "audit.counted")  # fmt: skip
        return mine if rows + counted == REQUESTS else []

    mine = wait_until(settled, "every refused request in the trail, as a row or counted")
    rows = [e for e in mine if e["act"] == "access.refused"]
    assert len(rows) == ROWS
    counted = [e for e in mine if e["act"] == "audit.counted"]
    assert counted and all(e["detail"]["rows_per_minute"] == ROWS for e in counted)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_minute_over_is_written_as_one_counted_entry_at_the_next_act() -> None:
    from ft_dcc.server.audit.cap import AuditCap

    clock = Clock()
    cap = AuditCap(rows=2, window=60, clock=clock)
    admitted = [cap.admit("s", "room", "link.opened") for _ in range(5)]
    assert [own for own, _due in admitted] == [True, True, False, False, False]
    assert cap.admit("s", "room", "note.created") == (True, [])  # a change keeps its row
    clock.now += 61

    own, due = cap.admit("s", "room", "media.played")

    assert own is True
    assert [(d.review_session_id, d.who, d.detail["counted"]) for d in due] == [
        ("s", "room", {"link.opened": 3})
    ]
    assert cap.flush("s") == []  # nothing held any more


def test_reading_the_trail_writes_the_count_so_far_and_the_cap_goes_on() -> None:
    from ft_dcc.server.audit.cap import AuditCap

    cap = AuditCap(rows=1, window=60, clock=Clock())
    for _ in range(3):
        cap.admit("s", "invitee:1", "access.refused")
    cap.admit("t", "invitee:2", "access.refused")

    flushed = cap.flush("s")

    assert [d.detail["counted"] for d in flushed] == [{"access.refused": 2}]
    assert cap.admit("s", "invitee:1", "access.refused")[0] is False  # still past the cap
