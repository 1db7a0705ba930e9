"""Found by ``bench/hostile_round.py`` on PostgreSQL with 4 workers: a hub id is bound to the
socket that first sent it only within one server process.

Bob's socket says its hub id first. Mallory opens sockets (the server's workers take them as
they come, so some land on another worker than Bob's) that subscribe to replies and publish
with Bob's hub id as their ``source.id``. In the round, Mallory's socket then received the
administrator's reply targeted at ``id=<Bob's hub id>``, and Bob received Mallory's events
carrying his own hub id as their source (6 of 6 sockets caught the reply before hub ids were
bound across workers, ``events.hub_ids``). On SQLite (one process) both are refused
(grants/test_hub_identity.py).
"""

from __future__ import annotations

import uuid
from typing import Any, List

from support.waiting import wait_until

from ..grants.hub_socket import HubSocket

SOCKETS = 6  # with 4 workers, all 6 beside Bob's would be a (1/4)^6 chance


def test_another_workers_socket_cannot_take_a_hub_id(trust_world: Any) -> None:
    world = trust_world
    port = world.server.port
    opened: List[HubSocket] = []
    try:
        responder = HubSocket(world.url, port, world.admin.user, world.admin.key)
        bob = HubSocket(world.url, port, world.alice.user, world.alice.key)
        opened += [responder, bob]
        bob.subscribe("topic=ftrack.meta.reply")
        bob.sync()  # Bob's hub id is his now
        fence = f"ft_dcc.test.fence{uuid.uuid4().hex[:8]}"
        thieves = [HubSocket(world.url, port, world.mallory.user, world.mallory.key)
                   for _ in range(SOCKETS)]  # fmt: skip
        opened += thieves
        for thief in thieves:
            thief.subscribe(f"topic={fence}")
            thief.subscribe("topic=ftrack.meta.reply", source_id=bob.hub_id)
            thief.publish({"topic": "ft_dcc.test.noise", "data": {}}, source_id=bob.hub_id)
            thief.sync()
        responder.sync()
        answer = uuid.uuid4().hex
        responder.publish(
            {
                "topic": "ftrack.meta.reply",
                "target": f"id={bob.hub_id}",
                "inReplyToEvent": uuid.uuid4().hex,
                "data": {"answer": answer},
            }
        )
        responder.publish({"topic": fence, "data": {}})
        wait_until(lambda: bob.mentions(answer), "Bob to receive the reply to his hub id")
        for thief in thieves:
            wait_until(lambda t=thief: t.seen(fence), "each of Mallory's sockets to get the fence")
        caught = sum(1 for thief in thieves if thief.mentions(answer))
        assert caught == 0, f"{caught} of Mallory's {SOCKETS} sockets caught Bob's reply"
    finally:
        for hub in opened:
            hub.close()
