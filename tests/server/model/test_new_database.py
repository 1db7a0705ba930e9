"""A new database holds exactly what plain SQLAlchemy and one-row-at-a-time seeding make.

``Store`` prepares a new database its own quicker way (no column check of tables it has just
made, the built-in rows inserted a table at a time); the reference here is ``MetaData.create_all``
and a seeder that looks each row up and inserts it alone. Both must give the same tables, columns,
indexes (their SQL) and rows, in the same order, on SQLite, on an empty PostgreSQL database and
on one copied from the test template (tables there, no rows).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest
import sqlalchemy as sa

from ft_dcc.protocol.schemas import load_schemas
from ft_dcc.server.model import builtin_data
from ft_dcc.server.model.database import _info_table
from ft_dcc.server.model.schema import SchemaModel
from ft_dcc.server.model.side_tables import creator_table, tombstone_table
from ft_dcc.server.model.storage import DISCRIMINATOR, build_link_tables, build_tables, make_engine
from ft_dcc.server.rules.integrity import ensure_unique_indexes, unique_indexes
from ft_dcc.server.store.store import Store

KINDS = ("sqlite", "postgresql", "postgresql-template")


@pytest.fixture(params=KINDS)
def new_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Callable[[], str]]:
    """``new_url()``: a new database of the parameter's kind each call."""
    made = []
    counter = iter(range(1_000_000))

    def make() -> str:
        if request.param == "sqlite":
            return f"sqlite:///{tmp_path / f'db-{next(counter)}.sqlite'}"
        cluster = request.getfixturevalue("pg_cluster")
        template = cluster.template if request.param == "postgresql-template" else None
        made.append((cluster, cluster.create_database(template=template)))
        return made[-1][1]

    yield make
    for cluster, url in made:
        cluster.drop_database(url)


class _RowAtATime(builtin_data._Seeder):
    """The reference seeder: each row looked up by its key, then inserted alone if missing."""

    def ensure(self, type_name: str, ident: str, **values: object) -> None:
        self.ensure_row(type_name, id=ident, **values)

    def ensure_row(self, type_name: str, **values: object) -> None:
        etype = self.store.model.types[type_name]
        table = self.store.tables[etype.family]
        key = [table.c[name] == values[name] for name in etype.primary_key]
        if self.connection.execute(sa.select(*table.primary_key.columns).where(*key)).first():
            return
        row = {k: v for k, v in values.items() if k in table.c}
        self.connection.execute(sa.insert(table).values(**row, **{DISCRIMINATOR: type_name}))


def _seed(url: str) -> None:
    store = Store(url)
    try:
        store.ensure_seed("test.user")
        store.ensure_seed("test.user")
        store.ensure_seed("other.user")
    finally:
        store.close()


def _reference(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables by ``create_all``, then the rows one at a time."""
    metadata = sa.MetaData()
    model = SchemaModel(load_schemas())
    tables = build_tables(model, metadata)
    build_link_tables(model, metadata)
    creator_table(metadata)
    tombstone_table(metadata)
    _info_table(metadata)
    engine = make_engine(url)
    try:
        metadata.create_all(engine)
        ensure_unique_indexes(engine, unique_indexes(model, tables))
    finally:
        engine.dispose()
    with monkeypatch.context() as patch:
        patch.setattr(builtin_data, "_Seeder", _RowAtATime)
        _seed(url)


#: each backend's list of tables and indexes with their SQL
SCHEMA_SQL = {
    "sqlite": "SELECT type, name, tbl_name, sql FROM sqlite_master",
    "postgresql": "SELECT tablename, indexname, indexdef FROM pg_indexes "
    "WHERE schemaname = 'public'",
}


def _contents(url: str) -> Dict[str, Any]:
    """Tables, columns, keys, indexes (with their SQL) and every row in the table's order."""
    engine = make_engine(url)
    quote = engine.dialect.identifier_preparer.quote
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            names = sorted(inspector.get_table_names())
            schema = connection.exec_driver_sql(SCHEMA_SQL[engine.dialect.name])
            return {
                "columns": {name: _columns(inspector, name) for name in names},
                "keys": {name: inspector.get_pk_constraint(name) for name in names},
                "schema": sorted(tuple(row) for row in schema),
                "rows": {
                    name: list(
                        map(tuple, connection.exec_driver_sql(f"SELECT * FROM {quote(name)}"))
                    )
                    for name in names
                },
            }
    finally:
        engine.dispose()


def _columns(inspector: Any, table: str) -> List[Tuple[object, ...]]:
    return [
        (c["name"], str(c["type"]), c["nullable"], c.get("default"))
        for c in inspector.get_columns(table)
    ]


def _has_postgresql_options(schema: List[Tuple[object, ...]]) -> None:
    """PostgreSQL's own options of the indexes (hash, partial) are in its indexes, though the
    tables are defined without loading its dialect (model.pg_index)."""
    made = {str(row[1]): str(row[2]) for row in schema}
    assert "USING hash (name)" in made["ix_ft_asset_name"]
    assert "WHERE (in_reply_to_id IS NOT NULL)" in made["ix_ft_note_in_reply_to_id_set"]
    assert "WHERE (_holds_assets = true)" in made["ix_ft_context_holders_project_id_name_key"]


def test_new_database_as_create_all_and_row_at_a_time_seeding(new_url, monkeypatch) -> None:
    reference = new_url()
    _reference(reference, monkeypatch)
    expected = _contents(reference)
    if reference.startswith("postgresql"):
        _has_postgresql_options(expected["schema"])
    assert len(expected["columns"]) > 90 and sum(map(len, expected["rows"].values())) > 140
    for _second_in_the_same_process in range(2):
        made = new_url()
        _seed(made)
        got = _contents(made)
        assert got["columns"] == expected["columns"]
        assert got["keys"] == expected["keys"]
        assert got["schema"] == expected["schema"]
        assert got["rows"] == expected["rows"]


def test_seeding_puts_back_only_the_missing_rows(new_url) -> None:
    url = new_url()
    _seed(url)
    full = _contents(url)["rows"]
    engine = make_engine(url)
    with engine.begin() as connection:
        for table, column, value in (
            ("ft_status", "name", "Approved"),
            ("ft_location", "name", "ftrack.unmanaged"),
            ("ft_schema_status", "sort", 3),
            ("ft_workflow_schema_status", "status_id", builtin_data.DEFAULT_TASK_STATUS_ID),
        ):
            delete = sa.text(f"DELETE FROM {table} WHERE {column} = :value")
            gone = connection.execute(delete, {"value": value})
            assert gone.rowcount > 0, table
    engine.dispose()
    _seed(url)
    again = _contents(url)["rows"]
    assert {k: sorted(map(repr, v)) for k, v in again.items()} == {
        k: sorted(map(repr, v)) for k, v in full.items()
    }


def test_an_older_database_gets_the_missing_tables_and_columns(new_url) -> None:
    """A database from before a table and a column were added gets both when opened."""
    url = new_url()
    _seed(url)
    full = _contents(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE ft_status DROP COLUMN color")
        connection.exec_driver_sql("DROP TABLE ft_note")
    engine.dispose()
    _seed(url)
    again = _contents(url)
    assert {k: sorted(v) for k, v in again["columns"].items()} == {
        k: sorted(v) for k, v in full["columns"].items()
    }
    indexes = {row[:2] for row in full["schema"]}
    assert {row[:2] for row in again["schema"]} == indexes
    assert any("ft_note" in row[:3] for row in full["schema"])
