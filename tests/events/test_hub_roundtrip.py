"""ft_dcc's EventHub against the real broker over real websockets on 127.0.0.1."""

from __future__ import annotations

import threading
from typing import Any, List

import pytest
from socketio_helpers import raw_socket

from ft_dcc.exceptions import EventHubError
from ft_dcc.protocol.events import HEARTBEAT, parse_packet
from ft_dcc.session.event_hub import Event


def test_event_published_by_one_hub_reaches_a_subscribed_other(
    broker_server, connect_hub, wait_until
):
    publisher = connect_hub(broker_server.url)
    listener = connect_hub(broker_server.url)
    received: List[Event] = []
    listener.subscribe("topic=ft_dcc.test.* and data.shot=sh010", received.append)

    publisher.publish(Event("ft_dcc.test.published", data={"shot": "sh020"}))
    publisher.publish(Event("other.topic", data={"shot": "sh010"}))
    event_id = publisher.publish(Event("ft_dcc.test.published", data={"shot": "sh010"}))

    assert wait_until(lambda: received)
    # the filter is honoured: the two non-matching events, sent first, never arrived
    assert [e["id"] for e in received] == [event_id]
    event = received[0]
    assert event["topic"] == "ft_dcc.test.published"
    assert event["data"] == {"shot": "sh010"}
    assert event["source"]["id"] == publisher.id
    assert event["source"]["user"]["username"] == broker_server.api_user
    assert event["sent"]  # stamped by the server


def test_non_matching_events_are_not_delivered(broker_server, connect_hub, wait_until):
    publisher = connect_hub(broker_server.url)
    listener = connect_hub(broker_server.url)
    seen: List[str] = []
    listener.subscribe("topic=a.b and not data.skip=yes", lambda e: seen.append(e["data"]["n"]))
    for n, (topic, skip) in enumerate(
        [("a.b", "yes"), ("a.c", "no"), ("a.bc", "no"), ("a.b", "no"), ("a.b", "yes")]
    ):
        publisher.publish(Event(topic, data={"n": str(n), "skip": skip}))
    publisher.publish(Event("a.b", data={"n": "last", "skip": "no"}))
    assert wait_until(lambda: "last" in seen)
    assert seen == ["3", "last"]


def test_request_returns_the_subscribers_reply(broker_server, connect_hub):
    client = connect_hub(broker_server.url)
    worker = connect_hub(broker_server.url)
    worker.subscribe("topic=ft_dcc.add", lambda e: {"sum": e["data"]["a"] + e["data"]["b"]})

    reply = client.request(Event("ft_dcc.add", data={"a": 2, "b": 3}))

    assert reply["topic"] == "ftrack.meta.reply"
    assert reply["data"] == {"sum": 5}
    assert reply["target"] == f"id={client.id}"


def test_on_reply_is_called_and_replies_reach_only_the_publisher(
    broker_server, make_hub, wait_until
):
    client = make_hub(broker_server.url)
    bystander = make_hub(broker_server.url)
    worker = make_hub(broker_server.url)
    for hub in (client, bystander, worker):
        hub.connect()
    overheard: List[Event] = []
    bystander.subscribe("topic=ftrack.meta.reply", overheard.append)
    worker.subscribe("topic=ft_dcc.ping", lambda e: {"pong": e["data"]["n"]})
    replies: List[Event] = []

    event_id = client.publish(Event("ft_dcc.ping", data={"n": 7}), on_reply=replies.append)

    assert wait_until(lambda: replies)
    assert replies[0]["in_reply_to_event"] == event_id
    assert replies[0]["data"] == {"pong": 7}
    # replies target the publisher's hub (id=<hub id>), so a subscriber of every reply elsewhere
    # sees none, not even the reply to its own hub's request, which goes to on_reply instead
    own: List[Event] = []
    bystander.publish(Event("ft_dcc.ping", data={"n": 8}), on_reply=own.append)
    assert wait_until(lambda: own)
    assert own[0]["data"] == {"pong": 8}
    assert overheard == []
    assert len(replies) == 1


