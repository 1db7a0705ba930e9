"""Failures are clear and never block: unreachable hubs, bad credentials, missing extra."""

from __future__ import annotations

import logging
import sys

import pytest
import requests
import websocket
from socketio_helpers import handshake, raw_socket, websocket_url

from ft_dcc.exceptions import EventHubError
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
