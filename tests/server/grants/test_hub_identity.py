"""Who an event comes from is the server's word: ``source.user`` (id and username) is the
sending socket's User, and a hub id (``source.id``) cannot be taken over to catch the replies
meant for another User's hub (SQLite; PostgreSQL with 4 workers).

Seen failing first: the server rewrote ``source.user.username`` but passed the claimed ``id``
through (receivers saw an event from the administrator's id), and a socket that sent another
hub's id as its ``source.id`` received the replies meant for that hub.
"""

from __future__ import annotations

import uuid
from typing import Any, Iterator, List

import pytest
from support.waiting import wait_until

from .hub_socket import HubSocket


@pytest.fixture
def hubs(trust_world: Any) -> Iterator[Any]:
    opened: List[HubSocket] = []

    def open_socket(person: Any) -> HubSocket:
        hub = HubSocket(trust_world.url, trust_world.server.port, person.user, person.key)
        opened.append(hub)
        return hub

    yield open_socket
    for hub in opened:
        hub.close()


def test_source_user_is_the_senders_whatever_it_claims(trust_world: Any, hubs: Any) -> None:
    world = trust_world
    topic = f"ft_dcc.test.claim{uuid.uuid4().hex[:8]}"
    listener = hubs(world.alice)
    listener.subscribe(f"topic={topic}")
    listener.sync()
    mallory = hubs(world.mallory)
    claimed = {"id": mallory.hub_id, "user": {"username": world.admin.user, "id": world.admin.id}}

    mallory.publish({"topic": topic, "data": {"text": "from the boss"}, "source": claimed})

    received = wait_until(lambda: listener.seen(topic), "alice to receive mallory's event")
    assert received[0]["source"]["user"] == {"username": world.mallory.user,
                                             "id": world.mallory.id}  # fmt: skip


def test_another_hubs_id_does_not_catch_its_replies(trust_world: Any, hubs: Any) -> None:
    world = trust_world
    topic = f"ft_dcc.test.ask{uuid.uuid4().hex[:8]}"
    fence = f"ft_dcc.test.fence{uuid.uuid4().hex[:8]}"
    responder, alice, mallory = hubs(world.admin), hubs(world.alice), hubs(world.mallory)
    responder.subscribe(f"topic={topic}")
    responder.sync()
    alice.sync()  # alice's hub id is hers now
    mallory.subscribe(f"topic={fence}")
    mallory.subscribe("topic=ftrack.meta.reply", source_id=alice.hub_id)  # takes alice's id
    mallory.publish({"topic": "ft_dcc.test.noise", "data": {}}, source_id=alice.hub_id)
    mallory.sync()

    alice.publish({"topic": topic, "data": {"question": "which take?"}})
    asked = wait_until(lambda: responder.seen(topic), "the responder to get alice's question")[0]
    responder.publish({"topic": "ftrack.meta.reply", "target": f"id={alice.hub_id}",
                       "inReplyToEvent": asked["id"], "data": {"answer": "take 3"}})  # fmt: skip
    responder.publish({"topic": fence, "data": {}})  # after the reply, through the same path

    wait_until(lambda: alice.mentions("take 3"), "alice to receive the reply to her question")
    wait_until(lambda: mallory.seen(fence), "mallory's socket to receive the later event")
    assert not mallory.mentions("take 3"), "mallory caught the reply meant for alice's hub"
