"""Making a session private ends its room link; a closed session takes no write through any link
(the access issue: "making a session private does not end a leaked review_url"), over HTTP on
SQLite and on PostgreSQL with 4 workers.

The room link -- what a publish report prints as ``review_url`` -- opens nothing of a private
session, whoever made it (its owner included: the owner's way in is their personal link,
``ft-dcc review open``); a refusal is a 403 saying so, and nothing is stored. An invitee's own
link and the owner's personal link still open it. Made public again, the session opens to its
room link again: privacy is the switch, the token carries no generation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import requests
from support import genuine_sessions, open_session
from support.trust import call
from web.feedback_fixtures import Page, data_url, link, make_dailies, personal_link, stroke_png

from ft_dcc.review import sessions as review

State = Tuple[Dict[str, List[Any]], Dict[str, str]]


@pytest.fixture
def dailies_world(server_on_each_backend: Any, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    """The owner's dailies (invitees Ann and Bob), its room link as a publish prints it, Ann's
    own link and the owner's personal link."""
    server = server_on_each_backend
    with genuine_sessions(server, tmp_path / "cache") as make:
        owner = make()
        dailies = make_dailies(owner)
        with open_session(server, tmp_path) as ours:
            room_url = review.review_page_url(ours, dailies.review_session["id"])
        yield {
            "server": server,
            "session": owner,
            "dailies": dailies,
            "room": Page(room_url),
            "ann": link(owner, dailies.ann),
            "personal": personal_link(owner, dailies.review_session),
        }


def _rows(server: Any, expression: str) -> List[Any]:
    response = call(server, [{"action": "query", "expression": expression}])
    assert response.status_code == 200, response.text
    return sorted(response.json()[0]["data"], key=repr)


def snapshot(world: Dict[str, Any]) -> State:
    """The session's rows a review page writes, and every stored file (path -> sha256)."""
    server, dailies = world["server"], world["dailies"]
    rs = dailies.review_session["id"]
    objects = ", ".join(f'"{o["id"]}"' for o in dailies.objects)
    tables = {
        "session": _rows(
            server, f'select end_date, shareable_url_enabled from ReviewSession where id is "{rs}"'
        ),
        "invitees": _rows(
            server,
            f'select id, name, email from ReviewSessionInvitee where review_session_id is "{rs}"',
        ),
        "notes": _rows(server, f"select id, content from Note where parent_id in ({objects})"),
        "statuses": _rows(
            server,
            f"select id, status from ReviewSessionObjectStatus "
            f"where review_session_object_id in ({objects})",
        ),
        "presenter": [world["personal"].get("/presenter").json()["presenter"]],
    }
    root = Path(server.data_dir) / "files"
    files = {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.relative_to(root).as_posix().startswith(".thumbnails/")
    }
    return tables, files


def set_private(world: Dict[str, Any], private: bool) -> None:
    """The owner switches the session's privacy through /api (``shareable_url_enabled``)."""
    rs = world["dailies"].review_session["id"]
    change = {"action": "update", "entity_type": "ReviewSession", "entity_key": [rs],
              "entity_data": {"shareable_url_enabled": not private}}  # fmt: skip
    response = call(world["server"], [change])
    assert response.status_code == 200, response.text


def writes(world: Dict[str, Any]) -> List[Tuple[str, Dict[str, Any]]]:
    item = world["dailies"].objects[0]["id"]
    return [
        ("/notes", {"object_id": item, "content": "through the leaked link", "frame": 2}),
        ("/status", {"object_id": item, "status": "approved"}),
        ("/annotations", {"object_id": item, "frame": 1, "png": data_url(stroke_png())}),
        ("/whoami", {"name": "Eve Leak", "email": "eve@leak.example"}),
        ("/presenter", {"op": "take", "page": "p" * 32, "secret": "s" * 32}),
    ]


def refused_private(response: requests.Response, route: str) -> None:
    assert response.status_code == 403, (route, response.status_code, response.text[:300])
    assert "private" in response.text and "invitation link" in response.text, (route, response.text)


def test_making_the_session_private_ends_its_room_link(dailies_world: Dict[str, Any]) -> None:
    world = dailies_world
    room, item = world["room"], world["dailies"].objects[0]["id"]
    reads = ("", "/feedback", "/notes", "/presenter", "/whoami")
    media = f"/media/{item}"  # these dailies have no movie: 404 once the link opens the session
    for route in reads:  # public: the room link opens every route
        assert room.get(route).status_code == 200, (route, room.get(route).text[:300])
    assert room.get(media).status_code == 404, room.get(media).text

    set_private(world, True)
    for route in (*reads, media, "/live"):
        with requests.get(room.base + route, params={"token": room.token}, timeout=30,
                          stream=True) as answer:  # fmt: skip
            refused_private(answer, route)
    before = snapshot(world)
    for route, body in writes(world):
        refused_private(room.post(route, body), route)
    assert snapshot(world) == before, "a refused write through the room link changed something"

    # an invitee's own link and the owner's personal link still open it
    for page in (world["ann"], world["personal"]):
        for route in reads:
            assert page.get(route).status_code == 200, (route, page.get(route).text[:300])
        assert page.get(media).status_code == 404, page.get(media).text
    note = world["ann"].post("/notes", {"object_id": item, "content": "Ann, still invited"})
    assert note.status_code == 201, note.text

    set_private(world, False)  # public again: the room link opens again
    assert room.get("/feedback").status_code == 200


def test_a_closed_session_takes_no_write_through_any_link(dailies_world: Dict[str, Any]) -> None:
    world = dailies_world
    room = world["room"]
    rita = room.post("/whoami", {"name": "Rita Room", "email": "rita@room.example"})
    assert rita.status_code == 201, rita.text
    pages = {"room": room, "room identity": Page(rita.json()["url"])
             if "url" in rita.json() else Page(f"{room.base}?token={rita.json()['token']}"),
             "invitee": world["ann"], "owner's personal": world["personal"]}  # fmt: skip
    rs = world["dailies"].review_session["id"]
    closed = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).isoformat()
    change = {"action": "update", "entity_type": "ReviewSession", "entity_key": [rs],
              "entity_data": {"end_date": {"__type__": "datetime", "value": closed}}}  # fmt: skip
    response = call(world["server"], [change])
    assert response.status_code == 200, response.text

    before = snapshot(world)
    for name, page in pages.items():
        for route, body in writes(world):
            answer = page.post(route, body)
            # a link that already says who you are (a client link: closed before that)
            if route == "/whoami" and name == "owner's personal":
                assert answer.status_code == 400 and "already says" in answer.text, answer.text
                continue
            assert answer.status_code in (403, 409), (name, route, answer.status_code,
                                                      answer.text[:300])  # fmt: skip
            assert "closed" in answer.text or "ask" in answer.text.lower(), (
                name,
                route,
                answer.text,
            )
    assert snapshot(world) == before, "a refused write to a closed session changed something"
