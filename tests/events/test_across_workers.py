"""The event hub across server processes sharing one PostgreSQL database (LISTEN/NOTIFY).

``pg_second_process`` is a separate ``ft-dcc server`` on ``pg_server``'s database, so an event
published on one and received on the other has certainly crossed processes; the last test spreads
hubs over ``pg_server``'s 4 workers.
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, List

from support import post_api

from ft_dcc.session.event_hub import Event


def test_event_published_on_one_process_reaches_a_subscriber_on_another(
    pg_server, pg_second_process, connect_hub, wait_until
) -> None:
    listener = connect_hub(pg_second_process.url)
    publisher = connect_hub(pg_server.url)
    received: List[Event] = []
    marker = uuid.uuid4().hex
    listener.subscribe(f"topic=ft_dcc.test.across and data.marker={marker}", received.append)

    sent = publisher.publish(Event("ft_dcc.test.across", data={"marker": marker}))

    assert wait_until(lambda: received)
    assert [event["id"] for event in received] == [sent]
    assert received[0]["source"]["user"]["username"] == pg_server.api_user


def test_request_and_reply_cross_processes(pg_server, pg_second_process, connect_hub) -> None:
    client = connect_hub(pg_second_process.url)
    responder = connect_hub(pg_server.url)
    topic = f"ft_dcc.test.echo{uuid.uuid4().hex[:8]}"
    responder.subscribe(f"topic={topic}", lambda event: {"echo": event["data"]["text"]})

    reply = client.request(Event(topic, data={"text": "across"}), timeout=10)

    assert reply["data"] == {"echo": "across"}


def test_a_commit_on_one_process_emits_ftrack_update_on_another(
    pg_server, pg_second_process, connect_hub, wait_until
) -> None:
    hub = connect_hub(pg_second_process.url)
    updates: List[Event] = []
    hub.subscribe("topic=ftrack.update", updates.append)
    query = {"action": "query", "expression": "select id from ProjectSchema"}
    schema = post_api(pg_server, [query])
    project_id = str(uuid.uuid4())
    data: Dict[str, Any] = {
        "__entity_type__": "Project",
        "id": project_id,
        "name": f"across_{project_id[:8]}",
        "full_name": "Across",
        "project_schema_id": schema[0]["data"][0]["id"],
    }
    post_api(pg_server, [{"action": "create", "entity_type": "Project",
                          "entity_key": [project_id], "entity_data": data}])  # fmt: skip

    def mine() -> List[Any]:
        return [
            u for u in updates
            if any(e["entityId"] == project_id for e in u["data"]["entities"])
        ]  # fmt: skip

    assert wait_until(mine)
    assert mine()[0]["data"]["entities"][0]["action"] == "add"


def test_hubs_spread_over_four_workers_all_receive_one_event(
    pg_server, connect_hub, wait_until
) -> None:
    marker = uuid.uuid4().hex
    received: Dict[int, List[Event]] = {}
    for index in range(8):
        hub = connect_hub(pg_server.url)
        received[index] = []
        hub.subscribe(f"data.marker={marker}", received[index].append)
    publisher = connect_hub(pg_server.url)

    publisher.publish(Event("ft_dcc.test.spread", data={"marker": marker}))

    assert wait_until(lambda: all(received.values()))
    assert all(len(events) == 1 for events in received.values()), received


def test_events_larger_than_a_notification_cross_processes_and_the_relay_goes_on(
    pg_server, pg_second_process, connect_hub, wait_until
) -> None:
    """Events over PostgreSQL's 8000-byte NOTIFY limit travel through the relay table; the
    relay keeps delivering after them."""
    listener = connect_hub(pg_second_process.url)
    publisher = connect_hub(pg_server.url)
    received: List[Event] = []
    marker = uuid.uuid4().hex
    listener.subscribe(f"topic=ft_dcc.test.big and data.marker={marker}", received.append)
    big = "x" * 20000

    publisher.publish(Event("ft_dcc.test.big", data={"marker": marker, "blob": big, "n": 1}))
    publisher.publish(Event("ft_dcc.test.big", data={"marker": marker, "n": 2}))

    assert wait_until(lambda: len(received) == 2)
    assert [event["data"]["n"] for event in received] == [1, 2]
    assert received[0]["data"]["blob"] == big
