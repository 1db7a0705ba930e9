"""Failures are clear and never block: unreachable hubs, bad credentials, missing extra."""

from __future__ import annotations

import json
import logging
import sys

import pytest
import requests
import websocket
from socketio_helpers import handshake, raw_socket, websocket_url

from ft_dcc.exceptions import EventHubError
from ft_dcc.protocol.events import event_from_wire
from ft_dcc.session.event import received_event
from ft_dcc.session.event_hub import Event, EventHub


def test_unreachable_hub_raises_a_clear_error(closed_url, make_hub):
    hub = make_hub(closed_url, timeout=2)
    with pytest.raises(EventHubError) as caught:
        hub.connect()
    message = str(caught.value)
    assert f"Cannot reach the ftrack event hub at {closed_url}" in message
    assert "refused" in message.lower()
    assert "FTRACK_SERVER" in message  # what to do
    assert not hub.connected


def test_server_without_event_hub_is_reported(make_hub, tmp_path):
    import http.server
    import threading

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        hub = make_hub(f"http://127.0.0.1:{httpd.server_address[1]}")
        with pytest.raises(EventHubError, match=r"has no usable event hub.*HTTP 501"):
            hub.connect()
    finally:
        httpd.shutdown()


def test_publishing_when_not_connected_raises_or_is_ignored(closed_url, make_hub):
    hub = make_hub(closed_url)
    with pytest.raises(EventHubError, match=r"not connected.*connect\(\)"):
        hub.publish(Event("ft_dcc.test"))
    assert hub.publish(Event("ft_dcc.test"), on_error="ignore") is None
    with pytest.raises(EventHubError, match="not connected"):
        hub.request(Event("ft_dcc.test"), timeout=1)


def test_background_connect_to_unreachable_hub_only_warns(closed_url, make_hub, caplog):
    hub = make_hub(closed_url, timeout=2)
    hub.subscribe("topic=x", lambda e: None)
    with caplog.at_level(logging.WARNING, logger="ft_dcc.session.event_hub"):
        thread = hub.connect_in_background()  # returns at once
        thread.join(10)
    assert not thread.is_alive()
    assert not hub.connected
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("Event hub not connected" in w and closed_url in w for w in warnings)
    # afterwards the hub says plainly that it is not connected, and why
    with pytest.raises(EventHubError, match="last error: Cannot reach"):
        hub.publish(Event("after.failure"))


def test_bad_credentials_are_rejected(broker_server, make_hub):
    hub = make_hub(broker_server.url, key="wrong-key")
    with pytest.raises(EventHubError) as caught:
        hub.connect()
    assert "refused user 'test.user' (HTTP 401)" in str(caught.value)
    assert "FTRACK_API_KEY" in str(caught.value)
    assert "wrong-key" not in str(caught.value)
    assert not hub.connected
    assert broker_server.broker.connection_count == 0


def test_handshake_needs_credentials_and_query_parameters_work(broker_server):
    url = broker_server.url + "/socket.io/1/"
    assert requests.get(url, timeout=5).status_code == 401
    bad = requests.get(url, headers={"ftrack-user": "test.user", "ftrack-api-key": "x"}, timeout=5)
    assert bad.status_code == 401
    # ftrack's JavaScript client sends the credentials as query parameters
    good = requests.get(
        url,
        params={"api_user": broker_server.api_user, "api_key": broker_server.api_key},
        timeout=5,
    )
    assert good.status_code == 200
    sid, heartbeat, close, transports = good.text.split(":")
    assert len(sid) == 32 and heartbeat.isdigit() and close.isdigit()
    assert "websocket" in transports.split(",")


def test_websocket_needs_a_fresh_sid_from_an_authenticated_handshake(broker_server):
    ws_base = websocket_url(broker_server)
    with pytest.raises(websocket.WebSocketException):
        websocket.create_connection(ws_base + "0123456789abcdef0123456789abcdef", timeout=5)
    sid = handshake(broker_server)
    first = websocket.create_connection(ws_base + sid, timeout=5)
    assert first.recv() == "1::"
    with pytest.raises(websocket.WebSocketException):  # a sid is single use
        websocket.create_connection(ws_base + sid, timeout=5)
    first.close()


def test_bad_packets_get_error_acks_not_a_crash(broker_server):
    sock = raw_socket(broker_server, timeout=5)
    sock.send("5:1+::not json")
    assert (
        sock.recv() == '6:::1+[{"success": false, "message": "the event packet is not valid JSON"}]'
    )
    sock.send('5:2+::{"name":"ftrack.event","args":[{"topic":"x","target":"id=("}]}')
    reply = sock.recv()
    assert reply.startswith('6:::2+[{"success": false, "message": "invalid event target')
    sock.send('5:5+::{"name":"ftrack.event","args":[{"topic":"x","target":123}]}')
    assert sock.recv() == (
        '6:::5+[{"success": false, "message": "invalid event target: '
        "an event's target must be a string, not int\"}]"
    )
    sock.send(
        '5:3+::{"name":"ftrack.event","args":[{"topic":"ftrack.meta.subscribe",'
        '"data":{"subscriber":{"id":"s"},"subscription":"topic="}}]}'
    )
    assert '"success": false' in sock.recv()
    sock.send("2::")
    sock.send('5:4+::{"name":"ftrack.event","args":[{"topic":"fine"}]}')
    assert sock.recv() == '6:::4+[{"success": true, "message": "Event published."}]'
    sock.close()


