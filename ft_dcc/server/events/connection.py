"""One connected hub (:class:`Connection`): its websocket, an outbox drained by a writer task,
its subscribers and hub ids; and :func:`wants_event`, whether a hub's subscribers take an event
(live connections and parked hubs alike)."""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Set

from starlette.websockets import WebSocket

from ft_dcc.protocol.events import TOPIC_REPLY, Expression, parse_expression
from ft_dcc.server.events.resume import Frame, ParkedHub, Subscribers

logger = logging.getLogger(__name__)

REPLY_SUBSCRIPTION = parse_expression(f"topic={TOPIC_REPLY}")


def wants_event(
    subscribers: Subscribers,
    hub_ids: Set[str],
    event: Mapping[str, object],
    target: Optional[Expression],
) -> bool:
    """Whether one of ``subscribers`` (or the reply handler of a hub in ``hub_ids``) takes it."""
    for metadata, subscription in list(subscribers.values()):
        if (target is None or target.match(metadata)) and subscription.match(event):
            return True
    return any(
        (target is None or target.match({"id": hub_id})) and REPLY_SUBSCRIPTION.match(event)
        for hub_id in list(hub_ids)
    )


class Connection:
    """One connected hub: its websocket, an outbox drained by a writer task, its subscribers.

    Event frames carry their event id through the outbox, so the ones never sent when the
    connection ends can be kept for the hub's reconnect (``ft_dcc.server.events.resume``)."""

    def __init__(self, websocket: WebSocket, user: str, max_queue: int, grant: Any = None) -> None:
        self.websocket = websocket
        self.user = user
        #: what the handshake's key granted (``grants.key.KeyGrant``), re-checked on revocation
        self.grant = grant
        self.user_id: Optional[str] = getattr(grant, "user_id", None)
        #: the grant no longer stands: nothing more is sent, the connection is closing
        self.revoked = False
        client = websocket.client
        self.name = f"{user}@{client.host}:{client.port}" if client else user
        self.loop = asyncio.get_running_loop()
        self.outbox: asyncio.Queue = asyncio.Queue(maxsize=max_queue)
        self.subscribers: Subscribers = {}
        self.texts: Dict[str, str] = {}  # subscription text by subscriber id
        self.hub_ids: Set[str] = set()
        #: its subscribers' ids: the connection's own too (``ftrack_api`` replies in their name)
        self.subscriber_ids: Set[str] = set()
        #: hub ids / subscriber ids the shared registry gave this connection (``SharedHubIds``,
        #: PostgreSQL), each within its own limit
        self.cleared: Set[str] = set()
        self.cleared_subscribers: Set[str] = set()
        self.last_seen = time.monotonic()
        self.closing = False
        self.said_goodbye = False
        self.writer: Optional[asyncio.Future] = None
        self.parked: Optional[ParkedHub] = None  # where late frames go once the hub is parked
        self.unsent: List[Frame] = []
        #: resumed from a hub parked in another server process: its event frames are held until
        #: that process's replay comes (``await_replay``), so the missed events come first
        self.awaiting: Optional[str] = None
        self.held: List[Frame] = []
        self._wait_timer: Optional[asyncio.TimerHandle] = None
        self.recent: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._recent_max = 4 * max_queue

    def wants(self, event: Mapping[str, object], target: Optional[Expression]) -> bool:
        """Whether a subscriber of this connection (or its hub's reply handler) takes ``event``."""
        return wants_event(self.subscribers, self.hub_ids, event, target)

    def speaks_as(self, ident: str) -> bool:
        """Whether events may name ``ident`` as their source here (its hub or a subscriber)."""
        return ident in self.hub_ids or ident in self.subscriber_ids

    def was_cleared(self, ident: str) -> bool:
        """Whether the shared registry gave ``ident`` to this connection (PostgreSQL)."""
        return ident in self.cleared or ident in self.cleared_subscribers

    def enqueue(self, frame: Optional[str], event_id: Optional[str] = None) -> None:
        """Queue a frame (``None`` stops the writer); call on this connection's loop."""
        if event_id is not None:
            if self.parked is not None:
                self.parked.keep((event_id, frame or ""))
                return
            if self.awaiting is not None:
                self.held.append((event_id, frame or ""))
                return
            if event_id in self.recent:  # already sent: live and replayed across a resume
                return
            self.recent[event_id] = None
            while len(self.recent) > self._recent_max:
                self.recent.popitem(last=False)
        if self.closing and frame is not None:
            if event_id is not None:
                self.unsent.append((event_id, frame))
            return
        try:
            self.outbox.put_nowait(None if frame is None else (frame, event_id))
        except asyncio.QueueFull:
            if self.closing:
                return
            logger.warning(
                "Event hub client %s is not reading its events; disconnecting it", self.name
            )
            self.closing = True
            if self.writer is not None:
                self.writer.cancel()  # it may be stuck sending to a client that does not read

    def send(self, frame: Optional[str], event_id: Optional[str] = None) -> None:
        """Queue a frame from any thread."""
        self._on_loop(self.enqueue, frame, event_id)

    def await_replay(self, origin: str, kept: Sequence[Frame], wait: float) -> None:
        """Hold ``kept`` (this process's copy of the hub's missed events) and every event frame
        after it until ``origin``'s replay comes, or for ``wait`` seconds (``origin`` is gone);
        call on this connection's loop."""
        self.awaiting, self.held = origin, list(kept)
        self._wait_timer = self.loop.call_later(wait, self._give_up_waiting, origin)

    def replayed(self, origin: str, frames: Sequence[Frame]) -> None:
        """``origin``'s replay of the missed events, from any thread: sent, then what was held
        (each event once)."""
        self._on_loop(self._take_replay, origin, list(frames))

    def _take_replay(self, origin: str, frames: List[Frame]) -> None:
        for event_id, frame in frames + self._stop_holding(origin):
            self.enqueue(frame, event_id)

    def _give_up_waiting(self, origin: str) -> None:
        if self.awaiting == origin and self.held:
            logger.warning("Event hub %s: server process %s never replayed its missed events; "
                           "sending the %d kept here", self.name, origin,
                           len(self.held))  # fmt: skip
        self._take_replay(origin, [])

    def _stop_holding(self, origin: Optional[str]) -> List[Frame]:
        """The frames held for ``origin``'s replay, no longer held (none: not waiting for it)."""
        if origin is None or self.awaiting != origin:
            return []
        if self._wait_timer is not None:
            self._wait_timer.cancel()
        held, self.held, self.awaiting, self._wait_timer = self.held, [], None, None
        return held

    def _on_loop(self, function: Callable[..., None], *args: Any) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            function(*args)
        else:
            try:
                self.loop.call_soon_threadsafe(function, *args)
            except RuntimeError:  # the loop has closed: the connection is gone
                pass

    def take_unsent(self) -> List[Frame]:
        """The event frames never sent: kept while closing, failed, held for a replay, or still
        in the outbox."""
        frames, self.unsent = self.unsent + self._stop_holding(self.awaiting), []
        while not self.outbox.empty():
            item = self.outbox.get_nowait()
            if item is not None and item[1] is not None:
                frames.append(item)
        return frames
