"""``session.event_hub``: publish and subscribe to ftrack events over ftrack's socket.io 0.9 hub.

Works with ftrack servers and the embedded server alike. The websocket client is the optional
``websocket-client`` package (``pip install 'ft-dcc[events]'``), imported only on ``connect()``.

Threads: a receiver thread reads the socket (acks, heartbeats, replies, reconnection) and a
dispatcher thread runs subscriber callbacks, so callbacks fire without calling :meth:`wait`
(pass ``dispatch_in_background=False`` to run them only inside :meth:`wait`, as ftrack's hub
does, e.g. to keep them on a DCC's main thread). An unreachable hub raises
:class:`~ft_dcc.exceptions.EventHubError` from :meth:`connect` within ``timeout`` seconds;
:meth:`connect_in_background` only logs a warning, so a session never waits for events.

This module is the public facade and the connection's life (connect, receive, reconnect,
send); ``event`` (Event), ``event_socket`` (opening the websocket), ``event_subscribers``
(registration and local dispatch) and ``event_replies`` (reply callbacks and waiters) do the rest.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import logging
import platform
import queue
import threading
import time
import urllib.parse
import uuid
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Mapping, Optional, Union

from ft_dcc.exceptions import EventHubError
from ft_dcc.protocol.events import (
    ACK,
    DISCONNECT,
    ERROR,
    EVENT,
    HEARTBEAT,
    TOPIC_CONNECTED,
    TOPIC_DISCONNECTED,
    TOPIC_REPLY,
    TOPIC_SUBSCRIBE,
    TOPIC_UNSUBSCRIBE,
    format_packet,
    parse_packet,
)
from ft_dcc.session.event import Event, as_event, encode_event, received_event
from ft_dcc.session.event_replies import Replies, Waiter
from ft_dcc.session.event_socket import (
    INSTALL_HINT,
    EventSocket,
    open_socket,
    websocket_module,
)
from ft_dcc.session.event_subscribers import Subscriber, SubscriberOptions, Subscribers

if TYPE_CHECKING:  # pragma: no cover - Unpack is typing's from Python 3.11
    from typing_extensions import Unpack

logger = logging.getLogger(__name__)

__all__ = ["INSTALL_HINT", "Event", "EventHub"]

_MAX_BACKLOG = 1000


#: what ``publish`` returns: the event id, the local results (synchronous), or None (ignored)
Published = Union[str, List[object], None]


class EventHub:
    """A connection to an ftrack event hub.

    ``server_url`` is the ftrack server (only its scheme and host:port are used, as ftrack's
    client does). ``timeout`` bounds :meth:`connect` and waits for acknowledgements.
    ``heartbeat_timeout``: how long a silent connection is trusted before reconnecting.
    ``reconnect_attempts`` / ``reconnect_delay``: retries after an unexpected disconnect.
    """

    def __init__(
        self,
        server_url: str,
        api_user: str,
        api_key: str,
        *,
        timeout: float = 10.0,
        headers: Optional[Dict[str, str]] = None,
        heartbeat_timeout: float = 60.0,
        reconnect_attempts: int = 30,
        reconnect_delay: float = 10.0,
        dispatch_in_background: bool = True,
    ) -> None:
        self.id = uuid.uuid4().hex
        self.timeout = timeout
        parsed = urllib.parse.urlsplit(server_url or "")
        self._scheme = parsed.scheme
        self._netloc = parsed.netloc
        self._api_user = api_user
        self._api_key = api_key
        self._headers = dict(headers or {})
        self._heartbeat_timeout = heartbeat_timeout
        self._reconnect_attempts = reconnect_attempts
        self._reconnect_delay = reconnect_delay
        self._dispatch_in_background = dispatch_in_background

        self._lock = threading.RLock()
        self._send_lock = threading.Lock()
        self._connect_lock = threading.Lock()
        self._socket: Optional[EventSocket] = None
        self._wanted = False  # connect() was called and disconnect() was not
        self._stopping = threading.Event()
        self._receiver: Optional[threading.Thread] = None
        self._dispatcher: Optional[threading.Thread] = None
        self._incoming: queue.Queue = queue.Queue()
        self._backlog: collections.deque = collections.deque(maxlen=_MAX_BACKLOG)
        self._packet_ids = itertools.count(1)
        self._acks: Dict[int, Callable[[Dict[str, Any]], None]] = {}
        self._replies = Replies(self._lock)
        self._subscribers = Subscribers(self._lock)
        self._last_error = ""

    def __repr__(self) -> str:
        state = "connected" if self.connected else "disconnected"
        return f"<EventHub {self.server_url} user={self._api_user!r} {state}>"

    # -- connection ---------------------------------------------------------------------------
    @property
    def server_url(self) -> str:
        """The hub's base URL (scheme and host of the ftrack server)."""
        return f"{self._scheme}://{self._netloc}"

    @property
    def connected(self) -> bool:
        """Whether the hub is connected right now."""
        sock = self._socket
        return sock is not None and bool(getattr(sock, "connected", False))

    def connect(self) -> None:
        """Connect (a no-op when connected); raise EventHubError within ``timeout`` if not."""
        self._connect(revive=True)

    def connect_in_background(self) -> threading.Thread:
        """Connect in a daemon thread; failure is logged as a warning, never raised.

        Events published meanwhile are queued and sent once connected (dropped on failure).
        A :meth:`disconnect` before the connection is up cancels it.
        """
        with self._lock:
            self._wanted = True
            self._stopping.clear()

        def run() -> None:
            try:
                self._connect(revive=False)
            except EventHubError as error:
                if self._stopping.is_set():  # disconnect() came first: nothing to report
                    logger.debug("Background event hub connection cancelled: %s", error)
                else:
                    logger.warning("Event hub not connected, events are off: %s", error)

        thread = threading.Thread(target=run, name="ft_dcc-event-hub-connect", daemon=True)
        thread.start()
        return thread

    def _connect(self, revive: bool) -> None:
        """Connect; unless ``revive``, only if no disconnect() came since connect was asked."""
        with self._connect_lock:  # one connection attempt at a time
            with self._lock:
                if self.connected:
                    return
                receiver = self._receiver
                if self._wanted and receiver is not None and receiver.is_alive():
                    logger.debug("The event hub is already reconnecting")
                    return
                if not revive and not self._wanted:
                    raise EventHubError("The event hub connection was cancelled by disconnect()")
                self._wanted = True
                self._stopping.clear()
            try:
                websocket = websocket_module()
                self._open(websocket)
            except EventHubError as error:
                with self._lock:
                    self._wanted = False
                    self._last_error = error.message
                    dropped = len(self._backlog)
                    self._backlog.clear()
                if dropped:
                    logger.warning("Dropped %d event(s) published while connecting", dropped)
                raise
            self._start_threads(websocket)
        self._after_connect(wait_for_acks=True)

    def disconnect(self) -> None:
        """Close the connection and stop the hub's threads (a no-op when not connected).

        Also cancels a connection still being made by :meth:`connect_in_background`.
        """
        with self._lock:
            self._wanted = False
            self._stopping.set()
            sock, self._socket = self._socket, None
            receiver, self._receiver = self._receiver, None
            dispatcher, self._dispatcher = self._dispatcher, None
            self._backlog.clear()
        if sock is not None:
            with contextlib.suppress(Exception), self._send_lock:
                sock.send(format_packet(DISCONNECT))
            with contextlib.suppress(Exception):
                sock.abort()  # wakes the receiver thread blocked in recv()
        current = threading.current_thread()
        if receiver is not None and receiver is not current:
            receiver.join(self.timeout)
        if dispatcher is not None:
            self._incoming.put(None)
            if dispatcher is not current:
                dispatcher.join(self.timeout)
        if sock is not None:
            with contextlib.suppress(Exception):
                sock.shutdown()

    def _open(self, websocket: Any) -> None:
        """Open the websocket and keep it, unless disconnect() was called meanwhile."""
        sock = open_socket(
            websocket,
            self._scheme,
            self._netloc,
            self._api_user,
            self._api_key,
            self._headers,
            self.timeout,
            self._heartbeat_timeout,
        )
        with self._lock:
            if not self._wanted:  # disconnect() was called meanwhile
                with contextlib.suppress(Exception):
                    sock.shutdown()
                raise EventHubError("The event hub connection was cancelled by disconnect()")
            self._socket = sock
        logger.debug("Connected to the event hub at %s", self.server_url)

    def _start_threads(self, websocket: Any) -> None:
        with self._lock:
            if self._stopping.is_set():  # disconnect() won the race with connect()
                raise EventHubError("The event hub connection was cancelled by disconnect()")
            self._receiver = threading.Thread(
                target=self._receive_loop, args=(websocket,), name="ft_dcc-event-hub", daemon=True
            )
            self._receiver.start()
            if self._dispatch_in_background and self._dispatcher is None:
                self._dispatcher = threading.Thread(
                    target=self._dispatch_loop, name="ft_dcc-event-dispatch", daemon=True
                )
                self._dispatcher.start()

    def _after_connect(self, wait_for_acks: bool) -> None:
        """Announce this hub's reply handler and subscribers, then send queued events."""
        with self._lock:
            self._subscribers.add_once(f"topic={TOPIC_REPLY}", self._replies.dispatch, self.id)
            subscribers = self._subscribers.all_except(self.id)
            backlog = list(self._backlog)
            self._backlog.clear()
        for subscriber in subscribers:
            self._announce(subscriber, wait=wait_for_acks)
        for event, on_reply in backlog:
            try:
                self._publish(event, on_reply=on_reply)
            except EventHubError as error:
                logger.warning("Could not send queued event %s: %s", event["topic"], error)
        self._incoming.put(self._local_event(TOPIC_CONNECTED))

    # -- receiving ----------------------------------------------------------------------------
    def _receive_loop(self, websocket: Any) -> None:
        while not self._stopping.is_set():
            sock = self._socket
            try:
                if sock is None:
                    raise EventHubError("not connected")
                frame = sock.recv()
                if not frame:  # a websocket close frame
                    raise EventHubError("the server closed the connection")
                self._on_frame(frame)
            except (ValueError, KeyError, TypeError) as error:
                logger.debug("Ignoring a bad event hub packet: %s", error)
            except Exception as error:
                if self._stopping.is_set() or not self._wanted:
                    break
                logger.warning("Lost the event hub connection (%s); reconnecting", error)
                if not self._reconnect(websocket, sock):
                    break

    def _reconnect(self, websocket: Any, dead: Any) -> bool:
        with self._lock:
            if self._socket is dead:
                self._socket = None
            self._acks.clear()  # the dead connection will never acknowledge these
        with contextlib.suppress(Exception):
            dead.shutdown()
        delay = min(0.5, self._reconnect_delay)
        for _attempt in range(self._reconnect_attempts):
            if self._stopping.wait(delay):
                return False
            try:
                with self._connect_lock:
                    self._open(websocket)
            except EventHubError as error:
                self._last_error = error.message
                delay = min(delay * 2, self._reconnect_delay)
                continue
            logger.info("Reconnected to the event hub at %s", self.server_url)
            self._after_connect(wait_for_acks=False)
            return True
        logger.warning(
            "Gave up reconnecting to the event hub at %s after %d attempts: %s",
            self.server_url,
            self._reconnect_attempts,
            self._last_error,
        )
        with self._lock:
            self._wanted = False
            self._backlog.clear()
        self._stopping.set()
        self._incoming.put(self._local_event(TOPIC_DISCONNECTED))
        return False

    def _on_frame(self, frame: str) -> None:
        packet = parse_packet(frame)
        if packet.code == HEARTBEAT:
            self._send(format_packet(HEARTBEAT))
        elif packet.code == EVENT:
            payload = json.loads(packet.data)
            args = payload.get("args") if isinstance(payload, dict) else None
            if not args or not isinstance(args[0], dict):
                logger.debug("Ignoring event packet without an event: %s", frame[:200])
                return
            event = received_event(args[0])
            if event is None:
                logger.debug("Ignoring an event without a topic: %s", frame[:200])
                return
            self._replies.received(event)
            self._incoming.put(event)
        elif packet.code == ACK:
            number, _, encoded = packet.data.partition("+")
            callback = self._acks.pop(int(number), None) if number.isdigit() else None
            if callback is not None:
                args = json.loads(encoded) if encoded else []
                callback(args[0] if args and isinstance(args[0], dict) else {})
        elif packet.code == DISCONNECT:
            raise EventHubError("the server closed the connection")
        elif packet.code == ERROR:
            logger.error("The event hub reported an error: %s", packet.data)

    def _dispatch_loop(self) -> None:
        while True:
            event = self._incoming.get()
            if event is None:
                return
            self._handle(event)

    def wait(self, duration: Optional[float] = None) -> None:
        """Process events for ``duration`` seconds (forever if None, until disconnected).

        With background dispatch callbacks run anyway, and this only waits.
        """
        if not self._wanted and self._incoming.empty():
            raise EventHubError(
                "The event hub is not connected, so there are no events to wait for",
                hint="call event_hub.connect() first (or Session(auto_connect_event_hub=True))",
            )
        if self._dispatch_in_background:
            self._stopping.wait(duration)
            return
        deadline = None if duration is None else time.monotonic() + duration
        while deadline is None or time.monotonic() < deadline:
            try:
                event = self._incoming.get(timeout=0.1)
            except queue.Empty:
                if not self._wanted:
                    return
                continue
            if event is not None:
                self._handle(event)

    # -- subscribing --------------------------------------------------------------------------
    def subscribe(
        self,
        expression: str,
        callback: Callable[[Event], object],
        subscriber: Optional[Mapping[str, object]] = None,
        priority: int = 100,
    ) -> str:
        """Call ``callback(event)`` for events matching ``expression``; return the subscriber id.

        A callback's non-None return value is sent back as a reply to the event's publisher.
        """
        entry = self._subscribers.add(
            expression, callback, subscriber=subscriber, priority=priority
        )
        if self.connected:
            self._announce(entry, wait=threading.current_thread() is not self._receiver)
        return str(entry.id)

    def unsubscribe(self, subscriber_id: str) -> None:
        """Remove the subscriber with ``subscriber_id`` (here and on the server)."""
        removed = self._subscribers.remove(subscriber_id)
        if self.connected:
            event = Event(TOPIC_UNSUBSCRIBE, data={"subscriber": removed.metadata})
            with contextlib.suppress(EventHubError):
                self._send_event(event, _log_failure("unsubscribe"))

    @contextlib.contextmanager
    def subscription(
        self,
        expression: str,
        callback: Callable[[Event], object],
        **options: Unpack[SubscriberOptions],
    ) -> Iterator[str]:
        """``with hub.subscription(expr, cb):`` subscribes for the block only (``subscriber``
        and ``priority`` as :meth:`subscribe`'s)."""
        subscriber_id = self.subscribe(expression, callback, **options)
        try:
            yield subscriber_id
        finally:
            self.unsubscribe(subscriber_id)

    def _announce(self, subscriber: Subscriber, wait: bool) -> None:
        """Tell the server about ``subscriber``; with ``wait``, until it acknowledged."""
        event = Event(
            TOPIC_SUBSCRIBE,
            data={"subscriber": subscriber.metadata, "subscription": subscriber.subscription},
        )
        waiter = Waiter()

        def acknowledged(response: Dict[str, Any]) -> None:
            if response.get("success") is False:
                logger.warning(
                    "The event hub refused subscription %r: %s",
                    subscriber.subscription,
                    response.get("message"),
                )
            waiter.done.set()

        try:
            self._send_event(event, acknowledged)
        except EventHubError as error:
            logger.debug("Subscription not announced yet (%s); will retry on reconnect", error)
            return
        if wait and not waiter.done.wait(self.timeout):
            logger.warning("The event hub did not acknowledge subscription %r", event["data"])

    # -- publishing ---------------------------------------------------------------------------
    def publish(
        self,
        event: Mapping[str, object],
        synchronous: bool = False,
        on_reply: Optional[Callable[[Event], object]] = None,
        on_error: str = "raise",
    ) -> Published:
        """Publish ``event`` (an :class:`Event`; a plain dict is converted).

        ``synchronous=True`` only calls this hub's own matching subscribers and returns their
        results (as ftrack does). Otherwise the event goes to the server and the event id is
        returned; ``on_reply(reply_event)`` is called for each reply. While (re)connecting,
        events are queued. Not connected at all: EventHubError, or None with
        ``on_error="ignore"``.
        """
        try:
            return self._publish(as_event(event), synchronous=synchronous, on_reply=on_reply)
        except EventHubError:
            if on_error == "ignore":
                return None
            raise

    def publish_reply(
        self,
        source_event: Event,
        data: object,
        source: Optional[Mapping[str, object]] = None,
    ) -> None:
        """Reply to ``source_event``: only its publisher's hub receives ``data``."""
        reply = Event(
            TOPIC_REPLY,
            data=data,
            target=f"id={source_event['source']['id']}",
            in_reply_to_event=source_event["id"],
            source=dict(source) if source else None,
        )
        self.publish(reply)

    def request(self, event: Mapping[str, object], timeout: Optional[float] = None) -> Event:
        """Publish ``event`` and block until the first reply arrives; return the reply.

        Raises EventHubError when not connected or no reply came within ``timeout``
        (default: the hub's timeout).
        """
        event = as_event(event)
        with self._replies.waiting(event["id"]) as waiter:
            if not self.connected:
                raise EventHubError(
                    f"Cannot send request {event['topic']!r}: the event hub is not connected",
                    hint="call event_hub.connect() first",
                )
            self._publish(event)
            wait_for = self.timeout if timeout is None else timeout
            if not waiter.done.wait(wait_for):
                raise EventHubError(
                    f"No reply to {event['topic']!r} within {wait_for:g} s",
                    hint="check that a subscriber for this topic is running",
                )
            return waiter.value

    def _publish(
        self,
        event: Event,
        synchronous: bool = False,
        on_reply: Optional[Callable[[Event], object]] = None,
    ) -> Published:
        self._prepare(event)
        if synchronous:
            return self._handle(event, synchronous=True)
        encode_event(event)  # fail now, not when a queued event is sent
        if on_reply is not None:
            self._replies.on_reply(event["id"], on_reply)
        if self.connected:
            try:
                self._send_event(event, _log_failure(f"publish {event['topic']!r}"))
                return event["id"]
            except EventHubError:
                if not self._wanted:
                    raise
        with self._lock:
            if self._wanted:
                self._backlog.append((event, on_reply))
                return event["id"]
        reason = f" (last error: {self._last_error})" if self._last_error else ""
        raise EventHubError(
            f"Cannot publish {event['topic']!r}: the event hub is not connected{reason}",
            hint="call event_hub.connect() first, or publish with on_error='ignore'",
        )

    def _prepare(self, event: Event) -> None:
        event["source"].setdefault("id", self.id)
        event["source"].setdefault("user", {"username": self._api_user})
        event["source"].setdefault("host", platform.node())

    def _send_event(self, event: Event, on_ack: Callable[[Dict[str, Any]], None]) -> None:
        self._prepare(event)
        data = encode_event(event)
        number = next(self._packet_ids)
        self._acks[number] = on_ack
        try:
            self._send(format_packet(EVENT, f"{number}+", "", data))
        except EventHubError:
            self._acks.pop(number, None)
            raise

    def _send(self, frame: str) -> None:
        sock = self._socket
        if sock is None:
            raise EventHubError("the event hub is not connected")
        try:
            with self._send_lock:
                sock.send(frame)
        except Exception as error:
            raise EventHubError(f"Sending to the event hub failed: {error}") from None

    # -- local dispatch -----------------------------------------------------------------------
    def _handle(self, event: Event, synchronous: bool = False) -> List[object]:
        """Call every interested subscriber by priority; return their results."""
        return self._subscribers.dispatch(event, None if synchronous else self._reply)

    def _reply(self, event: Event, result: object, subscriber: Subscriber) -> None:
        self.publish_reply(event, result, source=subscriber.metadata)

    def _local_event(self, topic: str) -> Event:
        event = Event(topic)
        self._prepare(event)
        return event


def _log_failure(action: str) -> Callable[[Dict[str, Any]], None]:
    def acknowledged(response: Dict[str, Any]) -> None:
        if response.get("success") is not True:
            logger.error("The event hub refused to %s: %s", action, response.get("message"))

    return acknowledged
