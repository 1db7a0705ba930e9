"""Marks and names come from identities the server proved (the fourth hostile round), over
HTTP on SQLite and on PostgreSQL with 4 workers.

- A watermark names the grant that received the copy: an invitee's own link, a signed-in person,
  or ``room link · <session name>`` for anyone who came through the room link, whatever name and
  e-mail they typed: a room-link holder who adds themselves as the invited client never receives
  the client's copy. So the room's copies are one per session (and day), however many people
  add themselves: the encodes a room link causes are bounded.
- A room link (and an identity chosen through it) sees who is watching only by the names they
  show: never an e-mail address, never an invitee's or a user's id; nobody is named by their
  e-mail (an invitee without a name is "Guest"), not in the watchers, not as the presenter.
- ``claim_review_invitee`` refuses an invitee's link revoked by ``review revoke --invitee``.

Seen failing first on ``cd2b4ab``: the impostor's copy was byte-identical to the client's, the
room's watchers carried ``i:<invitee id>`` keys and an unnamed invitee's e-mail, and the claim
through a revoked link answered 200.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set

import pytest
import requests
from support.trust import call
from web.feedback_fixtures import Page, link
from web.test_presenter_api import Stream

from .gate_world import make_owner
from .media_world import MediaWorld, whole_by_ranges


@pytest.fixture(scope="module")
def world(gate_backend_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    base = tmp_path_factory.mktemp("proved-identities")
    for owner in make_owner(gate_backend_server, base):
        made = MediaWorld(gate_backend_server, owner, base)
        made.set_setting("watermark", "true")
        yield made


def viewer_key(text: str) -> str:
    """The name a viewer's copy is kept under (a digest of the text its frames carry)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _as(page: Page, token: str) -> Page:
    return Page(f"{page.base}?token={token}")


def _add_self(room: Page, name: str, email: str) -> Page:
    """The room link's holder adds themselves as ``name`` / ``email``: their own link."""
    added = room.post("/whoami", {"name": name, "email": email})
    assert added.status_code == 201, added.text
    return _as(room, added.json()["token"])


def _copies(world: MediaWorld) -> Set[str]:
    folder = Path(world.server.data_dir) / "files" / ".watermarks" / world.movie_id
    names = folder.glob("[!.]*.mp4") if folder.is_dir() else []
    return {p.name.rsplit("-", 3)[0] for p in names}


def test_a_room_identity_never_receives_an_invitees_marked_copy(world: MediaWorld) -> None:
    dee = world.owner.create("ReviewSessionInvitee", {
        "review_session": world.session, "name": "Dee Client", "email": "dee@client.example"})
    world.owner.commit()
    client = whole_by_ranges(link(world.owner, dee), world.movie_id)
    impostor = _add_self(world.room(), "Dee Client", "dee@client.example")
    posed = whole_by_ranges(impostor, world.movie_id)
    assert posed != client, "the room identity received the invited client's own copy"
    # however many people add themselves, the room's copy is one: it names the room link
    for name in ("Zed Roe", "Yan Poe"):
        other = _add_self(world.room(), name, f"{name.split()[0].lower()}@room.example")
        assert whole_by_ranges(other, world.movie_id) == posed
    assert whole_by_ranges(world.room(), world.movie_id) == posed
    room_key = viewer_key(f"room link · {world.session['name']}")
    client_key = viewer_key("Dee Client dee@client.example")
    assert _copies(world) == {room_key, client_key}, "one copy for the room, one for the client"


def _unnamed(world: MediaWorld) -> Any:
    invitee = world.owner.create("ReviewSessionInvitee", {
        "review_session": world.session, "name": "", "email": "quiet@client.example"})
    world.owner.commit()
    return invitee


def _ids(world: MediaWorld, *more: Any) -> List[str]:
    people = [world.dailies.ann, world.dailies.bob, *more]
    return [str(p["id"]) for p in people] + [str(world.owner.query("User").first()["id"])]


def test_a_room_link_sees_watchers_by_name_only(world: MediaWorld) -> None:
    quiet = _unnamed(world)
    quiet_page = link(world.owner, quiet)
    chosen = _add_self(world.room(), "Rae Room", "rae@room.example")
    streams = [Stream(page, "watchers") for page in (world.invitee("ann"), quiet_page,
                                                      world.personal())]  # fmt: skip
    seen: Dict[str, Any] = {}
    try:
        for name, page in (("room", world.room()), ("chosen", chosen)):
            stream = Stream(page, "watchers")
            streams.append(stream)
            # the invited clients (Ann, the quiet one) are theirs alone; the owner is "Studio"
            seen[name] = stream.first(lambda e: "Studio" in repr(e) and len(e["watchers"]) >= 2,
                                      "the studio and the room")["watchers"]  # fmt: skip
        owner_view = streams[2].first(lambda e: len(e["watchers"]) >= 5, "5 people")["watchers"]
    finally:
        for stream in streams:
            stream.close()
    ids = _ids(world, quiet)
    for view in (*seen.values(), owner_view):
        text = repr(view)
        assert "@" not in text, f"an e-mail address among the watchers: {text}"
    for view in seen.values():
        text = repr(view)
        assert not [i for i in ids if i in text], f"an id among the room's watchers: {text}"
        assert "Studio" in text and "Ann Lee" not in text and "test user" not in text
    assert "Ann Lee" in repr(owner_view) and "Guest" in repr(owner_view)
    you = quiet_page.get("/presenter")
    assert you.status_code == 200, you.text
    assert you.json()["you"]["name"] == "Guest", "the presenter's name is never an e-mail"


