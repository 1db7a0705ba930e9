"""The review page's live stream (server-sent events) delivers what any client commits.

A genuine ``ftrack_api`` client commits notes, statuses and versions; the stream, opened with an
invitee's link, must deliver them without anyone polling. Waits are bounded conditions, never
timing assertions. On PostgreSQL the stream is opened on one server process and the genuine
client commits through another (the event relay carries it across).
"""

from __future__ import annotations

import json
import queue
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Optional, Tuple

import pytest
import requests
from support import genuine_sessions
from support.groups import on_pg_server
from support.net import close_stream

from .feedback_fixtures import Page, data_url, link, make_dailies, personal_link, stroke_png

WAIT_SECONDS = 60

Event = Tuple[str, Optional[Dict[str, Any]]]


class EventStream:
    """An open ``/live`` stream read on a thread; :meth:`wait_for` takes events in order."""

    def __init__(self, page: Page) -> None:
        self.response = requests.get(
            page.base + "/live", params={"token": page.token}, stream=True, timeout=(10, 120)
        )
        assert self.response.status_code == 200, self.response.text
        assert self.response.headers["content-type"].startswith("text/event-stream")
        self.events: queue.Queue[Event] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for(lambda e: e[0] == "connected")  # registered before anything is committed

    def _read(self) -> None:
        name = "message"
        try:
            for raw in self.response.iter_lines(chunk_size=1, decode_unicode=True):
                line = raw or ""
                if line.startswith(": connected"):
                    self.events.put(("connected", None))
                elif line.startswith("event:"):
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("data:"):
                    self.events.put((name, json.loads(line.split(":", 1)[1])))
                    name = "message"
        except (requests.RequestException, ValueError, AttributeError):
            pass  # closed by the test

    def wait_for(self, wanted: Callable[[Event], bool]) -> Event:
        """The first event (skipping others) that ``wanted`` accepts, within WAIT_SECONDS."""
        while True:
            try:
                event = self.events.get(timeout=WAIT_SECONDS)
            except queue.Empty:
                raise AssertionError(f"no such event within {WAIT_SECONDS} s") from None
            if wanted(event):
                return event

    def close(self) -> None:
        close_stream(self.response)


@pytest.fixture(params=["sqlite", on_pg_server("postgresql-2-processes")])
def servers(request: pytest.FixtureRequest) -> Tuple[Any, Any]:
    """(the server the page streams from, the server the genuine client commits through)."""
    if request.param == "sqlite":
        server = request.getfixturevalue("embedded_server")
        return server, server
    return request.getfixturevalue("pg_server"), request.getfixturevalue("pg_second_process")


@pytest.fixture
def sessions(servers: Tuple[Any, Any], tmp_path: Path) -> Iterator[Tuple[Any, Any]]:
    page_server, writer_server = servers
    with (
        genuine_sessions(page_server, tmp_path / "a") as on_page_server,
        genuine_sessions(writer_server, tmp_path / "b") as on_writer_server,
    ):
        yield on_page_server(), on_writer_server()


def test_the_stream_delivers_what_the_genuine_client_commits(sessions: Tuple[Any, Any]) -> None:
    session, writer = sessions
    dailies = make_dailies(session)
    v001, v002 = dailies.objects
    stream = EventStream(personal_link(session, dailies.review_session))  # the studio's
    try:
        user = writer.query(f'User where username is "{writer.api_user}"').one()
        note = writer.create(
            "Note",
            {"content": "from the API", "parent_id": v002["id"],
             "parent_type": "ReviewSessionObject", "user_id": user["id"]},
        )  # fmt: skip
        writer.commit()
        _name, payload = stream.wait_for(lambda e: e[0] == "note")
        assert payload == {"object_id": v002["id"], "note_id": note["id"]}

        status = writer.create(
            "ReviewSessionObjectStatus",
            {"review_session_object": writer.get("ReviewSessionObject", v001["id"]),
             "invitee": writer.get("ReviewSessionInvitee", dailies.bob["id"]),
             "status": "approved"},
        )  # fmt: skip
        writer.commit()
        _name, payload = stream.wait_for(lambda e: e[0] == "status")
        assert payload == {"object_id": v001["id"], "invitee_id": dailies.bob["id"]}
        assert status["id"]

        version = writer.get("AssetVersion", v002["asset_version"]["id"])
        added = writer.create(
            "ReviewSessionObject",
            {"review_session": writer.get("ReviewSession", dailies.review_session["id"]),
             "asset_version": version, "name": "again", "version": "v002", "sort_order": 3},
        )  # fmt: skip
        writer.commit()
        _name, payload = stream.wait_for(lambda e: e[0] == "object")
        assert payload == {"object_id": added["id"]}
    finally:
        stream.close()


