"""What the hub reads in a client's frames: an event packet checked into an event or a failure
answer (:func:`read_event`), the ids a packet names (:func:`named_ids`), an event's target."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, Optional, Tuple

from ft_dcc.protocol.events import (
    EVENT,
    EVENT_NAMESPACE,
    TOPIC_SUBSCRIBE,
    TOPIC_UNSUBSCRIBE,
    Expression,
    ExpressionError,
    event_from_wire,
    parse_expression,
    parse_packet,
)
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.events.resume import SERVER_TOPIC_PREFIX


def read_event(data: str) -> Tuple[Optional[Dict[str, Any]], Optional[Dict[str, Any]]]:
    """The event an event packet's ``data`` carries, checked (topic, source, data of a
    subscribe), or ``(None, failure)`` to answer the client."""
    try:
        payload = json.loads(data)
    except ValueError:
        return None, failure("the event packet is not valid JSON")
    if not isinstance(payload, dict):
        payload = {}
    args = payload.get("args")
    if payload.get("name") != EVENT_NAMESPACE or not isinstance(args, list) or not args:
        return None, failure(f"expected {{'name': '{EVENT_NAMESPACE}', 'args': [<event>]}}")
    if not isinstance(args[0], dict):
        return None, failure(f"expected {{'name': '{EVENT_NAMESPACE}', 'args': [<event>]}}")
    event = event_from_wire(args[0])
    topic, source, content = event["topic"], event["source"], event["data"]
    if not isinstance(topic, str) or not topic:
        return None, failure("the event has no topic")
    if not isinstance(source, dict):
        return None, failure("the event's source must be an object")
    if topic.startswith(SERVER_TOPIC_PREFIX):
        return None, failure(f"the topic {topic[:80]} is the server's own ({SERVER_TOPIC_PREFIX}*)")
    if topic in (TOPIC_SUBSCRIBE, TOPIC_UNSUBSCRIBE) and not isinstance(content, dict):
        return None, failure(f"a {topic} event's data must be an object")
    return event, None


def on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def event_target(event: JsonObject) -> Optional[Expression]:
    """The parsed target of ``event``; ``None`` when it has none (raises ExpressionError)."""
    text = event.get("target")
    if not text:
        return None
    if not isinstance(text, str):
        raise ExpressionError(f"an event's target must be a string, not {type(text).__name__}")
    return parse_expression(text)


def named_ids(text: str) -> Tuple[Optional[str], Optional[str]]:
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
    return text_id(hub_id), None if named in (None, "") else str(named)


def text_id(value: object) -> Optional[str]:
    return value if isinstance(value, str) and value else None


def failure(message: str) -> Dict[str, Any]:
    return {"success": False, "message": message}
