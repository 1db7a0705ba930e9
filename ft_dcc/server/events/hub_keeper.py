"""Hub ids and resume: which connection speaks as which hub id (``source.id``) or subscriber id,
the hubs parked when their connection drops without a goodbye, handed back when they reconnect
(``resume``), and the same across server processes (the shared registry
``hub_ids.SharedHubIds`` and the park / resume / replay control messages)."""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any, Callable, Dict, List, Optional, Protocol, Sequence, Set, Tuple

from starlette.concurrency import run_in_threadpool

from ft_dcc.protocol.events import event_from_wire
from ft_dcc.server.events.connection import Connection
from ft_dcc.server.events.hub_ids import MOST_HUB_IDS_PER_SOCKET, MOST_SUBSCRIBER_IDS_PER_SOCKET
from ft_dcc.server.events.packets import named_ids
from ft_dcc.server.events.resume import (
    CONTROL_TOPIC,
    Frame,
    ParkedHub,
    Parking,
    subscribers_from_wire,
)

logger = logging.getLogger(__name__)

#: How long a hub resumed in one server process waits for the replay of the process it was
#: parked in (a round trip through the relay) before it is sent the copy kept where it is.
REPLAY_WAIT_SECONDS = 5.0


class Broker(Protocol):
    """What :class:`HubIds` needs of the broker (``hub.EventBroker``)."""

    id: str
    closed: bool
    lock: Any  # a threading.Lock, held while the connections and the parking change
    connections: Set[Connection]
    relay: Optional[Callable[[Dict[str, Any]], None]]
    shared_hub_ids: Optional[Any]


