"""The desk's "latest of each shot" on PostgreSQL: the project's contexts are walked in name order
through an index of project and name, and the walk stops at the page's limit, as on SQLite
(``test_desk_search.py``); a name longer than a B-tree entry can hold is written and listed.

What a read visits is counted by PostgreSQL itself (``EXPLAIN (ANALYZE, BUFFERS)``: the pages of
tables and indexes the statement touched), never timed. The statistics are gathered after the
rows are written, as ``migrate`` and a store opening a filled database do.
"""

from __future__ import annotations

import json
import random
import string
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator, List, Mapping

import pytest

pytest.importorskip("sqlalchemy")

from ft_dcc.server.desk.reads import SEARCH_LIMIT
from ft_dcc.server.model import holders, statistics
from server.desk.heard import Studio, open_studio
from server.desk.test_desk_search import _expected, _search, _seed

#: the index the walk reads (``model.holders``: the contexts that hold assets, by name)
NAME_INDEX = holders.INDEX + "_key"


@pytest.fixture
def pg_studio(new_database_url: Callable[[str], str], tmp_path: Path) -> Iterator[Studio]:
    with open_studio(tmp_path / "data", new_database_url("postgresql")) as studio:
        yield studio


@pytest.fixture
def statuses(pg_studio: Studio) -> List[Mapping[str, Any]]:
    [reply] = pg_studio.api([{"action": "query", "expression": "select id, name from Status"}])
    return list(reply["data"])


def _gathered(studio: Studio) -> None:
    with studio.server.store.engine.begin() as connection:
        statistics.gather(connection)


def _plan(studio: Studio, seen: Any) -> Mapping[str, Any]:
    """The plan of the one statement in ``seen``, run again with ``ANALYZE, BUFFERS``."""
    [(statement, parameters)] = seen
    with studio.server.store.engine.connect() as connection:
        found = connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters).scalar_one()
    plan = found if isinstance(found, list) else json.loads(found)
    return dict(plan[0]["Plan"])


def _nodes(plan: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def test_the_latest_of_each_shot_walks_the_contexts_in_name_order_on_postgresql(
    pg_studio: Studio, statuses: List[Mapping[str, Any]]
) -> None:
    """A page (500 assets) of a project of 1,200 shots (2,400 assets, 3,600 contexts) reads
    the project's contexts through the index of their project and name, in its order, and stops
    at the page's limit; without that index PostgreSQL read every context of the project and
    sorted them all (and on a year's 10,000-version project took 1.8 times as long)."""
    _seed(pg_studio, range(0, 1200), statuses)
    _gathered(pg_studio)

    reply, seen = _search(pg_studio, {}, True)

    assert len(reply.json()["versions"]) == SEARCH_LIMIT
    nodes = list(_nodes(_plan(pg_studio, seen)))
    walks = [n for n in nodes if n.get("Index Name") == NAME_INDEX]
    assert len(walks) == 1, [n.get("Index Name") or n["Node Type"] for n in nodes]
    contexts = 2 + 1200 * 3  # its sequences, shots and tasks
    assert walks[0]["Actual Rows"] < contexts * 0.8, walks[0]["Actual Rows"]
    assert [n for n in nodes if n["Node Type"] == "Seq Scan"
            and n["Relation Name"] in ("ft_context", "ft_asset")] == []  # fmt: skip


def test_the_latest_of_each_shot_on_postgresql_is_in_the_names_byte_order(
    pg_studio: Studio, statuses: List[Mapping[str, Any]]
) -> None:
    """The page's order is the names' code points (as SQLite's and the page's own sort), not a
    language's collation, and a name longer than a B-tree entry holds (5,000 random letters:
    no compression brings it under 2.7 KB) is written through ``/api`` and listed."""
    _seed(pg_studio, range(0, 30), statuses)
    letters = random.Random(7).choices(string.ascii_letters, k=5000)
    long_name = "sh0005" + "".join(letters)
    for name in (long_name, "Sh0003", "sh0003é", "sh0003z"):
        shot, asset = str(uuid.uuid4()), str(uuid.uuid4())
        pg_studio.api([
            {"action": "create", "entity_type": "Shot", "entity_data": {
                "id": shot, "name": name, "parent_id": pg_studio.project}},
            {"action": "create", "entity_type": "Asset", "entity_data": {
                "id": asset, "name": "comp", "context_id": shot}},
            {"action": "create", "entity_type": "AssetVersion", "entity_data": {
                "id": str(uuid.uuid4()), "asset_id": asset, "version": 1}},
        ])  # fmt: skip
    _gathered(pg_studio)

    reply, _ = _search(pg_studio, {}, True)

    versions = reply.json()["versions"]
    assert versions == _expected(pg_studio, {}, True)
    shots = [row["shot"] for row in versions]
    assert shots == sorted(shots) and long_name in shots
    assert shots.index("Sh0003") < shots.index("sh0003") < shots.index("sh0003z") < shots.index(
        "sh0003é")
