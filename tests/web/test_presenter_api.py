"""Presenter mode over HTTP: who may lead, what a follower, a leaked link or a
hostile caller gets (a 4xx that says what to do, and the stored state unchanged), and the state
reaching every page's live stream, on SQLite and on PostgreSQL with 4 workers."""

from __future__ import annotations

import json
import queue
import threading
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
import requests
from support import genuine_sessions
from support.net import close_stream

from .feedback_fixtures import Dailies, Page, another_user, link, make_dailies, personal_link

WAIT_SECONDS = 60


def new_page() -> Dict[str, str]:
    return {"page": uuid.uuid4().hex, "secret": uuid.uuid4().hex}


def state(object_id: str, frame: int, **more: Any) -> Dict[str, Any]:
    return dict({"object_id": object_id, "frame": frame, "playing": False}, **more)


def sent_now(page: Page) -> float:
    """The server's time, from the "now" of its answer."""
    now = current(page)["now"]
    assert isinstance(now, float), now
    return now


class Stream:
    """The ``name`` events (``presenter`` unless told) of one page's live stream, read in a
    thread."""

    def __init__(self, page: Page, name: str = "presenter") -> None:
        self.name = name
        self.response = requests.get(
            page.base + "/live", params={"token": page.token}, stream=True, timeout=WAIT_SECONDS
        )
        assert self.response.status_code == 200, self.response.text
        self.events: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        name = None
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line.startswith("event: "):
                    name = line[len("event: ") :]
                elif line.startswith("data: ") and name == self.name:
                    self.events.put(json.loads(line[len("data: ") :]))
        except Exception:  # closed by the test
            pass

    def wait_for(self, seq: int) -> Dict[str, Any]:
        """The first presenter event with at least ``seq``."""
        return self.first(lambda event: event["seq"] >= seq, f"seq >= {seq}")

    def first(self, wanted: Callable[[Dict[str, Any]], bool], what: str) -> Dict[str, Any]:
        """The next event that is ``wanted`` (the ones before it are dropped)."""
        while True:
            try:
                event = self.events.get(timeout=WAIT_SECONDS)
            except queue.Empty:
                raise AssertionError(f"no {self.name} event with {what}") from None
            if wanted(event):
                return event

    def close(self) -> None:
        close_stream(self.response)  # at once, not at the server's next keepalive


class HubClient:
    """A websocket client of the server's ftrack event hub (socket.io 0.9), as the server's
    API user."""

    def __init__(self, server: Any) -> None:
        import websocket

        who = {"ftrack-user": server.api_user, "ftrack-api-key": server.api_key}
        handshake = requests.get(server.url + "/socket.io/1/", timeout=10, headers=who)
        sid = handshake.text.split(":")[0]
        self.sock = websocket.create_connection(
            f"ws://127.0.0.1:{server.port}/socket.io/1/websocket/{sid}", timeout=WAIT_SECONDS
        )
        self.frames: List[str] = []
        assert self.sock.recv() == "1::"

    def emit(self, event: Dict[str, Any], ack: int) -> str:
        """Publish ``event``; the hub's answer (its ack frame)."""
        self.sock.send(f"5:{ack}+::" + json.dumps({"name": "ftrack.event", "args": [event]}))
        while True:
            self.frames.append(self.sock.recv())
            if self.frames[-1].startswith(f"6:::{ack}+"):
                return self.frames[-1]

    def close(self) -> None:
        self.sock.close()


def post(page: Page, body: Any) -> requests.Response:
    return page.post("/presenter", body)


def current(page: Page) -> Dict[str, Any]:
    response = page.get("/presenter")
    assert response.status_code == 200, response.text
    return response.json()


def refused(response: requests.Response, status: int = 403) -> str:
    assert response.status_code == status, (response.status_code, response.text)
    message = response.json()["error"]
    assert any(w in message for w in ("ask", "only", "Only", "send", "must", "press")), message
    return message


