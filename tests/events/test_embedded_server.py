"""The event hub of the real embedded server (``python -m ft_dcc server``)."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List

import pytest
from support import post_api

from ft_dcc.exceptions import EventHubError
from ft_dcc.session.event_hub import Event


def api(server, *operations: Dict[str, Any]) -> List[Any]:
    """POST a batch to the server's /api with valid credentials; return the replies."""
    return post_api(server, list(operations))


def test_hub_to_hub_through_the_embedded_server(embedded_server, connect_hub, wait_until):
    publisher = connect_hub(embedded_server.url)
    listener = connect_hub(embedded_server.url)
    received: List[Event] = []
    listener.subscribe("topic=ft_dcc.review.* and data.kind=playblast", received.append)

    publisher.publish(Event("ft_dcc.review.published", data={"kind": "render"}))
    wanted = publisher.publish(Event("ft_dcc.review.published", data={"kind": "playblast"}))

    assert wait_until(lambda: received)
    assert [e["id"] for e in received] == [wanted]
    assert received[0]["source"]["user"]["username"] == embedded_server.api_user


def test_request_reply_through_the_embedded_server(embedded_server, connect_hub):
    client = connect_hub(embedded_server.url)
    worker = connect_hub(embedded_server.url)
    worker.subscribe("topic=ft_dcc.echo", lambda e: {"echo": e["data"]["text"]})

    reply = client.request(Event("ft_dcc.echo", data={"text": "hello"}))

    assert reply["data"] == {"echo": "hello"}
    assert reply["in_reply_to_event"]


def test_embedded_server_rejects_bad_credentials(embedded_server, make_hub):
    hub = make_hub(embedded_server.url, key="not-the-key")
    with pytest.raises(EventHubError, match=r"refused user 'test.user' \(HTTP 401\)"):
        hub.connect()
    stranger = make_hub(embedded_server.url, user="nobody", key=embedded_server.api_key)
    with pytest.raises(EventHubError, match="HTTP 401"):
        stranger.connect()


def test_commit_emits_ftrack_update(embedded_server, connect_hub, wait_until):
    hub = connect_hub(embedded_server.url)
    updates: List[Event] = []
    hub.subscribe("topic=ftrack.update and data.entities.entity_type=Project", updates.append)
    schema = api(embedded_server, {"action": "query", "expression": "select id from ProjectSchema"})
    schema_id = schema[0]["data"][0]["id"]
    project_id = str(uuid.uuid4())
    name = f"events_{project_id[:8]}"

    api(
        embedded_server,
        {
            "action": "create",
            "entity_type": "Project",
            "entity_data": {
                "id": project_id,
                "name": name,
                "full_name": name,
                "project_schema": {"__entity_type__": "ProjectSchema", "id": schema_id},
            },
        },
    )
    api(
        embedded_server,
        {
            "action": "update",
            "entity_type": "Project",
            "entity_key": [project_id],
            "entity_data": {"full_name": "Renamed"},
        },
    )

    api(embedded_server, {"action": "delete", "entity_type": "Project", "entity_key": [project_id]})

    def mine() -> List[Dict[str, Any]]:
        return [
            entity
            for event in updates
            for entity in event["data"]["entities"]
            if entity["entityId"] == project_id
        ]

    assert wait_until(lambda: len(mine()) == 3)
    # three requests, which several server processes may answer: each commit is answered once
    # its event is on its way through PostgreSQL, which gives every process the events in one
    # order, so a hub gets them in the order the commits were answered
    added, updated, removed = mine()
    assert added["action"] == "add", mine()
    assert (added["entityType"], added["entity_type"]) == ("show", "Project")
    assert "name" in added["keys"]
    assert updated["action"] == "update"
    assert "full_name" in updated["keys"]
    assert removed["action"] == "remove"
    assert updates[0]["data"]["user"]["name"] == embedded_server.api_user
