"""A link carries a purpose (the access issue, "links carry a purpose"; the dailies issue, "the
owner is a stranger on their own page"), over HTTP on SQLite and on PostgreSQL with 4 workers.

The session's shared room link -- what a publish report prints as ``review_url`` -- watches and
follows: it never takes or hands the presenter's lead, never lists the session's invitees and
never manages, whoever made it; a refusal is a 403 and nothing is stored. The owner gets in as
themselves through a personal link made with their own API key (``purpose: "personal"``,
``ft-dcc review open``): it presents, and writes notes and verdicts as the owner.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
from support import genuine_sessions, open_session
from web.feedback_fixtures import (
    Dailies,
    Page,
    another_user,
    data_url,
    make_dailies,
    personal_link,
    stroke_png,
)

from ft_dcc.review import sessions as review

PERSONAL = "personal"


def new_page() -> Dict[str, str]:
    return {"page": uuid.uuid4().hex, "secret": uuid.uuid4().hex}


def presenter(page: Page) -> Dict[str, Any]:
    response = page.get("/presenter")
    assert response.status_code == 200, response.text
    return response.json()


def payload(page: Page) -> Dict[str, Any]:
    body = page.token.split(".", 1)[0]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


@pytest.fixture
def world(server_on_each_backend: Any, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    """Dailies of the server's first user (the owner) with invitees Ann and Bob; the room link
    as a publish prints it; the owner's personal link; ``make`` for more genuine sessions."""
    server = server_on_each_backend
    with genuine_sessions(server, tmp_path / "cache") as make:
        owner_session = make()
        dailies: Dailies = make_dailies(owner_session)
        with open_session(server, tmp_path) as ours:
            room_url = review.review_page_url(ours, dailies.review_session["id"])
        yield {
            "server": server,
            "session": owner_session,
            "dailies": dailies,
            "owner_id": owner_session.query(
                f'select id from User where username is "{server.api_user}"'
            ).one()["id"],
            "room": Page(room_url),
            "personal": personal_link(owner_session, dailies.review_session),
            "make": make,
        }


@pytest.fixture
def mallory(world: Dict[str, Any]) -> Any:
    """The genuine session of Mallory, another user."""
    return another_user(world["server"], world["make"])


def test_the_room_link_follows_lists_no_one_and_manages_nothing(world: Dict[str, Any]) -> None:
    room, personal = world["room"], world["personal"]
    you = presenter(room)["you"]
    assert you["manager"] is False and you["may_present"] is False, you
    assert you["candidates"] == [] and not you["key"].startswith("u:"), you

    before = presenter(personal)["presenter"]
    for body in (
        dict(op="take", **new_page()),
        dict(op="claim", **new_page()),
        dict(op="stop", **new_page()),
        dict(op="hand", to="i:" + world["dailies"].ann["id"], **new_page()),
        dict(op="hand", to="u:" + world["owner_id"], **new_page()),
    ):
        response = room.post("/presenter", body)
        assert response.status_code == 403, (body["op"], response.status_code, response.text)
        assert "ft-dcc review open" in response.json()["error"] or "ask" in response.json()["error"]
    assert presenter(personal)["presenter"] == before  # nothing stored: same seq, same lead

    # while the owner presents, the room link can neither stop nor hand it on
    lead = new_page()
    assert personal.post("/presenter", dict(op="take", **lead)).status_code == 200
    during = presenter(personal)["presenter"]
    for body in (dict(op="stop", **lead), dict(op="hand", to="i:" + world["dailies"].ann["id"],
                                                **lead)):  # fmt: skip
        assert room.post("/presenter", body).status_code == 403
    assert presenter(personal)["presenter"] == during

    # a drawing's frames are managed only by its author or the session's managers
    drawn = personal.post("/annotations", {"object_id": world["dailies"].objects[0]["id"],
                                           "frame": 1, "png": data_url(stroke_png())})  # fmt: skip
    assert drawn.status_code == 201, drawn.text
    moved = room.post("/annotations/range", {"note_id": drawn.json()["id"], "frame": 1,
                                             "frame_out": 1})  # fmt: skip
    assert moved.status_code == 403, moved.text


