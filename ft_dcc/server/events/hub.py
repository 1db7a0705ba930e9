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

The hub's rooms: :mod:`.connection` (one connected hub), :mod:`.hub_keeper` (hub ids, parked
hubs and their resume), :mod:`.packets` (what a client's frames carry), :mod:`.tickets` (the
handshake's sessions), :mod:`.update_event` (``ftrack.update``'s data), :mod:`.grants`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import platform
import threading
import time
import uuid
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Set

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
    TOPIC_SUBSCRIBE,
    TOPIC_UNSUBSCRIBE,
    WEBSOCKET_PATH_PREFIX,
    ExpressionError,
    event_from_wire,
    event_to_wire,
    format_packet,
    parse_expression,
    parse_packet,
)
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.events.connection import Connection, wants_event
from ft_dcc.server.events.grants import HubGrants, ticket_text, ticket_user
from ft_dcc.server.events.hub_keeper import HubIds
from ft_dcc.server.events.packets import event_target, failure, on_event_loop, read_event
from ft_dcc.server.events.resume import CONTROL_TOPIC, SERVER_TOPIC_PREFIX
from ft_dcc.server.events.tickets import LocalTickets
from ft_dcc.server.events.update_event import update_data
from ft_dcc.server.identity.layer import identity_of
from ft_dcc.server.identity.policy import Area, admits
from ft_dcc.server.limits import open_caps

logger = logging.getLogger(__name__)

