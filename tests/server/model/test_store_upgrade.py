"""The store's upgrade step (``store.upgrade``) on both backends: a start on a current database
only reads (no write lock, no DDL, no write: every statement it runs is counted), and an older
database gets what it lacks once -- the record of holders' column, triggers and flags, or only
its triggers when they were dropped -- after which its starts only read too.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from typing import Any, Callable, Iterator, List

import pytest

pytest.importorskip("sqlalchemy")

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ft_dcc.server.model import holders
from ft_dcc.server.store.store import Store

#: what a start that changes nothing may not run: a write lock (SQLite's ``BEGIN IMMEDIATE``,
#: PostgreSQL's advisory locks), DDL, a write, the planner's statistics gathered
WRITES = re.compile(r"^\s*(BEGIN IMMEDIATE|CREATE|ALTER|DROP|INSERT|UPDATE|DELETE|ANALYZE)\b"
                    r"|PG_ADVISORY", re.IGNORECASE)  # fmt: skip
#: the statements a start on a current database runs, at most: 20 on SQLite, 13 on PostgreSQL
#: (559 and 32 before the upgrade step read the catalogue in two statements and locked nothing
#: when nothing was missing: SQLite was asked table by table and index by index)
MOST_STATEMENTS = 25


@contextlib.contextmanager
def _every_statement() -> Iterator[List[str]]:
    """Every statement any engine runs inside the block (the store makes its own)."""
    seen: List[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    sa.event.listen(Engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(Engine, "before_cursor_execute", note)


def _open(url: str) -> List[str]:
    """Open a store on ``url`` and close it; the statements the opening ran."""
    with _every_statement() as seen:
        store = Store(url)
    store.close()
    return seen


def _writes(seen: List[str]) -> List[str]:
    return [statement for statement in seen if WRITES.search(statement)]


def _assert_only_reads(url: str) -> None:
    seen = _open(url)
    assert _writes(seen) == [], seen
    assert len(seen) <= MOST_STATEMENTS, seen


def test_a_start_on_a_current_database_only_reads(
    backend: str, new_database_url: Callable[[str], str]
) -> None:
    url = new_database_url(backend)
    _open(url)  # SQLite: the tables made; PostgreSQL: a copy of the suite's current template
    _assert_only_reads(url)


def _engine_sql(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _drop_triggers(url: str) -> None:
    name, assets = holders.TRIGGER, holders.ASSETS
    if url.startswith("postgresql"):
        _engine_sql(url, f"DROP TRIGGER {name} ON {assets}", f"DROP FUNCTION {name}()")
    else:
        _engine_sql(url, f"DROP TRIGGER {name}_made", f"DROP TRIGGER {name}_moved")


def _drop_the_record(url: str) -> None:
    """The database as a server made before the record of holders: no trigger, index, column."""
    _drop_triggers(url)
    postgres = url.startswith("postgresql")
    index = holders.INDEX + ("_key" if postgres else "")
    _engine_sql(url, f"DROP INDEX {index}",
                f"ALTER TABLE {holders.CONTEXTS} DROP COLUMN {holders.COLUMN}")  # fmt: skip


def _shot_with_an_asset(url: str) -> str:
    """A shot and an asset under it written straight into the tables; the shot's id."""
    shot, asset = str(uuid.uuid4()), str(uuid.uuid4())
    _engine_sql(
        url,
        f"INSERT INTO ft_context (id, _entity_type, name) VALUES ('{shot}', 'Shot', 'sh0100')",
        f"INSERT INTO ft_asset (id, _entity_type, name, context_id) "
        f"VALUES ('{asset}', 'Asset', 'anim', '{shot}')",
    )
    return shot


def _flagged(url: str) -> List[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                f"SELECT id FROM {holders.CONTEXTS} WHERE {holders.COLUMN} IS NOT NULL")
            return sorted(str(row[0]) for row in rows)
    finally:
        engine.dispose()


@pytest.mark.parametrize("dropped", [_drop_triggers, _drop_the_record],
                         ids=["triggers-dropped", "made-before-the-record"])  # fmt: skip
def test_an_older_database_gets_the_record_of_holders_once(
    backend: str, new_database_url: Callable[[str], str], dropped: Callable[[str], None]
) -> None:
    """The flags of the assets written while the record was missing are filled in at the next
    start, the triggers flag what is written after, and the starts after that only read."""
    url = new_database_url(backend)
    _open(url)
    dropped(url)
    before = _shot_with_an_asset(url)  # no trigger: not flagged
    upgrade = _writes(_open(url))
    assert any(holders.TRIGGER in statement for statement in upgrade), upgrade
    assert _flagged(url) == [before]
    after = _shot_with_an_asset(url)
    assert _flagged(url) == sorted([before, after])  # the trigger is back
    _assert_only_reads(url)
