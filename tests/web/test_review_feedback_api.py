"""The review page's feedback API over real HTTP, read back with the genuine ``ftrack_api``.

Two invitees' own links (``get_widget_url`` for a ``ReviewSessionInvitee``) approve, request
changes, draw and write notes; the genuine client then reads exactly those records.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from support import genuine_sessions
from support.groups import on_pg_server

from .feedback_fixtures import (
    CANVAS,
    STROKE_RGBA,
    STROKE_ROWS,
    Page,
    data_url,
    decode_rgba,
    link,
    make_dailies,
    personal_link,
    pixel,
    png_rgba,
    stroke_png,
)

#: a new version's workflow status (the built-in "Pending Review")
PENDING = {"name": "Pending Review", "color": "#F6C342"}


@pytest.fixture
def make_session(embedded_server: Any, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    with genuine_sessions(embedded_server, tmp_path / "schema-cache") as make:
        yield make


@pytest.fixture(params=["sqlite", on_pg_server()])
def make_session_any_backend(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[..., Any]]:
    """Genuine sessions on the shared SQLite server or on PostgreSQL with 4 workers."""
    server = request.getfixturevalue(
        "embedded_server" if request.param == "sqlite" else "pg_server"
    )
    with genuine_sessions(server, tmp_path / "schema-cache") as make:
        yield make


def _frame_of(note: Any) -> Any:
    return note["metadata"].get("frame")


def test_invitees_feedback_is_recorded_as_theirs(make_session_any_backend: Any) -> None:
    make_session = make_session_any_backend
    session = make_session()
    dailies = make_dailies(session)
    v001, v002 = dailies.objects
    ann, bob = link(session, dailies.ann), link(session, dailies.bob)

    # Ann first asks for changes, then approves: one current status, not two.
    for status in ("require_changes", "approved"):
        answer = ann.post("/status", {"object_id": v002["id"], "status": status})
        assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "approved"
    assert answer.json()["invitee_id"] == dailies.ann["id"]
    drawn = ann.post(
        "/annotations",
        {"object_id": v002["id"], "frame": 1012, "png": data_url(stroke_png()), "content": "arm"},
    )
    assert drawn.status_code == 201, drawn.text
    written = bob.post("/notes", {"object_id": v002["id"], "content": "timing", "frame": 1020})
    assert written.status_code == 201, written.text
    assert bob.post("/status", {"object_id": v002["id"], "status": "require_changes"}).ok

    reader = make_session()  # a fresh genuine client: nothing cached
    item = reader.get("ReviewSessionObject", v002["id"])
    statuses = {s["invitee"]["email"]: s["status"] for s in item["statuses"]}
    assert statuses == {
        dailies.ann["email"]: "approved",
        dailies.bob["email"]: "require_changes",
    }
    notes = {n["content"]: n for n in item["notes"]}
    assert set(notes) == {"arm", "timing"}
    assert notes["arm"]["author"]["email"] == dailies.ann["email"]
    assert notes["timing"]["author"]["email"] == dailies.bob["email"]
    assert (notes["arm"]["author"]["first_name"], notes["arm"]["author"]["last_name"]) == (
        "Ann",
        "Lee",
    )
    assert (_frame_of(notes["arm"]), _frame_of(notes["timing"])) == ("1012", "1020")
    assert list(reader.get("ReviewSessionObject", v001["id"])["notes"]) == []

    links = list(notes["arm"]["note_components"])
    assert len(links) == 1 and list(notes["timing"]["note_components"]) == []
    component = links[0]["component"]
    location = reader.query('Location where name is "ftrack.server"').one()
    assert reader.pick_location(component)["id"] == location["id"]
    png = _download(reader, location, component)
    decoded = decode_rgba(png)
    assert decoded[:2] == CANVAS
    assert pixel(decoded, 30, min(STROKE_ROWS)) == STROKE_RGBA
    assert pixel(decoded, 30, 2)[3] == 0  # transparent away from the stroke


def _download(session: Any, location: Any, component: Any) -> bytes:
    import requests

    response = requests.get(location.get_url(component), timeout=30)
    assert response.status_code == 200, response.text[:200]
    return response.content


def test_the_feedback_read_has_the_agreed_shape(make_session: Any) -> None:
    session = make_session()
    dailies = make_dailies(session)
    v001, v002 = dailies.objects
    ann, bob = link(session, dailies.ann), link(session, dailies.bob)
    drawn = ann.post("/annotations", {"object_id": v002["id"], "frame": 1012,
                                      "png": data_url(stroke_png())})  # fmt: skip
    assert drawn.status_code == 201, drawn.text
    assert ann.post("/status", {"object_id": v002["id"], "status": "approved"}).ok
    answer = bob.post("/notes", {"in_reply_to_id": drawn.json()["id"], "content": "agreed"})
    assert answer.status_code == 201, answer.text

    feedback = bob.feedback()
    assert feedback["me"] == {
        "invitee_id": dailies.bob["id"],
        "name": "Bob Ray",
        "email": dailies.bob["email"],
    }
    assert feedback["audience"] == "client"
    assert set(feedback["objects"]) == {v001["id"], v002["id"]}
    # a client sees no internal status and, clients not seeing each other, only their own
    assert feedback["objects"][v001["id"]] == {
        "notes": [], "statuses": [], "version_status": None,
    }  # fmt: skip
    assert [n["content"] for n in feedback["objects"][v002["id"]]["notes"]] == ["agreed"]
    assert feedback["objects"][v002["id"]]["statuses"] == []

    studio = personal_link(session, dailies.review_session).feedback()
    assert studio["audience"] == "studio"
    assert studio["objects"][v001["id"]] == {
        "notes": [], "statuses": [], "version_status": PENDING,
    }  # fmt: skip
    notes = studio["objects"][v002["id"]]["notes"]
    drawing, reply = sorted(notes, key=lambda n: n["content"] == "agreed")
    assert drawing["frame"] == 1012 and drawing["content"] == ""
    assert drawing["author"] == {"name": "Ann Lee", "email": dailies.ann["email"]}
    assert drawing["shared"] is False
    assert reply["in_reply_to_id"] == drawing["id"] and reply["annotation_url"] is None
    assert dt.datetime.fromisoformat(drawing["date"]).tzinfo is not None
    served = _get(ann, drawing["annotation_url"].replace(studio_token(drawing), ann.token))
    assert served.status_code == 200 and served.content == stroke_png()
    assert served.headers["content-type"] == "image/png"
    refused = _get(bob, drawing["annotation_url"].replace(studio_token(drawing), bob.token))
    assert refused.status_code in (403, 404)  # another client's drawing is not Bob's to see
    [status] = studio["objects"][v002["id"]]["statuses"]
    assert (status["invitee_id"], status["name"], status["status"], status["kind"]) == (
        dailies.ann["id"],
        "Ann Lee",
        "approved",
        "client",
    )
    feedback = studio
    json.dumps(feedback)  # plain JSON all the way down

    reader = make_session()
    reply_note = reader.get("Note", reply["id"])
    assert reply_note["in_reply_to"]["id"] == drawing["id"]


def studio_token(note: Any) -> str:
    """The token in a note's ``annotation_url``."""
    return str(note["annotation_url"]).split("token=", 1)[1].split("&", 1)[0]


