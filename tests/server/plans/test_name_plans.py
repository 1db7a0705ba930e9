"""A name test is answered through an index, not by reading every row of the table it names.

A studio's year holds thousands of shots and tasks: ``Task where parent.name is "sh010" and
project.name is "p"`` (the genuine client's most common lookup) must not scan every context. The
plans are read with ``EXPLAIN`` of the statement the compiler makes for the query, on a store of
the real schema holding a few thousand contexts whose planner statistics the store gathered
itself (as it does when it opens a restored or migrated database), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Iterator, List

import pytest
import sqlalchemy as sa

from ft_dcc.server.model import statistics
from ft_dcc.server.query.parser import parse_query
from ft_dcc.server.store.store import Store

NAME_QUERIES = (
    'select id from Task where parent.name is "sh0101" and project.name is "plans1"',
    'select id from Shot where name is "sh0101"',
    'select id from Project where name is "plans1"',
    'select id from AssetVersion where asset.name is "main" and task.name is "anim"',
    'select id from ReviewSession where name is "Dailies 2026-11-26"',
)
PROJECTS, SHOTS, TASKS = 4, 400, 3  # 4 + 1,600 shots + 4,800 tasks


def _seed_contexts(url: str) -> None:
    """A studio's contexts written straight into the table, as a restore or migration leaves
    them: no planner statistics."""
    engine = sa.create_engine(url)
    rows: List[dict] = []
    for p in range(PROJECTS):
        project = str(uuid.uuid4())
        rows.append(dict(id=project, _entity_type="Project", name=f"plans{p}",
                         parent_id=None, project_id=project))  # fmt: skip
        for s in range(SHOTS):
            shot = str(uuid.uuid4())
            rows.append(dict(id=shot, _entity_type="Shot", name=f"sh{p}{s:03d}",
                             parent_id=project, project_id=project))  # fmt: skip
            rows.extend(
                dict(
                    id=str(uuid.uuid4()),
                    _entity_type="Task",
                    name=f"task{t}",
                    parent_id=shot,
                    project_id=project,
                )
                for t in range(TASKS)
            )
    table = sa.Table("ft_context", sa.MetaData(), autoload_with=engine)
    with engine.begin() as connection:
        connection.execute(table.insert(), rows)
    engine.dispose()


def _opened_with_rows(url: str) -> Store:
    Store(url).close()  # the tables, then the studio's rows, then the store that finds them
    _seed_contexts(url)
    with sa.create_engine(url).connect() as connection:
        assert not statistics.has_statistics(connection)
    return Store(url)


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path: Path = tmp_path_factory.mktemp("plans") / "ft.sqlite"
    store = _opened_with_rows(f"sqlite:///{path}")
    yield store
    store.close()


def _explain(store: Store, expression: str, prefix: str) -> List[str]:
    _, statement = store.compiler.select_rows(parse_query(expression))
    compiled = statement.compile(store.engine, compile_kwargs={"literal_binds": True})
    with store.engine.connect() as connection:
        rows = connection.exec_driver_sql(f"{prefix} {compiled}").fetchall()
    return [str(row[-1]) for row in rows]


def test_a_store_gathers_the_statistics_a_filled_database_lacks(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as connection:
        assert statistics.has_statistics(connection)


@pytest.mark.parametrize("expression", NAME_QUERIES)
def test_a_name_test_reads_an_index_on_sqlite(sqlite_store: Store, expression: str) -> None:
    plan = _explain(sqlite_store, expression, "EXPLAIN QUERY PLAN")

    assert [step for step in plan if step.startswith("SCAN ")] == [], f"{expression}: {plan}"


def test_a_type_of_a_shared_table_is_read_in_id_order_through_its_own_rows(
    sqlite_store: Store,
) -> None:
    """The desk's projects (``from Project``, ordered by id as every query is): its few rows of
    the contexts' table read through the type's index, in id order, not every context read in
    id order to pick them out (6.4 ms at a year's 10x, 80,000 contexts at 100x)."""
    plan = _explain(sqlite_store, "select id, name, full_name, status from Project",
                    "EXPLAIN QUERY PLAN")  # fmt: skip

    assert [step for step in plan if step.startswith("SCAN ")] == [], plan
    assert not any("TEMP B-TREE" in step for step in plan), plan  # no sort: the index's order


def test_an_index_added_to_a_database_with_statistics_is_counted_too(tmp_path: Path) -> None:
    """A database gathered before a newer version added an index: SQLite's planner took the
    index it had no statistics of for a good one and read every task of the studio in id order
    for a task by shot name, until the statistics were gathered again."""
    url = f"sqlite:///{tmp_path / 'before.sqlite'}"
    _opened_with_rows(url).close()  # its rows, and its statistics
    engine = sa.create_engine(url)
    with engine.begin() as connection:  # as a database made before the types' own index
        connection.exec_driver_sql('DROP INDEX "ix_ft_context__entity_type_id"')
        connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE idx LIKE '%entity_type_id'")
    engine.dispose()

    store = Store(url)
    try:
        plan = _explain(store, NAME_QUERIES[0], "EXPLAIN QUERY PLAN")
    finally:
        store.close()

    assert plan[0].startswith("SEARCH ft_context USING INDEX ix_ft_context_parent_id"), plan


def test_the_name_indexes_are_added_to_a_database_made_before_them(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    Store(f"sqlite:///{path}").close()
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:  # as a database made before the name indexes
        for (name,) in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_%_name'"
        ).fetchall():
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
    engine.dispose()

    store = Store(f"sqlite:///{path}")
    try:
        plan = _explain(store, NAME_QUERIES[4], "EXPLAIN QUERY PLAN")
    finally:
        store.close()

    assert [step for step in plan if step.startswith("SCAN ")] == [], plan


def test_a_name_test_reads_an_index_on_postgresql(pg_cluster: Any) -> None:
    store = _opened_with_rows(pg_cluster.create_database(template=pg_cluster.template))
    try:
        plans = {q: "\n".join(_explain(store, q, "EXPLAIN")) for q in NAME_QUERIES}
    finally:
        store.close()

    # (the other tables are empty here: a sequential scan of nothing is PostgreSQL's right plan)
    assert {q: plan for q, plan in plans.items() if "Seq Scan on ft_context" in plan} == {}
    contexts_by_type_then_name = {q: plan for q, plan in plans.items() if "Filter: (name =" in plan
                                  and "ft_context__entity_type" in plan}  # fmt: skip
    assert contexts_by_type_then_name == {}


REPLIES = 'select id from Note where in_reply_to_id in ("r1", "r2", "r3")'


def test_the_replies_to_notes_are_found_through_an_index_after_analyze(tmp_path: Path) -> None:
    """A year of notes is almost all top-level (``in_reply_to_id`` null); SQLite's statistics
    counted the nulls as one value shared by every note, and the review page's replies lookup
    then read every note (seen at 100,000 notes: the 300-version session's items 58 -> 1,051 ms)."""
    url = f"sqlite:///{tmp_path / 'notes.sqlite'}"
    Store(url).close()
    engine = sa.create_engine(url)
    notes = sa.Table("ft_note", sa.MetaData(), autoload_with=engine)
    rows = [dict(id=str(uuid.uuid4()), _entity_type="Note", content="x", parent_id=f"o{n % 500}",
                 in_reply_to_id=None if n % 1000 else f"r{n}") for n in range(5000)]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(notes.insert(), rows)
        statistics.gather(connection)
    engine.dispose()
    store = Store(url)
    try:
        plan = _explain(store, REPLIES, "EXPLAIN QUERY PLAN")
    finally:
        store.close()

    assert [step for step in plan if step.startswith("SCAN ")] == [], plan


def test_the_replies_are_looked_for_in_their_index_before_any_note_is_one(tmp_path: Path) -> None:
    """A studio none of whose notes is a reply yet: ``ANALYZE`` counts nothing of the empty index
    of the replies, and SQLite's planner then read every note to find the replies to a page's
    300 notes (the review page's feedback: 150 ms at a year's 10x, 100,000 notes)."""
    url = f"sqlite:///{tmp_path / 'no_replies.sqlite'}"
    Store(url).close()
    engine = sa.create_engine(url)
    notes = sa.Table("ft_note", sa.MetaData(), autoload_with=engine)
    rows = [dict(id=str(uuid.uuid4()), _entity_type="Note", content="x", parent_id=f"o{n % 500}",
                 in_reply_to_id=None) for n in range(5000)]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(notes.insert(), rows)
    engine.dispose()
    store = Store(url)  # a filled database without statistics: they are gathered
    page = ", ".join(f'"{uuid.uuid4()}"' for _ in range(300))
    try:
        plan = _explain(store, f"select id from Note where in_reply_to_id in ({page})",
                        "EXPLAIN QUERY PLAN")  # fmt: skip
    finally:
        store.close()

    assert [step for step in plan if step.startswith("SCAN ")] == [], plan
