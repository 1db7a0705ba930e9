"""A client behind a passphrase, spoken to over HTTP as the review page's scripts speak (the grant
cookie and the page's ``Origin`` with every request), on SQLite and on PostgreSQL with 4 workers
(the requests land on different workers): the room link's holder answers the passphrase, says
who they are, and writes with the link of their own the room gives them; a write with the grant
from another origin is refused and writes nothing. Read back through the genuine client."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Tuple

import pytest
import requests
from support import genuine_sessions
from support.groups import on_pg_server
from support.servers import backend_server

from .client_passphrase_checks import SECRET
from .feedback_fixtures import Page, link, make_dailies


@pytest.fixture(params=["sqlite", on_pg_server()])
def gated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Tuple[Any, Any, Any]]:
    """(a genuine session's maker, the dailies, the room link's routes) of a session with a
    passphrase."""
    server = backend_server(request)
    with genuine_sessions(server, tmp_path / "schema-cache") as make:
        owner = make()
        dailies = make_dailies(owner)
        dailies.review_session["passphrase"] = SECRET
        dailies.review_session["passphrase_enabled"] = True
        owner.commit()
        yield make, dailies, link(owner, dailies.review_session)


def _post(client: Any, page: Page, route: str, **more: Any) -> requests.Response:
    return client.post(f"{page.base}{route}", params={"token": page.token}, timeout=30, **more)


def test_a_room_holder_behind_a_passphrase_writes_as_who_they_said(gated: Any) -> None:
    make, dailies, room = gated
    viewer = requests.Session()
    viewer.headers["Origin"] = room.origin  # as the page's own fetches send it
    answered = _post(
        viewer, room, "/passphrase", data={"passphrase": SECRET}, allow_redirects=False
    )
    assert answered.status_code == 303, answered.text[:300]
    me = _post(viewer, room, "/whoami", json={"name": "Rui Room", "email": "rui@agency.example"})
    assert me.status_code == 201, me.text
    own = Page(f"{room.base}?token={me.json()['token']}")
    item = str(dailies.objects[0]["id"])
    note = {"object_id": item, "content": "room note behind the passphrase", "frame": 1004}
    forged = _post(viewer, own, "/notes", json=note, headers={"Origin": "http://127.0.0.1:1"})
    assert forged.status_code == 403 and "another site" in forged.text, forged.text
    for route, body in (("/notes", note), ("/status", {"object_id": item, "status": "approved"})):
        written = _post(viewer, own, route, json=body)
        assert written.status_code in (200, 201), (route, written.text)
    without_grant = _post(requests, own, "/notes", json=note, headers={"Origin": room.origin})
    assert without_grant.status_code == 403 and "passphrase" in without_grant.text

    reader = make()
    found = reader.get("ReviewSessionObject", item)
    notes = [
        (n["content"], n["metadata"].get("frame"), n["author"]["email"]) for n in found["notes"]
    ]
    assert notes == [("room note behind the passphrase", "1004", "rui@agency.example")]
    statuses = {s["invitee"]["email"]: s["status"] for s in found["statuses"]}
    assert statuses == {"rui@agency.example": "approved"}
