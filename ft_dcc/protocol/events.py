"""Event hub wire facts shared by the client hub and the server broker.

ftrack's event hub speaks the socket.io 0.9 protocol over a websocket. Packets are text frames
``"<code>:<id>:<endpoint>:<data>"``; events travel as code ``5`` with data
``{"name": "ftrack.event", "args": [<event>]}``, and an event's ``in_reply_to_event`` key is
spelled ``inReplyToEvent`` on the wire.

Subscriptions and event targets use ftrack's small expression language
(``topic=ftrack.update and (data.x=1 or not source.user.username=bot)``): conditions
``key OP value`` with ``OP`` one of ``= != >= <= > <``, combined with ``and``, ``or``, ``not`` and
parentheses. Values are strings (quoted or bare); a trailing ``*`` on an ``=`` value means "the
actual value contains the rest". A missing key never matches. One extension over ftrack's own
matcher: when a key path meets a list (``data.entities.entityType`` on ``ftrack.update``), the
condition matches if it matches for any element.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Sequence

# -- socket.io 0.9 ----------------------------------------------------------------------------
SOCKET_IO_PATH = "/socket.io/1/"
WEBSOCKET_PATH_PREFIX = "/socket.io/1/websocket/"

DISCONNECT = "0"
CONNECT = "1"
HEARTBEAT = "2"
MESSAGE = "3"
JSON_MESSAGE = "4"
EVENT = "5"
ACK = "6"
ERROR = "7"

EVENT_NAMESPACE = "ftrack.event"

# -- topics -----------------------------------------------------------------------------------
TOPIC_SUBSCRIBE = "ftrack.meta.subscribe"
TOPIC_UNSUBSCRIBE = "ftrack.meta.unsubscribe"
TOPIC_REPLY = "ftrack.meta.reply"
TOPIC_CONNECTED = "ftrack.meta.connected"
TOPIC_DISCONNECTED = "ftrack.meta.disconnected"

#: The only top-level keys an event may have: the genuine client drops events with any other.
EVENT_KEYS = ("id", "topic", "data", "sent", "source", "target", "in_reply_to_event")
WIRE_REPLY_KEY = "inReplyToEvent"


class Packet(NamedTuple):
    """One socket.io 0.9 packet."""

    code: str
    id: str = ""
    endpoint: str = ""
    data: str = ""


def parse_packet(text: str) -> Packet:
    """Split a socket.io frame into its parts (``data`` may itself contain colons)."""
    parts = text.split(":", 3)
    if not parts[0]:
        raise ValueError(f"invalid socket.io packet {text[:80]!r}")
    return Packet(*(parts + [""] * (4 - len(parts))))


def format_packet(code: str, packet_id: str = "", endpoint: str = "", data: str = "") -> str:
    """Join packet parts into a frame: ``format_packet("2")`` is ``"2::"``."""
    frame = f"{code}:{packet_id}:{endpoint}"
    return f"{frame}:{data}" if data else frame


def event_to_wire(event: Mapping[str, object]) -> Dict[str, object]:
    """The wire form of an event: only known keys, ``in_reply_to_event`` renamed."""
    wire = {key: event.get(key) for key in EVENT_KEYS if key != "in_reply_to_event"}
    wire[WIRE_REPLY_KEY] = event.get("in_reply_to_event")
    return wire


def event_from_wire(payload: Mapping[str, object]) -> Dict[str, object]:
    """An event dict from its wire form (unknown top-level keys are dropped)."""
    event = {key: payload.get(key) for key in EVENT_KEYS if key != "in_reply_to_event"}
    event["in_reply_to_event"] = payload.get(WIRE_REPLY_KEY, payload.get("in_reply_to_event"))
    if event["data"] is None:
        event["data"] = {}
    if event["source"] is None:
        event["source"] = {}
    if event["target"] is None:
        event["target"] = ""
    return event


# -- expressions ------------------------------------------------------------------------------
class ExpressionError(ValueError):
    """A subscription or target expression could not be parsed."""


_OPERATORS: Dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<paren>[()])
      | (?P<op>!=|>=|<=|=|>|<)
      | (?P<quoted>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<word>[A-Za-z0-9_\-,./*@+]+)
    )""",
    re.VERBOSE,
)
_FIELD = re.compile(r"[A-Za-z0-9_.]+\Z")
_KEYWORDS = ("and", "or", "not")


class Expression:
    """A parsed expression; ``match(candidate)`` tests a mapping (an event or subscriber)."""

    def match(self, candidate: object) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError


class _All(Expression):
    def __init__(self, parts: Sequence[Expression]) -> None:
        self.parts = list(parts)

    def match(self, candidate: object) -> bool:
        return all(part.match(candidate) for part in self.parts)


