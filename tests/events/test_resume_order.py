"""A hub that reconnects to another server process gets what it missed in the order it was
published. Every process keeps a copy of a parked hub's events, but only from when it heard of
the park (a control message that can come after the first missed events): the process where the
hub was parked holds them all. Three brokers in one process, their relay played by hand in the
order PostgreSQL could give it (``fanout``), so each interleaving is shown, not hoped for."""

from __future__ import annotations

import asyncio
import types
import uuid
from typing import Any, Dict, List, Sequence, Tuple

from support.asyncio_thread import run_async

from ft_dcc.protocol.events import parse_expression
from ft_dcc.server.events.connection import Connection
from ft_dcc.server.events.hub import EventBroker

HUB, TOPIC = "the-hub", "ft_dcc.test.order"


class Relay:
    """The brokers' control messages, held until the test hands them on (``flush``)."""

    def __init__(self, *brokers: EventBroker) -> None:
        self.brokers = brokers
        self.held: List[Tuple[EventBroker, Dict[str, Any]]] = []
        for broker in brokers:
            broker.relay = lambda event, sender=broker: self.held.append((sender, event))

    def flush(self, *receivers: EventBroker) -> None:
        """Hand every held message to ``receivers`` (in that order; by default all the others)."""
        held, self.held = self.held, []
        for sender, event in held:
            for broker in receivers or self.brokers:
                if broker is not sender:
                    broker.deliver(dict(event))

    def publish(self, *names: str) -> None:
        """Events of the hub's topic, delivered in every process (``relay_all``'s one order)."""
        for name in names:
            for broker in self.brokers:
                broker.deliver({"id": name, "topic": TOPIC, "data": {}, "source": {"id": "x"}})


def _connection(broker: EventBroker, hub: str = HUB, topic: str = TOPIC) -> Connection:
    """A connection of alice's to ``broker`` speaking as ``hub``, subscribed to ``topic``."""
    connection = Connection(types.SimpleNamespace(client=None), "alice", max_queue=100)  # type: ignore[arg-type]
    subscriber = f"{hub}-sub"
    connection.subscribers[subscriber] = ({"id": subscriber}, parse_expression(f"topic={topic}"))
    connection.texts[subscriber] = f"topic={topic}"
    with broker.lock:
        broker.connections.add(connection)
    assert broker.hubs.bind(connection, hub)
    return connection


def _drop(broker: EventBroker, connection: Connection) -> Any:
    with broker.lock:
        broker.connections.discard(connection)
        return broker.hubs.park(connection)


async def _sent(connection: Connection, count: int, timeout: float = 30.0) -> List[str]:
    """The ids of the event frames ``connection`` sends, until ``count`` or the timeout."""
    ids: List[str] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(ids) < count and loop.time() < deadline:
        try:
            item = await asyncio.wait_for(connection.outbox.get(), 0.05)
        except asyncio.TimeoutError:
            continue
        if item is not None and item[1] is not None:
            ids.append(item[1])
    return ids


def _brokers(count: int) -> List[EventBroker]:
    return [EventBroker() for _ in range(count)]


def _parked(relay: Relay, origin: EventBroker, before: Sequence[str], after: Sequence[str]) -> None:
    """A hub of ``origin`` drops; ``before`` is published before the other processes hear of
    it, ``after`` once they have."""
    parked = _drop(origin, _connection(origin))
    relay.publish(*before)
    origin.hubs.tell_parked(parked)
    relay.flush()
    relay.publish(*after)


def test_a_hub_resumed_elsewhere_gets_what_it_missed_in_order() -> None:
    """``e1`` and ``e2`` reach every process before the park's message does: only the hub's own
    process kept them. Resumed in another process, the hub gets e1..e4, not e3, e4, e1, e2."""

    async def scenario() -> List[str]:
        origin, other, third = brokers = _brokers(3)
        relay = Relay(*brokers)
        _parked(relay, origin, ["e1", "e2"], ["e3", "e4"])
        again = _connection(other)
        other.hubs.resume(again, HUB)
        relay.flush(third, origin)  # the third process's (partial) copy is not replayed first
        relay.flush()  # the origin's replay
        return await _sent(again, 4)

    assert run_async(scenario) == ["e1", "e2", "e3", "e4"]


def test_events_published_during_the_hand_over_come_after_the_missed_ones() -> None:
    async def scenario() -> List[str]:
        origin, other = brokers = _brokers(2)
        relay = Relay(*brokers)
        _parked(relay, origin, ["e1"], ["e2"])
        again = _connection(other)
        other.hubs.resume(again, HUB)
        relay.publish("e3")  # live in the new process, before the origin has heard of the resume
        relay.flush()
        relay.publish("e4")  # the origin let the hub go: live only
        relay.flush()
        return await _sent(again, 4)

    assert run_async(scenario) == ["e1", "e2", "e3", "e4"]


def test_a_resume_on_the_hubs_own_process_sends_its_events_at_once() -> None:
    async def scenario() -> List[str]:
        origin, _ = brokers = _brokers(2)
        relay = Relay(*brokers)
        _parked(relay, origin, ["e1"], ["e2"])
        again = _connection(origin)
        origin.hubs.resume(again, HUB)
        sent = await _sent(again, 2)
        relay.flush()  # the other process lets its copy go and replays nothing
        return sent + await _sent(again, 1, timeout=0.5)

    assert run_async(scenario) == ["e1", "e2"]


def test_when_the_hubs_process_never_answers_its_copy_is_sent() -> None:
    """The process the hub was parked in is gone (killed): after ``replay_wait`` the new
    process sends the copy it has, then what came live meanwhile."""

    async def scenario() -> List[str]:
        origin, other = brokers = _brokers(2)
        other.hubs.replay_wait = 0.05
        relay = Relay(*brokers)
        _parked(relay, origin, [], ["e1"])
        again = _connection(other)
        other.hubs.resume(again, HUB)
        relay.held.clear()  # the resume message reaches no one
        other.deliver({"id": "e2", "topic": TOPIC, "data": {}, "source": {"id": "x"}})
        return await _sent(again, 2)

    assert run_async(scenario) == ["e1", "e2"]


def test_a_replay_is_for_the_hubs_owner_only() -> None:
    """A replay message naming a hub reaches only the connections that resumed it."""

    async def scenario() -> List[str]:
        origin, other = brokers = _brokers(2)
        relay = Relay(*brokers)
        stranger = _connection(other, uuid.uuid4().hex, "ft_dcc.test.other")
        _parked(relay, origin, [], ["e1"])
        again = _connection(other)
        other.hubs.resume(again, HUB)
        relay.flush()
        relay.flush()
        return await _sent(again, 1) + await _sent(stranger, 1, timeout=0.5)

    assert run_async(scenario) == ["e1"]
