"""The desk's "latest of each shot" visits only the contexts that hold assets, on both backends:
a project's tasks (named ``anim``, ``comp``…, before its shots in name order) are never walked,
so the rows a page visits do not grow with them. The record of which contexts hold assets
(``model.holders``) is kept by the database itself, whatever writes an asset: a batch through
``/api`` (an asset made under a task, an asset moved to another context), rows written straight
into the tables (a bulk load), ``ft-dcc server migrate``; and a database made before the record
existed gets it, filled in, when a server opens it.

What a read visits is counted by the database, never timed: SQLite's virtual machine steps,
PostgreSQL's buffers (``EXPLAIN (ANALYZE, BUFFERS)``).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping

import pytest

pytest.importorskip("sqlalchemy")

import sqlalchemy as sa

from ft_dcc.server.desk.reads import SEARCH_LIMIT
from ft_dcc.server.model import holders, statistics, storage
from server.desk.heard import HEADERS, Studio, open_studio, steps
from server.desk.test_desk_search import _expected, _search

#: shots of two assets of three versions: more than a page holds (SEARCH_LIMIT), and enough
#: that PostgreSQL walks the index (it reads a smaller project whole and sorts it)
SHOTS = 1200


def _context(studio: Studio, kind: str, name: str, parent: str) -> Dict[str, Any]:
    return {"_entity_type": kind, "id": str(uuid.uuid4()), "name": name, "context_type": "task",
            "parent_id": parent, "project_id": studio.project}  # fmt: skip


def _shots_with_assets(studio: Studio, count: int, versions: int = 1) -> List[str]:
    """``count`` shots of the project, each with an ``anim`` and a ``comp`` asset of
    ``versions`` versions, written straight into the tables (as a bulk load leaves them); the
    shots' ids."""
    shots = [_context(studio, "Shot", f"sh{n:04d}", studio.project) for n in range(count)]
    assets = [{"_entity_type": "Asset", "id": str(uuid.uuid4()), "name": name,
               "context_id": shot["id"]}
              for shot in shots for name in ("anim", "comp")]  # fmt: skip
    made = [{"_entity_type": "AssetVersion", "id": str(uuid.uuid4()), "asset_id": a["id"],
             "version": n} for a in assets for n in range(1, versions + 1)]  # fmt: skip
    studio.insert("Context", shots)
    studio.insert("Asset", assets)
    studio.insert("AssetVersion", made)
    return [shot["id"] for shot in shots]


def _tasks(studio: Studio, parent: str, names: range) -> None:
    """Tasks named ``anim00000``… under ``parent``: before every shot in name order."""
    studio.insert("Context", [_context(studio, "Task", f"anim{n:05d}", parent) for n in names])


def _buffers(studio: Studio, seen: Any) -> int:
    """The buffers (pages of tables and indexes) PostgreSQL touches running ``seen``'s one
    statement again."""
    [(statement, parameters)] = seen
    with studio.server.store.engine.connect() as connection:
        found = connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters).scalar_one()
    plan = (found if isinstance(found, list) else json.loads(found))[0]["Plan"]
    return int(plan["Shared Hit Blocks"]) + int(plan["Shared Read Blocks"])


def _visited(studio: Studio, seen: Any) -> int:
    engine = studio.server.store.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            statistics.gather(connection)
        return _buffers(studio, seen)
    return steps(engine, seen)


def test_the_latest_of_each_shot_visits_the_same_rows_whatever_tasks_the_project_holds(
    each_studio: Studio,
) -> None:
    """30 tasks, then 3,000, named before the project's 1,200 shots: a page of the latest of each
    shot visits as many rows (it walked every task before the first shot)."""
    studio = each_studio
    shots = _shots_with_assets(studio, SHOTS, versions=3)
    _tasks(studio, shots[0], range(0, 30))
    reply, few = _search(studio, {}, True)
    assert len(reply.json()["versions"]) == SEARCH_LIMIT
    small = _visited(studio, few)
    _tasks(studio, shots[0], range(30, 3000))
    reply, many = _search(studio, {}, True)
    assert len(reply.json()["versions"]) == SEARCH_LIMIT
    big = _visited(studio, many)
    assert len(few) == len(many) == 1, (few, many)
    assert big <= 1.1 * small, (small, big)


def test_a_sqlite_connection_keeps_the_pages_a_year_of_desk_reads_touches(studio: Studio) -> None:
    """A year's page of the latest of each shot visits the same rows at 100x as at 1x, but over
    pages spread across a bigger file: each of the server's SQLite connections keeps 32 MiB of
    them (SQLite's default, 2 MiB, read them again from the file: 1.4 times the CPU at 100x)."""
    with studio.server.store.engine.connect() as connection:
        kib = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
    assert kib == -storage.SQLITE_CACHE_KIB == -32 * 1024


def _create(studio: Studio, kind: str, data: Mapping[str, Any]) -> str:
    ident = str(uuid.uuid4())
    studio.api([{"action": "create", "entity_type": kind, "entity_data": {"id": ident, **data}}])
    return ident


