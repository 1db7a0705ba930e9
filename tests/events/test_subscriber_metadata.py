"""A subscriber's ``user`` is the server's word: a socket declaring another User's ``user.id``
in its subscriber metadata does not receive the messages targeted at that User (as the web UI's
``applicationId=ftrack.client.web and user.id="..."`` ones); and a subscriber id another User's
socket holds is no source for anyone else. On SQLite and PostgreSQL."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest
from server.grants.hub_socket import HubSocket
from support import genuine_sessions
from support.trust import add_api_user
from support.waiting import wait_until

from ft_dcc.protocol.events import TOPIC_SUBSCRIBE
from ft_dcc.session.event import Event

pytestmark = pytest.mark.compat

ftrack_api = pytest.importorskip("ftrack_api")


def _pump(sessions: List[Any], condition: Callable[[], Any], timeout: float = 60.0) -> bool:
    """Run the genuine hubs' ``wait()`` (they only dispatch there) until ``condition()``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        for session in sessions:
            session.event_hub.wait(0.02)
    return bool(condition())


@pytest.fixture
def make_genuine(embedded_server: Any, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    with genuine_sessions(embedded_server, tmp_path / "schemas") as make:

        def connected(**options: Any) -> Any:
            session = make(auto_connect_event_hub=True, **options)
            assert _pump([session], lambda: session.event_hub.connected)
            return session

        yield connected


def test_declaring_another_users_id_gets_none_of_that_users_messages(
    embedded_server: Any, make_genuine: Callable[..., Any], connect_hub: Any
) -> None:
    victim = make_genuine()
    victim_id = victim.query(f'User where username is "{embedded_server.api_user}"').one()["id"]
    thief_name = f"thief{uuid.uuid4().hex[:8]}"
    _, thief_key = add_api_user(embedded_server, thief_name)
    thief = make_genuine(api_user=thief_name, api_key=thief_key)
    topic = f"ft_dcc.test.for-user.{uuid.uuid4().hex[:8]}"
    declared = {"applicationId": "ftrack.client.web", "user": {"id": victim_id}}
    got = {"victim": [], "thief": []}  # type: dict
    victim.event_hub.subscribe(f"topic={topic}", got["victim"].append, subscriber=dict(declared))
    thief.event_hub.subscribe(f"topic={topic}", got["thief"].append, subscriber=dict(declared))

    sender = connect_hub(embedded_server.url)

    def fenced(name: str) -> Callable[[], bool]:
        return lambda: all(any(e["data"].get("fence") == name for e in got[who]) for who in got)

    def in_force() -> bool:
        # a subscribe reaches the server on its own, and with several workers the sender's
        # worker may hear of it later: untargeted fences until both subscriptions get one
        sender.publish(Event(topic, data={"fence": "first"}))
        return _pump([victim, thief], fenced("first"), timeout=2.0)

    wait_until(in_force, "both subscriptions to be in force")
    target = f'applicationId=ftrack.client.web and user.id="{victim_id}"'
    sender.publish(Event(topic, data={"secret": "for the victim"}, target=target))
    sender.publish(Event(topic, data={"fence": "last"}))  # routed after the secret
    assert _pump([victim, thief], fenced("last"))
    secrets = {name: [e["data"].get("secret") for e in events] for name, events in got.items()}
    assert [s for s in secrets["victim"] if s] == ["for the victim"]
    assert [s for s in secrets["thief"] if s] == []  # ftrack_api would have handed it over


def test_another_users_subscriber_id_is_not_a_source_for_anyone_else(
    embedded_server: Any,
) -> None:
    """A subscriber's id is its socket's (replies come in its name), and only its socket's:
    another User's socket publishing with it as ``source.id`` is refused, as with a hub id."""
    server = embedded_server
    owner = HubSocket(server.url, server.port, server.api_user, server.api_key)
    thief_name = f"thief{uuid.uuid4().hex[:8]}"
    _, thief_key = add_api_user(server, thief_name)
    thief = HubSocket(server.url, server.port, thief_name, thief_key)
    try:
        taken, topic = uuid.uuid4().hex, f"ft_dcc.test.forged.{uuid.uuid4().hex[:8]}"
        owner.publish(
            {
                "topic": TOPIC_SUBSCRIBE,
                "data": {"subscriber": {"id": taken}, "subscription": f"topic={topic}"},
            }
        )
        owner.sync()  # the subscriber id is the owner's now
        thief.publish({"topic": TOPIC_SUBSCRIBE, "data": {"subscriber": {"id": taken},
                       "subscription": "topic=ft_dcc.test.none"}})  # fmt: skip
        thief.publish({"topic": topic, "data": {"n": "forged"}}, source_id=taken)
        thief.publish({"topic": topic, "data": {"n": "own"}})  # handled after the forged one
        wait_until(lambda: owner.mentions('"own"'), "the thief's own event to arrive")
        assert [e["data"]["n"] for e in owner.seen(topic)] == ["own"]
    finally:
        owner.close()
        thief.close()
