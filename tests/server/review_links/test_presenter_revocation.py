"""A presenter's lead rests on its holder's grant, and ends with it (the access issue,
"revocation reaches every open door"): when the session is made private (a room identity's lead),
closed (every lead), or the leading invitee is removed, the lead ends at once without anyone
asking -- the stored lead is gone, and every page whose own link still holds hears "no one is
presenting" on its live stream -- on SQLite and on PostgreSQL with 4 workers (the revocation
reaches the worker that holds the stream)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import pytest
import sqlalchemy as sa
from support import genuine_sessions
from support.waiting import wait_until
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
            "server": server_on_each_backend,
            "owner_id": session.query(
                f'select id from User where username is "{server_on_each_backend.api_user}"'
            ).one()["id"],
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


def stored_lead(server: Any, review_session_id: str) -> Optional[str]:
    """The lead stored in the server's database (read directly: no request re-checks it)."""
    args = server.extra_args
    url = (args[args.index("--database") + 1] if "--database" in args
           else f"sqlite:///{server.data_dir / 'ft_dcc.sqlite'}")  # fmt: skip
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                sa.text(
                    "select lead_key from ft_dcc_review_presenter where review_session_id = :i"
                ),
                {"i": review_session_id},
            ).first()
    finally:
        engine.dispose()
    return row[0] if row else None


def test_closing_the_session_ends_the_owners_lead(room: Dict[str, Any]) -> None:
    """Closing ends every lead (the pages' streams may end with the session: the stored lead is
    read from the database, with no request that would re-check it)."""
    taken = room["owner"].post("/presenter", dict(op="take", **new_page()))
    assert taken.status_code == 200, taken.text
    review_session = room["dailies"].review_session
    assert stored_lead(room["server"], review_session["id"]) == "u:" + room["owner_id"]
    review_session["end_date"] = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    room["session"].commit()
    wait_until(lambda: stored_lead(room["server"], review_session["id"]) is None,
               "the owner's lead to end when the session closed")  # fmt: skip


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