@pytest.fixture
def world(server_on_each_backend: Any, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    """Dailies made by the server's first user (their owner), the invitees Ann and Bob; the
    owner presents through their own personal link; ``make`` for more genuine sessions."""
    server = server_on_each_backend
    with genuine_sessions(server, tmp_path / "cache") as make:
        owner_session = make()
        dailies: Dailies = make_dailies(owner_session)
        yield {
            "server": server,
            "dailies": dailies,
            "owner": personal_link(owner_session, dailies.review_session),
            "ann": link(owner_session, dailies.ann),
            "bob": link(owner_session, dailies.bob),
            "make": make,
        }


@pytest.fixture
def mallory(world: Dict[str, Any]) -> Page:
    """A link made by Mallory, another user (the session is not private: her link opens it)."""
    session = another_user(world["server"], world["make"])
    return link(session, session.get("ReviewSession", world["dailies"].review_session["id"]))


def test_who_may_present_and_the_refusals_change_nothing(
    world: Dict[str, Any], mallory: Page
) -> None:
    owner, ann = world["owner"], world["ann"]
    v001, v002 = (o["id"] for o in world["dailies"].objects)
    me = current(owner)["you"]
    assert me["may_present"] is True and me["key"].startswith("u:")
    assert {c["name"] for c in me["candidates"]} >= {"Ann Lee", "Bob Ray"}
    assert current(ann)["you"] == {
        "key": "i:" + world["dailies"].ann["id"], "name": "Ann Lee", "may_present": False,
        "manager": False, "candidates": [],
    }  # fmt: skip
    assert current(mallory)["you"]["may_present"] is False

    # An invitee, another user's (leaked) link and a forged token cannot take the lead.
    for page in (ann, mallory):
        refused(post(page, dict(op="take", **new_page())))
    forged = requests.post(owner.base + "/presenter", params={"token": owner.token[:-4] + "AAAA"},
                           json=dict(op="take", **new_page()), timeout=30)  # fmt: skip
    assert forged.status_code == 403
    assert current(owner)["presenter"] == {"seq": 0, "lead": None, "state": None}

    lead = new_page()
    taken = post(owner, dict(op="take", **lead))
    assert taken.status_code == 200, taken.text
    assert taken.json()["presenter"]["lead"]["page"] == lead["page"]
    pushed = post(owner, dict(op="state", state=state(v002, 1012, compare=v001), **lead))
    assert pushed.status_code == 200, pushed.text
    before = current(owner)["presenter"]
    assert before["state"]["frame"] == 1012 and before["state"]["compare"] == v001

    # A follower cannot push state: not with its own page, not with the presenter's page id
    # (public: every page sees it) and a guessed secret, not with the owner's page id.
    for page, body in (
        (ann, dict(op="state", state=state(v002, 1001), **new_page())),
        (ann, dict(op="state", state=state(v002, 1001), page=lead["page"],
                   secret=uuid.uuid4().hex)),
        (mallory, dict(op="state", state=state(v002, 1001), **lead)),  # even the secret
        (owner, dict(op="state", state=state(v002, 1001), page=lead["page"],
                     secret=uuid.uuid4().hex)),
        (ann, dict(op="stop", **new_page())),
        (mallory, dict(op="hand", to=current(owner)["you"]["key"], **lead)),
    ):  # fmt: skip
        refused(post(page, body))
    assert current(owner)["presenter"] == before


#: Bodies a hostile caller may post (a dict gets the lead's page and secret added; "V2" in it
#: is v002's id).
HOSTILE: List[Any] = [
    b"not json",
    b"[1, 2]",
    b"{" * 200 + b"}" * 200,
    b'{"op": "state", "page": "' + b"a" * 5000 + b'"}',  # too large: 413
    {"op": "dance"},
    {"op": "take", "page": "x", "secret": "y"},
    {"op": "take", "page": 1, "secret": None},
    {"op": "state", "extra": 1},
    {"op": "state", "state": "1012"},
    {"op": "state", "state": {"object_id": "V2", "frame": 1012, "volume": 11}},
    {"op": "state", "state": {"object_id": "V2", "frame": "1012"}},
    {"op": "state", "state": {"object_id": "V2", "frame": True}},
    {"op": "state", "state": {"object_id": "V2", "frame": 10**30}},
    {"op": "state", "state": {"object_id": "V2", "frame": 1, "speed": 1e308}},
    {"op": "state", "state": {"object_id": "V2", "frame": 1, "wipe": -1}},
    {"op": "state", "state": {"object_id": "V2", "frame": 1, "mode": "<script>"}},
    {"op": "state", "state": {"object_id": "V2", "frame": 1, "playing": "yes"}},
    {"op": "state", "state": {"object_id": str(uuid.uuid4()), "frame": 1}},
    {"op": "state", "state": {"object_id": "../../etc", "frame": 1}},
    {"op": "state", "state": {"object_id": "V2", "frame": 1, "compare": ["V1"]}},
    {"op": "state", "state": {"object_id": "V2", "frame": 1, "clock": "now"}},
    {"op": "state", "state": {"object_id": "V2", "frame": 1, "clock": True}},
    {"op": "state", "state": {"object_id": "V2", "frame": 1, "clock": 1.0}},
    {"op": "state", "state": {"object_id": "V2", "frame": 1, "clock": 1e308}},
    {"op": "state", "state": {"object_id": "V2", "frame": 1, "clock": float("nan")}},
    {"op": "state", "state": {"object_id": "V2", "frame": 1, "view": [1, 2, 3]}},
    {"op": "state", "state": {"object_id": "V2", "frame": 1, "view": {"zoom": 1, "cx": 0}}},
    {"op": "state", "state": {"object_id": "V2", "frame": 1,
                              "view": {"zoom": 1e9, "cx": 0, "cy": 0}}},
    {"op": "state", "state": {"object_id": "V2", "frame": 1,
                              "view": {"zoom": 1, "cx": "middle", "cy": 0}}},
    {"op": "state", "state": {"object_id": "V2", "frame": 1,
                              "view": {"zoom": 1, "cx": 0, "cy": 0, "html": "<b>"}}},
    {"op": "state", "state": {"object_id": "V2", "frame": 1, "cut": "01:00:00:00"}},
    {"op": "state", "state": {"object_id": "V2", "frame": 1, "cut": 10**30}},
    {"op": "hand", "to": "u:" + "x" * 100},
    {"op": "hand", "to": {"key": 1}},
]


def hostile_answer(world: Dict[str, Any], body: Any) -> Optional[str]:
    """Post ``body`` as the owner's page that has just taken the lead: what was wrong with the
    answer (not a 4xx, no error said, or the stored state changed), or None."""
    owner = world["owner"]
    v002 = world["dailies"].objects[1]["id"]
    lead = new_page()
    assert post(owner, dict(op="take", **lead)).status_code == 200
    assert post(owner, dict(op="state", state=state(v002, 1005), **lead)).status_code == 200
    before = current(owner)["presenter"]
    if isinstance(body, dict):
        body = json.loads(json.dumps(dict(lead, **body)))  # a copy: HOSTILE stays as written
        if isinstance(body.get("state"), dict) and body["state"].get("object_id") == "V2":
            body["state"]["object_id"] = v002
        body = json.dumps(body)
    response = post(owner, body)
    if not 400 <= response.status_code < 500:
        return f"{response.status_code} {response.text}"
    if not response.json().get("error"):
        return f"no error said: {response.text}"
    after = current(owner)["presenter"]
    return None if after == before else f"the state changed: {before} -> {after}"


def test_hostile_input_gets_a_4xx_and_changes_nothing(world: Dict[str, Any]) -> None:
    """Every hostile body, one after the other in one world (a world costs more than all the
    posts: a parameter each made 27 worlds a backend), each against a lead taken afresh."""
    wrong = {}
    for body in HOSTILE:
        said = hostile_answer(world, body)
        if said is not None:
            wrong[repr(body)[:100]] = said
    assert wrong == {}


def test_the_state_reaches_every_page_and_the_lead_is_handed_over(world: Dict[str, Any]) -> None:
    owner, ann, bob = world["owner"], world["ann"], world["bob"]
    v001, v002 = (o["id"] for o in world["dailies"].objects)
    bob_stream = Stream(bob)
    try:
        first = bob_stream.wait_for(0)  # sent on connect
        lead = new_page()
        assert post(owner, dict(op="take", **lead)).status_code == 200
        sent = post(owner, dict(op="state", state=state(v001, 1007, playing=True, speed=2.0),
                                **lead)).json()["presenter"]  # fmt: skip
        seen = bob_stream.wait_for(sent["seq"])
        # a client sees the studio's presenter as "Studio", its key a digest
        assert seen["lead"]["name"] == "Studio" and seen["lead"]["key"].startswith("w:")
        assert dict(seen, lead=sent["lead"]) == sent and seen["seq"] > first["seq"]
        assert seen["lead"]["name"] and "secret" not in json.dumps(seen)
        assert seen["state"] == {
            "object_id": v001, "compare": None, "mode": "side", "wipe": 50.0, "playing": True,
            "frame": 1007, "speed": 2.0, "loop": False, "mark_in": None, "mark_out": None,
            "clock": None, "view": None, "cut": None,
        }  # fmt: skip
        # a still's view (its zoom, null when fitted, and the picture point in the middle)
        viewed = dict(state(v001, 1001), view={"zoom": 2, "cx": 160.5, "cy": 90})
        still = post(owner, dict(op="state", state=viewed, **lead)).json()["presenter"]
        assert bob_stream.wait_for(still["seq"])["state"]["view"] == {
            "zoom": 2.0, "cx": 160.5, "cy": 90.0,
        }  # fmt: skip

        # An answer says when the server had the request as well as when it answered: a
        # page's estimate of the server's clock leaves the server's own time out (as NTP).
        timed = current(bob)
        assert isinstance(timed["received"], float) and timed["received"] <= timed["now"]

        # The presenter's clock (the server's time its frame was shown at, by the page's
        # estimate from the answers' "now") is kept for the followers to move the frame on.
        answer = post(
            owner,
            dict(op="state", state=state(v001, 1008, playing=True, clock=sent_now(owner)), **lead),
        )
        assert answer.status_code == 200, answer.text
        kept = answer.json()["presenter"]
        assert abs(kept["state"]["clock"] - answer.json()["now"]) < 60
        assert answer.json()["received"] <= answer.json()["now"]  # a POST's answer too
        assert bob_stream.wait_for(kept["seq"])["state"]["clock"] == kept["state"]["clock"]

        # A late joiner's stream opens with where the presenter is.
        late = Stream(ann)
        try:
            assert late.wait_for(0)["state"] == kept["state"]  # the lead: "Studio" to Ann
        finally:
            late.close()

        # Handed to Ann: her page claims it and leads; the owner takes it back.
        ann_key = current(ann)["you"]["key"]
        handed = post(owner, dict(op="hand", to=ann_key, **lead))
        assert handed.status_code == 200, handed.text
        assert handed.json()["presenter"]["lead"] == {
            "key": ann_key, "name": "Ann Lee", "page": None,
        }  # fmt: skip
        assert current(ann)["you"]["may_present"] is True
        refused(post(bob, dict(op="claim", **new_page())))
        ann_page = new_page()
        assert post(ann, dict(op="claim", **ann_page)).status_code == 200
        assert post(ann, dict(op="claim", **new_page())).status_code == 409  # already claimed
        refused(post(owner, dict(op="state", state=state(v002, 1001), **lead)))  # not the lead
        moved = post(ann, dict(op="state", state=state(v002, 1010), **ann_page))
        assert moved.status_code == 200, moved.text
        assert bob_stream.wait_for(moved.json()["presenter"]["seq"])["state"]["frame"] == 1010
        again = new_page()
        assert post(owner, dict(op="take", **again)).status_code == 200
        refused(post(ann, dict(op="state", state=state(v002, 1011), **ann_page)))
        assert current(ann)["you"]["may_present"] is False
        stopped = post(owner, {"op": "stop"})
        assert stopped.status_code == 200
        assert bob_stream.wait_for(stopped.json()["presenter"]["seq"])["lead"] is None
    finally:
        bob_stream.close()


def test_event_hub_clients_neither_send_nor_receive_the_presenter_state(
    embedded_server: Any, tmp_path: Path
) -> None:
    """The state travels as the server's own event: a websocket client of the ftrack event hub
    cannot forge it, and a subscriber to its topic gets nothing."""
    from ft_dcc.server.review.presenter.presenter_state import PRESENTER_TOPIC

    server = embedded_server
    hub = HubClient(server)
    marker = f"ft_dcc.test.marker.{uuid.uuid4().hex[:8]}"
    frames, emit = hub.frames, hub.emit
    try:
        subscribed = emit({"topic": "ftrack.meta.subscribe", "source": {"id": "h"},
                           "data": {"subscriber": {"id": "s"}, "subscription":
                                    f"topic={PRESENTER_TOPIC} or topic={marker}"}}, 1)  # fmt: skip
        assert '"success": true' in str(subscribed)
        forged = emit({"topic": PRESENTER_TOPIC, "source": {"id": "h"}, "data": {}}, 2)
        assert '"success": false' in str(forged) and "server's own" in str(forged)

        with genuine_sessions(server, tmp_path / "cache") as make:
            session = make()
            owner = personal_link(session, make_dailies(session).review_session)
        stream = Stream(owner)
        try:
            taken = post(owner, dict(op="take", **new_page())).json()["presenter"]
            stream.wait_for(taken["seq"])  # published by now
        finally:
            stream.close()
        emit({"topic": marker, "source": {"id": "h"}, "data": {}}, 3)
        while not any(marker in f and not f.startswith("6:") for f in frames):
            frames.append(hub.sock.recv())
        assert not [f for f in frames if PRESENTER_TOPIC in f and f.startswith("5:")], frames
    finally:
        hub.close()