def test_assets_made_under_a_task_and_moved_through_the_api_are_listed(
    each_studio: Studio,
) -> None:
    """An asset made under a task, and one moved from a shot to a task (each through ``/api``),
    are listed under the context that holds them now, as filtering every version gives."""
    studio = each_studio
    shot = _create(studio, "Shot", {"name": "sh0100", "parent_id": studio.project})
    task = _create(studio, "Task", {"name": "anim", "parent_id": shot})
    other = _create(studio, "Task", {"name": "light", "parent_id": shot})
    held = _create(studio, "Asset", {"name": "cache", "context_id": task})
    moved = _create(studio, "Asset", {"name": "plate", "context_id": shot})
    for asset in (held, moved):
        _create(studio, "AssetVersion", {"asset_id": asset, "version": 1})
    studio.api([{"action": "update", "entity_type": "Asset", "entity_key": [moved],
                 "entity_data": {"context_id": other}}])  # fmt: skip

    reply, _ = _search(studio, {}, True)

    found = {(row["shot"], row["asset"]) for row in reply.json()["versions"]}
    assert found == {("anim", "cache"), ("light", "plate")}
    assert reply.json()["versions"] == _expected(studio, {}, True)


def test_a_client_cannot_set_the_record_of_holders(each_studio: Studio) -> None:
    """The record is the server's: a batch naming it is refused and changes nothing."""
    studio = each_studio
    shot = _create(studio, "Shot", {"name": "sh0001", "parent_id": studio.project})
    asset = _create(studio, "Asset", {"name": "comp", "context_id": shot})
    _create(studio, "AssetVersion", {"asset_id": asset, "version": 1})
    reply = studio.client.post("/api", headers=HEADERS, json=[
        {"action": "update", "entity_type": "Shot", "entity_key": [shot],
         "entity_data": {holders.COLUMN: False}}])  # fmt: skip
    assert reply.status_code == 200, reply.text  # the API's error shape, as ftrack's
    assert reply.json()["exception"] == "ValidationError", reply.text
    assert "is not an attribute of Shot" in reply.json()["content"], reply.text
    found, _ = _search(studio, {}, True)
    assert [row["shot"] for row in found.json()["versions"]] == ["sh0001"]


def _forget_holders(url: str) -> None:
    """The database as a server made before the record of holders existed: no column, index
    or trigger of it."""
    engine = sa.create_engine(url)
    names = holders.TRIGGER, holders.ASSETS, holders.INDEX, holders.CONTEXTS, holders.COLUMN
    trigger, assets, index, contexts, column = names
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"DROP TRIGGER {trigger} ON {assets}")
                connection.exec_driver_sql(f"DROP FUNCTION {trigger}()")
                connection.exec_driver_sql(f"DROP INDEX {index}_key")
            else:
                for when in ("made", "moved"):
                    connection.exec_driver_sql(f"DROP TRIGGER {trigger}_{when}")
                connection.exec_driver_sql(f"DROP INDEX {index}")
            connection.exec_driver_sql(f"ALTER TABLE {contexts} DROP COLUMN {column}")
    finally:
        engine.dispose()


def test_a_database_made_before_the_record_gets_it_filled_in_on_start(
    backend: str, new_database_url: Callable[[str], str], tmp_path: Path
) -> None:
    url = new_database_url(backend)
    with open_studio(tmp_path / "data", url) as studio:
        shots = _shots_with_assets(studio, 3)
        task = _context(studio, "Task", "anim", shots[0])
        studio.insert("Context", [task])
        asset = str(uuid.uuid4())
        studio.insert("Asset", [{"_entity_type": "Asset", "id": asset, "name": "cache",
                                 "context_id": task["id"]}])  # fmt: skip
        studio.insert("AssetVersion", [{"_entity_type": "AssetVersion", "id": str(uuid.uuid4()),
                                        "asset_id": asset, "version": 1}])  # fmt: skip
        project = studio.project
    _forget_holders(url)

    with open_studio(tmp_path / "data", url) as studio:
        studio.project = project
        reply, _ = _search(studio, {}, True)
        assert sorted({row["shot"] for row in reply.json()["versions"]}) == [
            "anim", "sh0000", "sh0001", "sh0002"]
        assert reply.json()["versions"] == _expected(studio, {}, True)
        later = _create(studio, "Asset", {"name": "late", "context_id": shots[1]})
        _create(studio, "AssetVersion", {"asset_id": later, "version": 1})  # the trigger is back
        reply, _ = _search(studio, {}, True)
        assert ("sh0001", "late") in {(r["shot"], r["asset"]) for r in reply.json()["versions"]}


def test_migrate_keeps_the_record_of_holders(
    new_database_url: Callable[[str], str], tmp_path: Path
) -> None:
    """A SQLite studio made before the record existed, moved to PostgreSQL: the contexts that
    hold assets are known there (the search answers as on the source)."""
    from ft_dcc.server.operations.migrate import migrate

    source = new_database_url("sqlite")
    with open_studio(tmp_path / "data", source) as studio:
        shots = _shots_with_assets(studio, 3)
        _create(studio, "Asset", {"name": "cache", "context_id": _create(
            studio, "Task", {"name": "anim", "parent_id": shots[2]})})  # fmt: skip
        project = studio.project
        before, _ = _search(studio, {}, True)
    _forget_holders(source)
    target = new_database_url("postgresql")
    migrate(source, target)

    with open_studio(tmp_path / "moved", target) as studio:
        studio.project = project
        after, _ = _search(studio, {}, True)
        assert after.json()["versions"] == before.json()["versions"]
        assert len(after.json()["versions"]) == 6  # two assets of each shot
        with studio.server.store.engine.connect() as connection:
            held = connection.execute(sa.text(
                f"SELECT count(*) FROM ft_context WHERE {holders.COLUMN}")).scalar_one()
        assert held == 4  # three shots and the task (its asset has no version: not listed)
