"""A saved drawing's frames changed afterwards, over real HTTP
(``POST /review/<rs>/annotations/range``): its author may, and a user who may manage the
session (its owner, an administrator) acting through their own link; another invitee, the room
link without an identity, a note that is not a drawing of this session and a range the version
has not are refused with a 4xx, and the note's Metadata stays as it was."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, Optional, Tuple

import pytest
from support import emptied, genuine_sessions

from .feedback_fixtures import data_url, link, make_dailies, stroke_png
from .test_drawing_range_api import FIRST, LAST, give_movie


@pytest.fixture(scope="module")
def make_session(
    embedded_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Any]]:
    with genuine_sessions(embedded_server, tmp_path_factory.mktemp("schema-cache")) as make:
        yield make


@pytest.fixture(scope="module")
def reader(make_session: Any) -> Any:
    """The genuine client that reads the notes back (:func:`held`)."""
    return make_session()


def held(reader: Any, note_id: str) -> Tuple[Optional[str], Optional[str]]:
    """The note's ``frame`` and ``frame_out`` Metadata, as the genuine client reads them (from
    the server: nothing cached)."""
    metadata = dict(emptied(reader).get("Note", note_id)["metadata"])
    return metadata.get("frame"), metadata.get("frame_out")


def draw(session: Any) -> Dict[str, Any]:
    """Ann's drawing held over 1010-1014 on v002 (a movie of 1001-1048), her note without a
    drawing, and everyone's link."""
    dailies = make_dailies(session)
    v002 = dailies.objects[1]
    give_movie(session, v002["asset_version"])
    ann = link(session, dailies.ann)
    body = {
        "object_id": v002["id"],
        "frame": 1010,
        "frame_out": 1014,
        "png": data_url(stroke_png()),
    }
    drawing = ann.post("/annotations", body)
    assert drawing.status_code == 201, drawing.text
    note = ann.post("/notes", {"object_id": v002["id"], "content": "words only", "frame": 1010})
    assert note.status_code == 201, note.text
    other = make_dailies(session)
    give_movie(session, other.objects[1]["asset_version"])
    elsewhere = link(session, other.ann).post(
        "/annotations", dict(body, object_id=other.objects[1]["id"])
    )
    assert elsewhere.status_code == 201, elsewhere.text
    return {
        "session": session,
        "dailies": dailies,
        "ann": ann,
        "bob": link(session, dailies.bob),
        "room": link(session, dailies.review_session),
        "drawing": drawing.json()["id"],
        "words": note.json()["id"],
        "elsewhere": elsewhere.json()["id"],
    }


@pytest.fixture
def drawn(make_session: Any) -> Dict[str, Any]:
    """:func:`draw` for a test that changes the drawing."""
    return draw(make_session())


@pytest.fixture(scope="module")
def drawn_for_refusals(make_session: Any) -> Dict[str, Any]:
    """:func:`draw` once for the refusals: each shows that nothing changed."""
    return draw(make_session())


def test_the_author_changes_the_frames_of_her_drawing(drawn: Dict[str, Any], reader: Any):
    ann, note = drawn["ann"], drawn["drawing"]
    moved = ann.post("/annotations/range", {"note_id": note, "frame": 1020, "frame_out": 1025})
    assert moved.status_code == 200, moved.text
    assert moved.json() == {"id": note, "frame": 1020, "frame_out": 1025}
    assert held(reader, note) == ("1020", "1025")
    page = {
        n["id"]: n for n in ann.feedback()["objects"][drawn["dailies"].objects[1]["id"]]["notes"]
    }
    assert (page[note]["frame"], page[note]["frame_out"]) == (1020, 1025)
    # to one frame: no frame_out left; and held again over a range
    one = ann.post("/annotations/range", {"note_id": note, "frame": FIRST})
    assert one.status_code == 200, one.text
    assert held(reader, note) == (str(FIRST), None)
    again = ann.post("/annotations/range", {"note_id": note, "frame": LAST - 1, "frame_out": LAST})
    assert again.status_code == 200, again.text
    assert held(reader, note) == (str(LAST - 1), str(LAST))


@pytest.mark.parametrize(
    "who, body, status",
    [
        ("bob", {"frame": 1020, "frame_out": 1025}, 403),  # another invitee
        ("room", {"frame": 1020, "frame_out": 1025}, 403),  # the room link, nobody said who
        ("ann", {"frame": 1014, "frame_out": 1010}, 400),  # reversed
        ("ann", {"frame": 1040, "frame_out": LAST + 1}, 400),  # past the movie's end
        ("ann", {"frame": FIRST - 1}, 400),  # before its first frame
        ("ann", {"frame": "1020"}, 400),
        ("ann", {"frame": True}, 400),
        ("ann", {"frame": 10**30}, 400),
        ("ann", {"frame": 1020, "frame_out": [1025]}, 400),
        ("ann", {"frame": 1020, "colour": "red"}, 400),
        ("ann", {"note": "words", "frame": 1020}, 404),  # a note, not a drawing
        ("ann", {"note": "elsewhere", "frame": 1020}, 404),  # another session's drawing
        ("ann", {"note": "../../etc/passwd", "frame": 1020}, 400),
        ("ann", {"note": 7, "frame": 1020}, 400),
    ],
)
def test_refusals_change_nothing(
    drawn_for_refusals: Dict[str, Any], reader: Any, who: str, body: Dict[str, Any], status: int
) -> None:
    drawn = drawn_for_refusals
    named = body.pop("note", "drawing")
    note_id = drawn.get(named, named) if isinstance(named, str) else named
    before = {n: held(reader, drawn[n]) for n in ("drawing", "words", "elsewhere")}
    answer = drawn[who].post("/annotations/range", dict(body, note_id=note_id))
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]
    assert {n: held(reader, drawn[n]) for n in before} == before


def test_the_owner_or_an_administrator_changes_anyones_drawing(
    drawn: Dict[str, Any], reader: Any, embedded_server: Any
) -> None:
    """The server's user (an administrator) claims Bob's invitation: Bob's link acts as them
    from then on, and may change Ann's drawing, which Bob alone may not."""
    note, bob = drawn["drawing"], drawn["bob"]
    refused = bob.post("/annotations/range", {"note_id": note, "frame": 1030})
    assert refused.status_code == 403, refused.text
    assert "author" in refused.json()["error"]
    admin = drawn["session"]  # the session's owner, the server's user
    user = admin.query(f'User where username is "{embedded_server.api_user}"').one()
    admin.call([{"action": "claim_review_invitee", "user_id": user["id"],
                 "review_session_invitee_id": drawn["dailies"].bob["id"]}])  # fmt: skip
    changed = bob.post("/annotations/range", {"note_id": note, "frame": 1030, "frame_out": 1031})
    assert changed.status_code == 200, changed.text
    assert held(reader, note) == ("1030", "1031")