def test_the_owners_personal_link_presents_and_writes_as_the_owner(world: Dict[str, Any]) -> None:
    personal, session, dailies = world["personal"], world["session"], world["dailies"]
    you = presenter(personal)["you"]
    assert you["manager"] is True and you["may_present"] is True
    assert you["key"] == "u:" + world["owner_id"]
    assert {c["name"] for c in you["candidates"]} >= {"Ann Lee", "Bob Ray"}
    lead = new_page()
    taken = personal.post("/presenter", dict(op="take", **lead))
    assert taken.status_code == 200, taken.text
    assert taken.json()["presenter"]["lead"]["key"] == "u:" + world["owner_id"]

    me = personal.feedback()["me"]
    assert me is not None and me["name"], me
    whoami = personal.get("/whoami").json()
    assert whoami["me"] is not None and whoami["room"] is False

    object_id = dailies.objects[0]["id"]
    note = personal.post("/notes", {"object_id": object_id, "content": "mine", "frame": 3})
    assert note.status_code == 201, note.text
    stored = session.query(f'select user_id from Note where id is "{note.json()["id"]}"').one()
    assert stored["user_id"] == world["owner_id"]
    verdict = personal.post("/status", {"object_id": object_id, "status": "approved"})
    assert verdict.status_code == 200, verdict.text
    statuses = personal.feedback()["objects"][object_id]["statuses"]
    assert [s["status"] for s in statuses if s["invitee_id"] == me["invitee_id"]] == ["approved"]
    again = personal.post("/status", {"object_id": object_id, "status": "require_changes"})
    assert again.status_code == 200, again.text
    statuses = personal.feedback()["objects"][object_id]["statuses"]
    assert [s["status"] for s in statuses if s["invitee_id"] == me["invitee_id"]] == [
        "require_changes"
    ]
    # the owner's own verdict record is not a person the lead can be handed to twice
    names = [c["name"] for c in presenter(personal)["you"]["candidates"]]
    assert len(names) == len(set(names)), names


def test_a_personal_link_is_short_lived_and_only_ones_own(
    world: Dict[str, Any], mallory: Any
) -> None:
    personal, dailies = world["personal"], world["dailies"]
    asked_long = personal_link(world["session"], dailies.review_session, expires_in=30 * 86400)
    now = int(time.time())  # both links were made by now: their expiry is a date after it
    default_end, longest_end = now + 3600, now + 12 * 3600
    assert now < payload(personal)["e"] <= default_end  # an hour unless asked otherwise
    assert payload(asked_long)["e"] <= longest_end  # 30 days asked: 12 hours at most
    # another user's personal link acts as them: it opens the (not private) session, no more
    theirs = personal_link(mallory, mallory.get("ReviewSession", dailies.review_session["id"]))
    assert presenter(theirs)["you"]["manager"] is False
    before = presenter(personal)["presenter"]
    assert theirs.post("/presenter", dict(op="take", **new_page())).status_code == 403
    assert theirs.post("/status", {"object_id": dailies.objects[0]["id"],
                                   "status": "approved"}).status_code == 403  # fmt: skip
    assert presenter(personal)["presenter"] == before
    # a personal link is for a session; not for an invitee, not for the list
    import ftrack_api

    for entity in (dailies.ann, None):
        with pytest.raises(ftrack_api.exception.ServerError):
            world["session"].call([dict(
                action="get_widget_url", name="review_session", purpose=PERSONAL,
                **({"entity_type": "ReviewSessionInvitee", "entity_key": [entity["id"]]}
                   if entity else {}),
            )])  # fmt: skip
    with pytest.raises(ftrack_api.exception.ServerError):
        world["session"].call([dict(action="get_widget_url", name="review_session",
                                    entity_type="ReviewSession",
                                    entity_key=[dailies.review_session["id"]],
                                    purpose="owner-of-everything")])  # fmt: skip


def test_a_personal_link_ends_with_the_key_it_was_made_with(
    world: Dict[str, Any], mallory: Any
) -> None:
    """A User's personal link rests on their API key: once an administrator rotates that key
    (``reset_remote``), the link opens nothing (403), even before it expires."""
    from support.trust import ok

    server, dailies = world["server"], world["dailies"]
    project = mallory.get("Project", dailies.review_session["project"]["id"])
    own = mallory.create("ReviewSession", {"name": f"Own {uuid.uuid4().hex[:6]}",
                                           "project": project})  # fmt: skip
    mallory.commit()
    page = personal_link(mallory, own)
    assert presenter(page)["you"]["manager"] is True  # her own session: she presents it
    user_id = mallory.query(f'select id from User where username is "{mallory.api_user}"').one()
    ok(server, [{"action": "reset_remote", "reset_type": "api_key", "entity_type": "User",
                 "entity_key": [user_id["id"]]}])  # fmt: skip
    refused = page.get("/presenter")
    assert refused.status_code == 403, refused.text
    assert "ft-dcc review open" in refused.json()["error"]
    assert page.post("/presenter", dict(op="take", **new_page())).status_code == 403


def test_the_room_link_reads_no_invitees_addresses(world: Dict[str, Any]) -> None:
    """Feedback read through the room link names no invited client nor their e-mail address (the
    session's invitee list is the owner's; clients do not see each other); the owner's and the
    invitee's own links do."""
    from web.feedback_fixtures import link

    session, dailies = world["session"], world["dailies"]
    ann = link(session, dailies.ann)
    object_id = dailies.objects[0]["id"]
    assert ann.post("/status", {"object_id": object_id, "status": "approved"}).status_code == 200
    assert ann.post("/notes", {"object_id": object_id, "content": "hi"}).status_code == 201
    email = dailies.ann["email"]
    for page in (world["room"],):
        entry = page.feedback()["objects"][object_id]
        assert entry["statuses"] == [] and "Ann Lee" not in json.dumps(entry)
        assert email not in json.dumps(page.feedback()), entry
    for page in (ann, world["personal"]):
        assert email in json.dumps(page.feedback())
