"""Many-to-many collections: every collection of the real schema answers, the
link-table ones are written, filtered and cleaned up on delete, on SQLite and PostgreSQL.

ftrack keeps some pairs as link entities (``ListObject``, ``AssetVersionLink``…) and others out of
the API (Task ↔ Scope, a custom attribute's read/write security roles): ``schema.LinkTable``.
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("lark")

import sqlalchemy as sa

from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.model.schema import SchemaModel
from ft_dcc.server.store.store import Store

from ..store_helpers import create, create_asset, delete, new_id, ref, update


def _collections(model: SchemaModel):
    for etype in model.types.values():
        for attr in etype.attributes.values():
            if attr.kind == "collection" and not attr.restricted:
                yield etype, attr


def test_every_collection_of_the_schema_has_a_source_of_its_members() -> None:
    """No array attribute of ftrack's schema is left answering [] for want of a relation."""
    from ft_dcc.protocol.schemas import load_schemas

    model = SchemaModel(load_schemas())
    unresolved = []
    for etype, attr in _collections(model):
        target = model.types.get(attr.target or "")
        if target is None or attr.link is not None or attr.hierarchy is not None:
            continue
        columns = set(model.columns_of_family(target.family))
        if attr.remote_key not in columns:
            unresolved.append(f"{etype.name}.{attr.name}")
    assert unresolved == []
    scopes = model.types["Task"].attributes["scopes"].link
    assert scopes is not None and scopes.hidden and model.types["Project"].attributes["scopes"].link


def test_every_collection_answers_a_where_clause(store: Store, user_id: str) -> None:
    failures = []
    for etype, attr in _collections(store.model):
        if etype.is_abstract and etype.name != "TypedContext":
            continue
        try:
            store.query(f"select id from {etype.name} where {attr.name} any () limit 1", user_id)
        except ApiOperationError as error:
            failures.append(f"{etype.name}.{attr.name}: {error}")
    assert failures == []


@pytest.fixture
def world(store: Store, user_id: str) -> Dict[str, str]:
    ids = {name: new_id() for name in ("project", "shot", "task", "other", "red", "blue")}
    asset_type = store.query('select id from AssetType where short is "upload"', user_id)[0]["id"]
    ids["asset"], ids["v1"], ids["v2"], ids["list"] = new_id(), new_id(), new_id(), new_id()
    category = new_id()
    store.execute(
        [
            create("Project", ids["project"], name="links", full_name="Links"),
            create("Shot", ids["shot"], name="sh010", parent=ref("Project", ids["project"])),
            create("Task", ids["task"], name="comp", parent=ref("Shot", ids["shot"])),
            create("Task", ids["other"], name="roto", parent=ref("Shot", ids["shot"])),
            create("ListCategory", category, name="dailies"),
            create("Scope", ids["red"], name="red"),
            create("Scope", ids["blue"], name="blue"),
            create_asset(ids["asset"], ref("Shot", ids["shot"]), asset_type),
            create("AssetVersion", ids["v1"], asset=ref("Asset", ids["asset"])),
            create("AssetVersion", ids["v2"], asset=ref("Asset", ids["asset"])),
            create(
                "AssetVersionList",
                ids["list"],
                name="dailies",
                project=ref("Project", ids["project"]),
                category=ref("ListCategory", category),
            ),
        ],
        user_id,
    )
    return ids


def _scopes(store: Store, user_id: str, task: str) -> List[str]:
    rows = store.query(f'select scopes.name from Task where id is "{task}"', user_id)
    return sorted(scope["name"] for scope in rows[0]["scopes"])


def _pairs(store: Store, name: str) -> List[Any]:
    table = store.link_tables[name]
    with store.engine.connect() as connection:
        return sorted(tuple(row) for row in connection.execute(sa.select(table)))


def test_scopes_set_filter_and_replace(store: Store, user_id: str, world: Dict[str, str]) -> None:
    scopes = [ref("Scope", world["red"]), ref("Scope", world["blue"])]
    store.execute([update("Task", [world["task"]], scopes=scopes)], user_id)
    assert _scopes(store, user_id, world["task"]) == ["blue", "red"]
    found = store.query('select name from Task where scopes.name is "red"', user_id)
    assert [task["name"] for task in found] == ["comp"]
    found = store.query('select name from Task where not scopes any (name is "red")', user_id)
    assert [task["name"] for task in found] == ["roto"]
    store.execute([update("Task", [world["task"]], scopes=[scopes[1], scopes[1]])], user_id)
    assert _scopes(store, user_id, world["task"]) == ["blue"]
    assert _pairs(store, "context_scope") == [(world["task"], world["blue"])]


def test_a_refused_link_writes_nothing(store: Store, user_id: str, world: Dict[str, str]) -> None:
    store.execute([update("Task", [world["task"]], scopes=[ref("Scope", world["red"])])], user_id)
    ghost = ref("Scope", new_id())
    with pytest.raises(ApiOperationError, match="does not exist"):
        store.execute([update("Task", [world["task"]], scopes=[ghost])], user_id)
    with pytest.raises(ApiOperationError, match="needs its 'id'"):
        store.execute([update("Task", [world["task"]], scopes=[{"name": "red"}])], user_id)
    assert _scopes(store, user_id, world["task"]) == ["red"]


