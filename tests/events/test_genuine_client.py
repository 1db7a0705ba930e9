"""The genuine ftrack-python-api client's event hub and ours, through the embedded server."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any, Callable, Iterator, List

import pytest
from support import genuine_sessions

from ft_dcc.session.event_hub import Event

pytestmark = pytest.mark.compat

ftrack_api = pytest.importorskip("ftrack_api")


def _wait_genuine(session: Any, condition: Callable[[], Any], timeout: float = 10.0) -> bool:
    """Run the genuine hub's ``wait()`` (it only dispatches there) until ``condition()``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        session.event_hub.wait(0.05)
    return bool(condition())


@pytest.fixture
def make_genuine(embedded_server, tmp_path) -> Iterator[Callable[[], Any]]:
    """``make_genuine()``: a genuine ``ftrack_api.Session(auto_connect_event_hub=True)`` whose
    hub is connected (every one closed after the test)."""
    with genuine_sessions(embedded_server, tmp_path / "schema-cache") as make:

        def connected() -> Any:
            session = make(auto_connect_event_hub=True)
            deadline = time.monotonic() + 20
            while not session.event_hub.connected and time.monotonic() < deadline:
                time.sleep(0.02)
            assert session.event_hub.connected
            return session

        yield connected


@pytest.fixture
def genuine(make_genuine) -> Any:
    """A genuine session connected to the hub."""
    return make_genuine()


def _barrier(session: Any) -> None:
    """Round-trip an event of the genuine hub through the server, so every subscription it
    sent before has been registered there (the server handles a connection's packets in order)."""
    topic = f"ft_dcc.barrier.{uuid.uuid4().hex}"
    seen: List[Any] = []
    session.event_hub.subscribe(f"topic={topic}", seen.append)
    session.event_hub.publish(ftrack_api.event.base.Event(topic))
    assert _wait_genuine(session, lambda: seen)


def added_entities(updates: List[Any]) -> List[Any]:
    """The ``add`` entries of the entities of these ``ftrack.update`` events, in order."""
    return [
        entity
        for event in updates
        for entity in event["data"]["entities"]
        if entity["action"] == "add"
    ]


def test_genuine_session_receives_an_event_published_by_our_hub(
    genuine, embedded_server, connect_hub
):
    received: List[Any] = []
    genuine.event_hub.subscribe("topic=ft_dcc.compat.* and data.n=1", received.append)
    _barrier(genuine)
    ours = connect_hub(embedded_server.url)

    ours.publish(Event("ft_dcc.compat.hello", data={"n": "2"}))
    wanted = ours.publish(Event("ft_dcc.compat.hello", data={"n": "1"}))

    assert _wait_genuine(genuine, lambda: received)
    assert [event["id"] for event in received] == [wanted]
    assert received[0]["source"]["id"] == ours.id
    assert received[0]["data"] == {"n": "1"}


def test_our_hub_receives_an_event_published_by_the_genuine_session(
    genuine, embedded_server, connect_hub, wait_until
):
    ours = connect_hub(embedded_server.url)
    received: List[Event] = []
    ours.subscribe("topic=ft_dcc.compat.from-genuine", received.append)

    event = ftrack_api.event.base.Event("ft_dcc.compat.from-genuine", data={"shot": "sh010"})
    genuine.event_hub.publish(event)

    assert wait_until(lambda: received)
    assert received[0]["id"] == event["id"]
    assert received[0]["data"] == {"shot": "sh010"}
    assert received[0]["source"]["id"] == genuine.event_hub.id
    assert received[0]["source"]["user"]["username"] == embedded_server.api_user


def test_replies_flow_both_ways_between_genuine_and_our_hub(genuine, embedded_server, connect_hub):
    ours = connect_hub(embedded_server.url)
    ours.subscribe("topic=ft_dcc.compat.ask-ours", lambda e: {"answer": "from ours"})
    genuine.event_hub.subscribe(
        "topic=ft_dcc.compat.ask-genuine", lambda e: {"answer": "from genuine"}
    )
    _barrier(genuine)

    # our request, answered by a genuine subscriber (which only runs inside its wait())
    done = threading.Event()

    def pump() -> None:
        while not done.is_set():
            genuine.event_hub.wait(0.05)

    waiting = threading.Thread(target=pump, daemon=True)
    waiting.start()
    try:
        reply = ours.request(Event("ft_dcc.compat.ask-genuine"), timeout=10)
    finally:
        done.set()
        waiting.join()
    assert reply["data"] == {"answer": "from genuine"}

    # a genuine publish with on_reply, answered by our subscriber
    replies: List[Any] = []
    genuine.event_hub.publish(
        ftrack_api.event.base.Event("ft_dcc.compat.ask-ours"), on_reply=replies.append
    )
    assert _wait_genuine(genuine, lambda: replies)
    assert replies[0]["data"] == {"answer": "from ours"}