class _Any(Expression):
    def __init__(self, parts: Sequence[Expression]) -> None:
        self.parts = list(parts)

    def match(self, candidate: object) -> bool:
        return any(part.match(candidate) for part in self.parts)


class _Not(Expression):
    def __init__(self, part: Expression) -> None:
        self.part = part

    def match(self, candidate: object) -> bool:
        return not self.part.match(candidate)


class _Condition(Expression):
    def __init__(self, key: str, op: str, value: str) -> None:
        self.path = key.split(".")
        self.op = op
        self.value = value

    def match(self, candidate: object) -> bool:
        return any(self._test(actual) for actual in _lookup(candidate, self.path))

    def _test(self, actual: object) -> bool:
        try:
            if self.op == "=" and self.value.endswith("*"):
                return isinstance(actual, str) and self.value[:-1] in actual
            return bool(_OPERATORS[self.op](actual, self.value))
        except TypeError:
            return False


def _lookup(value: object, path: List[str]) -> Iterator[object]:
    """Every value at ``path`` in ``value``, fanning out over lists; nothing if a key is missing."""
    if not path:
        yield value
        return
    if isinstance(value, Mapping):
        if path[0] in value:
            yield from _lookup(value[path[0]], path[1:])
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _lookup(item, path)


class _Parser:
    """Recursive descent: ``or`` binds loosest, then ``and``, then ``not``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = self._tokenize(text)
        self.position = 0

    def _tokenize(self, text: str) -> List[tuple]:
        tokens, index, end = [], 0, len(text.rstrip())
        while index < end:
            found = _TOKEN.match(text, index)
            if not found:
                where = index + len(text[index:]) - len(text[index:].lstrip())
                raise ExpressionError(
                    f"cannot parse {text!r}: unexpected {text[where]!r} at character {where}"
                )
            kind = found.lastgroup or ""
            tokens.append((kind, found.group(kind), found.start(kind)))
            index = found.end()
        return tokens

    def _peek(self) -> Optional[tuple]:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _is_keyword(self, word: str) -> bool:
        token = self._peek()
        return token is not None and token[0] == "word" and token[1].lower() == word

    def _take(self, kind: str, wanted: str) -> tuple:
        token = self._peek()
        if token is None or token[0] != kind:
            where = f"at character {token[2]}" if token else "at the end"
            raise ExpressionError(f"cannot parse {self.text!r}: expected {wanted} {where}")
        self.position += 1
        return token

    def parse(self) -> Expression:
        if not self.tokens:
            return _All([])
        expression = self._or()
        token = self._peek()
        if token is not None:
            raise ExpressionError(
                f"cannot parse {self.text!r}: unexpected {token[1]!r} at character {token[2]}"
            )
        return expression

    def _or(self) -> Expression:
        return self._joined("or", self._and, _Any)

    def _and(self) -> Expression:
        return self._joined("and", self._not, _All)

    def _joined(
        self,
        keyword: str,
        operand: Callable[[], Expression],
        combine: Callable[[Sequence[Expression]], Expression],
    ) -> Expression:
        """``operand (keyword operand)*``: one operand as it is, several combined."""
        parts = [operand()]
        while self._is_keyword(keyword):
            self.position += 1
            parts.append(operand())
        return parts[0] if len(parts) == 1 else combine(parts)

    def _not(self) -> Expression:
        if self._is_keyword("not"):
            self.position += 1
            return _Not(self._not())
        token = self._peek()
        if token is not None and token[0] == "paren" and token[1] == "(":
            self.position += 1
            inner = self._or()
            closing = self._take("paren", "')'")
            if closing[1] != ")":
                raise ExpressionError(
                    f"cannot parse {self.text!r}: expected ')' at character {closing[2]}"
                )
            return inner
        return self._condition()

    def _condition(self) -> Expression:
        key = self._take("word", "a key such as topic or data.name")
        if not _FIELD.match(key[1]) or key[1].lower() in _KEYWORDS:
            raise ExpressionError(
                f"cannot parse {self.text!r}: {key[1]!r} at character {key[2]} is not a key"
            )
        op = self._take("op", "an operator (= != >= <= > <)")[1]
        token = self._peek()
        if token is None or token[0] not in ("word", "quoted"):
            raise ExpressionError(f"cannot parse {self.text!r}: expected a value after {op!r}")
        self.position += 1
        value = token[1][1:-1] if token[0] == "quoted" else token[1]
        return _Condition(key[1], op, value)


def parse_expression(text: str) -> Expression:
    """Parse a subscription or target expression; an empty one matches everything.

    Raises :class:`ExpressionError` saying where the text stopped making sense.
    """
    return _Parser(text or "").parse()