def test_deleting_either_side_removes_its_pairs(
    store: Store, user_id: str, world: Dict[str, str]
) -> None:
    both = [ref("Scope", world["red"]), ref("Scope", world["blue"])]
    store.execute(
        [update("Task", [world[name]], scopes=both) for name in ("task", "other")], user_id
    )
    store.execute([delete("Scope", [world["red"]])], user_id)
    assert _pairs(store, "context_scope") == sorted(
        (world[name], world["blue"]) for name in ("task", "other")
    )
    store.execute([delete("Task", [world["other"]])], user_id)
    assert _pairs(store, "context_scope") == [(world["task"], world["blue"])]
    store.execute([delete("Project", [world["project"]])], user_id)  # cascades to the task
    assert _pairs(store, "context_scope") == []
    assert store.query("select name from Scope", user_id) == [
        {"__entity_type__": "Scope", "id": world["blue"], "name": "blue"}
    ]


def test_list_members_keep_their_link_entities(
    store: Store, user_id: str, world: Dict[str, str]
) -> None:
    """Setting a list's items keeps the ListObject of a member that stays (its id, its custom
    attributes); a deleted version leaves the list."""
    items = [ref("AssetVersion", world["v1"])]
    store.execute([update("AssetVersionList", [world["list"]], items=items)], user_id)
    before = store.query(f'select id from ListObject where entity_id is "{world["v1"]}"', user_id)
    items.append(ref("AssetVersion", world["v2"]))
    store.execute([update("AssetVersionList", [world["list"]], items=items)], user_id)
    after = store.query(f'select id from ListObject where entity_id is "{world["v1"]}"', user_id)
    assert [o["id"] for o in after] == [o["id"] for o in before]
    found = store.query(
        f'select items from AssetVersionList where id is "{world["list"]}"', user_id
    )[0]
    assert sorted(v["id"] for v in found["items"]) == sorted([world["v1"], world["v2"]])
    store.execute([delete("AssetVersion", [world["v1"]])], user_id)
    objects = store.query("select entity_id from ListObject", user_id)
    assert [o["entity_id"] for o in objects] == [world["v2"]]
    lists = store.query(f'select lists from AssetVersion where id is "{world["v2"]}"', user_id)
    assert [found["id"] for found in lists[0]["lists"]] == [world["list"]]


def test_version_links_go_with_either_version(
    store: Store, user_id: str, world: Dict[str, str]
) -> None:
    uses = [ref("AssetVersion", world["v1"])]
    store.execute([update("AssetVersion", [world["v2"]], uses_versions=uses)], user_id)
    used = store.query(
        f'select used_in_versions from AssetVersion where id is "{world["v1"]}"', user_id
    )
    assert [v["id"] for v in used[0]["used_in_versions"]] == [world["v2"]]
    store.execute([delete("AssetVersion", [world["v1"]])], user_id)
    assert store.query("select from_id, to_id from AssetVersionLink", user_id) == []


def test_custom_attribute_security_roles(store: Store, user_id: str) -> None:
    roles = {r["name"]: r["id"] for r in store.query("select name from SecurityRole", user_id)}
    config = store.query("select id, key from CustomAttributeConfiguration limit 1", user_id)[0]
    store.execute(
        [
            update(
                "CustomAttributeConfiguration",
                [config["id"]],
                read_security_roles=[ref("SecurityRole", ident) for ident in roles.values()],
                write_security_roles=[ref("SecurityRole", roles["Administrator"])],
            )
        ],
        user_id,
    )
    found = store.query(
        "select read_security_roles.name, write_security_roles.name from "
        f'CustomAttributeConfiguration where id is "{config["id"]}"',
        user_id,
    )[0]
    assert sorted(r["name"] for r in found["read_security_roles"]) == sorted(roles)
    assert [r["name"] for r in found["write_security_roles"]] == ["Administrator"]
    writable = store.query(
        'select key from CustomAttributeConfiguration where write_security_roles.name is "User"',
        user_id,
    )
    assert writable == []


def test_reverse_directions_of_schema_links(store: Store, user_id: str) -> None:
    """ObjectType.project_schemas and Type.task_type_schemas read ProjectSchema.object_types and
    TaskTypeSchema.types from the other end."""
    schema = store.query("select object_types.id from ProjectSchema limit 1", user_id)[0]
    object_type = schema["object_types"][0]["id"]
    found = store.query(
        f'select project_schemas from ObjectType where id is "{object_type}"', user_id
    )
    assert schema["id"] in [s["id"] for s in found[0]["project_schemas"]]
    by_filter = store.query(
        f'select id from ObjectType where project_schemas any (id is "{schema["id"]}")', user_id
    )
    assert object_type in [o["id"] for o in by_filter]
    types = store.query("select types.id from TaskTypeSchema limit 1", user_id)[0]
    task_type = types["types"][0]["id"]
    found = store.query(f'select task_type_schemas from Type where id is "{task_type}"', user_id)
    assert types["id"] in [s["id"] for s in found[0]["task_type_schemas"]]


def test_one_to_many_collections_that_were_empty(store: Store, user_id: str) -> None:
    """Status changes, dashboard resources and project schema overrides come from the key of
    the target that points back."""
    project_schema = store.query("select id from ProjectSchema limit 1", user_id)[0]["id"]
    override = new_id()
    store.execute(
        [create("ProjectSchemaOverride", override, project_schema_id=project_schema)], user_id
    )
    found = store.query(
        "select _overrides, task_workflow_schema_overrides from ProjectSchema "
        f'where id is "{project_schema}"',
        user_id,
    )[0]
    assert [o["id"] for o in found["_overrides"]] == [override]
    assert [o["id"] for o in found["task_workflow_schema_overrides"]] == [override]