def test_synchronous_publish_calls_local_subscribers_and_returns_results(make_hub):
    hub = make_hub("http://127.0.0.1:9")  # never connected: synchronous events stay local
    hub.subscribe("topic=ft_dcc.local", lambda e: e["data"]["x"] * 2, priority=20)
    hub.subscribe("topic=ft_dcc.local", lambda e: "first", priority=10)
    hub.subscribe("topic=ft_dcc.other", lambda e: "never")

    assert hub.publish(Event("ft_dcc.local", data={"x": 21}), synchronous=True) == ["first", 42]


def test_event_stop_prevents_lower_priority_subscribers(make_hub):
    hub = make_hub("http://127.0.0.1:9")
    hub.subscribe("topic=t", lambda e: e.stop() or "stopper", priority=1)
    hub.subscribe("topic=t", lambda e: "late", priority=2)
    assert hub.publish(Event("t"), synchronous=True) == ["stopper"]


def test_unsubscribe_stops_delivery(broker_server, connect_hub, wait_until):
    publisher = connect_hub(broker_server.url)
    listener = connect_hub(broker_server.url)
    first: List[str] = []
    second: List[str] = []
    first_id = listener.subscribe("topic=t.one", lambda e: first.append(e["id"]))
    listener.subscribe("topic=t.two", lambda e: second.append(e["id"]))
    listener.unsubscribe(first_id)

    publisher.publish(Event("t.one"))
    marker = publisher.publish(Event("t.two"))

    assert wait_until(lambda: second)
    assert second == [marker]
    assert first == []
    with pytest.raises(EventHubError, match="No subscriber"):
        listener.unsubscribe(first_id)


def test_subscriptions_made_before_connect_are_announced_on_connect(
    broker_server, make_hub, connect_hub, wait_until
):
    listener = make_hub(broker_server.url)
    received: List[Event] = []
    listener.subscribe("topic=early.bird", received.append)
    listener.connect()
    publisher = connect_hub(broker_server.url)
    publisher.publish(Event("early.bird"))
    assert wait_until(lambda: received)


def test_hub_reconnects_and_resubscribes_after_a_server_restart(
    broker_server, connect_hub, wait_until
):
    listener = connect_hub(broker_server.url, reconnect_delay=0.2)
    received: List[Event] = []
    listener.subscribe("topic=after.restart", received.append)

    broker_server.stop()
    assert wait_until(lambda: not listener.connected)
    broker_server.start()  # same port, a new broker that knows nothing of the listener
    assert wait_until(lambda: listener.connected, timeout=20)
    assert wait_until(lambda: broker_server.broker.connection_count == 1)

    publisher = connect_hub(broker_server.url)
    publisher.publish(Event("after.restart"))
    assert wait_until(lambda: received)


def test_events_published_while_reconnecting_are_sent_once_reconnected(
    broker_server, connect_hub, wait_until
):
    listener = connect_hub(broker_server.url)
    received: List[Event] = []
    listener.subscribe("topic=queued.meanwhile", received.append)
    sender = connect_hub(broker_server.url, reconnect_delay=0.2)

    sender._socket.abort()  # the network drops the sender's connection
    queued_id = sender.publish(Event("queued.meanwhile"))  # queued, not an error

    assert wait_until(lambda: received, timeout=20)
    assert received[0]["id"] == queued_id
    assert sender.connected


def test_wait_dispatches_events_when_background_dispatch_is_off(broker_server, connect_hub):
    listener = connect_hub(broker_server.url, dispatch_in_background=False)
    publisher = connect_hub(broker_server.url)
    called_on: List[str] = []
    listener.subscribe(
        "topic=main.thread", lambda e: called_on.append(threading.current_thread().name)
    )
    publisher.publish(Event("main.thread"))

    for _ in range(100):
        listener.wait(0.1)
        if called_on:
            break
    assert called_on == [threading.current_thread().name]