def test_a_revoked_invitee_link_cannot_claim(world: MediaWorld) -> None:
    invitee = world.owner.create("ReviewSessionInvitee", {
        "review_session": world.session, "name": "Cal Claim", "email": "cal@client.example"})
    world.owner.commit()
    token = link(world.owner, invitee).token
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    revoked = call(world.server, [{"action": "create", "entity_type": "EntitySetting",
                                   "entity_data": {
                                       "parent_id": world.id, "parent_type": "ReviewSession",
                                       "group": "review", "value": now,
                                       "name": f"invitee_links_revoked_at:{invitee['id']}"}}])
    assert revoked.status_code == 200, revoked.text
    claimed = call(world.server, [{"action": "claim_review_invitee", "token": token}])
    assert claimed.status_code == 403, claimed.text
    assert "revoked" in claimed.json()["content"]
    fresh = link(world.owner, invitee).token  # a link issued after the revocation claims
    again = call(world.server, [{"action": "claim_review_invitee", "token": fresh}])
    assert again.status_code == 200, again.text


def test_a_room_link_sees_the_presenter_by_name_only(world: MediaWorld) -> None:
    owner = world.personal()
    page = {"page": uuid.uuid4().hex, "secret": uuid.uuid4().hex}
    ann_key = "i:" + str(world.dailies.ann["id"])
    for body in ({"op": "take", **page}, {"op": "hand", "to": ann_key, **page}):
        answer = requests.post(owner.base + "/presenter", params={"token": owner.token},
                               json=body, timeout=30)  # fmt: skip
        assert answer.status_code == 200, answer.text
    ann_id = str(world.dailies.ann["id"])
    room, chosen = world.room(), _add_self(world.room(), "Sam Room", "sam@room.example")
    try:
        for page_of_room in (room, chosen):
            stream = Stream(page_of_room)  # its presenter events
            try:
                lead = stream.first(lambda e: e.get("lead") is not None, "a lead")["lead"]
            finally:
                stream.close()
            asked = page_of_room.get("/presenter")
            html = page_of_room.get()
            assert asked.status_code == 200 and html.status_code == 200
            # an invited client is not named to the room (clients do not see each other)
            assert lead["name"] == "Another client" == asked.json()["presenter"]["lead"]["name"]
            for text in (repr(lead), asked.text, html.text):
                assert ann_id not in text, "the room learns the presenter's invitee id"
        theirs = world.invitee("ann").get("/presenter").json()
        assert theirs["presenter"]["lead"]["key"] == theirs["you"]["key"] == ann_key
    finally:
        requests.post(owner.base + "/presenter", params={"token": owner.token},
                      json={"op": "stop", **page}, timeout=30)  # fmt: skip


def test_the_rooms_feedback_names_no_id_and_no_address(world: MediaWorld) -> None:
    """Feedback read through the room: verdicts name their invitee by a digest, never the id
    (the room's own verdict keeps its id: the page finds its own), no author is named by any
    part of an e-mail address, and the live verdict events carry the same digests."""
    object_id = world.dailies.objects[0]["id"]
    quiet = _unnamed(world)
    chosen = _add_self(world.room(), "Tia Room", "tia@room.example")
    room_stream = Stream(world.room(), "status")
    try:
        for page in (world.invitee("ann"), link(world.owner, quiet), chosen):
            given = page.post("/status", {"object_id": object_id, "status": "approved"})
            assert given.status_code == 200, given.text
        written = link(world.owner, quiet).post("/notes", {"object_id": object_id,
                                                           "content": "quiet words"})
        assert written.status_code == 201, written.text
        seen = [room_stream.first(lambda e: True, "a verdict event") for _ in range(3)]
    finally:
        room_stream.close()
    ids = [str(world.dailies.ann["id"]), str(quiet["id"])]
    for page in (world.room(), chosen):
        text = json.dumps(page.feedback())
        assert not [i for i in ids if i in text], f"an invitee id in the room's feedback: {text}"
        assert "quiet" not in text.replace("quiet words", ""), "named by an e-mail's part"
    mine = chosen.feedback()
    own = mine["me"]["invitee_id"]
    assert own in [s["invitee_id"] for s in mine["objects"][object_id]["statuses"]]
    assert not [i for i in ids if i in repr(seen)], f"an invitee id in the room's events: {seen}"
