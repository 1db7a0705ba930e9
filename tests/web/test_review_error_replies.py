"""What the review routes answer for bad input: the exact status and body, never a 5xx.

The review routes raise the server's errors (``ft_dcc.server.common.errors.ServerError``) and the
app answers them in one place (``app.py``: ``{"error": "<what to do>"}`` on the review room's JSON
routes, the "Access denied" page on its HTML pages). These are the replies the routes gave when
each route answered its own errors; they must stay word for word, and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable, Iterator, List, Tuple

import pytest
import requests
from support import genuine_sessions

from .feedback_fixtures import Page, data_url, link, make_dailies, personal_link, stroke_png

NOT_VALID = (
    "This review link is not valid; ask for a new one (get_widget_url with name='review_session')."
)
BAD_ID = (
    "Invalid component id {!r}: expected an id such as a UUID (letters, digits, '-' and '_' only)."
)
BAD_BASE64 = "data:image/png;base64,%%"
NO_ITEM = "That item is not part of this review session; send the object_id of one of its items."


@pytest.fixture
def make_session(embedded_server: Any, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    with genuine_sessions(embedded_server, tmp_path / "schema-cache") as make:
        yield make


def _cases(object_id: str, other_object_id: str) -> List[Tuple[str, str, Any, int, str]]:
    """(method, route, body, status, error) of bad requests on an invitee's link."""
    png = data_url(stroke_png())
    return [
        ("POST", "/notes", b"[]", 400, "Send a JSON object."),
        ("POST", "/notes", {"object_id": object_id, "content": ""}, 400,
         "The note is empty; write something first."),
        ("POST", "/notes", {"object_id": object_id, "content": 5}, 400,
         "The note's content must be text."),
        ("POST", "/notes", {"object_id": object_id, "content": "\ud800"}, 400,
         "'utf-8' codec can't encode character '\\ud800' in position 0: surrogates not allowed"),
        ("POST", "/notes", {"object_id": "../x", "content": "x"}, 400,
         "object_id must be the id of an item of this review session."),
        ("POST", "/notes", {"object_id": other_object_id, "content": "x"}, 404, NO_ITEM),
        ("POST", "/notes", {"content": "x", "in_reply_to_id": "nope nope"}, 400,
         "in_reply_to_id must be a note id."),
        ("POST", "/notes", {"object_id": object_id, "content": "x" * 70000}, 413,
         f"The request is larger than {64 * 1024} bytes; send less."),
        ("POST", "/status", {"object_id": object_id, "status": "maybe"}, 400,
         "status must be one of: approved, require_changes."),
        ("POST", "/status", {"object_id": other_object_id, "status": "approved"}, 404, NO_ITEM),
        ("POST", "/annotations", {"object_id": object_id, "frame": "12", "png": png}, 400,
         "frame must be a whole number."),
        ("POST", "/annotations", {"object_id": object_id, "frame": 3, "png": BAD_BASE64}, 400,
         "png is not valid base64."),
        ("GET", "/media/a.b", None, 403, BAD_ID.format("a.b")),
        ("GET", "/media/no-such-component", None, 404,
         "No such movie, thumbnail or drawing in this review session."),
        ("POST", "/whoami", {"invitee_id": object_id}, 400,
         "This is a personal invitation link: it already says who you are. Use the session's "
         "shared link to choose someone else."),
        ("POST", "/whoami", b"[]", 400, 'Send a JSON object: {"invitee_id"} or {"name", "email"}.'),
    ]  # fmt: skip


def _ask(page: Page, method: str, route: str, body: Any) -> requests.Response:
    if method == "GET":
        return page.get(route)
    return page.post(route, body)


def test_bad_input_gets_the_same_reply_as_before(make_session: Any) -> None:
    session = make_session()
    dailies, other = make_dailies(session), make_dailies(session)
    ann = link(session, dailies.ann)
    object_id = dailies.objects[0]["id"]
    for method, route, body, status, error in _cases(object_id, other.objects[0]["id"]):
        answer = _ask(ann, method, route, body)
        assert (answer.status_code, answer.json()) == (status, {"error": error}), (route, body)
        assert answer.headers["Cache-Control"] == "no-store"
    reader = make_session()  # nothing was stored by any of them
    for item in dailies.objects:
        found = reader.get("ReviewSessionObject", item["id"])
        assert list(found["notes"]) == [] and list(found["statuses"]) == []


def test_bad_links_get_the_same_reply_as_before(make_session: Any) -> None:
    session = make_session()
    dailies = make_dailies(session)
    ann = link(session, dailies.ann)
    for route in ("/feedback", "/notes", "/whoami", "/media/x"):
        answer = ann.get(route, token="forged")
        assert (answer.status_code, answer.json()) == (403, {"error": NOT_VALID}), route
    bad_path = requests.get(
        ann.base.rsplit("/", 1)[0] + "/not%20an%20id/feedback",
        params={"token": ann.token},
        timeout=30,
    )
    assert (bad_path.status_code, bad_path.json()) == (403, {"error": BAD_ID.format("not an id")})
    for page in (ann.base, ann.base.rsplit("/", 1)[0] + "/"):  # the HTML pages
        answer = requests.get(page, params={"token": "forged"}, timeout=30)
        assert answer.status_code == 403
        assert answer.headers["Content-Type"].startswith("text/html")
        assert "Access denied" in answer.text and "This review link is not valid" in answer.text


