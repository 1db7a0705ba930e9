"""Connecting in the background, disconnecting, and what the hub leaves behind."""

from __future__ import annotations

import logging
import threading
from typing import List

import pytest

from ft_dcc.exceptions import EventHubError
from ft_dcc.session.event_hub import Event


def _hub_threads() -> List[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("ft_dcc-event")]


def test_background_connect_queues_events_until_connected(
    broker_server, make_hub, connect_hub, wait_until
):
    listener = connect_hub(broker_server.url)
    received: List[Event] = []
    listener.subscribe("topic=sent.early", received.append)
    hub = make_hub(broker_server.url)

    thread = hub.connect_in_background()
    event_id = hub.publish(Event("sent.early"))  # before or after the connection is up
    thread.join(10)

    assert hub.connected
    assert wait_until(lambda: received)
    assert received[0]["id"] == event_id


def test_disconnect_cancels_a_background_connect_quietly(broker_server, make_hub, caplog):
    hub = make_hub(broker_server.url)
    with caplog.at_level(logging.WARNING, logger="ft_dcc.session.event_hub"):
        thread = hub.connect_in_background()
        hub.disconnect()  # e.g. a session closed right after it started
        thread.join(10)
    assert not hub.connected
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_disconnect_stops_every_hub_thread_and_is_repeatable(
    broker_server, connect_hub, wait_until
):
    before = set(_hub_threads())
    hub = connect_hub(broker_server.url)
    hub.connect()  # already connected: nothing happens
    assert hub.connected
    assert set(_hub_threads()) - before

    hub.disconnect()
    hub.disconnect()

    assert not hub.connected
    assert wait_until(lambda: not (set(_hub_threads()) - before))
    assert wait_until(lambda: broker_server.broker.connection_count == 0)
    with pytest.raises(EventHubError, match="not connected"):
        hub.publish(Event("after.disconnect"))


def test_a_disconnected_hub_can_connect_again(broker_server, make_hub, wait_until):
    hub = make_hub(broker_server.url)
    received: List[Event] = []
    hub.subscribe("topic=second.life", received.append)
    hub.connect()
    hub.disconnect()
    hub.connect()
    hub.publish(Event("second.life"))
    assert wait_until(lambda: received)


def test_events_that_are_not_json_are_refused_at_publish(broker_server, connect_hub):
    hub = connect_hub(broker_server.url)
    with pytest.raises(EventHubError, match="not JSON"):
        hub.publish(Event("bad.data", data={"when": object()}))
    assert hub.connected
