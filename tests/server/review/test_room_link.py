"""The room link (one link for a whole dailies room) says who you are.

A session link (``get_widget_url`` for a ReviewSession, ``ft-dcc review link``) never writes as
the user who made it. Through ``/review/<rs>/whoami`` the person picks one of the invitees who
added themselves in the room, or adds themselves (name + e-mail); the answer is a link of their
own (an invitee link scoped to this session and the room link's lifetime). The hostile cases:
picking an invitee that has its own invitation (the client), a User's id, another session's
invitee; forging the author in a POST; a private session. Each refusal leaves the database as
it was. Real server over HTTP, SQLite and PostgreSQL with 4 workers.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Tuple

import requests
from support.insiders import (
    assert_unchanged,
    note_authors,
    review_of,
    review_post,
    route_refused,
    snapshot,
    token_of,
    widget,
)
from support.trust import call, update

from ft_dcc.server.review.access.access import _b64, _unb64


def _room(world: Any, owner: Any, private: bool = False) -> Tuple[Any, str]:
    """``owner``'s review (open to the room unless ``private``) and its session link token."""
    review = review_of(world, owner, private=private)
    return review, token_of(widget(world, owner, "ReviewSession", review.session))


def _whoami(world: Any, session: str, token: str, body: Any = None) -> requests.Response:
    url = f"{world.url}/review/{session}/whoami"
    if body is None:
        return requests.get(url, params={"token": token}, timeout=60)
    return requests.post(url, params={"token": token}, json=body, timeout=60)


def _invitee_row(world: Any, invitee_id: str) -> Dict[str, Any]:
    expression = ("select name, email, created_from_shared_url, created_by_id, review_session_id "
                  f'from ReviewSessionInvitee where id is "{invitee_id}"')  # fmt: skip
    response = call(world.server, [{"action": "query", "expression": expression}])
    rows = response.json()[0]["data"]
    assert len(rows) == 1, rows
    return rows[0]


def _add_me(world: Any, review: Any, token: str, name: str, email: str) -> Dict[str, Any]:
    added = _whoami(world, review.session, token, {"name": name, "email": email})
    assert added.status_code == 201, added.text
    return added.json()


def test_a_room_link_writes_only_as_someone_who_said_who_they_are(trust_world: Any) -> None:
    world, alice = trust_world, trust_world.alice
    review, room = _room(world, alice)
    shown = _whoami(world, review.session, room)
    assert shown.status_code == 200, shown.text
    answer = shown.json()
    assert answer["me"] is None and answer["room"] is True and answer["can_add"] is True
    assert answer["invitees"] == []  # the client has their own link: not offered to the room

    before = snapshot(world)
    silent = review_post(
        world,
        review.session,
        room,
        "notes",
        {"object_id": review.item, "content": "as whoever made the link"},
    )
    forged = review_post(world, review.session, room, "notes",
                         {"object_id": review.item, "content": "forged", "user_id": alice.id,
                          "author": "Alice", "invitee_id": review.client})  # fmt: skip
    verdict = review_post(world, review.session, room, "status",
                          {"object_id": review.item, "status": "approved",
                           "invitee_id": review.client})  # fmt: skip
    assert_unchanged(world, before)
    for refused in (silent, forged, verdict):
        assert "who you are" in route_refused(refused)

    jane = _add_me(world, review, room, "Jane Doe", "jane@room.example")
    assert jane["me"]["name"] == "Jane Doe" and jane["me"]["room"] is True
    row = _invitee_row(world, jane["me"]["invitee_id"])
    assert row["created_from_shared_url"] is True and row["created_by_id"] == alice.id
    assert row["review_session_id"] == review.session
    posted = review_post(world, review.session, jane["token"], "notes",
                         {"object_id": review.item, "content": "from jane",
                          "user_id": world.admin.id, "author": "The Boss"})  # fmt: skip
    assert posted.status_code == 201, posted.text
    assert posted.json()["author"]["name"] == "Jane Doe"
    author = dict(note_authors(world, review.item))["from jane"]
    assert author not in (alice.id, world.admin.id, world.mallory.id)
    status = review_post(
        world,
        review.session,
        jane["token"],
        "status",
        {"object_id": review.item, "status": "require_changes"},
    )
    assert status.status_code == 200, status.text
    assert status.json()["invitee_id"] == jane["me"]["invitee_id"]

    # Someone else in the room (another browser) may pick Jane, a room invitee, from the list.
    listed = _whoami(world, review.session, room).json()["invitees"]
    assert [i["name"] for i in listed] == ["Jane Doe"] and "email" not in listed[0]
    picked = _whoami(world, review.session, room, {"invitee_id": jane["me"]["invitee_id"]})
    assert picked.status_code == 200, picked.text
    assert picked.json()["me"]["invitee_id"] == jane["me"]["invitee_id"]


