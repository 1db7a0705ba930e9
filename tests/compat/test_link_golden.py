"""Golden checks: ``link`` of every context kind, Asset and AssetVersion,
and create/update replies, compared with what a real ftrack server answered
(``tests/data/ftrack``), through the GENUINE ``ftrack_api`` client and raw ``/api`` batches, on
SQLite and on PostgreSQL with 4 workers (``compat/conftest.py``).
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests

from .test_genuine_client import unique

ftrack_api = pytest.importorskip("ftrack_api")

pytestmark = pytest.mark.compat

DATA = Path(__file__).resolve().parents[1] / "data" / "ftrack"
GOLDEN = json.loads((DATA / "link_shapes.json").read_text())
#: "cloud v001": the asset's name, a space, "v" and the version number in (at least) 3 digits
VERSION_NAME = re.compile(r"^(?P<asset>.+) v(?P<number>\d{3,})$")


def _recorded(name: str) -> Dict[str, Any]:
    return json.loads((DATA / "fixtures" / name).read_text())


def _post(session: Any, operations: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    headers = {"ftrack-user": session.api_user, "ftrack-api-key": session.api_key}
    reply = requests.post(f"{session.server_url}/api", json=operations, headers=headers, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()


def _link(session: Any, entity_type: str, entity_id: str) -> List[Dict[str, Any]]:
    return session.query(f'select link from {entity_type} where id is "{entity_id}"').one()["link"]


def _types(link: List[Dict[str, Any]]) -> List[str]:
    return [item["type"] for item in link]


@pytest.fixture
def tree(session: Any) -> Dict[str, Any]:
    """Project / Folder / Sequence / Shot / Task, an Asset on the shot and its first version."""
    project = session.create(
        "Project",
        {
            "name": unique("golden"),
            "full_name": "Golden",
            "project_schema": session.query("ProjectSchema").first(),
        },
    )
    folder = session.create("Folder", {"name": "episodes", "parent": project})
    sequence = session.create("Sequence", {"name": "seq02", "parent": folder})
    shot = session.create("Shot", {"name": "shot01", "parent": sequence})
    task = session.create("Task", {"name": "comp", "parent": shot})
    asset_type = session.query("AssetType").first()
    asset = session.create("Asset", {"name": "cloud", "parent": shot, "type": asset_type})
    version = session.create("AssetVersion", {"asset": asset, "task": task})
    session.commit()
    return {
        "Project": project,
        "Folder": folder,
        "Sequence": sequence,
        "Shot": shot,
        "Task": task,
        "Asset": asset,
        "AssetVersion": version,
    }


def test_printed_real_links_have_the_recorded_shapes() -> None:
    """The shapes used below agree with the links a real server printed."""
    for kind, printed in GOLDEN["printed"].items():
        assert all(set(item) == {"id", "name", "type"} for item in printed)
        assert _types(printed)[0] == "Project"
        if kind == "AssetVersion":
            assert _types(printed)[-1] == "AssetVersion"
            assert VERSION_NAME.match(printed[-1]["name"])
        assert set(_types(printed)[1:-1]) <= {"TypedContext"}


@pytest.mark.parametrize("kind", ["Project", "Folder", "Sequence", "Shot", "Task"])
def test_context_link_matches_ftrack(kind: str, tree: Dict[str, Any], make_session) -> None:
    fresh = make_session()
    link = _link(fresh, kind, tree[kind]["id"])
    assert _types(link) == _types(GOLDEN["shapes"][kind])
    assert all(set(item) == {"id", "name", "type"} for item in link)
    path = ["Project", "Folder", "Sequence", "Shot", "Task"]
    expected = [(tree[name]["id"], tree[name]["name"]) for name in path[: path.index(kind) + 1]]
    assert [(item["id"], item["name"]) for item in link] == expected


def test_asset_version_link_matches_ftrack(tree: Dict[str, Any], make_session) -> None:
    fresh = make_session()
    version = tree["AssetVersion"]
    link = _link(fresh, "AssetVersion", version["id"])
    assert _types(link) == _types(GOLDEN["shapes"]["AssetVersion"])
    assert [item["id"] for item in link[:-1]] == [
        tree[name]["id"] for name in ("Project", "Folder", "Sequence", "Shot")
    ]  # the asset's context path: no Asset item, no task
    itself = link[-1]
    assert itself["id"] == version["id"] and set(itself) == {"id", "name", "type"}
    # named like the printed real one ("cloud v001")
    assert itself["name"] == "cloud v001"
    assert VERSION_NAME.match(GOLDEN["printed"]["AssetVersion"][-1]["name"]).group("number") == (
        "001"
    )
    # ftrack's own path building: link[1:-1] are the folders, then asset name and version
    assert [item["name"] for item in link[1:-1]] == ["episodes", "seq02", "shot01"]


def test_asset_has_no_link_as_in_ftrack(tree: Dict[str, Any], session) -> None:
    assert session.types["Asset"].attributes.get("link") is None
    with pytest.raises(ftrack_api.exception.ServerError, match="link"):
        session.query(f'select link from Asset where id is "{tree["Asset"]["id"]}"').all()


# -- create / update replies ------------------------------------------------------------------
def _scalars(data: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in data.items() if not isinstance(v, (dict, list))}


def _same_kinds(ours: Dict[str, Any], recorded: Dict[str, Any]) -> List[str]:
    """Keys whose value is of another JSON kind than in the recorded reply."""
    return [
        key for key, value in recorded.items() if key in ours and type(ours[key]) is not type(value)
    ]


def test_create_replies_match_the_recorded_ones(session) -> None:
    """User, FileComponent and ComponentLocation creates answer the recorded reply's keys with
    values of the same kinds, and no attribute that was not set comes back as null."""
    user = _recorded("create_user.json")
    component = _recorded("create_filecomponent.json")
    location = _recorded("create_componentlocation.json")
    component_id, location_id = str(uuid.uuid4()), str(uuid.uuid4())
    server = session.query('Location where name is "ftrack.server"').one()
    operations = [
        {
            "action": "create",
            "entity_type": "User",
            "entity_data": {
                "__entity_type__": "User",
                "username": unique("golden"),
                "first_name": "first",
                "last_name": "last",
            },
        },
        {
            "action": "create",
            "entity_type": "FileComponent",
            "entity_data": {
                "__entity_type__": "FileComponent",
                "id": component_id,
                "name": "data",
                "file_type": ".json",
                "size": 13,
            },
        },
        {
            "action": "create",
            "entity_type": "ComponentLocation",
            "entity_data": {
                "__entity_type__": "ComponentLocation",
                "id": location_id,
                "component_id": component_id,
                "location_id": server["id"],
                "resource_identifier": component_id,
            },
        },
    ]
    replies = _post(session, operations)
    for reply, recorded in zip(replies, (user, component, location)):
        assert reply["action"] == recorded["action"] == "create"
        data, expected = reply["data"], _scalars(recorded["data"])
        assert set(expected) <= set(data), set(expected) - set(data)
        assert _same_kinds(data, expected) == []
        assert None not in data.values()
        assert data["__entity_type__"] == expected["__entity_type__"]
    assert replies[1]["data"]["system_type"] == component["data"]["system_type"] == "file"
    assert replies[0]["data"]["resource_type"] == user["data"]["resource_type"] == "user"


def test_update_reply_matches_the_recorded_one(session) -> None:
    recorded = _recorded("update_user.json")
    user = session.create("User", {"username": unique("before")})
    session.commit()
    renamed = unique("testName")
    update = {
        "action": "update",
        "entity_type": "User",
        "entity_key": [user["id"]],
        "entity_data": {"__entity_type__": "User", "username": renamed},
    }
    reply = _post(session, [update])[0]
    assert reply["action"] == recorded["action"] == "update"
    assert set(reply["data"]) == set(recorded["data"])
    assert reply["data"]["username"] == renamed and reply["data"]["id"] == user["id"]


def test_group_link_is_its_path_of_groups(session, make_session) -> None:
    """Group is the one other type whose schema has ``link``: the path of groups from the top
    one down to itself, each item typed Group (shape inferred from the context links; no real
    reply recorded)."""
    studio = session.create("Group", {"name": unique("studio"), "local": False})
    team = session.create("Group", {"name": "comp team", "local": False, "parent": studio})
    session.commit()
    link = _link(make_session(), "Group", team["id"])
    assert link == [
        {"id": studio["id"], "name": studio["name"], "type": "Group"},
        {"id": team["id"], "name": "comp team", "type": "Group"},
    ]
