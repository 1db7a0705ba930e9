"""ftrack's ``start_date`` / ``end_date`` of a ReviewSession bind its client links, on every
route and on open ``/live`` streams, over HTTP against a real server.

Before ``start_date`` a client link's page says "This review opens on …", after ``end_date``
"This review closed on …" (403), and every other route serves nothing; the studio's own access
(the owner's personal link) is not bound. An open stream of a client link ends when the window
closes, by the passage of time or because the session's fields changed. The genuine
``ftrack_api`` client sets and reads the fields back unchanged.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import requests
from support import genuine_sessions
from support.net import close_stream

from .gate_world import READS, Dailies, audit_acts, get, make_owner, snapshot, utc, writes

WAIT_SECONDS = 60


@pytest.fixture(scope="module")
def world(gate_backend_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    base = tmp_path_factory.mktemp("gate-window")
    for owner in make_owner(gate_backend_server, base):
        yield {"server": gate_backend_server, "owner": owner, "base": base}


def dailies(world: Dict[str, Any], **fields: Any) -> Dailies:
    return Dailies(world["server"], world["owner"], world["base"], **fields)


@pytest.mark.parametrize(
    ("window", "said"),
    [({"start_date": utc(days=1), "end_date": utc(days=2)}, "This review opens on"),
     ({"start_date": utc(days=-2), "end_date": utc(days=-1)}, "This review closed on")],
    ids=["before", "after"],
)  # fmt: skip
def test_outside_the_window_client_links_serve_nothing(
    world: Dict[str, Any], window: Dict[str, Any], said: str
) -> None:
    session = dailies(world)
    session.update(**window)
    when = (window["start_date"] if "opens" in said else window["end_date"])
    when_text = when.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    for page in (session.invitee("ann"), session.room()):
        shown = get(page)
        assert shown.status_code == 403, shown.text[:300]
        assert f"{said} {when_text}" in shown.text, shown.text[-1500:]
        assert "sh010_anim" not in shown.text  # nothing of the session's items
        for route in (*READS[1:], session.media(), "/live"):
            answer = get(page, route)
            assert answer.status_code == 403, (route, answer.status_code, answer.text[:300])
            assert said in answer.json()["error"], (route, answer.text)
        assert get(page, session.media(), Range="bytes=0-3").status_code == 403
        before = snapshot(world["server"], session)
        for route, body in writes(session):
            answer = page.post(route, body)
            assert answer.status_code == 403 and said in answer.text, (route, answer.text[:300])
        assert snapshot(world["server"], session) == before
    refused = audit_acts(world["server"], session.id, ["access.refused"])
    reasons = {e["detail"].get("reason") for e in refused if e["act"] == "access.refused"}
    assert reasons == {"window"}, refused
    # the studio's own access is not bound
    owner_page = session.personal()
    assert get(owner_page, "/feedback").status_code == 200
    assert get(owner_page, session.media()).status_code == 200


def test_inside_the_window_client_links_serve(world: Dict[str, Any]) -> None:
    session = dailies(world, start_date=utc(days=-1), end_date=utc(days=1))
    page = session.invitee("ann")
    for route in (*READS, session.media()):
        assert get(page, route).status_code == 200, route
    assert get(page, session.media(), Range="bytes=0-3").status_code == 206


def test_the_genuine_client_sets_and_reads_the_fields_back(
    world: Dict[str, Any], tmp_path: Path
) -> None:
    owner = world["owner"]
    project = owner.query("Project").first()
    start, end = utc(days=-1).replace(microsecond=0), utc(days=6).replace(microsecond=0)
    name = f"window {uuid.uuid4().hex[:6]}"
    created = owner.create("ReviewSession", {
        "name": name, "project": project, "start_date": start, "end_date": end,
        "availability": "date_range", "passphrase_enabled": True, "passphrase": "s3cret",
        "is_moderated": False,
    })  # fmt: skip
    owner.commit()
    with genuine_sessions(world["server"], tmp_path / "cache") as make:
        other = make()
        read = other.query(
            "select name, start_date, end_date, availability, passphrase_enabled, passphrase, "
            f'is_open, is_moderated from ReviewSession where id is "{created["id"]}"'
        ).one()
        assert read["start_date"].datetime.timestamp() == start.timestamp()
        assert read["end_date"].datetime.timestamp() == end.timestamp()
        assert read["availability"] == "date_range" and read["passphrase_enabled"] is True
        assert read["is_open"] is True and read["is_moderated"] is False
        assert read["passphrase"] == "********"
        read["end_date"] = utc(days=-1).replace(microsecond=0)  # closed: is_open follows
        read["availability"] = "always"
        other.commit()
    fresh = owner.call([{"action": "query", "expression":
                         f'select is_open, availability, passphrase_enabled from ReviewSession '
                         f'where id is "{created["id"]}"'}])[0]["data"][0]  # fmt: skip
    assert fresh["is_open"] is False and fresh["availability"] == "always"
    assert fresh["passphrase_enabled"] is True


class Stream:
    """An open ``/live`` stream of a link, read on a thread until it ends."""

    def __init__(self, page: Any) -> None:
        self.response = requests.get(page.base + "/live", params={"token": page.token},
                                     stream=True, timeout=(10, 120))  # fmt: skip
        assert self.response.status_code == 200, self.response.text[:300]
        self.ended: queue.Queue[bool] = queue.Queue()
        self.connected: queue.Queue[bool] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.connected.get(timeout=WAIT_SECONDS)

    def _read(self) -> None:
        try:
            for line in self.response.iter_lines(chunk_size=1, decode_unicode=True):
                if line and line.startswith(": connected"):
                    self.connected.put(True)
        except (requests.RequestException, ValueError, AttributeError):
            pass
        self.connected.put(True)
        self.ended.put(True)

    def wait_ended(self) -> None:
        try:
            self.ended.get(timeout=WAIT_SECONDS)
        except queue.Empty:
            raise AssertionError(f"the stream was still open after {WAIT_SECONDS} s") from None

    def close(self) -> None:
        close_stream(self.response)


def test_an_open_stream_ends_when_the_window_closes(world: Dict[str, Any]) -> None:
    session = dailies(world)
    stream = Stream(session.invitee("ann"))
    try:
        session.update(end_date=utc(seconds=3))  # still open now; it closes by itself soon
        stream.wait_ended()
    finally:
        stream.close()
    assert get(session.invitee("ann"), "/feedback").status_code == 403


def test_an_open_stream_ends_when_the_session_fields_change(world: Dict[str, Any]) -> None:
    session = dailies(world)
    later, asked = Stream(session.invitee("ann")), Stream(session.invitee("bob"))
    owner_stream = Stream(session.personal())
    try:
        session.update(start_date=utc(days=1), end_date=utc(days=2))  # not open yet
        later.wait_ended()
        session.update(start_date=utc(days=-1), end_date=utc(days=1))
        asked = Stream(session.invitee("bob"))
        session.update(passphrase="new", passphrase_enabled=True)  # asks now
        asked.wait_ended()
        assert owner_stream.ended.empty(), "the owner's own stream was ended"
    finally:
        for stream in (later, asked, owner_stream):
            stream.close()
