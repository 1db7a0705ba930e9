"""Reply shapes compared with replies recorded from a real ftrack server.

The recorded replies are in tests/data/ftrack/fixtures (Apache-2.0, see NOTICE.md there).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("lark")

from ft_dcc.server.store.store import Store

from ..store_helpers import create, create_asset, create_server_location, new_id, ref, update

FIXTURES = Path(__file__).resolve().parents[2] / "data" / "ftrack" / "fixtures"


def fixture(name: str) -> Dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def kind(value: Any) -> str:
    if isinstance(value, dict):
        return "datetime" if value.get("__type__") == "datetime" else "entity"
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    return type(value).__name__


def assert_same_shape(ours: Any, real: Any, path: str = "", exact_keys: bool = True) -> None:
    """Same keys (or a superset when not ``exact_keys``) and same kinds of values, recursively."""
    if isinstance(real, dict) and kind(real) == "entity":
        assert isinstance(ours, dict), f"{path}: expected an entity, got {ours!r}"
        if exact_keys:
            assert set(ours) == set(real), f"{path}: keys {sorted(ours)} != {sorted(real)}"
        else:
            missing = set(real) - set(ours)
            assert not missing, f"{path}: missing keys {sorted(missing)}"
        for key, value in real.items():
            assert_same_shape(ours[key], value, f"{path}.{key}", exact_keys)
    elif isinstance(real, list):
        assert isinstance(ours, list), f"{path}: expected a list"
        if real and ours:
            assert_same_shape(ours[-1], real[-1], f"{path}[]", exact_keys)
    elif real is not None and ours is not None:
        assert kind(ours) == kind(real), f"{path}: {kind(ours)} != {kind(real)} ({ours!r})"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('golden') / 'db.sqlite'}")
    user = store.ensure_seed("test.user")
    ids = {n: new_id() for n in ("project", "shot", "task1", "task2", "asset")}
    ids["versions"] = [new_id() for _ in range(3)]
    ops = [
        create("Project", ids["project"], name="golden"),
        create("Shot", ids["shot"], name="sh010", parent=ref("Project", ids["project"])),
        create("Task", ids["task1"], name="comp", parent=ref("Shot", ids["shot"])),
        create("Task", ids["task2"], name="light", parent=ref("Shot", ids["shot"])),
        create_asset(
            ids["asset"],
            ref("Shot", ids["shot"]),
            "8f4144e0-a8e6-11e2-9e96-0800200c9a66",
            name="plate",
        ),
    ] + [create("AssetVersion", v, asset=ref("Asset", ids["asset"])) for v in ids["versions"]]
    store.execute(ops, user)
    return store, user, ids


def run_query(store: Store, expression: str) -> Dict[str, Any]:
    return store.execute([{"action": "query", "expression": expression}], "")[0]


@pytest.mark.parametrize(
    "fixture_name,expression",
    [
        ("query_select_name_from_task_limit_1.json", "select name from Task limit 1"),
        (
            "query_select_name,_created_at_from_task_limit_1.json",
            "select name, created_at from Task limit 1",
        ),
        (
            "query_select_status.state.short_from_task_where_status.state.short_is_not_started_limit_1.json",
            'select status.state.short from Task where status.state.short is "NOT_STARTED" limit 1',
        ),
        (
            "query_select_version,_asset.versions.version_from_assetversion"
            "_where_asset_id_is_not_none_limit_1.json",
            "select version, asset.versions.version from AssetVersion "
            "where asset_id is_not none limit 1",
        ),
    ],
)
def test_query_replies_have_the_real_shape(world, fixture_name: str, expression: str) -> None:
    store, _user, _ids = world
    real = fixture(fixture_name)
    ours = run_query(store, expression)
    assert set(ours) == set(real) == {"action", "data", "metadata"}
    assert len(ours["data"]) == len(real["data"]) == 1
    assert_same_shape(ours["data"][0], real["data"][0])
    assert ours["metadata"] == real["metadata"]  # more rows exist: next offset 1


def test_status_state_values_match_the_real_server(world) -> None:
    store, _user, _ids = world
    real = fixture(
        "query_select_status.state.short_from_task_where_status.state.short_is_not_started_limit_1.json"
    )["data"][0]
    ours = run_query(
        store,
        'select status.state.short from Task where status.state.short is "NOT_STARTED" limit 1',
    )
    assert ours["data"][0]["status"] == real["status"]  # the real fixed ids of Not started
    assert ours["data"][0]["object_type_id"] == real["object_type_id"]


def test_create_user_reply_shape(world) -> None:
    store, user, _ids = world
    real = fixture("create_user.json")
    ident = new_id()
    reply = store.execute(
        [
            create(
                "User",
                ident,
                username=f"user-{ident}",
                first_name="first",
                last_name="last",
                is_active=False,
            )
        ],
        user,
    )[0]
    assert set(reply) == {"action", "data"}
    real["data"].pop("user_type_id")  # the real server fills a UserType we do not seed
    assert_same_shape(reply["data"], real["data"], exact_keys=False)
    assert reply["data"]["resource_type"] == "user"


def test_update_user_reply_is_pk_system_projections_and_changes(world) -> None:
    store, user, _ids = world
    real = fixture("update_user.json")
    ident = new_id()
    store.execute([create("User", ident, username=f"u-{ident}")], user)
    reply = store.execute([update("User", [ident], username=f"renamed-{ident}")], user)[0]
    assert set(reply) == {"action", "data"}
    assert_same_shape(reply["data"], real["data"])
    assert reply["data"]["username"] == f"renamed-{ident}"


def test_create_filecomponent_and_location_reply_shape(world) -> None:
    store, user, _ids = world
    real_component = fixture("create_filecomponent.json")
    real_location = fixture("create_componentlocation.json")
    component, location = new_id(), new_id()
    replies = store.execute(
        [
            create("FileComponent", component, name="data", file_type=".json", size=13),
            create_server_location(location, component),
            update(
                "FileComponent",
                [component],
                component_locations=[ref("ComponentLocation", location)],
            ),
        ],
        user,
    )
    assert_same_shape(replies[1]["data"], real_location["data"], exact_keys=False)
    combined: Dict[str, Any] = dict(replies[0]["data"])
    combined.update(replies[2]["data"])
    real: Dict[str, Any] = real_component["data"]
    real_locations: List[Dict[str, Any]] = real["component_locations"]
    real_locations[0].pop("component")  # the real server nests the owner back; we do not
    assert_same_shape(combined, real, exact_keys=False)
    assert combined["system_type"] == "file"
