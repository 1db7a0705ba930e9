"""``Event``: an ftrack event as a dict, and its JSON form in a socket.io event packet."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any, Dict, Optional

from ft_dcc.exceptions import EventHubError
from ft_dcc.protocol.events import EVENT_NAMESPACE, event_from_wire, event_to_wire

_EVENT_ARGS = ("topic", "id", "data", "sent", "source", "target", "in_reply_to_event")


class Event(dict):
    """An ftrack event: ``topic``, ``data``, ``source``, ``target``, ``id``,
    ``in_reply_to_event`` and ``sent`` (like ``ftrack_api.event.base.Event``)."""

    def __init__(
        self,
        topic: str,
        id: Optional[str] = None,
        data: object = None,  # a dict, or whatever a subscriber replied
        sent: object = None,
        source: Optional[Mapping[str, object]] = None,
        target: str = "",
        in_reply_to_event: Optional[str] = None,
    ) -> None:
        super().__init__(
            id=id or uuid.uuid4().hex,
            topic=topic,
            data=data if data is not None else {},
            sent=sent,
            source=source if source is not None else {},
            target=target or "",
            in_reply_to_event=in_reply_to_event,
        )
        self._stopped = False

    def stop(self) -> None:
        """Stop later (lower priority) subscribers of this hub from seeing this event."""
        self._stopped = True

    def is_stopped(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stopped


def as_event(event: Mapping[str, object]) -> Event:
    """``event`` as an :class:`Event` (a mapping with a topic is converted)."""
    if isinstance(event, Event):
        return event
    if not isinstance(event, Mapping) or not event.get("topic"):
        raise EventHubError(f"Cannot publish {event!r}: an event needs a topic")
    # passed on as given, like ``ftrack_api.event.base.Event(**event)``
    arguments: Dict[str, Any] = {key: value for key, value in event.items() if key in _EVENT_ARGS}
    return Event(**arguments)


def received_event(wire: Mapping[str, object]) -> Optional[Event]:
    """The event a server sent, from its wire form; None when it has no topic. A field of the
    wrong type gets its default (a new ``id``, no ``source``, no ``target``, no reply-to)."""
    fields = event_from_wire(wire)
    topic, event_id, source = fields["topic"], fields["id"], fields["source"]
    target, reply_to = fields["target"], fields["in_reply_to_event"]
    if not isinstance(topic, str) or not topic:
        return None
    return Event(
        topic,
        id=event_id if isinstance(event_id, str) else None,
        data=fields["data"],
        sent=fields["sent"],
        source=source if isinstance(source, Mapping) else None,
        target=target if isinstance(target, str) else "",
        in_reply_to_event=reply_to if isinstance(reply_to, str) else None,
    )


def encode_event(event: Event) -> str:
    """The data of an event packet; EventHubError if the event is not JSON."""
    try:
        return json.dumps({"name": EVENT_NAMESPACE, "args": [event_to_wire(event)]})
    except (TypeError, ValueError) as error:
        raise EventHubError(
            f"Cannot send event {event['topic']!r}: its content is not JSON ({error})",
            hint="publish only plain dicts, lists, strings, numbers, booleans and None",
        ) from None
