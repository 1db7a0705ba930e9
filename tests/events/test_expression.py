"""The subscription / target expression language shared by the hub and the broker."""

from __future__ import annotations

import pytest

from ft_dcc.protocol.events import (
    ExpressionError,
    event_from_wire,
    event_to_wire,
    format_packet,
    parse_expression,
    parse_packet,
)

EVENT = {
    "topic": "ftrack.update",
    "data": {
        "x": "1",
        "n": 5,
        "name": "a b",
        "entities": [{"entityType": "assetversion"}, {"entityType": "task"}],
    },
    "source": {"user": {"username": "bob"}},
}

CASES = [
    ("topic=ftrack.update", True),
    ("topic=ftrack.*", True),  # trailing * means "contains"
    ("topic=update*", True),  # ... anywhere, not only as a prefix (ftrack's rule)
    ("topic=*", True),
    ("topic=ftrack.updates", False),
    ("topic!=ftrack.update", False),
    ("data.x=1", True),
    ("data.n=5", False),  # values are strings: 5 != "5"
    ("data.x>0", True),
    ("data.x<=1", True),
    ("data.n>1", False),  # int vs str cannot compare: no match, no error
    ("topic=ftrack.update and data.x=1", True),
    ("topic=foo or data.x=1", True),
    ("not topic=foo", True),
    ("not not topic=foo", False),
    ("NOT topic=foo AND data.x=1", True),
    ("(topic=foo or data.x=1) and source.user.username=bob", True),
    ("topic=foo or data.x=2 or source.user.username=bob", True),
    ("topic=ftrack.update and not (data.x=2 or data.x=3)", True),
    ("data.name='a b'", True),
    ('data.name="a b"', True),
    ("data.x = 1", True),
    ("data.missing=1", False),
    ("not data.missing=1", True),
    ("data.x.deeper=1", False),
    ("data.entities.entityType=assetversion", True),  # any element of a list
    ("data.entities.entityType=show", False),
    ("", True),  # an empty subscription matches everything
]


#: Where ours deliberately answers otherwise: the genuine client fails on empty text and on
#: comparing an int with a string, and never looks inside lists.
GENUINE_ANSWER = {
    "": "error",
    "data.n>1": "error",
    "data.entities.entityType=assetversion": False,
}


@pytest.mark.parametrize(("expression", "expected"), CASES)
def test_expression_matches_like_ftrack(expression, expected):
    assert parse_expression(expression).match(EVENT) is expected


@pytest.mark.compat
@pytest.mark.parametrize(("expression", "expected"), CASES)
def test_expression_agrees_with_the_genuine_client(expression, expected):
    import ftrack_api.event.expression

    expected = GENUINE_ANSWER.get(expression, expected)
    if expected == "error":
        with pytest.raises(Exception):  # noqa: B017 - AttributeError or TypeError
            ftrack_api.event.expression.Parser().parse(expression).match(EVENT)
    else:
        assert ftrack_api.event.expression.Parser().parse(expression).match(EVENT) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("topic=", "expected a value after '='"),
        ("topic", "expected an operator"),
        ("(topic=a", "expected ')' at the end"),
        ("topic=a and", "expected a key"),
        ("=a", "expected a key such as topic or data.name at character 0"),
        ("topic=a b", "unexpected 'b' at character 8"),
        ("topic=a ; x=1", "at character 8"),
        ("data.x-y=1", "is not a key"),
    ],
)
def test_bad_expressions_say_where(text, message):
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_expression(text)


def test_packets_split_and_join():
    assert parse_packet("2::") == ("2", "", "", "")
    assert parse_packet('5:3+::{"a":"b:c"}') == ("5", "3+", "", '{"a":"b:c"}')
    assert parse_packet("1") == ("1", "", "", "")
    assert format_packet("2") == "2::"
    assert format_packet("6", data='1+[{"success":true}]') == '6:::1+[{"success":true}]'
    with pytest.raises(ValueError):
        parse_packet("")


def test_events_rename_in_reply_to_event_on_the_wire():
    event = {
        "topic": "t",
        "id": "1",
        "in_reply_to_event": "0",
        "data": {},
        "sent": None,
        "source": {},
        "target": "",
    }
    wire = event_to_wire(event)
    assert wire["inReplyToEvent"] == "0" and "in_reply_to_event" not in wire
    assert event_from_wire(dict(wire, extra="dropped")) == event