def test_genuine_session_is_told_about_its_own_commit(genuine):
    updates: List[Any] = []
    genuine.event_hub.subscribe("topic=ftrack.update", updates.append)
    _barrier(genuine)
    name = f"compat_{uuid.uuid4().hex[:8]}"
    project = genuine.create(
        "Project",
        {
            "name": name,
            "full_name": name,
            "project_schema": genuine.query("ProjectSchema").first(),
        },
    )
    genuine.commit()

    def added() -> List[Any]:
        return [e for e in added_entities(updates) if e["entityId"] == project["id"]]

    assert _wait_genuine(genuine, added)
    assert added()[0]["entity_type"] == "Project"


def test_genuine_hub_is_refused_with_a_bad_key(embedded_server):
    hub = ftrack_api.event.hub.EventHub(embedded_server.url, embedded_server.api_user, "bad-key")
    with pytest.raises(ftrack_api.exception.EventHubConnectionError, match="401"):
        hub.connect()


def test_two_genuine_sessions_exchange_an_event(genuine, make_genuine):
    other = make_genuine()
    received: List[Any] = []
    genuine.event_hub.subscribe("topic=ft_dcc.compat.between-genuine", received.append)
    _barrier(genuine)
    event = ftrack_api.event.base.Event("ft_dcc.compat.between-genuine", data={"v": 1})
    other.event_hub.publish(event)
    assert _wait_genuine(genuine, lambda: received)
    assert received[0]["id"] == event["id"]
    assert received[0]["source"]["id"] == other.event_hub.id


def test_new_review_content_reaches_subscribers(genuine, embedded_server, connect_hub, wait_until):
    """The hub's first use: a client with auto_connect_event_hub=True learns of new review
    content (a ReviewSessionObject) from ``ftrack.update`` events."""
    updates: List[Any] = []
    genuine.event_hub.subscribe("topic=ftrack.update", updates.append)
    _barrier(genuine)
    ours = connect_hub(embedded_server.url)
    filtered: List[Event] = []  # ours can filter on a field of any entity in the batch
    ours.subscribe(
        "topic=ftrack.update and data.entities.entity_type=ReviewSessionObject", filtered.append
    )
    name = f"review_{uuid.uuid4().hex[:8]}"
    project = genuine.create(
        "Project",
        {"name": name, "full_name": name, "project_schema": genuine.query("ProjectSchema").first()},
    )
    shot = genuine.create("Shot", {"name": "sh010", "parent": project})
    asset = genuine.create(
        "Asset", {"name": "plate", "parent": shot, "type": genuine.query("AssetType").first()}
    )
    version = genuine.create("AssetVersion", {"asset": asset})
    review = genuine.create("ReviewSession", {"name": "dailies", "project": project})
    item = genuine.create(
        "ReviewSessionObject",
        {"asset_version": version, "review_session": review, "name": "sh010", "version": "v1"},
    )
    genuine.commit()

    def review_items() -> List[Any]:
        return [e for e in added_entities(updates) if e["entity_type"] == "ReviewSessionObject"]

    assert _wait_genuine(genuine, review_items)
    entity = review_items()[0]
    assert entity["entityId"] == item["id"]
    assert entity["entityType"] == "reviewsessionobject"
    assert wait_until(lambda: filtered)
    assert any(e["entityId"] == item["id"] for e in filtered[0]["data"]["entities"])


def test_plain_value_replies_and_events_reach_a_hub_still_connecting(
    genuine, embedded_server, tmp_path
):
    """ftrack relays replies and events whose ``data`` is a string or a list."""
    topic = f"ft_dcc.compat.plain.{uuid.uuid4().hex}"
    genuine.event_hub.subscribe(f"topic={topic}.ask", lambda event: "a plain answer")
    genuine.event_hub.subscribe(f"topic={topic}.ask", lambda event: ["a", "list"])
    heard: List[Any] = []
    genuine.event_hub.subscribe(f"topic={topic}.tell", lambda event: heard.append(event["data"]))
    _barrier(genuine)
    with genuine_sessions(embedded_server, tmp_path / "asker-cache") as make:
        asker = make(auto_connect_event_hub=True)  # publishes while its hub is still connecting
        replies: List[Any] = []
        asker.event_hub.publish(
            ftrack_api.event.base.Event(f"{topic}.ask", data={"q": 1}),
            on_reply=lambda event: replies.append(event["data"]),
        )
        asker.event_hub.publish(ftrack_api.event.base.Event(f"{topic}.tell", data=["x", 2]))
        asker.event_hub.publish(ftrack_api.event.base.Event(f"{topic}.tell", data="text"))

        def answered() -> bool:
            genuine.event_hub.wait(0.02)
            return len(replies) == 2 and len(heard) == 2

        assert _wait_genuine(asker, answered, timeout=20), (replies, heard)
    assert sorted(map(str, replies)) == sorted(["a plain answer", str(["a", "list"])])
    assert sorted(map(str, heard)) == sorted([str(["x", 2]), "text"])