#: the kind of the shared open counts (``open_caps.SharedOpenCounts``) for hub sockets
SOCKET_KIND = "hub socket"
#: the longest a commit's answer waits for its ``ftrack.update`` to be sent to the other server
#: processes (``EventBroker._route``); a send fails long before unless the database hangs
SETTLE_SECONDS = 15.0


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
        #: the grants of the connections, re-checked on revocations (see ``watch``)
        self.grants = HubGrants(self)
        self.connections: Set[Connection] = set()
        self.closed = False
        self.lock = threading.Lock()
        #: hub ids, parked hubs and their resume (``hub_keeper``)
        self.hubs = HubIds(self, resume_window, max_queue)
        #: Called with the brokers' own control messages, to pass them on to the other server
        #: processes (``ft_dcc.server.events.fanout``); they hand them to :meth:`deliver`.
        self.relay: Optional[Callable[[Dict[str, Any]], None]] = None
        #: Called with every event routed here, to deliver it in every server process, this one
        #: included, in one order (``fanout.PgEventRelay.tell``); returns what is set once it is
        #: sent. ``None``: routed events are delivered here at once (and passed to ``relay``).
        self.relay_all: Optional[Callable[[Dict[str, Any]], threading.Event]] = None
        #: Handshake sessions (``issue(ticket, ttl) -> sid``, ``claim(sid) -> ticket or None``):
        #: in this process, or shared with the other server processes (``fanout``).
        self.tickets: Any = LocalTickets()
        #: Called with every event delivered in this process (published here or relayed from
        #: another one), from the delivering thread; must not block (the review page's live
        #: streams, ``ft_dcc.server.review.presenter.live``).
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
        with self.lock:
            return len(self.connections)

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
        data = update_data(changes, user=user, user_id=user_id, client_token=client_token,
                           push_token=push_token)  # fmt: skip
        source: Dict[str, Any] = {"id": self.id}
        if user or user_id:
            source["user"] = {"username": user, "id": user_id}
        # answered once every process has it on its way, behind the commits answered before
        event = self._server_event({"topic": TOPIC_UPDATE, "data": data, "source": source})
        self._route(event, settle=True)

    def close(self) -> None:
        """Tell every connected hub the server is going away, then drop the connections."""
        with self.lock:
            self.closed = True
            connections = list(self.connections)
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
        sid = await self._ticket(self.tickets.issue, text, self._session_ttl)
        body = f"{sid}:{int(self._close_timeout)}:{int(self._close_timeout)}:websocket"
        return PlainTextResponse(body)

    async def _ticket(self, method: Any, *args: Any) -> Any:
        """A call of the tickets: at once when they are this process's, in a worker thread
        when they are the database's (``fanout.SharedTickets``)."""
        if getattr(self.tickets, "IN_MEMORY", False):
            return method(*args)
        return await run_in_threadpool(method, *args)

    async def _open_sockets(self, user: str) -> int:
        """How many sockets ``user`` has open (in every process when they are shared)."""
        if self.shared_open is not None:
            return int(await run_in_threadpool(self.shared_open.total, SOCKET_KIND, user))
        with self.lock:
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
        return sum(1 for connection in self.connections if connection.user == user)

    # -- websocket transport ------------------------------------------------------------------
    async def _websocket(self, websocket: WebSocket) -> None:
        text = await self._ticket(self.tickets.claim, websocket.path_params["sid"])
        if text is None:
            await websocket.close(code=1008, reason="unknown or expired socket.io session")
            return
        user, grant = ticket_user(text)
        if not await run_in_threadpool(self.grants.holds, grant):  # revoked since the handshake
            await websocket.close(code=1008, reason="the API key of this session was revoked")
            return
        await websocket.accept()
        connection = Connection(websocket, user, self._max_queue, grant)
        if not await self._enter_shared(user):
            await websocket.close(code=1008, reason="too many event hub sockets of this user")
            return
        with self.lock:  # one more than the most (sockets that raced the handshake's check)
            full = self._count_open(user) >= open_caps.most_sockets()
            if not full:
                self.connections.add(connection)
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
            with self.lock:
                self.connections.discard(connection)
                parked = self.hubs.park(connection)
            self.hubs.let_go()
            await self.hubs.release(connection)
            await self._leave_shared(user)
            self.hubs.tell_parked(parked)
            logger.debug("Event hub client %s disconnected", connection.name)

    async def _read(self, connection: Connection) -> None:
        while True:
            message = await connection.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                text = (message.get("bytes") or b"").decode("utf-8", "replace")
            connection.last_seen = time.monotonic()
            if self.shared_hub_ids is not None:
                await self.hubs.clear_named(connection, text)
            if not self._on_packet(connection, text):
                return

    async def _write(self, connection: Connection) -> None:
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

    async def _heartbeat(self, connection: Connection) -> None:
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

    def _on_packet(self, connection: Connection, text: str) -> bool:
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

    def _on_event_packet(self, connection: Connection, data: str) -> Dict[str, Any]:
        event, failed = read_event(data)
        if event is None:
            return failed or failure("the event packet could not be read")
        topic, source, request = event["topic"], event["source"], event["data"]
        hub_id = source.get("id")
        if isinstance(hub_id, str) and hub_id and not connection.speaks_as(hub_id):
            if not self.hubs.bind(connection, hub_id):
                return failure("this hub id (source.id) is another connection's; use your own")
            self.hubs.resume(connection, hub_id)
        if topic == TOPIC_SUBSCRIBE:
            return self._subscribe(connection, request)
        if topic == TOPIC_UNSUBSCRIBE:
            return self._unsubscribe(connection, request)
        event["id"] = event["id"] or uuid.uuid4().hex
        source["user"] = {"username": connection.user, "id": connection.user_id}  # server-set
        try:
            self._route(event)
        except ExpressionError as error:
            return failure(f"invalid event target: {error}")
        return {"success": True, "message": "Event published."}

    def _subscribe(self, connection: Connection, data: Dict[str, Any]) -> Dict[str, Any]:
        subscriber = data.get("subscriber")
        if not isinstance(subscriber, dict) or not subscriber.get("id"):
            return failure("a subscribe event needs data.subscriber with an id")
        try:
            expression = parse_expression(str(data.get("subscription") or ""))
        except ExpressionError as error:
            return failure(f"invalid subscription: {error}")
        ident = str(subscriber["id"])
        bound = connection.speaks_as(ident) or self.hubs.bind(connection, ident, subscriber=True)
        if not bound:
            return failure("this subscriber id is another connection's; use your own")
        # the server's word, as for an event's source.user: targets naming user.id or
        # user.username reach only that User's sockets, whatever the client declared
        metadata = dict(subscriber, user={"id": connection.user_id, "username": connection.user})
        with self.lock:
            connection.subscribers[ident] = (metadata, expression)
            connection.texts[ident] = str(data.get("subscription") or "")
        return {"success": True, "message": "Subscribed."}

    def _unsubscribe(self, connection: Connection, data: Dict[str, Any]) -> Dict[str, Any]:
        subscriber = data.get("subscriber")
        subscriber_id = subscriber.get("id") if isinstance(subscriber, dict) else None
        with self.lock:
            found = connection.subscribers.pop(str(subscriber_id), None)
            connection.texts.pop(str(subscriber_id), None)
        if found is None:
            return failure(f"no subscriber {subscriber_id!r} on this connection")
        return {"success": True, "message": "Unsubscribed."}

    def _route(self, event: Dict[str, Any], settle: bool = False) -> None:
        """Send ``event`` to every connection that wants it, here and in the other server
        processes (raises ExpressionError on target). Through ``relay_all`` every process gets
        the events in one order; with ``settle`` (and off the event loop) this returns once the
        event is sent, so what is routed after it comes after it everywhere."""
        event_target(event)  # an invalid target is refused before anything is sent
        if event.get("sent") is None:
            event["sent"] = dt.datetime.now(dt.timezone.utc).isoformat()
        if self.relay_all is None:
            self.deliver(event)
            if self.relay is not None:
                self.relay(event)
            return
        sent = self.relay_all(event)
        if settle and not on_event_loop() and not sent.wait(SETTLE_SECONDS):
            logger.warning("event %s is not sent to the server processes after %.0f s; "
                           "answering without it", event.get("id"), SETTLE_SECONDS)  # fmt: skip

    def deliver(self, event: JsonObject) -> None:
        """Send ``event`` to this process's connections that want it, and keep it for the parked
        hubs that want it (raises ExpressionError)."""
        if event.get("topic") == CONTROL_TOPIC:  # only ever relayed from another process
            data = event.get("data")
            self.hubs.on_control(data if isinstance(data, dict) else {})
            return
        if str(event.get("topic") or "").startswith(SERVER_TOPIC_PREFIX):
            self._tell_listeners(event)  # the server's own (e.g. the review presenter's state)
            return
        target = event_target(event)
        if event.get("sent") is None:
            event["sent"] = dt.datetime.now(dt.timezone.utc).isoformat()
        event_id = str(event.get("id") or uuid.uuid4().hex)
        payload = {"name": EVENT_NAMESPACE, "args": [event_to_wire(event)]}
        frame = format_packet(EVENT, data=json.dumps(payload, default=str))
        only = self.grants.reply_user(event)  # a reply goes to its asker's sockets only
        with self.lock:
            receivers = [
                c for c in self.connections
                if not c.revoked and (only is None or c.user == only) and c.wants(event, target)
            ]  # fmt: skip
            for hub in self.hubs.parking.hubs():
                if only is not None and hub.user != only:
                    continue
                if wants_event(hub.subscribers, hub.hub_ids, event, target):
                    hub.keep((event_id, frame))
        for connection in receivers:
            connection.send(frame, event_id)
        self._tell_listeners(event)

    def connections_of(self, user_id: Optional[str]) -> List[Connection]:
        """The open connections whose grant is ``user_id``'s (``None``: every one with a grant)."""
        with self.lock:
            return [
                c for c in self.connections
                if c.grant is not None and not c.revoked
                and (user_id is None or c.user_id == user_id)
            ]  # fmt: skip

    def cut(self, connection: Connection) -> None:
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
