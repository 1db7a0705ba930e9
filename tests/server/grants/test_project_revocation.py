"""Closing or deleting a project ends what is open on its review sessions: their ``/live``
streams (an invitee's, the room's) stop receiving and the server ends them, and their open pages
are refused from their next request on (the page, its media, a note), nothing stored; reopened,
the project's links open again. SQLite; PostgreSQL with 4 workers, the stream and the change on
any of the workers.

Seen failing first: an administrator closed the project (``Project.status``) or deleted it, and
its sessions' open streams kept receiving notes (the wait for their end gave up); a closed
project's session still opened to its links.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Tuple

import pytest
import requests
from support.insiders import assert_unchanged, review_of, route_refused, snapshot, token_of, widget
from support.trust import call, delete, update
from support.waiting import wait_until

from ft_dcc.server.review.access.links import PROJECT_CLOSED

from .test_live_revocation import LiveStream, _assert_cut_off, _note


def _open_streams(world: Any, streams: Any) -> Tuple[Any, str, str, LiveStream, LiveStream]:
    """alice's session open to the room, its invitee's and the room's streams, receiving."""
    review = review_of(world, world.alice, private=False)
    client = token_of(widget(world, world.alice, "ReviewSessionInvitee", review.client))
    room = token_of(widget(world, world.alice, "ReviewSession", review.session))
    client_stream, room_stream = streams(review.session, client), streams(review.session, room)
    first = _note(world, review)
    wait_until(lambda: client_stream.mentions(first) and room_stream.mentions(first),
               "the streams to receive a note first")  # fmt: skip
    return review, client, room, client_stream, room_stream


def _page(world: Any, review: Any, token: str, tail: str = "") -> requests.Response:
    return requests.get(f"{world.url}/review/{review.session}{tail}", params={"token": token},
                        timeout=60)  # fmt: skip


def test_closing_a_project_ends_its_sessions_streams_and_pages(
    trust_world: Any, streams: Any
) -> None:
    world = trust_world
    review, client, room, client_stream, room_stream = _open_streams(world, streams)
    project = review.published["project"]

    closed = call(world.server, [update("Project", project, status="hidden")])  # an admin's
    assert closed.status_code == 200, closed.text

    for stream in (client_stream, room_stream):
        _assert_cut_off(world, review, stream)
    before = snapshot(world)
    for token in (client, room):
        page = _page(world, review, token)
        assert page.status_code == 403 and "Dailies" not in page.text, page.text[:500]
        assert "This review&#39;s project was closed" in page.text, page.text[:1500]
        for tail in ("/items", "/feedback", f"/media/{review.published['movie']}"):
            assert route_refused(_page(world, review, token, tail)) == PROJECT_CLOSED, tail
        late = {"object_id": review.item, "content": "after closing"}
        note = requests.post(f"{world.url}/review/{review.session}/notes",
                             params={"token": token}, json=late, timeout=60)  # fmt: skip
        assert route_refused(note) == PROJECT_CLOSED
    assert_unchanged(world, before)

    reopened = call(world.server, [update("Project", project, status="active")])
    assert reopened.status_code == 200, reopened.text
    for token in (client, room):
        assert _page(world, review, token).status_code == 200


def test_deleting_a_project_ends_its_sessions_streams(trust_world: Any, streams: Any) -> None:
    world = trust_world
    review, client, room, client_stream, room_stream = _open_streams(world, streams)

    deleted = call(world.server, [delete("Project", review.published["project"])])
    assert deleted.status_code == 200, deleted.text

    for stream in (client_stream, room_stream):
        _assert_cut_off(world, review, stream, notes=0)  # its items went with it
    for token in (client, room):
        gone = _page(world, review, token)
        assert gone.status_code in (403, 404) and "Dailies" not in gone.text, gone.text[:500]


@pytest.mark.browser
@pytest.mark.parametrize("trust_world", ["sqlite"], indirect=True)
def test_a_clients_open_page_shows_that_the_project_was_closed(
    trust_world: Any, page: Any, artifacts_dir: Path
) -> None:
    """The client's page open in Chromium, its own scripts listening: the administrator closes
    the project, and the page says why it no longer opens, by itself."""
    world = trust_world
    review = review_of(world, world.alice)
    client = token_of(widget(world, world.alice, "ReviewSessionInvitee", review.client))
    page.goto(f"{world.url}/review/{review.session}?token={client}")
    page.wait_for_function("() => document.querySelector('main.items').dataset.live === 'open'")

    closed = call(world.server, [update("Project", review.published["project"], status="hidden")])
    assert closed.status_code == 200, closed.text

    page.wait_for_function("() => document.querySelector('main.items').dataset.live === 'refused'")
    assert PROJECT_CLOSED in page.locator(".refusal").inner_text()
    assert page.locator("main.items").is_hidden()
    page.screenshot(path=str(artifacts_dir / "review_project_closed.png"), full_page=True)