@pytest.mark.parametrize(
    "event, message",
    [
        ({"topic": 5}, "the event has no topic"),
        ({"topic": ""}, "the event has no topic"),
        ({"topic": ["x"]}, "the event has no topic"),
        ({"topic": "x", "source": ["not", "an", "object"]}, "the event's source must be an object"),
        ({"topic": "x", "source": "hub"}, "the event's source must be an object"),
        ({"topic": "ftrack.meta.subscribe", "data": ["x"]}, "data must be an object"),
        ({"topic": "ftrack.meta.unsubscribe", "data": "s"}, "data must be an object"),
    ],
)
def test_a_malformed_event_field_gets_an_error_ack(broker_server, event, message):
    """Each field of an incoming event is checked: a wrong type is refused with the hub's error
    ack (never a crash), and the connection still publishes a good event afterwards."""
    sock = raw_socket(broker_server, timeout=5)
    sock.send("5:1+::" + json.dumps({"name": "ftrack.event", "args": [event]}))
    ack = sock.recv()
    assert ack.startswith('6:::1+[{"success": false, "message": '), ack
    assert message in ack
    sock.send('5:2+::{"name":"ftrack.event","args":[{"topic":"fine","source":{"id":"h"}}]}')
    assert sock.recv() == '6:::2+[{"success": true, "message": "Event published."}]'
    sock.close()


def test_an_event_a_server_sends_is_read_field_by_field():
    """The client's side of the same check: a wire event without a topic is ignored, a field
    of the wrong type gets its default instead of reaching subscribers as it came."""
    assert received_event({"topic": 5, "data": {}}) is None
    assert received_event({"data": {"x": 1}}) is None
    odd = received_event(
        {"topic": "t", "id": 7, "source": ["x"], "target": 3, "inReplyToEvent": 9, "data": [1]}
    )
    assert odd is not None
    fields = (odd["topic"], odd["source"], odd["target"], odd["in_reply_to_event"])
    assert fields == ("t", {}, "", None)
    assert isinstance(odd["id"], str) and odd["id"] and odd["data"] == [1]
    good = {"topic": "t", "id": "e1", "source": {"id": "h"}, "target": "", "inReplyToEvent": "e0",
            "data": {"a": 1}, "sent": "2024-01-01T00:00:00"}  # fmt: skip
    assert received_event(good) == event_from_wire(good)  # a well-formed event: as sent


def test_missing_websocket_client_names_the_extra(monkeypatch, broker_server):
    monkeypatch.setitem(sys.modules, "websocket", None)  # as if websocket-client were absent
    hub = EventHub(broker_server.url, broker_server.api_user, broker_server.api_key)
    with pytest.raises(EventHubError) as caught:
        hub.connect()
    assert "websocket-client" in str(caught.value)
    assert "pip install 'ft-dcc[events]'" in str(caught.value)
    # in the background (auto-connect) it only warns, and publishing says why it cannot
    hub.connect_in_background().join(10)
    with pytest.raises(EventHubError, match="last error: The event hub needs the websocket-client"):
        hub.publish(Event("nowhere"))


def test_invalid_subscription_expression_is_reported(make_hub, closed_url):
    hub = make_hub(closed_url)
    with pytest.raises(EventHubError, match=r"Invalid subscription.*expected .\). at the end"):
        hub.subscribe("topic=a and (data.x=1", lambda e: None)


def test_a_hub_that_never_answers_times_out_with_a_clear_error(make_hub):
    import socket

    with socket.socket() as silent:  # accepts TCP connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        hub = make_hub(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.5)
        with pytest.raises(EventHubError, match=r"no answer within 0.5 s"):
            hub.connect()
    assert not hub.connected


def test_a_websocket_that_never_says_connected_times_out(start_broker, make_hub):
    from starlette.routing import WebSocketRoute

    async def silent(websocket):  # accepts, then never sends the socket.io connect packet
        await websocket.accept()
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass

    server = start_broker(routes_first=[WebSocketRoute("/socket.io/1/websocket/{sid}", silent)])
    hub = make_hub(server.url, timeout=0.5)
    with pytest.raises(EventHubError, match=r"Cannot open the event hub websocket.*timed out"):
        hub.connect()
    assert not hub.connected
