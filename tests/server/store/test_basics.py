"""The Store (data layer of the embedded server) against a temporary SQLite database."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("lark")

from ft_dcc.protocol import LOCATION_SERVER, schema_hash
from ft_dcc.protocol.schemas import load_schemas
from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.store.store import Store

from ..store_helpers import create, create_asset, new_id, ref


def test_schemas_are_the_real_answer_and_hash_as_the_client_does(store: Store) -> None:
    assert len(store.schemas) == 116
    assert store.schemas == load_schemas()
    assert store.schema_hash == schema_hash(load_schemas())
    ids = {schema["id"] for schema in store.schemas}
    for needed in ("Context", "TypedContext", "Task", "Shot", "Project", "FileComponent", "Job"):
        assert needed in ids


def test_seed_is_idempotent_and_has_builtin_locations(store: Store) -> None:
    first = store.ensure_seed("test.user")
    second = store.ensure_seed("test.user")
    assert first == second
    rows = store.query('select id, name from Location where name is "ftrack.server"')
    assert [(r["id"], r["name"]) for r in rows] == [LOCATION_SERVER]
    users = store.query('select username, is_active from User where username is "test.user"')
    assert users == [
        {
            "__entity_type__": "User",
            "id": first,
            "resource_type": "user",
            "username": "test.user",
            "is_active": True,
        }
    ]


def test_create_query_update_delete_roundtrip(store: Store, user_id: str) -> None:
    project, shot = new_id(), new_id()
    replies = store.execute(
        [
            create("Project", project, name="demo", full_name="Demo"),
            create("Shot", shot, name="sh010", parent=ref("Project", project)),
        ],
        user_id,
    )
    assert replies[0]["action"] == "create"
    assert replies[0]["data"]["id"] == project
    assert replies[0]["data"]["context_type"] == "show"
    shot_data = replies[1]["data"]
    assert shot_data["__entity_type__"] == "Shot"
    assert shot_data["project_id"] == project
    assert shot_data["created_by_id"] == user_id
    assert shot_data["created_at"]["__type__"] == "datetime"

    rows = store.query(f"select name, parent.name from Shot where id is {shot}")
    assert rows[0]["name"] == "sh010"
    assert rows[0]["parent"]["name"] == "demo"
    assert rows[0]["parent"]["__entity_type__"] == "Project"

    result = store.run(
        [
            {
                "action": "update",
                "entity_type": "Shot",
                "entity_key": [shot],
                "entity_data": {"__entity_type__": "Shot", "name": "sh020"},
            }
        ],
        user_id,
    )
    assert result.replies[0]["data"]["name"] == "sh020"
    assert result.replies[0]["data"]["id"] == shot
    assert result.changes[0]["action"] == "update"
    assert result.changes[0]["keys"] == ["name"]

    deleted = store.run(
        [{"action": "delete", "entity_type": "Shot", "entity_key": [shot]}], user_id
    )
    assert deleted.changes[0]["action"] == "remove"
    assert store.query(f"select id from Shot where id is {shot}") == []


def test_failing_operation_rolls_back_the_whole_batch(store: Store, user_id: str) -> None:
    project = new_id()
    with pytest.raises(ApiOperationError) as caught:
        store.execute(
            [
                create("Project", project, name="rollback"),
                create("Shot", new_id(), name="x", no_such_attribute=1),
            ],
            user_id,
        )
    assert caught.value.index == 1
    assert "Shot" in caught.value.message and "no_such_attribute" in caught.value.message
    assert "{" not in caught.value.message
    assert store.query(f"select id from Project where id is {project}") == []


def test_unknown_reference_is_a_clear_error(store: Store, user_id: str) -> None:
    missing = new_id()
    with pytest.raises(ApiOperationError) as caught:
        store.execute([create("Shot", new_id(), name="x", parent=ref("Project", missing))], user_id)
    assert missing in caught.value.message
    assert caught.value.index == 0


def test_asset_version_numbers_increase_per_asset(store: Store, user_id: str) -> None:
    project, asset = new_id(), new_id()
    upload = store.query('select id from AssetType where name is "Upload" limit 2')[0]["id"]
    store.execute(
        [
            create("Project", project, name="numbers"),
            create_asset(asset, ref("Project", project), upload),
        ],
        user_id,
    )
    versions: List[int] = []
    for _ in range(3):
        reply = store.execute(
            [create("AssetVersion", new_id(), asset=ref("Asset", asset))], user_id
        )
        versions.append(reply[0]["data"]["version"])
    assert versions == [1, 2, 3]


def test_generated_storage_and_queries_compile_for_postgresql(store: Store) -> None:
    """The same tables and compiled queries work on PostgreSQL (identifiers, parameters)."""
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex, CreateTable

    from ft_dcc.server.query.parser import parse_query

    dialect = postgresql.dialect()
    for table in store.metadata.sorted_tables:
        CreateTable(table).compile(dialect=dialect)
        for index in table.indexes:
            CreateIndex(index).compile(dialect=dialect)
    _etype, statement = store.compiler.select_rows(
        parse_query('select name from Shot where name like "x%" and children any (bid > 1)')
    )
    sql = str(statement.compile(dialect=dialect))
    assert "x%" not in sql  # values travel as bound parameters
    assert "%(name_1)s" in sql


def test_schemas_and_hash_equal_the_real_servers_answer(store: Store) -> None:
    import json

    recorded = Path(__file__).resolve().parents[2] / "data" / "ftrack" / "fixtures"
    info, schemas = json.loads(
        (recorded / "query_server_information_query_schemas.json").read_text(encoding="utf-8")
    )
    assert store.schemas == schemas
    assert store.schema_hash == info["schema_hash"]  # the real server's own hash


def test_older_databases_get_new_columns(tmp_path: Path) -> None:
    """A table created before a column existed gains it when the Store opens the file."""
    import sqlite3

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE ft_state (_entity_type TEXT NOT NULL, id TEXT PRIMARY KEY)"
        )
        connection.execute("INSERT INTO ft_state VALUES ('State', 's-1')")
    store = Store(f"sqlite:///{path}")
    rows = store.query("select name, short from State where id is s-1")
    assert rows == [{"__entity_type__": "State", "id": "s-1", "name": None, "short": None}]


def test_other_parts_add_tables_and_write_in_transactions(store: Store) -> None:
    from sqlalchemy import Column, Table, Text, insert, select

    tokens = Table("test_tokens", store.metadata, Column("token", Text, primary_key=True))
    store.metadata.create_all(store.engine, tables=[tokens])
    with store.write_transaction() as connection:
        connection.execute(insert(tokens).values(token="t-1"))
    with pytest.raises(RuntimeError), store.write_transaction() as connection:
        connection.execute(insert(tokens).values(token="t-2"))
        raise RuntimeError("roll back")
    with store.engine.connect() as connection:
        assert [r.token for r in connection.execute(select(tokens))] == ["t-1"]
    store.close()
