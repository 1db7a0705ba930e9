"""An event-hub socket lives on its API key: when the key is rotated or its User deactivated, the
open socket stops receiving and is closed by the server (SQLite; PostgreSQL with 4 workers,
where the socket and the request that revokes are on any of the workers).

Seen failing first: the hub checked the key once, at the handshake; the deactivated User's
socket stayed open and kept receiving every ``ftrack.update`` (the wait for the close gave up).
"""

from __future__ import annotations

import uuid
from typing import Any, Callable, Iterator, List

import pytest
from support.trust import add_api_user, call, create, update
from support.waiting import wait_until

from .hub_socket import HubSocket


@pytest.fixture
def sockets(trust_world: Any) -> Iterator[Callable[[str, str], HubSocket]]:
    opened: List[HubSocket] = []

    def open_socket(user: str, key: str) -> HubSocket:
        hub = HubSocket(trust_world.url, trust_world.server.port, user, key)
        opened.append(hub)
        return hub

    yield open_socket
    for hub in opened:
        hub.close()


def _project(world: Any) -> str:
    """A new project made by the administrator (an ``ftrack.update`` for every listener)."""
    made = create("Project", name=f"p{uuid.uuid4().hex[:10]}", full_name="Grants")
    reply = call(world.server, [made])
    assert reply.status_code == 200, reply.text
    return str(made["entity_key"][0])


def _listening(world: Any, open_socket: Callable[[str, str], HubSocket]) -> Any:
    name = f"watcher-{uuid.uuid4().hex[:8]}"
    user_id, key = add_api_user(world.server, name)
    hub = open_socket(name, key)
    hub.subscribe("topic=ftrack.update")
    # The subscription is in force once the socket's own probe comes back: without this, under
    # load the project's update could be handled (on any worker) before the subscribe frame.
    hub.sync()
    first = _project(world)
    wait_until(lambda: hub.mentions(first), "the socket to receive an update before revocation")
    return hub, user_id


def _assert_cut_off(world: Any, hub: HubSocket) -> None:
    """Changes made after the revocation never reach ``hub``, which the server closes."""
    later = [_project(world) for _ in range(3)]
    wait_until(hub.closed.is_set, "the server to close the revoked socket", timeout=60)
    assert not [p for p in later if hub.mentions(p)], "the revoked socket received updates"


def test_a_deactivated_users_open_socket_is_cut_off(trust_world: Any, sockets: Any) -> None:
    hub, user_id = _listening(trust_world, sockets)
    reply = call(trust_world.server, [update("User", user_id, is_active=False)])
    assert reply.status_code == 200, reply.text
    _assert_cut_off(trust_world, hub)


def test_a_socket_opened_with_a_rotated_key_is_cut_off(trust_world: Any, sockets: Any) -> None:
    hub, user_id = _listening(trust_world, sockets)
    rotate = {"action": "reset_remote", "reset_type": "api_key", "entity_type": "User",
              "entity_key": [user_id]}  # fmt: skip
    reply = call(trust_world.server, [rotate])
    assert reply.status_code == 200, reply.text
    _assert_cut_off(trust_world, hub)


def test_other_users_sockets_stay_open(trust_world: Any, sockets: Any) -> None:
    """The control: revoking one User leaves another's socket receiving."""
    other, _ = _listening(trust_world, sockets)
    _hub, user_id = _listening(trust_world, sockets)
    call(trust_world.server, [update("User", user_id, is_active=False)])
    last = _project(trust_world)
    wait_until(lambda: other.mentions(last), "the other user's socket to keep receiving")
    assert not other.closed.is_set()
