"""Referential integrity and uniqueness on the real embedded server."""

from __future__ import annotations

import concurrent.futures
from typing import Any, Callable, Dict, Iterator, List

import pytest
from support.groups import on_pg_server
from support.trust import (
    SERVER_LOCATION_ID,
    add_api_user,
    call,
    create,
    delete,
    make_task,
    new_id,
    ok,
    publish,
    query,
    refused,
    start_server,
    update,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    running = start_server(tmp_path_factory.mktemp("integrity"))
    yield running
    running.stop()


def test_deleting_a_task_with_versions_is_refused(server: Any) -> None:
    task = make_task(server)
    published = publish(server, task)
    for entity_type, ident in (("Task", task["task"]), ("Shot", task["shot"])):
        body = refused(call(server, [delete(entity_type, ident)]), 400, "IntegrityError")
        assert "published version" in body["content"] and "delete or move" in body["content"]
    assert query(server, f'select id from Task where id is "{task["task"]}"')
    assert query(server, f'select task_id from AssetVersion where id is "{published["version"]}"')
    # a task without versions goes; a project goes with everything it holds (as in ftrack)
    spare = new_id()
    ok(server, [create("Task", id=spare, name="spare", parent_id=task["shot"])])
    ok(server, [delete("Task", spare)])
    ok(server, [delete("Project", task["project"])])
    assert not query(server, f'select id from AssetVersion where id is "{published["version"]}"')


def test_types_statuses_and_locations_in_use_cannot_be_deleted(server: Any) -> None:
    task = make_task(server)
    asset_type = create("AssetType", name="Plate", short="plate")
    ok(server, [asset_type])
    ok(server, [create("Asset", name="bg", context_id=task["shot"],
                       type_id=asset_type["entity_key"][0])])  # fmt: skip
    status_id = query(server, f'select status_id from Task where id is "{task["task"]}"')[0][
        "status_id"
    ]
    cases = [
        (delete("AssetType", asset_type["entity_key"][0]), "used by 1 Asset"),
        (delete("Status", status_id), "still used"),
        (delete("Location", SERVER_LOCATION_ID), "built in"),
    ]
    for operation, words in cases:
        body = refused(call(server, [operation]), 400, "IntegrityError")
        assert words in body["content"], body
    assert query(server, f'select id from Location where id is "{SERVER_LOCATION_ID}"')
    unused = create("AssetType", name="Unused", short="unused")
    ok(server, [unused])
    ok(server, [delete("AssetType", unused["entity_key"][0])])


def test_a_deleted_thumbnail_leaves_its_version_usable(server: Any) -> None:
    published = publish(server, make_task(server))
    thumbnail = create("FileComponent", name="thumbnail", version_id=published["version"])
    ok(server, [thumbnail, update("AssetVersion", published["version"],
                                  thumbnail_id=thumbnail["entity_key"][0])])  # fmt: skip
    ok(server, [delete("FileComponent", thumbnail["entity_key"][0])])
    row = query(
        server, f'select thumbnail_id from AssetVersion where id is "{published["version"]}"'
    )
    assert row[0]["thumbnail_id"] is None
    ok(server, [update("AssetVersion", published["version"], comment="still editable")])


def test_a_user_with_history_is_kept_and_a_deleted_user_loses_their_key(server: Any) -> None:
    user_id, key = add_api_user(server, "frank")
    ok(server, [create("Project", name="frank-proj", full_name="F")], user="frank", key=key)
    body = refused(call(server, [delete("User", user_id)]), 400, "IntegrityError")
    assert "deactivate the user instead" in body["content"]
    ok(server, [{"action": "query_server_information"}], user="frank", key=key)
    # deactivating, as advised, stops their key at once; reactivating restores it
    ok(server, [update("User", user_id, is_active=False)])
    refused(call(server, [{"action": "query_schemas"}], user="frank", key=key), 401,
            "InvalidCredentialsError")  # fmt: skip
    ok(server, [update("User", user_id, is_active=True)])
    ok(server, [{"action": "query_server_information"}], user="frank", key=key)
    idle_id, idle_key = add_api_user(server, "grace")
    ok(server, [{"action": "query_server_information"}], user="grace", key=idle_key)
    ok(server, [delete("User", idle_id)])
    refused(call(server, [{"action": "query_schemas"}], user="grace", key=idle_key), 401,
            "InvalidCredentialsError")  # fmt: skip


# -- races (on SQLite, and on PostgreSQL with 4 worker processes) ----------------------------
@pytest.fixture(params=["sqlite", on_pg_server("postgresql")])
def race_server(request: pytest.FixtureRequest, server: Any) -> Any:
    if request.param == "sqlite":
        return server
    return request.getfixturevalue("pg_server")


def race(count: int, make: Callable[[int], List[Dict[str, Any]]], server: Any) -> List[Any]:
    """Post ``make(i)`` for i in range(count) from ``count`` threads at once; the responses."""
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda i: call(server, make(i)), range(count)))


def test_racing_creates_of_one_asset_end_with_one_asset(race_server: Any) -> None:
    server = race_server
    task = make_task(server)
    asset_type = query(server, 'select id from AssetType where short is "upload"')[0]["id"]
    responses = race(16, lambda i: [create("Asset", name="plate", context_id=task["shot"],
                                           type_id=asset_type)], server)  # fmt: skip
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [400] * 15, statuses
    for response in responses:
        if response.status_code == 400:
            assert response.json()["exception"] == "IntegrityError"
            assert "Duplicate entry" in response.json()["content"]
    found = query(server, f'select id from Asset where context_id is "{task["shot"]}"')
    assert len(found) == 1


def test_racing_versions_and_review_objects_get_distinct_numbers(race_server: Any) -> None:
    server = race_server
    task = make_task(server)
    asset, session = new_id(), new_id()
    ok(
        server,
        [
            create("Asset", id=asset, name="anim", context_id=task["shot"]),
            create("ReviewSession", id=session, name="Dailies", project_id=task["project"]),
        ],
    )

    def version_and_object(i: int) -> List[Dict[str, Any]]:
        version = new_id()
        return [create("AssetVersion", id=version, asset_id=asset, task_id=task["task"]),
                create("ReviewSessionObject", name=f"o{i}", version_id=version,
                       review_session_id=session)]  # fmt: skip

    responses = race(16, version_and_object, server)
    assert [r.status_code for r in responses] == [200] * 16
    versions = [v["version"] for v in query(
        server, f'select version from AssetVersion where asset_id is "{asset}"')]  # fmt: skip
    assert sorted(versions) == list(range(1, 17))
    orders = [o["sort_order"] for o in query(
        server, f'select sort_order from ReviewSessionObject where review_session_id is "{session}"'
    )]  # fmt: skip
    assert len(orders) == 16 and len(set(orders)) == 16


def test_racing_creates_of_one_client_chosen_id_are_recognisable(race_server: Any) -> None:
    server = race_server
    task = make_task(server)
    session = new_id()
    responses = race(8, lambda i: [create("ReviewSession", id=session, name="Dailies",
                                          project_id=task["project"])], server)  # fmt: skip
    assert sorted(r.status_code for r in responses) == [200] + [400] * 7
    losers = [r.json() for r in responses if r.status_code == 400]
    assert all(b["exception"] == "IntegrityError" and "already exists" in b["content"]
               for b in losers)  # fmt: skip
    assert len(query(server, f'select id from ReviewSession where id is "{session}"')) == 1
