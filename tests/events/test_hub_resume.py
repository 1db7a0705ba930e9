"""A hub whose connection drops gets, when it reconnects within the window with the same hub id
(as ftrack's Python and JavaScript clients do), every event published to its subscriptions
meanwhile; another user naming that hub id gets none of them; a hub that said goodbye (``0::``)
is not kept; clients cannot forge the brokers' own control messages. Raw socket.io frames."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Iterator, List, Optional, Tuple

import requests
from support.asyncio_thread import run_async
from support.trust import add_api_user

from ft_dcc.server.events.resume import CONTROL_TOPIC


def _socket(server: Any, user: Optional[Tuple[str, str]] = None) -> Any:
    import websocket

    name, key = user or (server.api_user, server.api_key)
    sid = requests.get(
        server.url + "/socket.io/1/",
        timeout=10,
        headers={"ftrack-user": name, "ftrack-api-key": key},
    ).text.split(":")[0]
    sock = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/socket.io/1/websocket/{sid}", timeout=1
    )
    assert sock.recv() == "1::"
    return sock


def _emit(sock: Any, event: dict, ack: int) -> None:
    sock.send(f"5:{ack}+::" + json.dumps({"name": "ftrack.event", "args": [event]}))


def _subscribe(sock: Any, hub_id: str, topic: str) -> None:
    _emit(
        sock,
        {
            "topic": "ftrack.meta.subscribe",
            "source": {"id": hub_id},
            "data": {"subscriber": {"id": f"{hub_id}-sub"}, "subscription": f"topic={topic}"},
        },
        1,
    )


def _frames(sock: Any, timeout: float) -> Iterator[str]:
    """The frames ``sock`` receives until the timeout, heartbeats answered and left out."""
    import websocket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            frame = sock.recv()
        except websocket.WebSocketTimeoutException:
            continue
        if frame.startswith("2::"):
            sock.send("2::")
        else:
            yield frame


def _event_of(frame: str) -> Optional[dict]:
    return json.loads(frame.split(":", 3)[3])["args"][0] if frame.startswith("5:") else None


def _events(sock: Any, topic: str, count: int, timeout: float = 30.0) -> List[str]:
    """The ids of the ``topic`` events ``sock`` receives, until ``count`` or the timeout."""
    found: List[str] = []
    if count <= 0:
        return found
    for frame in _frames(sock, timeout):
        event = _event_of(frame)
        if event is not None and event["topic"] == topic:
            found.append(event["id"])
            if len(found) >= count:
                break
    return found


def _publish(server: Any, topic: str, count: int) -> List[str]:
    sock = _socket(server)
    ids = [uuid.uuid4().hex for _ in range(count)]
    for n, event_id in enumerate(ids):
        _emit(
            sock, {"topic": topic, "id": event_id, "source": {"id": "publisher"}, "data": {}}, n + 1
        )
    acks = 0
    deadline = time.monotonic() + 30
    while acks < count and time.monotonic() < deadline:
        frame = sock.recv()
        acks += frame.startswith("6:")
    sock.close()
    return ids


def _warm(listener_server: Any, publisher_server: Any, sock: Any, topic: str) -> List[str]:
    """Publish until ``sock``'s subscription is in force (also across processes); the ids of the
    warm-up events ``sock`` has not received (under load one may still be on its way: the hub
    is owed it, so it may come with the resumed ones)."""
    published: List[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        published += _publish(publisher_server, topic, 1)
        received = _events(sock, topic, 1, timeout=1)
        if received:
            return [event_id for event_id in published if event_id not in received]
    raise AssertionError("the subscription never took effect")


def _drop_and_resume(first: Any, second: Any, publisher: Any) -> Tuple[List[str], List[str]]:
    hub_id, topic = uuid.uuid4().hex, f"ft_dcc.test.resume.{uuid.uuid4().hex[:8]}"
    sock = _socket(first)
    _subscribe(sock, hub_id, topic)
    owed = _warm(first, publisher, sock, topic)
    sock.close()  # waits for the server's close frame: the server has seen the drop
    missed = _publish(publisher, topic, 10)
    again = _socket(second)
    _subscribe(again, hub_id, topic)
    got = _events(again, topic, len(missed) + len(owed))
    got = _without_owed(got, owed) + _events(again, topic, 1, timeout=2)  # nothing twice
    again.close()
    return missed, got


def _without_owed(got: List[str], owed: List[str]) -> List[str]:
    """``got`` less the warm-up events the first socket never received (each at most once)."""
    late = [event_id for event_id in got if event_id in owed]
    assert len(late) == len(set(late)), f"a warm-up event came twice: {late}"
    return [event_id for event_id in got if event_id not in owed]


def test_a_hub_that_reconnects_gets_what_it_missed(embedded_server) -> None:
    missed, got = _drop_and_resume(embedded_server, embedded_server, embedded_server)
    assert got == missed


def test_across_processes(pg_server, pg_second_process) -> None:
    missed, got = _drop_and_resume(pg_second_process, pg_server, pg_server)
    assert got == missed  # in order: the process it was parked in replays them first


def _thief(server: Any) -> Tuple[str, str]:
    """Another User of ``server``: its username and API key."""
    other = add_api_user(server, f"thief{uuid.uuid4().hex[:6]}")
    username = requests.post(
        server.url + "/api",
        timeout=30,
        json=[
            {"action": "query", "expression": f"select username from User where id is {other[0]}"}
        ],
        headers={"ftrack-user": server.api_user, "ftrack-api-key": server.api_key},
    ).json()[0]["data"][0]["username"]
    return username, other[1]


def _ack(sock: Any, number: int, seen: List[str]) -> dict:
    """The result of ``sock``'s event packet ``number``; the ids of the events that came before
    it are added to ``seen``."""
    for frame in _frames(sock, 60):
        event = _event_of(frame)
        if event is not None:
            seen.append(event["id"])
        elif frame.startswith(f"6:::{number}+"):
            return json.loads(frame.split("+", 1)[1])[0]
    raise AssertionError(f"no answer to event packet {number}")


def test_another_user_naming_the_hub_id_gets_nothing(embedded_server) -> None:
    """A parked hub's id stays its owner's: another User's socket naming it is refused and gets
    none of its events, and while that socket stays open the owner's hub is let in at once
    (on PostgreSQL the thief's socket held the id in the shared registry until it closed)."""
    hub_id, topic = uuid.uuid4().hex, f"ft_dcc.test.resume.{uuid.uuid4().hex[:8]}"
    sock = _socket(embedded_server)
    _subscribe(sock, hub_id, topic)
    _warm(embedded_server, embedded_server, sock, topic)
    sock.close()
    missed = _publish(embedded_server, topic, 3)
    thieves = [_socket(embedded_server, _thief(embedded_server)) for _ in range(2)]
    for thief in thieves:  # on PostgreSQL each may be in another server process
        _emit(
            thief,
            {
                "topic": "ftrack.meta.subscribe",
                "source": {"id": hub_id},
                "data": {"subscriber": {"id": uuid.uuid4().hex}, "subscription": f"topic={topic}"},
            },
            1,
        )
        seen: List[str] = []
        answer = _ack(thief, 1, seen)
        assert seen == []
        assert answer["success"] is False and "another connection's" in answer["message"], answer
    owner = _socket(embedded_server)  # the thieves are still connected
    _subscribe(owner, hub_id, topic)
    got: List[str] = []
    assert _ack(owner, 1, got)["success"] is True
    assert got + _events(owner, topic, len(missed) - len(got)) == missed
    later = _publish(embedded_server, topic, 1)
    assert _events(owner, topic, 1) == later
    for thief in thieves:
        assert _events(thief, topic, 1, timeout=2) == []
        thief.close()
    owner.close()


def test_a_hub_that_said_goodbye_is_not_kept(embedded_server) -> None:
    hub_id, topic = uuid.uuid4().hex, f"ft_dcc.test.resume.{uuid.uuid4().hex[:8]}"
    sock = _socket(embedded_server)
    _subscribe(sock, hub_id, topic)
    _warm(embedded_server, embedded_server, sock, topic)
    sock.send("0::")
    sock.close()
    _publish(embedded_server, topic, 2)
    again = _socket(embedded_server)
    _emit(
        again,
        {
            "topic": "ftrack.meta.subscribe",
            "source": {"id": hub_id},
            "data": {"subscriber": {"id": "y"}, "subscription": "topic=none.such"},
        },
        1,
    )
    assert _events(again, topic, 1, timeout=3) == []
    again.close()


def test_clients_cannot_send_the_brokers_control_messages(embedded_server) -> None:
    sock = _socket(embedded_server)
    _emit(sock, {"topic": CONTROL_TOPIC, "data": {"op": "park", "user": "x", "hub_ids": ["h"]}}, 7)
    frame = sock.recv()
    while not frame.startswith("6:"):
        frame = sock.recv()
    assert '"success": false' in frame and CONTROL_TOPIC in frame
    sock.close()


def test_an_event_reaches_a_connection_once_even_when_it_comes_live_and_replayed() -> None:
    """Across a resume on several workers, an event published during the hand-over can come
    both live and in another worker's replay: the connection sends it once."""
    import types

    from ft_dcc.server.events.connection import Connection as _Connection

    async def scenario() -> int:
        socket = types.SimpleNamespace(client=None)
        connection = _Connection(socket, "alice", max_queue=10)  # type: ignore[arg-type]
        connection.enqueue("5:::live", "event-1")
        connection.enqueue("5:::replayed", "event-1")
        connection.enqueue("5:::other", "event-2")
        return connection.outbox.qsize()

    assert run_async(scenario) == 2
