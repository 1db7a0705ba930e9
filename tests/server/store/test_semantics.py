"""Store write semantics: the genuine client's recorded batches, defaults, validation, rollback."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Dict

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("lark")

from ft_dcc.protocol import LOCATION_SERVER
from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.rules import review as review_rules
from ft_dcc.server.store.store import Store

from ..store_helpers import (
    create,
    create_asset,
    create_component,
    create_server_location,
    datetime_value,
    delete,
    metadata,
    new_id,
    query,
    ref,
    update,
)

RECORDED = Path(__file__).resolve().parents[2] / "data" / "ftrack" / "recorded_write_batches.json"
#: recorded batches that touch entities only the probe server had seeded: they must fail cleanly
PROBE_ONLY = {91, 94, 100, 110, 111}


@pytest.fixture
def project(store: Store, user_id: str) -> Dict[str, str]:
    ids = {"project": new_id(), "shot": new_id(), "asset": new_id(), "version": new_id()}
    upload = store.query('select id from AssetType where short is "upload"')[0]["id"]
    store.execute(
        [
            create("Project", ids["project"], name="proj", full_name="Project"),
            create("Shot", ids["shot"], name="sh010", parent=ref("Project", ids["project"])),
            create_asset(ids["asset"], ref("Shot", ids["shot"]), upload),
            create("AssetVersion", ids["version"], asset=ref("Asset", ids["asset"])),
        ],
        user_id,
    )
    return ids


def fail(store: Store, operations, user_id: str) -> ApiOperationError:
    with pytest.raises(ApiOperationError) as caught:
        store.execute(operations, user_id)
    assert "{" not in caught.value.message and "}" not in caught.value.message
    return caught.value


def test_recorded_client_batches_replay(
    store: Store, user_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Recorded while review session "X" (2024-05-01 to 05-08) was open: a closed session takes
    # no new objects (ft_dcc.server.rules.review), so the replay runs at that time.
    monkeypatch.setattr(review_rules, "now", lambda: dt.datetime(2024, 5, 2, 12))
    batches = json.loads(RECORDED.read_text(encoding="utf-8"))
    for batch in batches:
        if batch["seq"] in PROBE_ONLY:
            error = fail(store, batch["operations"], user_id)
            assert error.exception == "NotFoundError"
            assert error.index is not None
            continue
        replies = store.execute(batch["operations"], user_id)
        assert len(replies) == len(batch["operations"])
        for operation, reply in zip(batch["operations"], replies):
            assert reply["action"] == operation["action"]
            if operation["action"] != "delete":
                data = reply["data"]
                assert data["__entity_type__"] == operation["entity_type"]
                for name, value in zip(
                    store.model.types[operation["entity_type"]].primary_key, operation["entity_key"]
                ):
                    assert data[name] == value
    component = "78148296-6b16-45a4-b95e-649749d79464"
    rows = store.query(f"select metadata from FileComponent where id is {component}")
    assert [(m["key"], m["value"]) for m in rows[0]["metadata"]] == [("other", "1")]
    version = store.query(
        "select comment, task, thumbnail_id, components.name from AssetVersion "
        "where id is 17d7dbe5-ee41-48cf-9120-21eaf2f87612"
    )[0]
    assert version["comment"] == "updated"
    assert version["task"] is None
    assert version["thumbnail_id"] == "c21a8785-9d90-4b16-8639-d45db905b893"
    assert "ftrackreview-mp4" in [c["name"] for c in version["components"]]
    session = store.query(
        "select end_date, review_session_objects.name from ReviewSession "
        "where id is b5cb6e19-7ef6-4e4f-92e0-49e77192af2e"
    )[0]
    assert session["end_date"]["value"].startswith("2024-06-01T10:30:45.123456")
    assert [o["name"] for o in session["review_session_objects"]] == ["shot010"]
    sequence = store.query(
        "select members.name, system_type from SequenceComponent "
        "where id is 670c4149-7259-406c-864b-a6965f6bb190"
    )[0]
    assert sequence["system_type"] == "sequence"
    assert sorted(m["name"] for m in sequence["members"]) == ["0001", "0002", "0003"]


def test_create_fills_server_defaults(store: Store, user_id: str, project) -> None:
    rows = store.query(
        f"select context_type, object_type_id, status.name, type.name, priority_id, project_id, "
        f"created_by_id, sort, bid from Shot where id is {project['shot']}"
    )
    shot = rows[0]
    assert shot["context_type"] == "task"
    assert shot["object_type_id"] == "bad911de-3bd6-47b9-8b46-3476e237cb36"
    assert shot["status"]["name"] == "Not started"
    assert shot["type"]["name"] == "Generic"
    assert shot["project_id"] == project["project"]
    assert shot["created_by_id"] == user_id
    version = store.query(
        f"select version, status.name, user_id, date, is_published from AssetVersion "
        f"where id is {project['version']}"
    )[0]
    assert version["version"] == 1
    assert version["status"]["name"] == "Pending Review"
    assert version["user_id"] == user_id
    assert version["date"]["__type__"] == "datetime"
    assert version["is_published"] is True


def test_review_session_dates_sort_order_and_is_open(store: Store, user_id: str, project) -> None:
    open_session, closed_session = new_id(), new_id()
    objects = [new_id(), new_id()]
    replies = store.execute(
        [
            create(
                "ReviewSession",
                open_session,
                name="open",
                project=ref("Project", project["project"]),
            ),
            create(
                "ReviewSession",
                closed_session,
                name="closed",
                project=ref("Project", project["project"]),
                end_date=datetime_value("2020-01-01T00:00:00"),
            ),
        ]
        + [
            create(
                "ReviewSessionObject",
                ident,
                name=f"obj{n}",
                review_session=ref("ReviewSession", open_session),
                asset_version=ref("AssetVersion", project["version"]),
            )
            for n, ident in enumerate(objects)
        ],
        user_id,
    )
    created = replies[0]["data"]
    assert created["start_date"]["__type__"] == "datetime"
    assert created["end_date"]["__type__"] == "datetime"
    assert created["is_open"] is True
    assert replies[1]["data"]["is_open"] is False
    assert [r["data"]["sort_order"] for r in replies[2:]] == [0, 1]
    names = [r["name"] for r in store.query("select name from ReviewSession where is_open is True")]
    assert names == ["open"]
    names = [
        r["name"] for r in store.query("select name from ReviewSession where is_open is False")
    ]
    assert names == ["closed"]


def test_custom_attributes_are_dense_and_updates_upsert(
    store: Store, user_id: str, project
) -> None:
    shot = project["shot"]
    values = store.query(f"select custom_attributes from Shot where id is {shot}")[0]
    by_key = {v["key"]: v for v in values["custom_attributes"]}
    assert set(by_key) >= {"fps", "fstart", "fend"}
    assert by_key["fstart"]["__entity_type__"] == "ContextCustomAttributeValue"
    fstart = by_key["fstart"]
    key = [fstart["configuration_id"], shot]
    reply = store.execute([update("ContextCustomAttributeValue", key, value=1009)], user_id)
    assert reply[0]["data"]["value"] == 1009
    assert reply[0]["data"]["configuration_id"] == fstart["configuration_id"]
    store.execute([update("ContextCustomAttributeValue", key, value=1010)], user_id)
    values = store.query(f"select custom_attributes from Shot where id is {shot}")[0]
    assert {v["key"]: v["value"] for v in values["custom_attributes"]}["fstart"] == 1010
    found = store.query(
        'select id from Shot where custom_attributes any (key is "fstart" and value is 1010)'
    )
    assert [r["id"] for r in found] == [shot]
    project_values = store.query(
        f"select custom_attributes from Project where id is {project['project']}"
    )[0]["custom_attributes"]
    assert [v["key"] for v in project_values] == ["fps"]
    configs = store.query(
        "select key, project_id, id, object_type_id, entity_type, is_hierarchical "
        "from CustomAttributeConfiguration"
    )
    assert {c["key"] for c in configs} >= {"fps", "fstart", "fend"}


def test_unknown_configuration_is_not_found(store: Store, user_id: str, project) -> None:
    error = fail(
        store,
        [update("ContextCustomAttributeValue", [new_id(), project["shot"]], value=1)],
        user_id,
    )
    assert error.exception == "NotFoundError"


def test_notes_collection_sets_parent(store: Store, user_id: str, project) -> None:
    note = new_id()
    store.execute(
        [
            create("Note", note, content="looks good", author=ref("User", user_id), is_todo=False),
            update("AssetVersion", [project["version"]], notes=[ref("Note", note)]),
        ],
        user_id,
    )
    rows = store.query(
        "select notes.content, notes.parent_type from AssetVersion "
        f"where id is {project['version']}"
    )
    assert [(n["content"], n["parent_type"]) for n in rows[0]["notes"]] == [
        ("looks good", "AssetVersion")
    ]


def test_metadata_composite_key_and_query_by_metadata(store: Store, user_id: str, project) -> None:
    version = project["version"]
    store.execute(
        [
            metadata("AssetVersion", version, "source", "maya"),
            update(
                "AssetVersion",
                [version],
                metadata=[{"__entity_type__": "Metadata", "parent_id": version, "key": "source"}],
            ),
        ],
        user_id,
    )
    found = store.query(
        'select id from AssetVersion where metadata any (key is "source" and value is "maya")'
    )
    assert [r["id"] for r in found] == [version]
    error = fail(store, [update("Metadata", [version, "source"], key="other")], user_id)
    assert "immutable" in error.message
    store.execute([delete("Metadata", [version, "source"])], user_id)
    assert store.query(f'select value from Metadata where parent_id is "{version}"') == []


def test_reference_to_none_and_reassignment(store: Store, user_id: str, project) -> None:
    task = new_id()
    store.execute(
        [
            create("Task", task, name="comp", parent=ref("Shot", project["shot"])),
            update("AssetVersion", [project["version"]], task=ref("Task", task)),
        ],
        user_id,
    )
    assert (
        store.query(f"select task.name from AssetVersion where id is {project['version']}")[0][
            "task"
        ]["name"]
        == "comp"
    )
    reply = store.execute([update("AssetVersion", [project["version"]], task=None)], user_id)
    assert reply[0]["data"]["task"] is None
    assert (
        store.query(f"select task_id from AssetVersion where id is {project['version']}")[0][
            "task_id"
        ]
        is None
    )


def test_batch_is_atomic_and_names_failing_operation(store: Store, user_id: str, project) -> None:
    new_version, bad = new_id(), new_id()
    error = fail(
        store,
        [
            create("AssetVersion", new_version, asset=ref("Asset", project["asset"])),
            update("Shot", [project["shot"]], name="renamed"),
            create("FileComponent", bad, name="x", version=ref("AssetVersion", new_id())),
        ],
        user_id,
    )
    assert error.index == 2
    assert "create FileComponent" in error.message
    assert store.query(f"select id from AssetVersion where id is {new_version}") == []
    assert store.query(f"select name from Shot where id is {project['shot']}")[0]["name"] == "sh010"
    # the failed batch did not consume a version number
    reply = store.execute(
        [create("AssetVersion", new_id(), asset=ref("Asset", project["asset"]))], user_id
    )
    assert reply[0]["data"]["version"] == 2


@pytest.mark.parametrize(
    "operations,words",
    [
        ("not a list", ["list"]),
        ([42], ["object"]),
        ([{"action": "explode"}], ["explode"]),
        ([create("NoSuchType", new_id())], ["NoSuchType"]),
        ([create("Context", new_id(), name="x")], ["abstract"]),
        ([create("Shot", new_id(), name=["not", "a", "string"])], ["name", "string"]),
        ([create("FileComponent", new_id(), size="big")], ["size", "whole number"]),
        ([create("FileComponent", new_id(), size=float("inf"))], ["size", "whole number"]),
        ([create("FileComponent", new_id(), size=10**30)], ["size", "64-bit"]),
        ([query("select id from FileComponent where size > 100000000000000000000000")], ["64-bit"]),
        ([create("Task", new_id(), name="t", bid=float("nan"))], ["bid", "finite number"]),
        ([create("ReviewSession", new_id(), name="x", start_date="yesterday")], ["yesterday"]),
        ([create("ReviewSession", new_id(), name="x", is_open=True)], ["is_open", "computed"]),
        ([create("Shot", new_id(), parent="not-a-ref")], ["parent", "reference"]),
        ([create("Shot", new_id(), parent=ref("AssetType", new_id()))], ["parent"]),
        ([create("SequenceComponent", new_id(), members="x")], ["members", "list"]),
        ([update("Shot", ["a", "b"], name="x")], ["entity_key"]),
        ([update("Shot", [new_id()], name="x")], ["does not exist"]),
        ([delete("Shot", [new_id()])], ["does not exist"]),
        ([query("select id from Shot where")], ["end of the expression"]),
        ([query("select nope from Shot")], ["nope"]),
        ([query(123)], ["expression"]),
        ([query("select id from Location where " + "not " * 3000 + 'name is "x"')], ["nested"]),
    ],
)
def test_hostile_input_is_an_api_error(store: Store, user_id: str, operations: Any, words) -> None:
    error = fail(store, operations, user_id)
    for word in words:
        assert word in error.message


def test_thousands_of_conditions_are_answered_or_refused_clearly(
    store: Store, user_id: str
) -> None:
    """SQLite's expression depth limit refuses 3000 conditions in the error shape; PostgreSQL
    has no such limit and answers."""
    operations = [query("select id from Location where " + " and ".join(["name is x"] * 3000))]
    if store.engine.dialect.name == "sqlite":
        assert "fewer conditions" in fail(store, operations, user_id).message
    else:
        assert store.execute(operations, user_id)[0]["data"] == []


def test_duplicate_primary_key_and_immutable_id(store: Store, user_id: str, project) -> None:
    error = fail(store, [create("Project", project["project"], name="again")], user_id)
    assert "already exists" in error.message
    error = fail(store, [update("Shot", [project["shot"]], id=new_id())], user_id)
    assert "immutable" in error.message


def test_delete_cascades_to_owned_entities(store: Store, user_id: str, project) -> None:
    component, location = new_id(), new_id()
    store.execute(
        [
            create_component(component, "main", project["version"]),
            create_server_location(location, component),
            metadata("FileComponent", component, "k", "v"),
        ],
        user_id,
    )
    store.execute([delete("AssetVersion", [project["version"]])], user_id)
    assert store.query(f"select id from Component where id is {component}") == []
    assert store.query(f"select id from ComponentLocation where id is {location}") == []
    assert store.query(f'select key from Metadata where parent_id is "{component}"') == []


def test_changes_describe_the_batch(store: Store, user_id: str, project) -> None:
    component = new_id()
    changes = store.run(
        [
            create_component(component, "main", project["version"]),
            update("AssetVersion", [project["version"]], comment="new"),
        ],
        user_id,
    ).changes
    assert [(c["action"], c["entity_type"], c["entity_id"]) for c in changes] == [
        ("add", "FileComponent", component),
        ("update", "AssetVersion", project["version"]),
    ]
    assert changes[1]["keys"] == ["comment"]
    assert changes[1]["changes"] == {"comment": {"new": "new", "old": ""}}
    assert changes[1]["values"] == {"comment": "new"}
    ancestry = [(p["entity_type"], p["entity_id"]) for p in changes[0]["parents"]]
    assert ancestry == [
        ("AssetVersion", project["version"]),
        ("Asset", project["asset"]),
        ("Shot", project["shot"]),
        ("Project", project["project"]),
    ]
    assert changes[0]["parent_id"] == project["version"]
    assert changes[0]["parents"][0]["parent_id"] == project["asset"]


def test_project_schema_workflows_link_statuses_and_types(store: Store, user_id: str) -> None:
    row = store.query(
        "select _task_workflow.statuses.name, _version_workflow.statuses.name, "
        "_task_type_schema.types.name, _schemas.type_id from ProjectSchema"
    )[0]
    task_statuses = {s["name"] for s in row["_task_workflow"]["statuses"]}
    assert {"Not started", "In progress", "Approved"} <= task_statuses
    version_statuses = {s["name"] for s in row["_version_workflow"]["statuses"]}
    assert "Pending Review" in version_statuses and "Not started" not in version_statuses
    assert "Generic" in {t["name"] for t in row["_task_type_schema"]["types"]}
    shot_type = "bad911de-3bd6-47b9-8b46-3476e237cb36"
    assert shot_type in {s["type_id"] for s in row["_schemas"]}
    statuses = store.query(
        f"select task_status.name from SchemaStatus where schema_id in "
        f"(select id from Schema where type_id is {shot_type})"
    )
    assert "Not started" in {s["task_status"]["name"] for s in statuses}
    found = store.query(
        'select name from WorkflowSchema where statuses any (name is "Not started")'
    )
    assert [w["name"] for w in found] == ["Task workflow"]
    workflow = store.query('select id from WorkflowSchema where name is "Version workflow"')[0][
        "id"
    ]
    approved = store.query('select id from Status where name is "Approved"')[0]["id"]
    store.execute(
        [update("WorkflowSchema", [workflow], statuses=[ref("Status", approved)])], user_id
    )
    names = store.query(f"select statuses.name from WorkflowSchema where id is {workflow}")
    assert [s["name"] for s in names[0]["statuses"]] == ["Approved"]


def test_timer_and_timelog_defaults(store: Store, user_id: str) -> None:
    timer = new_id()
    reply = store.execute([create("Timer", timer, user=ref("User", user_id), name="t")], user_id)
    assert reply[0]["data"]["start"]["__type__"] == "datetime"
    assert reply[0]["data"]["user_id"] == user_id


def test_system_user_can_create_jobs_and_users(store: Store, user_id: str) -> None:
    job, user = new_id(), new_id()
    replies = store.execute(
        [
            create("Job", job, data=json.dumps({"output": []}), status="running"),
            create("User", user, username="new.person", first_name="New", last_name="Person"),
        ],
        user_id,
    )
    assert replies[0]["data"]["type"] == "api_job"
    assert replies[0]["data"]["user_id"] == user_id
    assert replies[1]["data"]["resource_type"] == "user"
    store.execute([update("Job", [job], status="done")], user_id)
    assert store.query(f"select status from Job where id is {job}")[0]["status"] == "done"


def test_concurrent_batches_get_distinct_version_numbers(tmp_path: Path) -> None:
    """Several Store instances (as several server workers would) on one SQLite file."""
    import threading

    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    first = Store(url)
    user = first.ensure_seed("test.user")
    project, asset = new_id(), new_id()
    first.execute(
        [
            create("Project", project, name="race"),
            create_asset(asset, ref("Project", project), "8f4144e0-a8e6-11e2-9e96-0800200c9a66"),
        ],
        user,
    )
    stores = [first, Store(url), Store(url)]
    numbers: list = []
    errors: list = []
    lock = threading.Lock()

    def publish(store: Store) -> None:
        try:
            for _ in range(5):
                reply = store.execute(
                    [create("AssetVersion", new_id(), asset=ref("Asset", asset))], user
                )
                with lock:
                    numbers.append(reply[0]["data"]["version"])
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=publish, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(numbers) == list(range(1, 16))


def test_hierarchical_custom_attribute_inherits_from_ancestors(
    store: Store, user_id: str, project
) -> None:
    config = store.query('select id from CustomAttributeConfiguration where key is "fps"')[0]["id"]
    store.execute(
        [update("ContextCustomAttributeValue", [config, project["project"]], value=24)], user_id
    )
    shot = store.query(f"select custom_attributes from Shot where id is {project['shot']}")[0]
    assert {v["key"]: v["value"] for v in shot["custom_attributes"]}["fps"] == 24
    version = store.query(
        f"select custom_attributes from AssetVersion where id is {project['version']}"
    )[0]
    assert {v["key"]: v["value"] for v in version["custom_attributes"]}["fps"] == 24
    store.execute(
        [update("ContextCustomAttributeValue", [config, project["shot"]], value=30)], user_id
    )
    shot = store.query(f"select custom_attributes from Shot where id is {project['shot']}")[0]
    assert {v["key"]: v["value"] for v in shot["custom_attributes"]}["fps"] == 30


def test_legacy_custom_attribute_value_create_and_metadata_parent_type(
    store: Store, user_id: str, project
) -> None:
    config = store.query('select id from CustomAttributeConfiguration where key is "fend"')[0]["id"]
    store.execute(
        [
            {
                "action": "create",
                "entity_type": "CustomAttributeValue",
                "entity_key": [config, project["shot"]],
                "entity_data": {
                    "__entity_type__": "CustomAttributeValue",
                    "configuration_id": config,
                    "entity_id": project["shot"],
                    "value": 1234,
                },
            },
            {
                "action": "create",
                "entity_type": "Metadata",
                "entity_key": [project["shot"], "k"],
                "entity_data": {
                    "__entity_type__": "Metadata",
                    "parent_id": project["shot"],
                    "key": "k",
                    "value": "v",
                },
            },
        ],
        user_id,
    )
    shot = store.query(
        f"select custom_attributes, metadata from Shot where id is {project['shot']}"
    )[0]
    assert {v["key"]: v["value"] for v in shot["custom_attributes"]}["fend"] == 1234
    assert shot["metadata"][0]["parent_type"] == "Shot"


def test_collections_come_in_display_order(store: Store, user_id: str) -> None:
    row = store.query("select _task_workflow.statuses.name from ProjectSchema")[0]
    names = [s["name"] for s in row["_task_workflow"]["statuses"]]
    assert names[:3] == ["Not started", "In progress", "Pending Review"]


@pytest.mark.parametrize("system_user", ["", "system"])
def test_server_internal_callers_without_a_user(
    store: Store, user_id: str, system_user: str
) -> None:
    job, component = new_id(), new_id()
    replies = store.execute(
        [
            create("Job", job, data="{}"),
            create("FileComponent", component, name="ftrackreview-mp4", size=10),
            create_server_location(new_id(), component),
        ],
        system_user,
    )
    assert "user_id" not in replies[0]["data"]  # left unset: not in the reply, as on ftrack
    assert replies[1]["data"]["system_type"] == "file"


def test_review_session_thumbnail_is_computed_from_its_first_version(
    store: Store, user_id: str, project
) -> None:
    session, thumbnail = new_id(), new_id()
    store.execute(
        [
            create("FileComponent", thumbnail, name="thumbnail"),
            update("AssetVersion", [project["version"]], thumbnail=ref("FileComponent", thumbnail)),
            create("ReviewSession", session, name="r", project=ref("Project", project["project"])),
            create(
                "ReviewSessionObject",
                new_id(),
                review_session=ref("ReviewSession", session),
                asset_version=ref("AssetVersion", project["version"]),
            ),
        ],
        user_id,
    )
    row = store.query(
        "select thumbnail_id, thumbnail.name, thumbnail_url from ReviewSession "
        f"where id is {session}"
    )[0]
    assert row["thumbnail_id"] == thumbnail
    assert row["thumbnail"]["name"] == "thumbnail"
    assert thumbnail in row["thumbnail_url"]["url"]
    error = fail(
        store,
        [update("ReviewSession", [session], thumbnail=ref("FileComponent", thumbnail))],
        user_id,
    )
    assert "computed" in error.message
    error = fail(
        store, [query(f"select id from ReviewSession where thumbnail.id is {thumbnail}")], user_id
    )
    assert "thumbnail" in error.message


def test_custom_attribute_values_are_typed_and_need_their_entity(
    store: Store, user_id: str, project
) -> None:
    config = store.query('select id from CustomAttributeConfiguration where key is "fstart"')[0]
    key = [config["id"], project["shot"]]
    error = fail(store, [update("ContextCustomAttributeValue", key, value="soon")], user_id)
    assert "fstart" in error.message and "number" in error.message
    store.execute([update("ContextCustomAttributeValue", key, value=1001)], user_id)
    error = fail(store, [update("ContextCustomAttributeValue", key, value=True)], user_id)
    assert "number" in error.message
    missing = new_id()
    error = fail(
        store, [update("ContextCustomAttributeValue", [config["id"], missing], value=1)], user_id
    )
    assert missing in error.message and error.exception == "NotFoundError"


def test_unique_names_and_version_numbers(store: Store, user_id: str, project) -> None:
    error = fail(store, [create("Project", new_id(), name="proj")], user_id)
    assert "already has name 'proj'" in error.message
    error = fail(store, [create("User", new_id(), username="test.user")], user_id)
    assert "username" in error.message
    error = fail(
        store,
        [create("AssetVersion", new_id(), asset=ref("Asset", project["asset"]), version=1)],
        user_id,
    )
    assert "version" in error.message
    store.execute([create("Project", new_id(), name="another")], user_id)
    component = new_id()
    located = {
        "component": ref("FileComponent", component),
        "location": ref("Location", LOCATION_SERVER[0]),
        "resource_identifier": component,
    }
    store.execute(
        [
            create("FileComponent", component, name="main"),
            create("ComponentLocation", new_id(), **located),
        ],
        user_id,
    )
    error = fail(store, [create("ComponentLocation", new_id(), **located)], user_id)
    assert "component_id" in error.message


def test_task_assignments_are_appointments_of_users(store: Store, user_id: str, project) -> None:
    task, appointment = new_id(), new_id()
    store.execute(
        [
            create("Task", task, name="comp", parent=ref("Shot", project["shot"])),
            create(
                "Appointment",
                appointment,
                context=ref("Task", task),
                resource=ref("User", user_id),
                type="assignment",
            ),
        ],
        user_id,
    )
    row = store.query(f"select assignments.resource_id, allocations from Task where id is {task}")[
        0
    ]
    assert [a["resource_id"] for a in row["assignments"]] == [user_id]
    assert row["allocations"] == []
    found = store.query(f"select id from Task where assignments any (resource_id is {user_id})")
    assert [t["id"] for t in found] == [task]
    user = store.query(f"select assignments.context_id from User where id is {user_id}")[0]
    assert [a["context_id"] for a in user["assignments"]] == [task]
