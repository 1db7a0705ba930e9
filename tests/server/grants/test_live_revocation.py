"""A review page's open ``/live`` stream lives on its link: when the invitee is removed, the
session is made private (for its room link) or closed, the stream stops receiving and the server
ends it (SQLite; PostgreSQL with 4 workers, the stream and the change on any of the workers).

Seen failing first: the link was checked once, when the stream opened; a removed invitee's
stream kept receiving note events (the wait for its end gave up).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any, List

import requests
from support.insiders import review_of, token_of, widget
from support.net import close_stream
from support.trust import call, create, delete, update
from support.waiting import wait_until


class LiveStream:
    """``GET /review/<rs>/live`` read on a thread: its lines, and whether it ended."""

    def __init__(self, url: str, session: str, token: str) -> None:
        self.lines: List[str] = []
        self.ended = threading.Event()
        self._response = requests.get(f"{url}/review/{session}/live", params={"token": token},
                                      stream=True, timeout=120)  # fmt: skip
        assert self._response.status_code == 200, self._response.text[:500]
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for line in self._response.iter_lines(decode_unicode=True):
                self.lines.append(line)
        except Exception:
            pass
        self.ended.set()

    def mentions(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    def close(self) -> None:
        close_stream(self._response)  # at once, not at the server's next keepalive


def _note(world: Any, review: Any) -> str:
    """A note by the session's owner on its item (a ``note`` event for its streams)."""
    made = create("Note", content=f"note {uuid.uuid4().hex[:6]}", parent_id=review.item,
                  parent_type="ReviewSessionObject", user_id=world.alice.id)  # fmt: skip
    reply = call(world.server, [made], **world.alice.auth)
    assert reply.status_code == 200, reply.text
    return str(made["entity_key"][0])


def _receiving(world: Any, review: Any, stream: LiveStream) -> None:
    first = _note(world, review)
    wait_until(lambda: stream.mentions(first), "the stream to receive a note before revocation")


def _assert_cut_off(world: Any, review: Any, stream: LiveStream, notes: int = 3) -> None:
    """The server ends ``stream``; ``notes`` written after the revocation never reach it."""
    later = [_note(world, review) for _ in range(notes)]
    wait_until(stream.ended.is_set, "the server to end the revoked stream", timeout=60)
    assert not [n for n in later if stream.mentions(n)], "the revoked stream received notes"
    assert stream.lines[-3:-1][0] == "event: refused", stream.lines[-5:]  # its last event: why


def _invitee_stream(world: Any, streams: Any) -> Any:
    """alice's private session and its invitee's open stream, receiving."""
    review = review_of(world, world.alice)
    token = token_of(widget(world, world.alice, "ReviewSessionInvitee", review.client))
    stream = streams(review.session, token)
    _receiving(world, review, stream)
    return review, stream


def test_a_removed_invitees_open_stream_is_ended(trust_world: Any, streams: Any) -> None:
    world = trust_world
    review, stream = _invitee_stream(world, streams)

    reply = call(world.server, [delete("ReviewSessionInvitee", review.client)], **world.alice.auth)
    assert reply.status_code == 200, reply.text

    _assert_cut_off(world, review, stream)


def test_a_room_link_stream_ends_when_the_session_is_made_private(
    trust_world: Any, streams: Any
) -> None:
    world = trust_world
    review = review_of(world, world.alice, private=False)
    room = token_of(widget(world, world.alice, "ReviewSession", review.session))
    stream = streams(review.session, room)
    _receiving(world, review, stream)

    made_private = update("ReviewSession", review.session, shareable_url_enabled=False)
    reply = call(world.server, [made_private], **world.alice.auth)
    assert reply.status_code == 200, reply.text

    _assert_cut_off(world, review, stream)


def test_an_invitees_stream_ends_when_the_session_is_closed(trust_world: Any, streams: Any) -> None:
    world = trust_world
    review, stream = _invitee_stream(world, streams)

    yesterday = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)).isoformat()
    reply = call(world.server, [update("ReviewSession", review.session, end_date=yesterday)],
                 **world.alice.auth)  # fmt: skip
    assert reply.status_code == 200, reply.text

    _assert_cut_off(world, review, stream, notes=0)  # a closed session takes no notes


def test_a_revoked_invitees_open_stream_is_told_why_at_once(
    trust_world: Any, streams: Any
) -> None:
    """The desk's "Revoke link" (the invitee's revocation mark): the page hears it by itself."""
    world = trust_world
    review, stream = _invitee_stream(world, streams)
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    name = f"invitee_links_revoked_at:{review.client}"
    mark = {"action": "create", "entity_type": "EntitySetting",
            "entity_key": [review.session, "review", name],
            "entity_data": {"__entity_type__": "EntitySetting", "parent_id": review.session,
                            "parent_type": "ReviewSession", "group": "review", "name": name,
                            "value": now}}  # fmt: skip
    reply = call(world.server, [mark], **world.alice.auth)
    assert reply.status_code == 200, reply.text

    _assert_cut_off(world, review, stream)
    [said] = [line for line in stream.lines if line.startswith("data: {\"message\"")]
    assert "revoked by the person who runs the review" in said


def test_other_streams_keep_receiving(trust_world: Any, streams: Any) -> None:
    """The control: removing one invitee leaves another invitee's stream open."""
    world = trust_world
    review = review_of(world, world.alice)
    other = create("ReviewSessionInvitee", name="Other", email="other@client.example",
                   review_session_id=review.session)  # fmt: skip
    assert call(world.server, [other], **world.alice.auth).status_code == 200
    kept = streams(review.session, token_of(widget(world, world.alice, "ReviewSessionInvitee",
                                                   other["entity_key"][0])))  # fmt: skip
    _receiving(world, review, kept)
    call(world.server, [delete("ReviewSessionInvitee", review.client)], **world.alice.auth)
    last = _note(world, review)
    wait_until(lambda: kept.mentions(last), "the other invitee's stream to keep receiving")
    assert not kept.ended.is_set()
