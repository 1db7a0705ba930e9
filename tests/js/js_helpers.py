"""Entities made through ftrack's JavaScript client, for the tests in tests/js."""

from __future__ import annotations

import uuid
from typing import Any, Dict


def first_id(js: Any, expression: str) -> str:
    """The id of the first entity ``expression`` finds (through the JS client)."""
    found = js.call("query", expression)["data"]
    assert found, expression
    return str(found[0]["id"])


def make_hierarchy(js: Any) -> Dict[str, str]:
    """A project with a shot sh010, a task, an asset and a version, all created by the JS client;
    returns their ids."""
    ids = {"project": str(uuid.uuid4()), "shot": str(uuid.uuid4()), "task": str(uuid.uuid4())}
    ids.update(asset=str(uuid.uuid4()), version=str(uuid.uuid4()))
    schema = first_id(js, "select id from ProjectSchema")
    asset_type = first_id(js, 'select id from AssetType where short is "upload"')
    name = f"js{ids['project'][:8]}"
    js.call("create", "Project", {"id": ids["project"], "name": name, "full_name": name,
                                  "project_schema_id": schema})  # fmt: skip
    js.call("create", "Shot", {"id": ids["shot"], "name": "sh010", "parent_id": ids["project"]})
    js.call("create", "Task", {"id": ids["task"], "name": "comp", "parent_id": ids["shot"]})
    js.call("create", "Asset", {"id": ids["asset"], "name": "plate", "context_id": ids["shot"],
                                "type_id": asset_type})  # fmt: skip
    js.call("create", "AssetVersion", {"id": ids["version"], "asset_id": ids["asset"],
                                       "task_id": ids["task"]})  # fmt: skip
    return ids
