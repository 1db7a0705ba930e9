"""A presenter's lead rests on its holder's grant, and ends with it (the access issue,
"revocation reaches every open door"): when the session is made private (a room identity's lead),
closed (every lead), or the leading invitee is removed, the lead ends at once -- every open page's
live stream hears "no one is presenting" without anyone asking -- on SQLite and on PostgreSQL
with 4 workers (the revocation reaches the worker that holds the stream)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
from support import genuine_sessions
from web.feedback_fixtures import Dailies, Page, link, make_dailies, personal_link
from web.test_presenter_api import Stream, new_page


@pytest.fixture
def room(server_on_each_backend: Any, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    """Dailies with Ann and Bob; the owner's personal link; a person who added themselves
    through the room link ("Rita")."""
    with genuine_sessions(server_on_each_backend, tmp_path / "cache") as make:
        session = make()
        dailies: Dailies = make_dailies(session)
        shared = link(session, dailies.review_session)
        added = shared.post("/whoami", {"name": "Rita Room", "email": "rita@room.example"})
        assert added.status_code == 201, added.text
        rita = Page(f"{shared.base}?token={added.json()['token']}")
        yield {
            "session": session,
            "dailies": dailies,
            "owner": personal_link(session, dailies.review_session),
            "ann": link(session, dailies.ann),
            "bob": link(session, dailies.bob),
            "rita": rita,
            "rita_key": "i:" + added.json()["me"]["invitee_id"],
        }


def hand_to(room: Dict[str, Any], who: str, key: str) -> int:
    """The owner takes the lead and hands it to ``who``, whose page claims it; the seq."""
    lead = new_page()
    assert room["owner"].post("/presenter", dict(op="take", **lead)).status_code == 200
    handed = room["owner"].post("/presenter", dict(op="hand", to=key, **lead))
    assert handed.status_code == 200, handed.text
    claimed = room[who].post("/presenter", dict(op="claim", **new_page()))
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["presenter"]["lead"]["key"] == key
    return int(claimed.json()["presenter"]["seq"])


def ended_on(stream: Stream, seq: int) -> Dict[str, Any]:
    """The first presenter event after ``seq`` (it must say no one leads)."""
    event = stream.first(lambda e: e["seq"] > seq, f"a presenter event after seq {seq}")
    assert event["lead"] is None, event
    return event


def test_making_the_session_private_ends_a_room_identitys_lead(room: Dict[str, Any]) -> None:
    seq = hand_to(room, "rita", room["rita_key"])
    ann = Stream(room["ann"])
    try:
        ann.wait_for(seq)
        review_session = room["dailies"].review_session
        review_session["shareable_url_enabled"] = False
        room["session"].commit()
        ended_on(ann, seq)
    finally:
        ann.close()
    # and Rita cannot take it back: her room identity no longer opens the session
    assert room["rita"].post("/presenter", dict(op="claim", **new_page())).status_code == 403


def test_closing_the_session_ends_the_owners_lead(room: Dict[str, Any]) -> None:
    lead = new_page()
    taken = room["owner"].post("/presenter", dict(op="take", **lead))
    assert taken.status_code == 200, taken.text
    seq = int(taken.json()["presenter"]["seq"])
    bob = Stream(room["bob"])
    try:
        bob.wait_for(seq)
        review_session = room["dailies"].review_session
        review_session["end_date"] = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
        room["session"].commit()
        ended_on(bob, seq)
    finally:
        bob.close()


def test_removing_the_leading_invitee_ends_their_lead(room: Dict[str, Any]) -> None:
    seq = hand_to(room, "ann", "i:" + room["dailies"].ann["id"])
    bob = Stream(room["bob"])
    try:
        bob.wait_for(seq)
        room["session"].delete(room["dailies"].ann)
        room["session"].commit()
        ended_on(bob, seq)
    finally:
        bob.close()