def _get(page: Any, url: str) -> Any:
    import requests

    return requests.get(page.origin + url, timeout=30)


def test_a_session_link_writes_only_as_who_its_holder_says_they_are(make_session: Any) -> None:
    session = make_session()
    dailies = make_dailies(session)
    v001 = dailies.objects[0]
    page = link(session, dailies.review_session)
    refused = page.post("/status", {"object_id": v001["id"], "status": "approved"})
    assert refused.status_code == 403 and "who you are" in refused.json()["error"]
    silent = page.post("/notes", {"object_id": v001["id"], "content": "from the lead"})
    assert silent.status_code == 403 and "who you are" in silent.json()["error"]
    assert page.feedback()["me"] is None
    chosen = page.post("/whoami", {"name": "Lead Person", "email": "lead@studio.example"})
    assert chosen.status_code == 201, chosen.text
    mine = Page(f"{page.base}?token={chosen.json()['token']}")
    written = mine.post("/notes", {"object_id": v001["id"], "content": "from the lead"})
    assert written.status_code == 201, written.text
    note = make_session().get("Note", written.json()["id"])
    assert note["author"]["username"] != session.api_user
    assert note["author"]["first_name"] == "Lead"


def test_bad_inputs_get_clear_4xx_and_write_nothing(make_session: Any) -> None:
    session = make_session()
    dailies = make_dailies(session)
    v001 = dailies.objects[0]
    other = make_dailies(session)
    ann = link(session, dailies.ann)
    foreign_note = link(session, other.ann).post(
        "/notes", {"object_id": other.objects[0]["id"], "content": "elsewhere"}
    )
    assert foreign_note.status_code == 201
    not_png = png_rgba(2, 2, lambda x, y: (0, 0, 0, 0)).replace(b"IHDR", b"IHDX")
    bad = [
        ("/status", b"{not json"),
        ("/status", b"[]"),
        ("/status", {"object_id": v001["id"], "status": "maybe"}),
        ("/status", {"object_id": "../../etc", "status": "approved"}),
        ("/status", {"object_id": other.objects[0]["id"], "status": "approved"}),
        ("/annotations", {"object_id": v001["id"], "frame": "12", "png": data_url(stroke_png())}),
        ("/annotations", {"object_id": v001["id"], "frame": True, "png": data_url(stroke_png())}),
        ("/annotations", {"object_id": v001["id"], "frame": 3, "png": "data:image/gif;base64,R0"}),
        ("/annotations", {"object_id": v001["id"], "frame": 3, "png": "data:image/png;base64,%%"}),
        ("/annotations", {"object_id": v001["id"], "frame": 3, "png": data_url(b"GIF89a" * 9)}),
        ("/annotations", {"object_id": v001["id"], "frame": 3, "png": data_url(not_png)}),
        (
            "/annotations",
            {"object_id": v001["id"], "frame": 3, "png": data_url(stroke_png()), "content": 5},
        ),
        (
            "/annotations",
            {
                "object_id": v001["id"],
                "frame": 3,
                "png": data_url(b"\x89PNG" + b"0" * (5 * 1024 * 1024)),
            },
        ),
        ("/notes", {"object_id": v001["id"], "content": ""}),
        ("/notes", {"object_id": v001["id"], "content": "\ud800"}),
        ("/notes", {"object_id": v001["id"], "content": "x", "frame": 1.5}),
        ("/notes", {"content": "orphan reply", "in_reply_to_id": foreign_note.json()["id"]}),
        ("/notes", {"content": "bad reply", "in_reply_to_id": "nope nope"}),
        ("/notes", {"object_id": v001["id"], "content": "x" * 70000}),
    ]
    for route, body in bad:
        answer = ann.post(route, body)
        assert 400 <= answer.status_code < 500, (route, body if len(str(body)) < 200 else "big")
        assert answer.json()["error"], answer.text
    reader = make_session()
    item = reader.get("ReviewSessionObject", v001["id"])
    assert list(item["notes"]) == [] and list(item["statuses"]) == []
    assert ann.get("/feedback", token="forged").status_code == 403


def test_a_closed_session_takes_nothing_from_the_page(make_session: Any) -> None:
    session = make_session()
    dailies = make_dailies(session)
    v001 = dailies.objects[0]
    ann = link(session, dailies.ann)
    owner = personal_link(session, dailies.review_session)
    dailies.review_session["end_date"] = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    session.commit()
    for route, body in (
        ("/notes", {"object_id": v001["id"], "content": "late"}),
        ("/status", {"object_id": v001["id"], "status": "approved"}),
        ("/annotations", {"object_id": v001["id"], "frame": 1, "png": data_url(stroke_png())}),
    ):
        answer = owner.post(route, body)  # the owner's page: the store refuses the write
        assert answer.status_code == 409, answer.text
        assert "closed" in answer.json()["error"]
        refused = ann.post(route, body)  # a client link of a closed session opens nothing
        assert refused.status_code == 403 and "closed on" in refused.json()["error"]
    unchanged = owner.feedback()["objects"][v001["id"]]  # nothing stored, the status not moved
    assert unchanged == {"notes": [], "statuses": [], "version_status": PENDING}
