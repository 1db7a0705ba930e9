"""ftrack's JavaScript client on the event hub: a minute of events with none lost (the server's
heartbeat keeps every JS connection open), and none lost across a reconnect."""

from __future__ import annotations

import time
import uuid
from typing import Any, List

import pytest
from support.waiting import wait_until

pytestmark = pytest.mark.jsclient

#: How long the steady test keeps publishing, and how many events it sends at least.
MINUTE = 60.0
AT_LEAST = 95


def _connected(client: Any) -> Any:
    wait_until(
        lambda: client.run("hub_state", name="-")["connected"],
        f"the hub to connect ({client.log_path})",
    )


def _received_ids(client: Any, bucket: str) -> List[str]:
    """The ids of the counted events in ``bucket`` (not the probes of :func:`_subscribe`)."""
    events = client.run("hub_state", name=bucket)["received"]
    return [event["id"] for event in events if "probe" not in event["data"]]


def _subscribe(listener: Any, publisher: Any, bucket: str, topic: str) -> None:
    """Subscribe ``listener`` and wait until the server routes ``topic`` to it (the client sends
    its subscription without waiting for the server to take it)."""
    listener.run("hub_subscribe", name=bucket, subscription=f"topic={topic}")

    def probed() -> bool:
        publisher.run("hub_publish", topic=topic, data={"probe": True})
        return len(listener.run("hub_state", name=bucket)["received"]) > 0

    wait_until(probed, "the probe event", timeout=30)


@pytest.mark.slow
def test_a_minute_of_events_all_arrive_on_one_connection(js_client) -> None:
    listener = js_client(autoConnectEventHub=True)
    publisher = js_client(autoConnectEventHub=True)
    _connected(listener)
    _connected(publisher)
    topic = f"ft_dcc.test.js.{uuid.uuid4().hex[:8]}"
    _subscribe(listener, publisher, "steady", topic)
    sent: List[str] = []
    started = time.monotonic()
    while time.monotonic() - started < MINUTE or len(sent) < AT_LEAST:
        sent.append(publisher.run("hub_publish", topic=topic, data={"n": len(sent)}))
        time.sleep(MINUTE / AT_LEAST)  # pacing only: spreads the events over the minute

    wait_until(lambda: len(_received_ids(listener, "steady")) >= len(sent), "every steady event")
    received = _received_ids(listener, "steady")
    assert (len(sent), sorted(received)) == (len(sent), sorted(sent))
    # no reconnect: the server's heartbeat came more often than the client's 15 s timeout
    assert listener.run("hub_state", name="steady")["connects"] == 1
    assert publisher.run("hub_state", name="-")["connects"] == 1


def test_events_published_while_a_client_reconnects_reach_it(js_client) -> None:
    listener = js_client(autoConnectEventHub=True)
    publisher = js_client(autoConnectEventHub=True)
    _connected(listener)
    _connected(publisher)
    topic = f"ft_dcc.test.js.{uuid.uuid4().hex[:8]}"
    _subscribe(listener, publisher, "gap", topic)
    before = [publisher.run("hub_publish", topic=topic, data={"n": n}) for n in range(3)]
    wait_until(lambda: len(_received_ids(listener, "gap")) == 3, "the three gap events")

    listener.run("hub_drop")
    during = [publisher.run("hub_publish", topic=topic, data={"n": n}) for n in range(3, 13)]
    listener.run("hub_release")
    _connected(listener)
    after = [publisher.run("hub_publish", topic=topic, data={"n": n}) for n in range(13, 16)]

    everything = before + during + after
    wait_until(
        lambda: len(_received_ids(listener, "gap")) >= len(everything), "every event after the gap"
    )
    received = _received_ids(listener, "gap")
    assert sorted(received) == sorted(everything)  # none lost, none twice
    assert listener.run("hub_state", name="gap")["connects"] == 2
