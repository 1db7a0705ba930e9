"""Golden tests: the embedded server's replies have the shapes a real ftrack server's have.

The references are responses recorded from a real ftrack server (``tests/data/ftrack/fixtures``,
Apache-2.0, see the NOTICE there). Values differ by nature (ids, names); compared are the keys,
the JSON types of shared values and the envelope (``action``/``data``/``metadata``).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Dict

import pytest
from support import post_api as api

FIXTURES = Path(__file__).resolve().parents[2] / "data" / "ftrack" / "fixtures"


def golden(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def assert_same_shape(real: Dict[str, Any], ours: Dict[str, Any], *, exact_keys: bool) -> None:
    if exact_keys:
        assert set(ours) == set(real), (sorted(ours), sorted(real))
    else:
        assert set(real) <= set(ours), sorted(set(real) - set(ours))
    for key, value in real.items():
        if value is not None and ours.get(key) is not None:
            assert json_type(ours[key]) == json_type(value), key


def create(entity_type: str, data: Dict[str, Any]) -> Dict[str, Any]:
    entity_id = data.setdefault("id", str(uuid.uuid4()))
    return {
        "action": "create",
        "entity_type": entity_type,
        "entity_key": [entity_id],
        "entity_data": dict(data, __entity_type__=entity_type),
    }


def test_query_server_information_shape(embedded_server):
    real = golden("query_server_information.json")
    ours = api(embedded_server, [{"action": "query_server_information"}])[0]
    assert_same_shape(real, ours, exact_keys=True)
    assert_same_shape(real["storage_scenario"], ours["storage_scenario"], exact_keys=True)


def test_query_schemas_shape(embedded_server):
    _real_info, real_schemas = golden("query_server_information_query_schemas.json")
    ours = api(embedded_server, [{"action": "query_schemas"}])[0]
    real_by_id = {schema["id"]: schema for schema in real_schemas}
    ours_by_id = {schema["id"]: schema for schema in ours}
    for type_name in ("Task", "AssetVersion", "FileComponent", "ReviewSessionObject", "Metadata"):
        real, mine = real_by_id[type_name], ours_by_id[type_name]
        assert set(real) <= set(mine)
        assert mine["primary_key"] == real["primary_key"]
        assert set(real["properties"]) <= set(mine["properties"])


def test_create_and_update_user_shapes(embedded_server):
    user = create(
        "User",
        {"username": f"golden-{uuid.uuid4().hex[:8]}", "first_name": "first", "last_name": "last"},
    )
    created = api(embedded_server, [user])[0]
    real = golden("create_user.json")
    assert set(created) == set(real) == {"action", "data"}
    assert_same_shape(real["data"], created["data"], exact_keys=False)

    update = {
        "action": "update",
        "entity_type": "User",
        "entity_key": user["entity_key"],
        "entity_data": {"__entity_type__": "User", "username": f"renamed-{uuid.uuid4().hex[:8]}"},
    }
    updated = api(embedded_server, [update])[0]
    real = golden("update_user.json")
    assert set(updated) == set(real)
    assert_same_shape(real["data"], updated["data"], exact_keys=True)


def test_create_file_component_and_location_shapes(embedded_server):
    component = create("FileComponent", {"name": "data", "file_type": ".json", "size": 13})
    cid = component["entity_key"][0]
    location = create(
        "ComponentLocation",
        {
            "component": {"__entity_type__": "FileComponent", "id": cid},
            "location": {
                "__entity_type__": "Location",
                "id": "3a372bde-05bc-11e4-8908-20c9d081909b",
            },
            "resource_identifier": cid,
        },
    )
    made_component, made_location = api(embedded_server, [component, location])
    real_location = golden("create_componentlocation.json")
    assert set(made_location) == set(real_location)
    assert_same_shape(real_location["data"], made_location["data"], exact_keys=False)
    real_component = golden("create_filecomponent.json")["data"]
    scalars = {k: v for k, v in real_component.items() if k != "component_locations"}
    assert_same_shape(scalars, made_component["data"], exact_keys=False)
    assert made_component["data"]["system_type"] == "file"


def test_get_upload_metadata_shape(embedded_server):
    real = golden("get_upload_metadata.json")
    ours = api(
        embedded_server,
        [
            {
                "action": "get_upload_metadata",
                "component_id": str(uuid.uuid4()),
                "file_name": "data.json",
                "file_size": 13,
            }
        ],
    )[0]
    assert set(real) == set(ours)
    assert set(real["headers"]) <= set(ours["headers"])
    assert ours["headers"]["Content-Length"] == "13"
    assert ours["headers"]["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("fixture", "expression"),
    [
        ("query_select_name_from_task_limit_1.json", "select name from Task limit 1"),
        (
            "query_select_name,_created_at_from_task_limit_1.json",
            "select name, created_at from Task limit 1",
        ),
    ],
)
def test_query_reply_shape(fresh_server, fixture, expression):
    schema = api(
        fresh_server, [{"action": "query", "expression": "select id from ProjectSchema limit 1"}]
    )[0]
    project = create(
        "Project",
        {"name": "golden", "full_name": "Golden", "project_schema": schema["data"][0]},
    )
    parent = {"__entity_type__": "Project", "id": project["entity_key"][0]}
    task = create("Task", {"name": "comp", "parent": parent})
    api(fresh_server, [project, task])
    real = golden(fixture)
    ours = api(fresh_server, [{"action": "query", "expression": expression}])[0]
    assert set(ours) == set(real) == {"action", "data", "metadata"}
    assert set(ours["metadata"]["next"]) == {"offset"}
    assert len(ours["data"]) == 1
    assert_same_shape(real["data"][0], ours["data"][0], exact_keys=True)
    if "created_at" in real["data"][0]:
        assert ours["data"][0]["created_at"]["__type__"] == "datetime"
