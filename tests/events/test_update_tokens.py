"""``ftrack-Clienttoken`` / ``ftrack-pushtoken`` of a write request come back in its
``ftrack.update`` event (``data.clientToken`` / ``data.pushToken``), so a client can recognise its
own changes; on SQLite and on PostgreSQL with 4 workers."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List

import requests

from ft_dcc.session.event_hub import Event


def _rename_project(server: Any, headers: Dict[str, str]) -> str:
    schema = requests.post(server.url + "/api", json=[
        {"action": "query", "expression": "select id from ProjectSchema"}],
        headers={"ftrack-user": server.api_user, "ftrack-api-key": server.api_key}, timeout=30,
    ).json()[0]["data"][0]["id"]  # fmt: skip
    project_id = str(uuid.uuid4())
    operation = {"action": "create", "entity_type": "Project", "entity_key": [project_id],
                 "entity_data": {"__entity_type__": "Project", "id": project_id,
                                 "name": f"tok{project_id[:8]}", "full_name": "Tokens",
                                 "project_schema_id": schema}}  # fmt: skip
    reply = requests.post(server.url + "/api", json=[operation], timeout=30, headers={
        "ftrack-user": server.api_user, "ftrack-api-key": server.api_key, **headers})  # fmt: skip
    assert reply.status_code == 200, reply.text
    return project_id


def _update_for(updates: List[Event], project_id: str) -> List[Event]:
    return [u for u in updates if any(e["entityId"] == project_id for e in u["data"]["entities"])]


def test_client_and_push_tokens_are_echoed(embedded_server, connect_hub, wait_until) -> None:
    hub = connect_hub(embedded_server.url)
    updates: List[Event] = []
    hub.subscribe("topic=ftrack.update", updates.append)
    project_id = _rename_project(
        embedded_server, {"ftrack-Clienttoken": "client-abc", "ftrack-pushtoken": "push-123"}
    )
    assert wait_until(lambda: _update_for(updates, project_id))
    data = _update_for(updates, project_id)[0]["data"]
    assert (data["clientToken"], data["pushToken"]) == ("client-abc", "push-123")


def test_without_tokens_the_client_token_is_null_and_a_push_token_is_made(
    embedded_server, connect_hub, wait_until
) -> None:
    hub = connect_hub(embedded_server.url)
    updates: List[Event] = []
    hub.subscribe("topic=ftrack.update", updates.append)
    project_id = _rename_project(embedded_server, {})
    assert wait_until(lambda: _update_for(updates, project_id))
    data = _update_for(updates, project_id)[0]["data"]
    assert data["clientToken"] is None
    assert isinstance(data["pushToken"], str) and data["pushToken"]
