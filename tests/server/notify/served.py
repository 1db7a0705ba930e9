"""A server's own app in the test's process (its notifier running) and what its notifier tests
write on: a version to leave notes on."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List

KEY = "k" * 32
ADMIN = "admin"
HEADERS = {"ftrack-user": ADMIN, "ftrack-api-key": KEY}


def api(client: Any, operations: List[Dict[str, Any]]) -> Any:
    reply = client.post("/api", json=operations, headers=HEADERS)
    assert reply.status_code == 200, reply.text[:1000]
    return reply.json()


def version_to_note(client: Any) -> str:
    """A new version (of a new shot's asset) to write notes on."""
    schema, kind = api(
        client,
        [
            {"action": "query", "expression": "select id from ProjectSchema"},
            {"action": "query", "expression": "select id from AssetType"},
        ],
    )
    project, shot, asset, version = (str(uuid.uuid4()) for _ in range(4))
    api(client, [
        {"action": "create", "entity_type": "Project", "entity_data": {
            "id": project, "name": "p" + project[:6], "full_name": "Turns",
            "project_schema_id": schema["data"][0]["id"]}},
        {"action": "create", "entity_type": "Shot", "entity_data": {
            "id": shot, "name": "sh010", "parent_id": project}},
        {"action": "create", "entity_type": "Asset", "entity_data": {
            "id": asset, "name": "comp", "context_id": shot, "type_id": kind["data"][0]["id"]}},
        {"action": "create", "entity_type": "AssetVersion", "entity_data": {
            "id": version, "asset_id": asset}},
    ])  # fmt: skip
    return version


def note(version: str, text: str) -> Dict[str, Any]:
    """The ``create`` of a note on ``version``; its id is ``entity_data["id"]``."""
    return {"action": "create", "entity_type": "Note", "entity_data": {
        "id": str(uuid.uuid4()), "content": text, "parent_id": version,
        "parent_type": "AssetVersion"}}  # fmt: skip