def test_heartbeats_keep_a_quiet_hub_connected_and_a_silent_client_is_dropped(
    start_broker, connect_hub, wait_until
):

    # the hub has a generous 3 s to answer each heartbeat (a loaded machine stalls threads)
    server = start_broker(heartbeat_interval=0.5, close_timeout=3.0)
    hub = connect_hub(server.url)
    # a raw client that completes the handshake but never answers heartbeats
    silent = raw_socket(server)
    assert wait_until(lambda: server.broker.connection_count == 2)

    assert wait_until(lambda: server.broker.connection_count == 1)  # the silent one went
    assert hub.connected
    received: List[Event] = []
    hub.subscribe("topic=still.alive", received.append)
    hub.publish(Event("still.alive"))
    assert wait_until(lambda: received)
    silent.close()


def test_a_listener_answering_heartbeats_stays_when_they_come_less_often_than_the_timeout(
    start_broker, connect_hub, wait_until, monkeypatch
):
    """A client that only listens sends nothing but heartbeat replies. With heartbeats every
    3 s and a 2 s timeout it was dropped at the first heartbeat (silent for longer than the
    timeout, although no heartbeat had been asked of it yet) and lost the events in between."""
    server = start_broker(heartbeat_interval=3.0, close_timeout=2.0)
    answers: List[str] = []  # the heartbeat answers the broker has read
    on_packet = server.broker._on_packet

    def counting(connection: Any, text: str) -> bool:
        if parse_packet(text).code == HEARTBEAT:
            answers.append(text)
        return on_packet(connection, text)

    monkeypatch.setattr(server.broker, "_on_packet", counting)
    hub = connect_hub(server.url)
    received: List[Event] = []
    hub.subscribe("topic=quiet.listener", received.append)
    assert wait_until(lambda: len(answers) >= 2, timeout=60)  # two heartbeats, each answered
    assert server.broker.connection_count == 1
    server.broker.emit({"topic": "quiet.listener", "data": {}})
    assert wait_until(lambda: received, timeout=30)
    assert hub.connected


@pytest.mark.slow
def test_a_client_that_stops_reading_is_dropped_without_holding_up_others(
    start_broker, connect_hub, wait_until
):

    server = start_broker(max_queue=20, close_timeout=2)
    good = connect_hub(server.url)
    received: List[int] = []
    good.subscribe("topic=flood", lambda e: received.append(e["data"]["i"]))
    stuck = raw_socket(server)
    stuck.send(
        '5:1+::{"name":"ftrack.event","args":[{"topic":"ftrack.meta.subscribe","data":'
        '{"subscriber":{"id":"s"},"subscription":"topic=flood"}}]}'
    )
    assert '"success": true' in stuck.recv()
    assert server.broker.connection_count == 2

    blob = "x" * 65536
    for batch in range(40):  # 40 x 10 x 64 KiB: far more than socket buffers hold
        for i in range(batch * 10, batch * 10 + 10):
            server.broker.emit({"topic": "flood", "data": {"i": i, "blob": blob}})
        assert wait_until(lambda b=batch: len(received) >= b * 10 + 10, timeout=20)

    assert received == list(range(400))  # the reading client got everything, in order
    assert wait_until(lambda: server.broker.connection_count == 1, timeout=20)
    stuck.shutdown()


def test_plain_mappings_are_published_as_events(broker_server, connect_hub, wait_until):
    hub = connect_hub(broker_server.url)
    received: List[Event] = []
    hub.subscribe("topic=plain.*", received.append)
    first = hub.publish({"topic": "plain.dict", "data": {"a": 1}, "ignored": "key"})
    assert hub.publish({"topic": "plain.local"}, synchronous=True) == [None]
    # the synchronous one ran locally before publish returned (whenever the other one arrives)
    assert "plain.local" in [e["topic"] for e in received]
    assert wait_until(lambda: len(received) == 2)
    # the other came back through the server, as the event the client published
    (through_server,) = [e for e in received if e["topic"] == "plain.dict"]
    assert through_server["id"] == first
    with pytest.raises(EventHubError, match="needs a topic"):
        hub.publish({"data": {}})