FOLLOW_ONLY = (
    "Only those who manage the session (its creator, a Supervisor or Project Manager of its "
    "project, an administrator) present, or whoever they hand the lead to; ask the presenter "
    "to hand it to you."
)
PAGE_IDS = "page and secret must be the page's own 32 hex digit ids."


def _presenter_and_range_cases(object_id: str) -> List[Tuple[str, str, Any, int, str]]:
    """(method, route, body, status, error) of bad presenter and drawing-range requests on an
    invitee's link (the routes that once answered their own errors)."""
    page = {"page": "a" * 32, "secret": "b" * 32}
    return [
        ("POST", "/presenter", b"[]", 400, "Send a JSON object."),
        ("POST", "/presenter", {"op": "dance"}, 400,
         "op must be one of ['take', 'claim', 'state', 'hand', 'stop', 'beat']."),
        ("POST", "/presenter", {"op": "take", "colour": 1}, 400,
         "Unknown fields ['colour']; send op, page, secret, state, to."),
        ("POST", "/presenter", {"op": "take", "page": "x", "secret": "y"}, 400, PAGE_IDS),
        ("POST", "/presenter", dict(page, op="take"), 403, FOLLOW_ONLY),
        ("POST", "/presenter", dict(page, op="hand", to="u:nobody"), 400,
         "to must be the key of one of the candidates (GET /presenter)."),
        ("POST", "/presenter", {"op": "state", "state": {}, "x": "\"\\"}, 400,
         "Unknown fields ['x']; send op, page, secret, state, to."),
        ("POST", "/presenter", dict(page, op="state", state={"object_id": object_id,
                                                             "frame": 1.5}), 400,
         "state.frame must be a whole frame number (at most 10000000)."),
        ("POST", "/presenter", dict(page, op="state", state={"object_id": "a.b"}), 400,
         "state.object_id must be the id of an item of this review session."),
        ("POST", "/presenter", "x" * 5000, 413,
         "The request is larger than 4096 bytes; send less."),
        ("POST", "/annotations/range", {"note_id": 5}, 400,
         "note_id must be the id of a drawing's note."),
        ("POST", "/annotations/range", {"note_id": "n", "frame": 1, "colour": 2}, 400,
         "Unknown fields ['colour']; send note_id, frame and frame_out."),
        ("POST", "/annotations/range", {"note_id": "a.b", "frame": 3}, 400, BAD_ID.format("a.b")),
        ("POST", "/annotations/range", {"note_id": 'a"b\\', "frame": 3}, 400,
         BAD_ID.format('a"b\\')),
        ("POST", "/annotations/range", {"note_id": "no-such-note", "frame": 3}, 404,
         "No such drawing in this review session; reload the page."),
        ("POST", "/annotations/range", {"note_id": object_id, "frame": "3"}, 400,
         "frame must be a whole number."),
    ]  # fmt: skip


def test_presenter_and_drawing_range_bad_input_gets_the_same_reply_as_before(
    make_session: Any,
) -> None:
    session = make_session()
    dailies = make_dailies(session)
    ann = link(session, dailies.ann)
    for method, route, body, status, error in _presenter_and_range_cases(dailies.objects[0]["id"]):
        answer = _ask(ann, method, route, body)
        assert (answer.status_code, answer.json()) == (status, {"error": error}), (route, body)
        assert answer.headers["Cache-Control"] == "no-store"
    nothing = {"seq": 0, "lead": None, "state": None}
    assert ann.get("/presenter").json()["presenter"] == nothing  # nothing was stored
    for route in ("/presenter", "/live"):
        answer = ann.get(route, token="forged")
        assert (answer.status_code, answer.json()) == (403, {"error": NOT_VALID}), route
    for body in ({"op": "stop"}, {"note_id": "n", "frame": 1}):
        route = "/presenter" if "op" in body else "/annotations/range"
        answer = requests.post(ann.base + route, params={"token": "forged"}, json=body, timeout=30)
        assert (answer.status_code, answer.json()) == (403, {"error": NOT_VALID}), route
    bad_path = ann.base.rsplit("/", 1)[0] + "/not%20an%20id"
    for route in ("/presenter", "/live"):
        answer = requests.get(bad_path + route, params={"token": ann.token}, timeout=30)
        expected = (403, {"error": BAD_ID.format("not an id")})
        assert (answer.status_code, answer.json()) == expected, route


def test_a_closed_session_refuses_presenting_and_range_edits_as_before(make_session: Any) -> None:
    session = make_session()
    dailies = make_dailies(session)
    dailies.review_session["end_date"] = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    session.commit()
    ann = personal_link(session, dailies.review_session)  # the owner's page (client links: 403)
    page = {"page": "a" * 32, "secret": "b" * 32}
    presented = ann.post("/presenter", dict(page, op="take"))
    assert (presented.status_code, presented.json()) == (
        409, {"error": "This review session is closed; it cannot be presented."})  # fmt: skip
    ranged = ann.post("/annotations/range", {"note_id": "no-such-note", "frame": 3})
    closed = "This review session is closed; its drawings stay as they are."
    assert (ranged.status_code, ranged.json()) == (409, {"error": closed})
