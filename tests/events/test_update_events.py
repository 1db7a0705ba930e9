"""``ftrack.update`` and other server events published by the broker."""

from __future__ import annotations

import threading
from typing import List

from ft_dcc.session.event_hub import Event


def test_emit_update_publishes_ftrack_update_shaped_like_ftracks(
    broker_server, connect_hub, wait_until
):
    hub = connect_hub(broker_server.url)
    versions: List[Event] = []
    everything: List[Event] = []
    hub.subscribe("topic=ftrack.update and data.entities.entityType=assetversion", versions.append)
    hub.subscribe("topic=ftrack.update", everything.append)

    broker_server.broker.emit_update(
        [{"action": "add", "entity_type": "Shot", "entity_id": "s1", "keys": ["name"]}],
        user="test.user",
    )
    broker_server.broker.emit_update(
        [
            {
                "action": "update",
                "entity_type": "AssetVersion",
                "entity_id": "v1",
                "keys": ["comment", "status_id"],
                "values": {"comment": "b", "status_id": "st2"},
                "changes": {"comment": {"old": "a", "new": "b"}},
                "parent_id": "a1",
                "parents": [
                    {"entity_type": "Asset", "entity_id": "a1", "parent_id": "s1"},
                    {"entity_type": "Shot", "entity_id": "s1", "parent_id": "p1"},
                    "p1",
                ],
            },
            {"action": "remove", "entity_type": "Project", "entity_id": "p1", "keys": []},
        ],
        user="test.user",
        user_id="u1",
    )

    assert wait_until(lambda: len(everything) == 2)
    assert [e["data"]["entities"][0]["entityType"] for e in everything] == ["task", "assetversion"]
    assert len(versions) == 1
    update = versions[0]
    assert update["topic"] == "ftrack.update"
    assert update["source"]["id"] == broker_server.broker.id
    assert update["data"]["user"] == {"userid": "u1", "name": "test.user"}
    assert update["data"]["parents"] == ["v1", "a1", "s1", "p1"]
    version, project = update["data"]["entities"]
    assert version["entityId"] == "v1"
    assert (version["entityType"], version["entity_type"]) == ("assetversion", "AssetVersion")
    assert version["action"] == "update"
    assert version["keys"] == ["comment", "statusid"]  # ftrack's name of status_id
    assert version["changes"] == {
        "comment": {"old": "a", "new": "b"},
        "statusid": {"new": "st2", "old": None},
    }
    assert version["parentId"] == "a1"
    # ftrack's parents list starts with the entity itself and ends with the project
    assert [(p["entityId"], p["entityType"]) for p in version["parents"]] == [
        ("v1", "assetversion"),
        ("a1", "asset"),
        ("s1", "task"),
        ("p1", None),
    ]
    assert version["parents"][1]["parentId"] == "s1"
    assert (project["entityType"], project["action"]) == ("show", "remove")
    assert set(version) == {
        "entityId",
        "entityType",
        "entity_type",
        "action",
        "keys",
        "changes",
        "parentId",
        "parents",
        "objectTypeId",
    }


def test_emit_is_thread_safe_and_reaches_matching_subscribers(
    broker_server, connect_hub, wait_until
):
    hub = connect_hub(broker_server.url)
    received: List[str] = []
    hub.subscribe(
        "topic=ft_dcc.server.note and data.n>=5", lambda e: received.append(e["data"]["n"])
    )

    threads = [
        threading.Thread(
            target=broker_server.broker.emit,
            args=({"topic": "ft_dcc.server.note", "data": {"n": str(n)}},),
        )
        for n in range(10)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert wait_until(lambda: len(received) == 5)
    assert sorted(received) == ["5", "6", "7", "8", "9"]


def test_emit_update_without_subscribers_or_connections_is_harmless(broker_server):
    broker_server.broker.emit_update([])
    broker_server.broker.emit_update(
        [{"action": "add", "entity_type": "Task", "entity_id": "t", "keys": []}]
    )
    assert broker_server.broker.connection_count == 0
