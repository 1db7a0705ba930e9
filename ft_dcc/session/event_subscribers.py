"""An event hub's subscribers: registration by id and local dispatch of events by priority."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from typing import TYPE_CHECKING, Callable, Dict, List, Mapping, Optional, TypedDict

import attr

from ft_dcc.exceptions import EventHubError
from ft_dcc.protocol.events import Expression, ExpressionError, parse_expression
from ft_dcc.session.event import Event

if TYPE_CHECKING:  # pragma: no cover - Unpack is typing's from Python 3.11
    from typing_extensions import Unpack

# Hub messages share the event hub's logger, whichever module logs them.
logger = logging.getLogger("ft_dcc.session.event_hub")

#: ``reply(event, result, subscriber)``: send a callback's non-None result back.
Reply = Callable[[Event, object, "Subscriber"], None]


class SubscriberOptions(TypedDict, total=False):
    """A subscription's options besides its expression and callback (``EventHub.subscribe``)."""

    subscriber: Optional[Mapping[str, object]]  # metadata; a new ``id`` unless it has one
    priority: int  # lower runs first; 100 when missing


@attr.s(auto_attribs=True)
class Subscriber:
    """A callback for events matching ``subscription`` (parsed as ``expression``)."""

    subscription: str
    expression: Expression
    callback: Callable[[Event], object]
    metadata: Dict[str, object]
    priority: int = 100

    @property
    def id(self) -> object:
        return self.metadata.get("id")


class Subscribers:
    """The subscribers of one hub, guarded by the hub's ``lock``."""

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._items: List[Subscriber] = []

    def add(
        self,
        expression: str,
        callback: Callable[[Event], object],
        **options: Unpack[SubscriberOptions],
    ) -> Subscriber:
        """Register ``callback``; EventHubError for a bad expression, non-JSON metadata or an
        id already in use. The metadata gets a new ``id`` unless it has one."""
        try:
            parsed = parse_expression(expression)
        except ExpressionError as error:
            raise EventHubError(f"Invalid subscription: {error}") from None
        metadata = dict(options.get("subscriber") or {})
        metadata.setdefault("id", uuid.uuid4().hex)
        try:
            json.dumps(metadata)
        except (TypeError, ValueError) as error:
            raise EventHubError(f"Subscriber metadata must be JSON: {error}") from None
        entry = Subscriber(expression, parsed, callback, metadata, options.get("priority", 100))
        with self._lock:
            if any(s.id == metadata["id"] for s in self._items):
                raise EventHubError(f"A subscriber with id {metadata['id']!r} already exists")
            self._items.append(entry)
        return entry

    def add_once(self, expression: str, callback: Callable[[Event], object], id: str) -> None:
        """Register ``callback`` as subscriber ``id`` unless that id is registered already."""
        with self._lock:
            if not any(s.id == id for s in self._items):
                self._items.append(
                    Subscriber(expression, parse_expression(expression), callback, {"id": id})
                )

    def remove(self, subscriber_id: str) -> Subscriber:
        """Unregister and return subscriber ``subscriber_id``; EventHubError if unknown."""
        with self._lock:
            found = [s for s in self._items if s.id == subscriber_id]
            if not found:
                raise EventHubError(f"No subscriber with id {subscriber_id!r} to unsubscribe")
            self._items.remove(found[0])
        return found[0]

    def all_except(self, subscriber_id: str) -> List[Subscriber]:
        """Every subscriber but ``subscriber_id``, in registration order."""
        with self._lock:
            return [s for s in self._items if s.id != subscriber_id]

    def dispatch(self, event: Event, reply: Optional[Reply]) -> List[object]:
        """Call every interested subscriber by priority and return their results.

        A subscriber is interested if ``event`` matches its subscription and its metadata
        matches the event's ``target``. Non-None results go to ``reply`` (if given);
        ``event.stop()`` ends the round. Callback and reply errors are logged, not raised.
        """
        target: Optional[Expression] = None
        if event.get("target"):
            try:
                target = parse_expression(event["target"])
            except ExpressionError as error:
                logger.error("Ignoring event %s with a bad target: %s", event["id"], error)
                return []
        with self._lock:
            subscribers = sorted(self._items, key=lambda s: s.priority)
        results = []
        for subscriber in subscribers:
            if target is not None and not target.match(subscriber.metadata):
                continue
            if not subscriber.expression.match(event):
                continue
            try:
                result = subscriber.callback(event)
            except Exception:
                logger.exception("Event subscriber %s failed on %s", subscriber.metadata, event)
                continue
            results.append(result)
            if result is not None and reply is not None:
                try:
                    reply(event, result, subscriber)
                except Exception:
                    logger.exception("Could not send the reply to event %s", event["id"])
            if event.is_stopped():
                break
        return results