def test_the_stream_delivers_the_pages_own_drawings_and_statuses(embedded_server: Any,
                                                               tmp_path: Path) -> None:  # fmt: skip
    with genuine_sessions(embedded_server, tmp_path) as make:
        session = make()
        dailies = make_dailies(session)
        v001 = dailies.objects[0]
        watcher = EventStream(personal_link(session, dailies.review_session))  # the studio
        try:
            ann = link(session, dailies.ann)
            drawn = ann.post(
                "/annotations", {"object_id": v001["id"], "frame": 7, "png": data_url(stroke_png())}
            )
            assert drawn.status_code == 201
            _name, payload = watcher.wait_for(lambda e: e[0] == "note")
            assert payload == {"object_id": v001["id"], "note_id": drawn.json()["id"]}
            assert ann.post("/status", {"object_id": v001["id"], "status": "approved"}).ok
            _name, payload = watcher.wait_for(lambda e: e[0] == "status")
            assert payload == {"object_id": v001["id"], "invitee_id": dailies.ann["id"]}
        finally:
            watcher.close()


def test_other_sessions_changes_are_not_streamed(embedded_server: Any, tmp_path: Path) -> None:
    with genuine_sessions(embedded_server, tmp_path) as make:
        session = make()
        watched, other = make_dailies(session), make_dailies(session)
        stream = EventStream(link(session, watched.ann))
        try:
            link(session, other.ann).post(
                "/notes", {"object_id": other.objects[0]["id"], "content": "elsewhere"}
            )
            mine = link(session, watched.bob).post(
                "/notes", {"object_id": watched.objects[0]["id"], "content": "here"}
            )
            # Events arrive in commit order: the first note event must be the watched one.
            _name, payload = stream.wait_for(lambda e: e[0] == "note")
            assert payload["note_id"] == mine.json()["id"]
        finally:
            stream.close()


def test_a_status_moved_elsewhere_reaches_every_session_showing_the_version(
    embedded_server: Any, tmp_path: Path
) -> None:
    """A version is in two sessions (the internal dailies and the client's); the studio's verdict
    in one moves its status: the other's open studio page is told (``event: status`` for its own
    item) and reads the new status, without a reload. Seen failing first: the dailies page kept
    "Pending Review" until reloaded."""
    with genuine_sessions(embedded_server, tmp_path) as make:
        session = make()
        client = make_dailies(session)
        item = client.objects[0]
        dailies = session.create("ReviewSession", {
            "name": "Internal dailies", "project": client.review_session["project"],
            "end_date": client.review_session["end_date"]})  # fmt: skip
        shown = session.create("ReviewSessionObject", {
            "review_session": dailies, "asset_version": item["asset_version"],
            "name": "sh010_anim", "version": "v001", "sort_order": 1})  # fmt: skip
        session.commit()
        page = personal_link(session, dailies)
        stream = EventStream(page)
        try:
            verdict = personal_link(session, client.review_session).post(
                "/status", {"object_id": item["id"], "status": "approved"})  # fmt: skip
            assert verdict.status_code == 200, verdict.text
            _name, payload = stream.wait_for(
                lambda e: e[0] == "status" and e[1] is not None
                and e[1].get("object_id") == shown["id"]
            )  # fmt: skip
            assert payload == {"object_id": shown["id"], "invitee_id": None}
        finally:
            stream.close()
        status = page.feedback()["objects"][shown["id"]]["version_status"]
        assert status["name"] == "Approved"
