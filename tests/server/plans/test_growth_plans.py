"""A studio that grows from an empty SQLite database under one server gets the planner's
statistics as it fills, so its name lookups are read through the right index.

SQLite gathers none by itself (``PRAGMA optimize`` only refreshes what a connection's queries
already used), and a store gathered them only when it opened a filled database: a server that
started empty and took a year of imports through its ``/api`` planned the genuine client's
``Task where parent.name is … and project.name is …`` through the type's index -- every task of
the studio read and filtered -- with no statistics at all. The contexts are created through the
store's own batches, as ``/api`` runs them; plans only, never a clock.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest

pytest.importorskip("sqlalchemy")

from ft_dcc.server.model import statistics
from ft_dcc.server.query.parser import parse_query
from ft_dcc.server.store.store import Store

TASK_BY_NAMES = 'select id from Task where parent.name is "sh0101" and project.name is "grow1"'
PROJECTS, SHOTS, TASKS = 2, 300, 3  # 2 + 600 shots + 1,800 tasks, two batches
#: connections the store holds at once, opened before it grew: each plans with the statistics
CONNECTIONS = 3


def _create(entity_type: str, **data: Any) -> Dict[str, Any]:
    ident = str(uuid.uuid4())
    return {"action": "create", "entity_type": entity_type, "entity_key": [ident],
            "entity_data": dict(data, id=ident, __entity_type__=entity_type)}  # fmt: skip


def _project(store: Store, user_id: str, number: int) -> None:
    """A project of :data:`SHOTS` shots of :data:`TASKS` tasks each, in one batch."""
    schema = store.query("select id from ProjectSchema", user_id)[0]["id"]
    project = _create("Project", name=f"grow{number}", full_name="Grow", project_schema_id=schema)
    operations: List[Dict[str, Any]] = [project]
    for s in range(SHOTS):
        shot = _create("Shot", name=f"sh{s:04d}", parent_id=project["entity_key"][0])
        operations.append(shot)
        operations += [_create("Task", name=f"task{t}", parent_id=shot["entity_key"][0])
                       for t in range(TASKS)]  # fmt: skip
    store.execute(operations, user_id)


def _plans(store: Store, expression: str) -> List[List[str]]:
    """The plan of ``expression`` on each of a few connections the store holds at once (each
    SQLite connection plans with the statistics it read when it opened)."""
    _, statement = store.compiler.select_rows(parse_query(expression))
    compiled = statement.compile(store.engine, compile_kwargs={"literal_binds": True})
    held = [store.engine.connect() for _ in range(CONNECTIONS)]
    try:
        return [[str(row[-1]) for row in c.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")]
                for c in held]  # fmt: skip
    finally:
        for connection in held:
            connection.close()


def test_a_sqlite_studio_that_grows_under_one_server_gets_its_statistics(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'grow.sqlite'}")
    try:
        user_id = store.ensure_seed("admin")
        # gathered first at 1,000 rows written, not 10,000: the same growth, a tenth of the rows
        store.growth.next_at = statistics.ROWS_WORTH_GATHERING
        with store.engine.connect() as connection:
            assert not statistics.has_statistics(connection)  # a new studio: none, none needed
        _plans(store, TASK_BY_NAMES)  # the connections of a new studio, planning without them
        for number in range(PROJECTS):
            _project(store, user_id, number)
        with store.engine.connect() as connection:
            assert statistics.has_statistics(connection)
        plans = _plans(store, TASK_BY_NAMES)
        tasks = store.query(TASK_BY_NAMES, user_id)
    finally:
        store.close()

    assert 1 <= store.growth.gathered <= 2  # as it doubled, not after every batch
    assert len(tasks) == TASKS
    # the tasks are found by their parent (the shot named), not all read by their type
    for plan in plans:  # on every connection, the shot named first, not every task by type
        assert plan[0].startswith("SEARCH ft_context USING INDEX ix_ft_context_parent_id"), plan
