"""Who a review link acts as, who may make one, and who a private session lets in.

Real embedded server over HTTP; the links come from the genuine client's ``get_widget_url``.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator, Tuple

import ftrack_api
import pytest
from support import genuine_sessions
from support.trust import add_api_user

from ft_dcc.server.review.access.access import _unb64

from .feedback_fixtures import Page, link, make_dailies, personal_link


@pytest.fixture
def make_session(embedded_server: Any, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    with genuine_sessions(embedded_server, tmp_path / "schema-cache") as make:
        yield make


@pytest.fixture
def other_user(embedded_server: Any, make_session: Any) -> Tuple[str, Any]:
    """A second, non-administrator API user and a genuine session as them."""
    username = f"artist{uuid.uuid4().hex[:8]}"
    user_id, key = add_api_user(embedded_server, username)
    return user_id, make_session(api_user=username, api_key=key)


def _payload(page: Page) -> dict:
    return json.loads(_unb64(page.token.split(".")[0]))


def test_an_invitee_link_carries_the_invitee_and_no_key(
    make_session: Any, embedded_server: Any
) -> None:
    session = make_session()
    dailies = make_dailies(session)
    page = link(session, dailies.ann)
    assert set(_payload(page)) == {"k", "rs", "u", "e", "i", "t"}  # t: issued at (revocation)
    assert _payload(page)["i"] == dailies.ann["id"]
    assert _payload(page)["rs"] == dailies.review_session["id"]
    url = session.get_widget_url("review_session", entity=dailies.ann)
    assert embedded_server.api_key not in url
    assert page.get().status_code == 200
    assert page.feedback()["me"]["email"] == dailies.ann["email"]


def test_an_invitee_link_opens_only_its_own_session(make_session: Any) -> None:
    session = make_session()
    first, second = make_dailies(session), make_dailies(session)
    page = link(session, first.ann)
    other_base = page.base.replace(first.review_session["id"], second.review_session["id"])
    foreign = Page(f"{other_base}?token={page.token}")
    for route in ("", "/feedback", "/live"):
        assert foreign.get(route).status_code == 403
    assert Page(page.origin + "/review/?token=x").get().status_code == 403


def test_a_withdrawn_invitation_stops_working(make_session: Any) -> None:
    session = make_session()
    dailies = make_dailies(session)
    page = link(session, dailies.bob)
    assert page.get("/feedback").status_code == 200
    session.delete(dailies.bob)
    session.commit()
    refused = page.get("/feedback")
    assert refused.status_code == 403 and "withdrawn" in refused.json()["error"]


def test_an_existing_user_with_the_invitees_email_is_the_author_only_after_claiming(
    make_session: Any, other_user: Tuple[str, Any]
) -> None:
    user_id, artist = other_user
    session = make_session()
    dailies = make_dailies(session)
    user = session.get("User", user_id)
    user["email"] = dailies.ann["email"]
    session.commit()
    page = link(session, dailies.ann)
    written = page.post("/notes", {"object_id": dailies.objects[0]["id"], "content": "mine"})
    assert written.status_code == 201, written.text
    reader = make_session()
    assert reader.get("Note", written.json()["id"])["author"]["id"] != user_id
    # The artist consents with their own key and the invitation's link.
    artist.call([{"action": "claim_review_invitee", "token": page.token}])
    again = page.post("/notes", {"object_id": dailies.objects[0]["id"], "content": "mine too"})
    assert make_session().get("Note", again.json()["id"])["author"]["id"] == user_id


def test_a_new_invitee_becomes_a_collaborator_user_once(make_session: Any) -> None:
    session = make_session()
    dailies = make_dailies(session)
    page = link(session, dailies.bob)
    ids = [
        page.post("/notes", {"object_id": o["id"], "content": "n"}).json()["id"]
        for o in dailies.objects
    ]
    reader = make_session()
    authors = {reader.get("Note", i)["author"]["id"] for i in ids}
    assert len(authors) == 1
    author = reader.get("User", authors.pop())
    assert author["email"] == dailies.bob["email"] and author["is_active"] is False
    assert author["user_type"]["name"] == "collaborator"
    users = reader.query(f'User where email is "{dailies.bob["email"]}"').all()
    assert len(users) == 1


def test_only_a_manager_makes_invitee_links(make_session: Any, other_user: Tuple[str, Any]) -> None:
    session = make_session()
    dailies = make_dailies(session)
    _user_id, artist = other_user
    with pytest.raises(ftrack_api.exception.ServerError, match="manage the review session"):
        invitee = artist.get("ReviewSessionInvitee", dailies.ann["id"])
        artist.get_widget_url("review_session", entity=invitee)
    # The artist's own session: they created it, so they may invite.
    own = make_dailies(artist)
    assert link(artist, own.ann).feedback()["me"]["invitee_id"] == own.ann["id"]


def test_a_private_session_opens_to_invitees_and_managers_only(
    make_session: Any, other_user: Tuple[str, Any]
) -> None:
    session = make_session()
    dailies = make_dailies(session)
    _user_id, artist = other_user
    artists_link = link(artist, artist.get("ReviewSession", dailies.review_session["id"]))
    listing = Page(artist.get_widget_url("review_session"))
    assert artists_link.get().status_code == 200  # not private yet
    assert dailies.review_session["name"] in listing.get().text

    dailies.review_session["shareable_url_enabled"] = False
    session.commit()
    for route in ("", "/feedback", "/live", "/notes", f"/media/{dailies.objects[0]['id']}"):
        refused = artists_link.get(route)
        assert refused.status_code == 403, route
        assert "private" in refused.text
    assert artists_link.post("/notes", {"object_id": dailies.objects[0]["id"],
                                        "content": "x"}).status_code == 403  # fmt: skip
    every = Page(listing.origin + f"/review/{dailies.review_session['id']}?token={listing.token}")
    assert every.get().status_code == 403
    assert dailies.review_session["id"] not in listing.get().text
    with pytest.raises(ftrack_api.exception.ServerError, match="private"):
        artist.get_widget_url(
            "review_session", entity=artist.get("ReviewSession", dailies.review_session["id"])
        )

    # its creator's own shared (room) link no longer opens it: their way in is their personal link
    assert link(session, dailies.review_session).get().status_code == 403
    assert personal_link(session, dailies.review_session).get().status_code == 200  # its creator
    assert link(session, dailies.ann).get().status_code == 200  # an invitee