class HubIds:
    """The broker's hub ids, parked hubs and their resume (``broker`` holds the lock and the
    live connections)."""

    def __init__(self, broker: Broker, resume_window: float, max_queue: int) -> None:
        self.broker = broker
        self.parking = Parking(resume_window, max_queue)
        #: how long a hub resumed here waits for the replay of the process it was parked in
        #: before it is sent the copy kept here (that process is gone)
        self.replay_wait = REPLAY_WAIT_SECONDS

    @property
    def shared(self) -> Optional[Any]:
        """The registry shared with the other server processes (``None``: this one decides)."""
        return self.broker.shared_hub_ids

    def park(self, connection: Connection) -> Optional[ParkedHub]:
        """Park the hub of a connection that ended without a goodbye (under the lock)."""
        if self.broker.closed or connection.said_goodbye or not connection.hub_ids:
            return None
        hub = self.parking.park(
            connection.user, connection.hub_ids, connection.subscribers, connection.texts,
            connection.take_unsent(),
        )  # fmt: skip
        hub.held_here = self.shared is not None  # its ids stay held in the registry
        connection.parked = hub
        return hub

    def tell_parked(self, parked: Optional[ParkedHub]) -> None:
        """Tell the other server processes of a hub parked here."""
        if parked is not None and self.broker.relay is not None:
            self.control({"op": "park", "user": parked.user, "hub_ids": sorted(parked.hub_ids),
                          "subscribers": parked.wire_subscribers()})  # fmt: skip

    def resume(self, connection: Connection, hub_id: str) -> None:
        """A new connection named ``hub_id``: hand it the hub's parked subscribers and events."""
        frames: List[Frame] = []
        origin: Optional[str] = None
        with self.broker.lock:
            hub = self.parking.claim(hub_id, connection.user)
            if hub is not None:
                for key, value in hub.subscribers.items():
                    connection.subscribers.setdefault(key, value)
                    connection.texts.setdefault(key, hub.texts.get(key, ""))
                connection.hub_ids |= hub.hub_ids
                if hub.held_here:  # the registry's rows of this process pass to it
                    connection.cleared |= hub.hub_ids
                    connection.cleared_subscribers |= set(hub.subscribers)
                frames, origin = list(hub.frames), hub.origin
        if origin is not None:  # its process holds them all: they come first, in their order
            connection.await_replay(origin, frames, self.replay_wait)
        else:
            for event_id, frame in frames:
                connection.enqueue(frame, event_id)
        if hub is not None:
            logger.info("Event hub %s resumed with %d kept events", hub_id, len(frames))
        if self.broker.relay is not None:
            self.control(
                {"op": "resume", "hub_id": hub_id, "user": connection.user, "to": self.broker.id}
            )

    def control(self, data: Dict[str, Any]) -> None:
        """Send a park / resume / replay message to the other server processes."""
        relay = self.broker.relay
        if relay is not None:
            relay(event_from_wire({"topic": CONTROL_TOPIC, "id": uuid.uuid4().hex,
                                   "data": dict(data, origin=self.broker.id),
                                   "source": {"id": self.broker.id}}))  # fmt: skip

    def on_control(self, data: Dict[str, Any]) -> None:
        """A park / resume / replay message from another server process."""
        op, hub_id, user = data.get("op"), data.get("hub_id"), str(data.get("user") or "")
        here = self.broker.id
        if op == "park":
            hub_ids = [str(h) for h in data.get("hub_ids") or []]
            subscribers, texts = subscribers_from_wire(data.get("subscribers"))
            with self.broker.lock:
                if not any(set(hub_ids) & c.hub_ids for c in self.broker.connections):
                    copy = self.parking.park(user, hub_ids, subscribers, texts)
                    copy.origin = str(data.get("origin") or "")
        elif op == "resume" and data.get("to") != here:
            with self.broker.lock:
                hub = self.parking.claim(str(hub_id), user)
            self.let_go([] if hub is None else [hub])  # the owner holds them over there now
            if hub is not None and hub.origin is None:  # parked here: it holds them all
                self.control({"op": "replay", "hub_id": hub_id, "to": data.get("to"),
                              "frames": [list(frame) for frame in hub.frames]})  # fmt: skip
        elif op == "replay" and data.get("to") == here:
            with self.broker.lock:
                found = [c for c in self.broker.connections if hub_id in c.hub_ids]
            frames = [(str(i), str(f)) for i, f in data.get("frames") or []]
            for connection in found:  # each sends an event id once (``enqueue``)
                connection.replayed(str(data.get("origin") or ""), frames)

    async def clear_named(self, connection: Connection, text: str) -> None:
        """Before an event naming a new hub id (``source.id``) or a subscribe naming a new
        subscriber id is handled: ask the shared registry whether another User's socket holds
        it in any server process."""
        hub_id, subscriber_id = named_ids(text)
        if hub_id is not None:
            await self._clear(connection, hub_id, connection.cleared, MOST_HUB_IDS_PER_SOCKET)
        if subscriber_id is not None:
            await self._clear(connection, subscriber_id, connection.cleared_subscribers,
                              MOST_SUBSCRIBER_IDS_PER_SOCKET)  # fmt: skip

    async def _clear(self, connection: Connection, ident: str, cleared: Set[str], most: int
                     ) -> None:  # fmt: skip
        """Claim ``ident`` in the shared registry into ``cleared`` (at most ``most`` of them)."""
        registry = self.shared
        if registry is None or connection.speaks_as(ident) or connection.was_cleared(ident):
            return
        if len(cleared) >= most:
            return  # ``bind`` refuses it
        try:
            held = await run_in_threadpool(registry.claim, ident, connection.user, self.broker.id)
        except Exception:
            logger.exception("could not check hub id %s with the other server processes", ident)
            return
        if held:
            cleared.add(ident)

    def bind(self, connection: Connection, hub_id: str, subscriber: bool = False) -> bool:
        """Give ``hub_id`` (a subscriber's id with ``subscriber``) to ``connection``; ``False``
        when a live connection of another User holds it as either (an id travels in every event
        it sends: it is no credential)."""
        if self.shared is not None and not connection.was_cleared(hub_id):
            return False  # another process's socket of another User holds it (``clear_named``)
        with self.broker.lock:
            owner = self.parking.owner(hub_id)  # a parked hub's ids stay its owner's
            taken = (owner is not None and owner != connection.user) or any(
                other.speaks_as(hub_id) and other.user != connection.user
                for other in self.broker.connections
            )
            if not taken:
                (connection.subscriber_ids if subscriber else connection.hub_ids).add(hub_id)
        self.let_go()
        return not taken

    async def release(self, connection: Connection) -> None:
        """Give back to the shared registry the hub ids no other live socket here holds."""
        mine = connection.cleared | connection.cleared_subscribers
        registry = self.shared
        if registry is None or not mine:
            return
        with self.broker.lock:
            held = self._held_here(connection.user)
        free = mine - held
        try:
            await run_in_threadpool(registry.release, free, self.broker.id, connection.user)
        except Exception:
            logger.exception("could not release hub ids of %s", connection.name)

    def _held_here(self, user: str) -> Set[str]:
        """The ids this process holds for ``user`` in the shared registry: its live sockets' and
        its parked hubs' (a parked hub's ids stay its owner's while it is away)."""
        live = {h for c in self.broker.connections if c.user == user
                for h in c.cleared | c.cleared_subscribers}  # fmt: skip
        return live | self.parking.held_ids(user)

    def let_go(self, claimed: Sequence[ParkedHub] = ()) -> None:
        """Give back to the shared registry, in a thread, the ids of the hubs parked here that
        expired or were ``claimed`` by another process, unless this process holds them still."""
        if self.shared is None:
            return
        jobs: List[Tuple[Set[str], str]] = []
        with self.broker.lock:
            for hub in list(claimed) + self.parking.take_expired():
                free = hub.ids() - self._held_here(hub.user) if hub.held_here else set()
                if free:
                    jobs.append((free, hub.user))
        if jobs:
            threading.Thread(
                target=self._release_all, args=(jobs,), name="hub-id-release", daemon=True
            ).start()

    def _release_all(self, jobs: Sequence[Tuple[Set[str], str]]) -> None:
        for ids, user in jobs:
            try:
                self.shared.release(ids, self.broker.id, user)  # type: ignore[union-attr]
            except Exception:
                logger.exception("could not give back the hub ids of %s's parked hub", user)
