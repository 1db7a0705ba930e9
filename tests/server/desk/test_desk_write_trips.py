"""A desk write's round trips to the database: adding or removing versions takes the same
handful of transactions whatever the session holds (each one a connection taken, ``BEGIN`` and
``COMMIT`` beside its statements: on PostgreSQL each a round trip through the worker), and its
answer is the session's view a read of it gives (its invitees' states and whether one manages it
included), on SQLite and PostgreSQL. Counted, never timed."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List

import pytest

pytest.importorskip("sqlalchemy")

from server.desk.heard import Studio, transactions

#: the session's view and what is added, read in one; the write; its trail; who manages it;
#: the invitees' mail states (the answer is the view read before, with what the write did)
MOST_TRANSACTIONS = 5


def _session(studio: Studio) -> str:
    session = str(uuid.uuid4())
    studio.api([{"action": "create", "entity_type": "ReviewSession", "entity_data": {
        "id": session, "name": "Client", "project_id": studio.project}}])  # fmt: skip
    return session


def _write(studio: Studio, session: str, verb: str, body: Dict[str, Any]
           ) -> tuple[Dict[str, Any], List[str]]:  # fmt: skip
    headers = {"X-CSRF-Token": _token(studio)}
    with transactions(studio.server.store.engine) as begun:
        reply = studio.client.post(f"/desk/api/session/{session}/{verb}", json=body,
                                   headers=headers)  # fmt: skip
    assert reply.status_code == 200, reply.text[:500]
    return reply.json(), list(begun)


def _token(studio: Studio) -> str:
    page = studio.client.get("/desk/")
    return page.text.split('data-csrf="', 1)[1].split('"', 1)[0]


def _view(studio: Studio, session: str) -> Dict[str, Any]:
    """The session's view as the desk reads it, without what only a page's first read holds."""
    found = studio.client.get(f"/desk/api/session/{session}")
    assert found.status_code == 200, found.text[:500]
    return _lasting({k: v for k, v in found.json().items() if k not in ("others", "users")})


def _lasting(view: Dict[str, Any]) -> Dict[str, Any]:
    """``view`` without what a clock moves (until when a link made now would work)."""
    invitees = [{k: v for k, v in i.items() if k != "valid_until"} for i in view["invitees"]]
    return dict(view, invitees=invitees)


def test_adding_and_removing_take_a_handful_of_transactions(each_studio: Studio) -> None:
    studio = each_studio
    session = _session(studio)
    studio.post(f"/desk/api/session/{session}/invite",
                {"people": [{"email": "ana@example.com"}, {"email": "bo@example.com"}]})
    invited = {i["email"]: i["id"] for i in _view(studio, session)["invitees"]}
    studio.post(f"/desk/api/session/{session}/revoke", {"invitee_id": invited["bo@example.com"]})
    studio.post(f"/desk/api/session/{session}/add", {"version_ids": studio.versions(30)})

    added, add_trips = _write(studio, session, "add", {"version_ids": studio.versions(50)})
    assert len(add_trips) <= MOST_TRANSACTIONS, add_trips
    assert _lasting({k: v for k, v in added.items() if k != "added"}) == _view(studio, session)
    assert len(added["items"]) == 80 and added["manages"] is True
    states = {i["email"]: i["revoked"] for i in added["invitees"]}
    assert states == {"ana@example.com": False, "bo@example.com": True}

    removed, remove_trips = _write(studio, session, "remove", {"object_ids": added["added"]})
    assert len(remove_trips) <= MOST_TRANSACTIONS, remove_trips
    assert _lasting(removed) == _view(studio, session)
    assert len(removed["items"]) == 30


def test_a_write_to_a_session_that_is_gone_is_refused_and_writes_nothing(
    each_studio: Studio,
) -> None:
    studio = each_studio
    versions = studio.versions(3)
    gone = str(uuid.uuid4())
    token = _token(studio)
    for verb, body in (("add", {"version_ids": versions}), ("remove", {"object_ids": versions})):
        reply = studio.client.post(f"/desk/api/session/{gone}/{verb}", json=body,
                                   headers={"X-CSRF-Token": token})  # fmt: skip
        assert reply.status_code == 404, reply.text[:300]
        assert "No such review session" in reply.json()["error"]
    asked = f'select id from ReviewSessionObject where review_session_id is "{gone}"'
    items = studio.api([{"action": "query", "expression": asked}])
    assert items[0]["data"] == []