def test_the_room_cannot_pick_an_invited_person_a_user_or_another_rooms_invitee(
    trust_world: Any,
) -> None:
    world, alice, mallory = trust_world, trust_world.alice, trust_world.mallory
    review, room = _room(world, alice)
    other, other_room = _room(world, mallory)
    elsewhere = _add_me(world, other, other_room, "Mal Lory", "mal@room.example")
    before = snapshot(world)
    for body in (
        {"invitee_id": review.client},  # has an invitation of their own
        {"invitee_id": world.admin.id},  # a User, not an invitee
        {"invitee_id": alice.id},
        {"invitee_id": elsewhere["me"]["invitee_id"]},  # another session's room invitee
        {"invitee_id": "../../etc/passwd"},
        {"invitee_id": review.client, "name": "Client Person", "email": review.client_email},
        {"name": "", "email": "x@y.example"},
        {"name": "No Mail", "email": "not an address"},
        {"name": "x" * 300, "email": "long@name.example"},
        ["not", "an", "object"],
    ):
        refused = _whoami(world, review.session, room, body)
        route_refused(refused, (400, 403, 404))
    # A client's own invitee link cannot add people to the room either.
    client_token = token_of(widget(world, alice, "ReviewSessionInvitee", review.client))
    route_refused(_whoami(world, review.session, client_token, {"name": "A", "email": "a@b.c"}),
                  (400, 403))  # fmt: skip
    assert_unchanged(world, before)


def test_a_room_name_with_an_admins_email_still_writes_as_the_room_invitee(
    trust_world: Any,
) -> None:
    world, alice = trust_world, trust_world.alice
    review, room = _room(world, alice)
    boss = _add_me(world, review, room, "Admin Person", world.admin.email)
    posted = review_post(
        world,
        review.session,
        boss["token"],
        "notes",
        {"object_id": review.item, "content": "I am the boss"},
    )
    assert posted.status_code == 201, posted.text
    assert dict(note_authors(world, review.item))["I am the boss"] != world.admin.id
    # ... and such an invitee never becomes the administrator by the admin's "claim" through
    # the room: room invitees cannot be claimed at all.
    before = snapshot(world)
    refused = call(world.server, [{"action": "claim_review_invitee", "token": boss["token"]}],
                   **world.admin.auth)  # fmt: skip
    assert refused.status_code in (400, 403), refused.text
    assert_unchanged(world, before)


def test_a_private_session_takes_no_one_from_the_room(trust_world: Any) -> None:
    world, alice = trust_world, trust_world.alice
    review, room = _room(world, alice, private=True)
    # the room link opens nothing of a private session, its owner's included (the owner's way in
    # is their personal link); nor does it offer anyone to pick
    assert "private" in route_refused(_whoami(world, review.session, room))
    before = snapshot(world)
    route_refused(_whoami(world, review.session, room, {"name": "Eve", "email": "eve@x.example"}))
    route_refused(
        review_post(
            world,
            review.session,
            room,
            "notes",
            {"object_id": review.item, "content": "owner's link"},
        )
    )
    assert_unchanged(world, before)


def test_a_room_identity_ends_when_the_room_is_closed_to_links(trust_world: Any) -> None:
    world, alice = trust_world, trust_world.alice
    review, room = _room(world, alice)
    jane = _add_me(world, review, room, "Jane Again", "jane2@room.example")
    # Its token is signed: changing the invitee inside it breaks it.
    body, _mac = jane["token"].split(".", 1)
    payload = json.loads(_unb64(body))
    payload["i"] = review.client
    forged = _b64(json.dumps(payload).encode()) + "." + _mac
    before = snapshot(world)
    route_refused(
        review_post(
            world,
            review.session,
            forged,
            "notes",
            {"object_id": review.item, "content": "forged token"},
        )
    )
    assert_unchanged(world, before)
    # The owner makes the session private: the room's identities stop writing.
    ok = call(world.server, [update("ReviewSession", review.session, shareable_url_enabled=False)],
              **alice.auth)  # fmt: skip
    assert ok.status_code == 200, ok.text
    before = snapshot(world)
    route_refused(
        review_post(
            world,
            review.session,
            jane["token"],
            "notes",
            {"object_id": review.item, "content": "after closing"},
        )
    )
    assert_unchanged(world, before)


def test_an_invitee_link_says_who_it_is(trust_world: Any) -> None:
    world, alice = trust_world, trust_world.alice
    review = review_of(world, alice)
    token = token_of(widget(world, alice, "ReviewSessionInvitee", review.client))
    answer = _whoami(world, review.session, token).json()
    assert answer["me"]["invitee_id"] == review.client and answer["me"]["room"] is False
    assert answer["room"] is False
