"""The embedded server's event hub: ftrack's socket.io 0.9 protocol over a websocket.

A client first asks ``GET /socket.io/1/`` with its ``ftrack-user`` / ``ftrack-api-key`` headers
(or ``api_user`` / ``api_key`` query parameters, as ftrack's JavaScript client sends them) and
gets ``"<sid>:<heartbeat>:<close>:websocket"``. It then opens
``/socket.io/1/websocket/<sid>``; the sid, single use and short lived, is its credential there.

The broker relays every published event to each connection with a subscriber whose subscription
matches the event and, when the event has a ``target``, whose subscriber metadata matches the
target. Replies (``ftrack.meta.reply`` targeted at ``id=<hub id>``) reach the hub that sent the
original event even though hubs never announce their reply subscriber. ``emit`` and
``emit_update`` publish server events from any thread without blocking.

Grants (``ft_dcc.server.grants``): a socket lives on the API key of its handshake. When a
revocation of its User arrives (key rotated, User deactivated or deleted, in any server process),
the key is re-checked against the database and a socket whose key no longer stands receives
nothing more and is closed. What the server passes on is its own word: an event's
``source.user`` is the socket's User (id and username, whatever the client wrote), a hub id
(``source.id``) belongs to the socket that used it first (another User's socket cannot take it
over, in any server process: ``events.hub_ids``), and a reply goes only to sockets of the User
who sent the event it answers.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import json
import logging
import platform
import threading
import time
import uuid
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from ft_dcc.protocol import TOPIC_UPDATE
from ft_dcc.protocol.events import (
    ACK,
    CONNECT,
    DISCONNECT,
    ERROR,
    EVENT,
    EVENT_NAMESPACE,
    HEARTBEAT,
    SOCKET_IO_PATH,
    TOPIC_REPLY,
    TOPIC_SUBSCRIBE,
    TOPIC_UNSUBSCRIBE,
    WEBSOCKET_PATH_PREFIX,
    Expression,
    ExpressionError,
    event_from_wire,
    event_to_wire,
    format_packet,
    parse_expression,
    parse_packet,
)
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.events.grants import HubGrants, ticket_text, ticket_user
from ft_dcc.server.events.hub_ids import MOST_HUB_IDS_PER_SOCKET, MOST_SUBSCRIBER_IDS_PER_SOCKET
from ft_dcc.server.events.resume import (
    CONTROL_TOPIC,
    SERVER_TOPIC_PREFIX,
    Frame,
    ParkedHub,
    Parking,
    Subscribers,
    subscribers_from_wire,
)
from ft_dcc.server.events.update_keys import event_key
from ft_dcc.server.identity.layer import identity_of
from ft_dcc.server.identity.policy import Area, admits
from ft_dcc.server.limits import open_caps

logger = logging.getLogger(__name__)

#: ``ftrack.update`` names entity types by their legacy table names for a few types.
_LEGACY_ENTITY_TYPES = {
    "Project": "show",
    "FileComponent": "component",
    "SequenceComponent": "component",
    "ContainerComponent": "component",
}
_CONTEXT_TYPES = {
    "Folder",
    "Sequence",
    "Shot",
    "Task",
    "Episode",
    "AssetBuild",
    "Milestone",
    "Scene",
    "Epic",
}
_REPLY_SUBSCRIPTION = parse_expression(f"topic={TOPIC_REPLY}")
#: the kind of the shared open counts (``open_caps.SharedOpenCounts``) for hub sockets
SOCKET_KIND = "hub socket"
#: the longest a commit's answer waits for its ``ftrack.update`` to be sent to the other server
#: processes (``EventBroker._route``); a send fails long before unless the database hangs
SETTLE_SECONDS = 15.0


def _wants(
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
        (target is None or target.match({"id": hub_id})) and _REPLY_SUBSCRIPTION.match(event)
        for hub_id in list(hub_ids)
    )


class _Connection:
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
        self.recent: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._recent_max = 4 * max_queue

    def wants(self, event: Mapping[str, object], target: Optional[Expression]) -> bool:
        """Whether a subscriber of this connection (or its hub's reply handler) takes ``event``."""
        return _wants(self.subscribers, self.hub_ids, event, target)

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
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self.enqueue(frame, event_id)
        else:
            try:
                self.loop.call_soon_threadsafe(self.enqueue, frame, event_id)
            except RuntimeError:  # the loop has closed: the connection is gone
                pass

    def take_unsent(self) -> List[Frame]:
        """The event frames never sent: kept while closing, failed, or still in the outbox."""
        frames, self.unsent = self.unsent, []
        while not self.outbox.empty():
            item = self.outbox.get_nowait()
            if item is not None and item[1] is not None:
                frames.append(item)
        return frames


class EventBroker:
    """Routes ftrack events between connected clients; mount :meth:`routes` in the app.

    The handshake admits the request's identity when the policy lets it at the hub (an API
    key, resolved before the route: ``ft_dcc.server.identity.layer``). ``heartbeat_interval`` is
    how often the server pings: ftrack's JavaScript client reconnects after 15 s without one, the
    Python client gives up after 60 s. A connection that has not answered a heartbeat within
    ``close_timeout`` seconds (silent for an interval plus that) is dropped. A hub whose
    connection drops is parked for ``resume_window`` seconds and gets the events it missed when
    it reconnects (``ft_dcc.server.events.resume``).
    """

    def __init__(
        self,
        *,
        heartbeat_interval: float = 5.0,
        close_timeout: float = 60.0,
        session_ttl: float = 60.0,
        max_queue: int = 1000,
        resume_window: float = 60.0,
    ) -> None:
        self.id = uuid.uuid4().hex
        self._heartbeat_interval = heartbeat_interval
        self._close_timeout = close_timeout
        self._session_ttl = session_ttl
        self._max_queue = max_queue
        self._pending: Dict[str, Tuple[str, float]] = {}
        #: the grants of the connections, re-checked on revocations (see ``watch``)
        self.grants = HubGrants(self)
        self._connections: Set[_Connection] = set()
        self._parking = Parking(resume_window, max_queue)
        self._closed = False
        self._lock = threading.Lock()
        #: Called with the brokers' own control messages, to pass them on to the other server
        #: processes (``ft_dcc.server.events.fanout``); they hand them to :meth:`deliver`.
        self.relay: Optional[Callable[[Dict[str, Any]], None]] = None
        #: Called with every event routed here, to deliver it in every server process, this one
        #: included, in one order (``fanout.PgEventRelay.tell``); returns what is set once it is
        #: sent. ``None``: routed events are delivered here at once (and passed to ``relay``).
        self.relay_all: Optional[Callable[[Dict[str, Any]], threading.Event]] = None
        #: Handshake sessions shared with other server processes (``issue(user, ttl) -> sid``,
        #: ``claim(sid) -> user or None``); ``None`` keeps them in this process.
        self.tickets: Optional[Any] = None
        #: Called with every event delivered in this process (published here or relayed from
        #: another one), from the delivering thread; must not block (the review page's live
        #: streams, ``ft_dcc.server.review.live``).
        self.listeners: List[Callable[[Dict[str, Any]], None]] = []
        #: Hub ids bound to their User across server processes (``hub_ids.SharedHubIds``:
        #: ``claim(hub_id, user, process)``, ``release``, ``forget_process``); ``None``: this
        #: process alone decides.
        self.shared_hub_ids: Optional[Any] = None
        #: Open sockets per user counted over every server process
        #: (``open_caps.SharedOpenCounts``); ``None``: counted in this process.
        self.shared_open: Optional[Any] = None

    # -- public API ---------------------------------------------------------------------------
    def routes(self) -> list:
        """The Starlette routes of the hub: the handshake and the websocket transport."""
        return [
            Route(SOCKET_IO_PATH, self._handshake, methods=["GET"]),
            WebSocketRoute(WEBSOCKET_PATH_PREFIX + "{sid}", self._websocket),
        ]

    @property
    def connection_count(self) -> int:
        """How many hubs are connected now."""
        with self._lock:
            return len(self._connections)

    def emit(self, event: Mapping[str, object]) -> None:
        """Publish a server event to every matching subscriber; thread-safe, never blocks.

        ``event`` needs a ``topic``; ``id``, ``source`` (this broker), ``sent`` are filled in.
        """
        self._route(self._server_event(event))

    def _server_event(self, event: Mapping[str, object]) -> Dict[str, Any]:
        """``event`` checked, with its ``id`` and ``source`` filled in (see :meth:`emit`)."""
        wire = event_from_wire(dict(event))
        topic, source = wire["topic"], wire["source"]
        if not isinstance(topic, str) or not topic:
            raise ValueError("an event needs a non-empty string 'topic'")
        if not isinstance(source, dict):
            raise ValueError("an event's 'source' must be a dict")
        wire["id"] = wire["id"] or uuid.uuid4().hex
        source.setdefault("id", self.id)
        source.setdefault("host", platform.node())
        return wire

    def emit_update(
        self,
        changes: Sequence[Mapping[str, object]],
        *,
        user: Optional[str] = None,
        user_id: Optional[str] = None,
        client_token: Optional[str] = None,
        push_token: Optional[str] = None,
    ) -> None:
        """Publish one ``ftrack.update`` event for committed creates, updates and deletes.

        Each change is ``{"action": "add"|"update"|"remove", "entity_type": "AssetVersion",
        "entity_id": "<id>", "keys": ["comment", ...]}``, optionally with ``values`` (new values
        by key), ``changes`` (``{key: {"new": v, "old": v}}``), ``parent_id`` and ``parents``
        (ancestors nearest first: ids or ``{"entity_type", "entity_id", "parent_id"}``).
        ``user`` / ``user_id`` name the user who made the change; ``client_token`` /
        ``push_token`` are the request's ``ftrack-Clienttoken`` / ``ftrack-pushtoken`` headers
        (a push token is made up when the request sent none).
        """
        if not changes:
            return
        entities = [_entity_change(change) for change in changes]
        parents = list(dict.fromkeys(p["entityId"] for e in entities for p in e["parents"]))
        data = {
            "entities": entities,
            "parents": parents,
            "user": {"userid": user_id, "name": user},
            "clientToken": client_token,
            "pushToken": push_token or uuid.uuid4().hex,
        }
        source: Dict[str, Any] = {"id": self.id}
        if user or user_id:
            source["user"] = {"username": user, "id": user_id}
        # answered once every process has it on its way, behind the commits answered before
        event = self._server_event({"topic": TOPIC_UPDATE, "data": data, "source": source})
        self._route(event, settle=True)

    def close(self) -> None:
        """Tell every connected hub the server is going away, then drop the connections."""
        with self._lock:
            self._closed = True
            connections = list(self._connections)
        for connection in connections:
            connection.send(format_packet(DISCONNECT))
            connection.send(None)
        for shared in (self.shared_hub_ids, self.shared_open):
            try:
                if shared is not None:
                    shared.forget_process(self.id)
            except Exception:
                logger.exception("could not forget this process's hub ids and socket counts")

    # -- HTTP handshake -----------------------------------------------------------------------
    async def _handshake(self, request: Request) -> Response:
        identity = identity_of(request)  # resolved before the route (an API key)
        user = identity.key_user or ""
        if not admits(identity, Area.HUB) and not user:
            return PlainTextResponse(
                "The event hub needs the ftrack-user and ftrack-api-key headers.", status_code=401
            )
        if not admits(identity, Area.HUB):
            logger.info("Event hub refused user %r: invalid API key", user)
            return PlainTextResponse(
                "The event hub refused the credentials: unknown user or invalid API key.",
                status_code=401,
            )
        accepted = identity.grant if identity.grant is not None else True
        if await self._open_sockets(user) >= open_caps.most_sockets():  # per user (open_caps)
            return PlainTextResponse(
                open_caps.too_many_sockets(open_caps.most_sockets()), status_code=429
            )
        text = ticket_text(user, accepted)
        if self.tickets is not None:
            sid = await run_in_threadpool(self.tickets.issue, text, self._session_ttl)
        else:
            now = time.monotonic()
            sid = uuid.uuid4().hex
            with self._lock:
                for stale in [s for s, (_, expiry) in self._pending.items() if expiry < now]:
                    del self._pending[stale]
                self._pending[sid] = (text, now + self._session_ttl)
        body = f"{sid}:{int(self._close_timeout)}:{int(self._close_timeout)}:websocket"
        return PlainTextResponse(body)

    async def _open_sockets(self, user: str) -> int:
        """How many sockets ``user`` has open (in every process when they are shared)."""
        if self.shared_open is not None:
            return int(await run_in_threadpool(self.shared_open.total, SOCKET_KIND, user))
        with self._lock:
            return self._count_open(user)

    async def _enter_shared(self, user: str) -> bool:
        """Count one more socket of ``user`` over every process; ``False`` when full."""
        if self.shared_open is None:
            return True
        most = open_caps.most_sockets()
        return bool(
            await run_in_threadpool(self.shared_open.enter, SOCKET_KIND, user, self.id, most)
        )

    async def _leave_shared(self, user: str) -> None:
        if self.shared_open is not None:
            await run_in_threadpool(self.shared_open.leave, SOCKET_KIND, user, self.id)

    def _count_open(self, user: str) -> int:
        """``_open_sockets`` for a caller holding the lock."""
        return sum(1 for connection in self._connections if connection.user == user)

    def _claim(self, sid: str) -> Optional[str]:
        with self._lock:
            user, expiry = self._pending.pop(sid, ("", 0.0))
        return user if user and expiry >= time.monotonic() else None

    async def _claim_ticket(self, sid: str) -> Optional[str]:
        if self.tickets is not None:
            return await run_in_threadpool(self.tickets.claim, sid)
        return self._claim(sid)

    # -- websocket transport ------------------------------------------------------------------
    async def _websocket(self, websocket: WebSocket) -> None:
        text = await self._claim_ticket(websocket.path_params["sid"])
        if text is None:
            await websocket.close(code=1008, reason="unknown or expired socket.io session")
            return
        user, grant = ticket_user(text)
        if not await run_in_threadpool(self.grants.holds, grant):  # revoked since the handshake
            await websocket.close(code=1008, reason="the API key of this session was revoked")
            return
        await websocket.accept()
        connection = _Connection(websocket, user, self._max_queue, grant)
        if not await self._enter_shared(user):
            await websocket.close(code=1008, reason="too many event hub sockets of this user")
            return
        with self._lock:  # one more than the most (sockets that raced the handshake's check)
            full = self._count_open(user) >= open_caps.most_sockets()
            if not full:
                self._connections.add(connection)
        if full:
            await self._leave_shared(user)
            await websocket.close(code=1008, reason="too many event hub sockets of this user")
            return
        logger.debug("Event hub client %s connected", connection.name)
        writer = connection.writer = asyncio.ensure_future(self._write(connection))
        heartbeat = asyncio.ensure_future(self._heartbeat(connection))
        reader = asyncio.ensure_future(self._read(connection))
        connection.enqueue(format_packet(CONNECT))
        try:
            # the reader ends when the client leaves; the writer when the server drops the client
            await asyncio.wait({reader, writer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            reader.cancel()
            heartbeat.cancel()
            connection.enqueue(None)
            await asyncio.gather(reader, writer, heartbeat, return_exceptions=True)
            with self._lock:
                self._connections.discard(connection)
                parked = self._park(connection)
            self._let_go()
            await self._release_hub_ids(connection)
            await self._leave_shared(user)
            if parked is not None and self.relay is not None:
                self._control({"op": "park", "user": parked.user, "hub_ids": sorted(parked.hub_ids),
                               "subscribers": parked.wire_subscribers()})  # fmt: skip
            logger.debug("Event hub client %s disconnected", connection.name)

    def _park(self, connection: _Connection) -> Optional[ParkedHub]:
        """Park the hub of a connection that ended without a goodbye (under the lock)."""
        if self._closed or connection.said_goodbye or not connection.hub_ids:
            return None
        hub = self._parking.park(
            connection.user, connection.hub_ids, connection.subscribers, connection.texts,
            connection.take_unsent(),
        )  # fmt: skip
        hub.held_here = self.shared_hub_ids is not None  # its ids stay held in the registry
        connection.parked = hub
        return hub

    def _resume(self, connection: _Connection, hub_id: str) -> None:
        """A new connection named ``hub_id``: hand it the hub's parked subscribers and events."""
        frames: List[Frame] = []
        with self._lock:
            hub = self._parking.claim(hub_id, connection.user)
            if hub is not None:
                for key, value in hub.subscribers.items():
                    connection.subscribers.setdefault(key, value)
                    connection.texts.setdefault(key, hub.texts.get(key, ""))
                connection.hub_ids |= hub.hub_ids
                if hub.held_here:  # the registry's rows of this process pass to it
                    connection.cleared |= hub.hub_ids
                    connection.cleared_subscribers |= set(hub.subscribers)
                frames = list(hub.frames)
        for event_id, frame in frames:
            connection.enqueue(frame, event_id)
        if hub is not None:
            logger.info("Event hub %s resumed with %d kept events", hub_id, len(frames))
        if self.relay is not None:
            self._control(
                {"op": "resume", "hub_id": hub_id, "user": connection.user, "to": self.id}
            )

    def _control(self, data: Dict[str, Any]) -> None:
        """Send a park / resume / replay message to the other server processes."""
        if self.relay is not None:
            self.relay(event_from_wire({"topic": CONTROL_TOPIC, "id": uuid.uuid4().hex,
                                        "data": data, "source": {"id": self.id}}))  # fmt: skip

    def _on_control(self, data: Dict[str, Any]) -> None:
        """A park / resume / replay message from another server process."""
        op, hub_id, user = data.get("op"), data.get("hub_id"), str(data.get("user") or "")
        if op == "park":
            hub_ids = [str(h) for h in data.get("hub_ids") or []]
            subscribers, texts = subscribers_from_wire(data.get("subscribers"))
            with self._lock:
                if not any(set(hub_ids) & c.hub_ids for c in self._connections):
                    self._parking.park(user, hub_ids, subscribers, texts)
        elif op == "resume" and data.get("to") != self.id:
            with self._lock:
                hub = self._parking.claim(str(hub_id), user)
            self._let_go([] if hub is None else [hub])  # the owner holds them over there now
            if hub is not None and hub.frames:
                self._control({"op": "replay", "hub_id": hub_id, "to": data.get("to"),
                               "frames": [list(frame) for frame in hub.frames]})  # fmt: skip
        elif op == "replay" and data.get("to") == self.id:
            with self._lock:
                found = [c for c in self._connections if hub_id in c.hub_ids]
            for connection in found:  # each sends an event id once (``enqueue``)
                for event_id, frame in data.get("frames") or []:
                    connection.send(frame, event_id)

    async def _read(self, connection: _Connection) -> None:
        while True:
            message = await connection.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                text = (message.get("bytes") or b"").decode("utf-8", "replace")
            connection.last_seen = time.monotonic()
            if self.shared_hub_ids is not None:
                await self._clear_hub_id(connection, text)
            if not self._on_packet(connection, text):
                return

    async def _clear_hub_id(self, connection: _Connection, text: str) -> None:
        """Before an event naming a new hub id (``source.id``) or a subscribe naming a new
        subscriber id is handled: ask the shared registry whether another User's socket holds
        it in any server process."""
        hub_id, subscriber_id = _named_ids(text)
        if hub_id is not None:
            await self._clear(connection, hub_id, connection.cleared, MOST_HUB_IDS_PER_SOCKET)
        if subscriber_id is not None:
            await self._clear(connection, subscriber_id, connection.cleared_subscribers,
                              MOST_SUBSCRIBER_IDS_PER_SOCKET)  # fmt: skip

    async def _clear(self, connection: _Connection, ident: str, cleared: Set[str], most: int
                     ) -> None:  # fmt: skip
        """Claim ``ident`` in the shared registry into ``cleared`` (at most ``most`` of them)."""
        registry = self.shared_hub_ids
        if registry is None or connection.speaks_as(ident) or connection.was_cleared(ident):
            return
        if len(cleared) >= most:
            return  # ``_bind`` refuses it
        try:
            held = await run_in_threadpool(registry.claim, ident, connection.user, self.id)
        except Exception:
            logger.exception("could not check hub id %s with the other server processes", ident)
            return
        if held:
            cleared.add(ident)

    async def _release_hub_ids(self, connection: _Connection) -> None:
        """Give back to the shared registry the hub ids no other live socket here holds."""
        mine = connection.cleared | connection.cleared_subscribers
        if self.shared_hub_ids is None or not mine:
            return
        with self._lock:
            held = self._held_here(connection.user)
        free = mine - held
        try:
            await run_in_threadpool(self.shared_hub_ids.release, free, self.id, connection.user)
        except Exception:
            logger.exception("could not release hub ids of %s", connection.name)

    def _held_here(self, user: str) -> Set[str]:
        """The ids this process holds for ``user`` in the shared registry: its live sockets' and
        its parked hubs' (a parked hub's ids stay its owner's while it is away)."""
        live = {h for c in self._connections if c.user == user
                for h in c.cleared | c.cleared_subscribers}  # fmt: skip
        return live | self._parking.held_ids(user)

    def _let_go(self, claimed: Sequence[ParkedHub] = ()) -> None:
        """Give back to the shared registry, in a thread, the ids of the hubs parked here that
        expired or were ``claimed`` by another process, unless this process holds them still."""
        if self.shared_hub_ids is None:
            return
        jobs: List[Tuple[Set[str], str]] = []
        with self._lock:
            for hub in list(claimed) + self._parking.take_expired():
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
                self.shared_hub_ids.release(ids, self.id, user)  # type: ignore[union-attr]
            except Exception:
                logger.exception("could not give back the hub ids of %s's parked hub", user)

    async def _write(self, connection: _Connection) -> None:
        try:
            while True:
                item = await connection.outbox.get()
                if item is None:
                    break
                frame, event_id = item
                try:
                    await connection.websocket.send_text(frame)
                except BaseException:
                    if event_id is not None:  # kept for the hub's reconnect
                        connection.unsent.append((event_id, frame))
                    raise
        except asyncio.CancelledError:  # cancelled by enqueue(): the client stopped reading
            pass
        except Exception as error:  # the socket went away mid-send
            logger.debug("Event hub send to %s failed: %s", connection.name, error)
        connection.closing = True
        try:
            await asyncio.wait_for(connection.websocket.close(), self._close_timeout)
        except (Exception, asyncio.CancelledError):
            pass

    async def _heartbeat(self, connection: _Connection) -> None:
        while not connection.closing:
            await asyncio.sleep(self._heartbeat_interval)
            # a listening client sends nothing but its answer to the last heartbeat: silent for
            # longer than one interval plus the timeout means that answer never came
            if time.monotonic() - connection.last_seen > (
                self._heartbeat_interval + self._close_timeout
            ):
                logger.info("Event hub client %s went silent; disconnecting", connection.name)
                connection.enqueue(None)
                return
            connection.enqueue(format_packet(HEARTBEAT))

    def _on_packet(self, connection: _Connection, text: str) -> bool:
        """Handle one frame; False ends the connection."""
        try:
            packet = parse_packet(text)
        except ValueError as error:
            connection.enqueue(format_packet(ERROR, data=str(error)))
            return True
        if packet.code == DISCONNECT:
            connection.said_goodbye = True
            return False
        if packet.code != EVENT:
            return True  # heartbeats answered, plain messages ignored
        result = self._on_event_packet(connection, packet.data)
        if packet.id:
            ack = f"{packet.id.rstrip('+')}+{json.dumps([result])}"
            connection.enqueue(format_packet(ACK, data=ack))
        return True

    def _on_event_packet(self, connection: _Connection, data: str) -> Dict[str, Any]:
        try:
            payload = json.loads(data)
        except ValueError:
            return _failure("the event packet is not valid JSON")
        if not isinstance(payload, dict):
            payload = {}
        args = payload.get("args")
        if payload.get("name") != EVENT_NAMESPACE or not isinstance(args, list) or not args:
            return _failure(f"expected {{'name': '{EVENT_NAMESPACE}', 'args': [<event>]}}")
        if not isinstance(args[0], dict):
            return _failure(f"expected {{'name': '{EVENT_NAMESPACE}', 'args': [<event>]}}")
        event = event_from_wire(args[0])
        topic, source, content = event["topic"], event["source"], event["data"]
        if not isinstance(topic, str) or not topic:
            return _failure("the event has no topic")
        if not isinstance(source, dict):
            return _failure("the event's source must be an object")
        if topic.startswith(SERVER_TOPIC_PREFIX):
            return _failure(f"the topic {topic[:80]} is the server's own ({SERVER_TOPIC_PREFIX}*)")
        request = content if isinstance(content, dict) else None  # other events: any JSON data
        if topic in (TOPIC_SUBSCRIBE, TOPIC_UNSUBSCRIBE) and request is None:
            return _failure(f"a {topic} event's data must be an object")
        hub_id = source.get("id")
        if isinstance(hub_id, str) and hub_id and not connection.speaks_as(hub_id):
            if not self._bind(connection, hub_id):
                return _failure("this hub id (source.id) is another connection's; use your own")
            self._resume(connection, hub_id)
        if topic == TOPIC_SUBSCRIBE and request is not None:
            return self._subscribe(connection, request)
        if topic == TOPIC_UNSUBSCRIBE and request is not None:
            return self._unsubscribe(connection, request)
        event["id"] = event["id"] or uuid.uuid4().hex
        source["user"] = {"username": connection.user, "id": connection.user_id}  # server-set
        try:
            self._route(event)
        except ExpressionError as error:
            return _failure(f"invalid event target: {error}")
        return {"success": True, "message": "Event published."}

    def _bind(self, connection: _Connection, hub_id: str, subscriber: bool = False) -> bool:
        """Give ``hub_id`` (a subscriber's id with ``subscriber``) to ``connection``; ``False``
        when a live connection of another User holds it as either (an id travels in every event
        it sends: it is no credential)."""
        if self.shared_hub_ids is not None and not connection.was_cleared(hub_id):
            return False  # another process's socket of another User holds it (``_clear_hub_id``)
        with self._lock:
            owner = self._parking.owner(hub_id)  # a parked hub's ids stay its owner's
            taken = (owner is not None and owner != connection.user) or any(
                other.speaks_as(hub_id) and other.user != connection.user
                for other in self._connections
            )
            if not taken:
                (connection.subscriber_ids if subscriber else connection.hub_ids).add(hub_id)
        self._let_go()
        return not taken

    def _subscribe(self, connection: _Connection, data: Dict[str, Any]) -> Dict[str, Any]:
        subscriber = data.get("subscriber")
        if not isinstance(subscriber, dict) or not subscriber.get("id"):
            return _failure("a subscribe event needs data.subscriber with an id")
        try:
            expression = parse_expression(str(data.get("subscription") or ""))
        except ExpressionError as error:
            return _failure(f"invalid subscription: {error}")
        ident = str(subscriber["id"])
        if not connection.speaks_as(ident) and not self._bind(connection, ident, subscriber=True):
            return _failure("this subscriber id is another connection's; use your own")
        # the server's word, as for an event's source.user: targets naming user.id or
        # user.username reach only that User's sockets, whatever the client declared
        metadata = dict(subscriber, user={"id": connection.user_id, "username": connection.user})
        with self._lock:
            connection.subscribers[ident] = (metadata, expression)
            connection.texts[ident] = str(data.get("subscription") or "")
        return {"success": True, "message": "Subscribed."}

    def _unsubscribe(self, connection: _Connection, data: Dict[str, Any]) -> Dict[str, Any]:
        subscriber = data.get("subscriber")
        subscriber_id = subscriber.get("id") if isinstance(subscriber, dict) else None
        with self._lock:
            found = connection.subscribers.pop(str(subscriber_id), None)
            connection.texts.pop(str(subscriber_id), None)
        if found is None:
            return _failure(f"no subscriber {subscriber_id!r} on this connection")
        return {"success": True, "message": "Unsubscribed."}

    def _route(self, event: Dict[str, Any], settle: bool = False) -> None:
        """Send ``event`` to every connection that wants it, here and in the other server
        processes (raises ExpressionError on target). Through ``relay_all`` every process gets
        the events in one order; with ``settle`` (and off the event loop) this returns once the
        event is sent, so what is routed after it comes after it everywhere."""
        _target(event)  # an invalid target is refused before anything is sent
        if event.get("sent") is None:
            event["sent"] = dt.datetime.now(dt.timezone.utc).isoformat()
        if self.relay_all is None:
            self.deliver(event)
            if self.relay is not None:
                self.relay(event)
            return
        sent = self.relay_all(event)
        if settle and not _on_event_loop() and not sent.wait(SETTLE_SECONDS):
            logger.warning("event %s is not sent to the server processes after %.0f s; "
                           "answering without it", event.get("id"), SETTLE_SECONDS)  # fmt: skip

    def deliver(self, event: JsonObject) -> None:
        """Send ``event`` to this process's connections that want it, and keep it for the parked
        hubs that want it (raises ExpressionError)."""
        if event.get("topic") == CONTROL_TOPIC:  # only ever relayed from another process
            data = event.get("data")
            self._on_control(data if isinstance(data, dict) else {})
            return
        if str(event.get("topic") or "").startswith(SERVER_TOPIC_PREFIX):
            self._tell_listeners(event)  # the server's own (e.g. the review presenter's state)
            return
        target = _target(event)
        if event.get("sent") is None:
            event["sent"] = dt.datetime.now(dt.timezone.utc).isoformat()
        event_id = str(event.get("id") or uuid.uuid4().hex)
        payload = {"name": EVENT_NAMESPACE, "args": [event_to_wire(event)]}
        frame = format_packet(EVENT, data=json.dumps(payload, default=str))
        only = self.grants.reply_user(event)  # a reply goes to its asker's sockets only
        with self._lock:
            receivers = [
                c for c in self._connections
                if not c.revoked and (only is None or c.user == only) and c.wants(event, target)
            ]  # fmt: skip
            for hub in self._parking.hubs():
                if only is not None and hub.user != only:
                    continue
                if _wants(hub.subscribers, hub.hub_ids, event, target):
                    hub.keep((event_id, frame))
        for connection in receivers:
            connection.send(frame, event_id)
        self._tell_listeners(event)

    def connections_of(self, user_id: Optional[str]) -> List[_Connection]:
        """The open connections whose grant is ``user_id``'s (``None``: every one with a grant)."""
        with self._lock:
            return [
                c for c in self._connections
                if c.grant is not None and not c.revoked
                and (user_id is None or c.user_id == user_id)
            ]  # fmt: skip

    def cut(self, connection: _Connection) -> None:
        """End ``connection`` now: its grant was revoked (nothing more is sent to it, and it is
        not parked for a reconnect)."""
        connection.revoked = True
        connection.said_goodbye = True
        logger.info("Event hub client %s: its API key was revoked; disconnecting", connection.name)
        connection.send(format_packet(DISCONNECT))
        connection.send(None)

    def _tell_listeners(self, event: Dict[str, Any]) -> None:
        for listener in list(self.listeners):
            try:
                listener(event)
            except Exception:
                logger.exception("an event listener failed")


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _target(event: JsonObject) -> Optional[Expression]:
    """The parsed target of ``event``; ``None`` when it has none (raises ExpressionError)."""
    text = event.get("target")
    if not text:
        return None
    if not isinstance(text, str):
        raise ExpressionError(f"an event's target must be a string, not {type(text).__name__}")
    return parse_expression(text)


def _named_ids(text: str) -> Tuple[Optional[str], Optional[str]]:
    """The hub id (``source.id``) an event packet names, and the subscriber id of a subscribe
    (each None when there is none)."""
    try:
        packet = parse_packet(text)
        if packet.code != EVENT:
            return None, None
        args = json.loads(packet.data).get("args")
    except (ValueError, AttributeError, TypeError):
        return None, None
    event = args[0] if isinstance(args, list) and args and isinstance(args[0], dict) else {}
    source, data = event.get("source"), event.get("data")
    subscribing = event.get("topic") == TOPIC_SUBSCRIBE
    subscriber = data.get("subscriber") if subscribing and isinstance(data, dict) else None
    hub_id = source.get("id") if isinstance(source, dict) else None
    named = subscriber.get("id") if isinstance(subscriber, dict) else None
    return _text_id(hub_id), None if named in (None, "") else str(named)


def _text_id(value: object) -> Optional[str]:
    return value if isinstance(value, str) and value else None


def _failure(message: str) -> Dict[str, Any]:
    return {"success": False, "message": message}


def _legacy_type(entity_type: Optional[str]) -> Optional[str]:
    """ftrack's legacy lower-case name of a type: ``show`` for Project, ``task`` for contexts."""
    if not entity_type:
        return None
    if entity_type in _LEGACY_ENTITY_TYPES:
        return _LEGACY_ENTITY_TYPES[entity_type]
    return "task" if entity_type in _CONTEXT_TYPES else entity_type.lower()


def _parent_entry(parent: Any) -> Dict[str, Any]:
    """A ``parents`` entry from an id or ``{"entity_type", "entity_id", "parent_id"}``."""
    if not isinstance(parent, dict):
        return {"entityId": str(parent), "entityType": None, "entity_type": None, "parentId": None}
    entity_type = parent.get("entity_type")
    return {
        "entityId": str(parent.get("entity_id") or parent.get("entityId")),
        "entityType": parent.get("entityType") or _legacy_type(entity_type),
        "entity_type": entity_type,
        "parentId": parent.get("parent_id") or parent.get("parentId"),
    }


def _entity_change(change: Mapping[str, Any]) -> Dict[str, Any]:
    """One entry of an ``ftrack.update`` event's ``data.entities``, shaped like ftrack's.

    ``changes`` has an entry per key: ``new`` from the change's ``values`` (when given),
    ``old`` None, unless the change brings its own ``changes``. Keys are named as ftrack names
    them (``statusid``: ``update_keys``). ``parents`` starts with the entity itself, then its
    ancestors nearest first, as ftrack's do.
    """
    entity_type = str(change["entity_type"])
    entity_id = str(change["entity_id"])
    legacy = change.get("entityType") or _legacy_type(entity_type)
    values = change.get("values") or {}
    changes: Dict[str, Any] = {}
    for key in change.get("keys") or []:
        changes[event_key(legacy, key)] = {"new": values.get(key), "old": None}
    for key, value in (change.get("changes") or {}).items():
        changes[event_key(legacy, key)] = value
    keys = list(dict.fromkeys(event_key(legacy, key) for key in change.get("keys") or []))
    parent_id = change.get("parent_id")
    own = {
        "entityId": entity_id,
        "entityType": legacy,
        "entity_type": entity_type,
        "parentId": parent_id,
    }
    return {
        "entityId": entity_id,
        "entityType": legacy,
        "entity_type": entity_type,
        "action": change["action"],
        "keys": keys,
        "changes": changes,
        "parentId": parent_id,
        "parents": [own] + [_parent_entry(parent) for parent in change.get("parents") or []],
        "objectTypeId": change.get("object_type_id"),
    }
