"""The stores of one process share the entity tables' definitions (``store.shared_tables``), and
nothing one store or database does reaches another through them: each store's own tables stay
its own, a database with duplicates opens without the unique index that a new one still gets.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from pathlib import Path
from typing import Any, Iterator, List, Set

import pytest

pytest.importorskip("sqlalchemy")

import sqlalchemy as sa

from ft_dcc.server.model.side_tables import define_table
from ft_dcc.server.store.store import Store

from ..store_helpers import create, create_asset, new_id, ref

UNIQUE_ASSET = "ix_ft_asset_uq_context_id_name_type_id"


@contextlib.contextmanager
def opened(path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{path}")
    try:
        yield store
    finally:
        store.close()


def indexes_of(path: Path) -> Set[str]:
    with contextlib.closing(sqlite3.connect(str(path))) as connection:
        rows = connection.execute("select name from sqlite_master where type = 'index'")
        return {name for (name,) in rows if not name.startswith("sqlite_")}


def test_two_stores_share_the_entity_tables_not_their_own(tmp_path: Path) -> None:
    with opened(tmp_path / "a.sqlite") as first, opened(tmp_path / "b.sqlite") as second:
        assert first.tables["Context"] is second.tables["Context"]
        assert first.link_tables == second.link_tables
        assert first.metadata is not second.metadata
        assert first.metadata.tables["ft_context"] is first.tables["Context"]
        mine = define_table(first.metadata, "ft_dcc_only_mine", sa.Column("id", sa.Text))
        assert "ft_dcc_only_mine" not in second.metadata.tables
        assert define_table(first.metadata, "ft_dcc_only_mine") is mine
    assert indexes_of(tmp_path / "a.sqlite") == indexes_of(tmp_path / "b.sqlite")


def duplicate_assets(path: Path) -> None:
    """Two assets of one name and type under one context, written past the unique index (a
    database an older version filled)."""
    with opened(path) as store:
        user = store.ensure_seed("test.user")
        project, asset_type, first = new_id(), new_id(), new_id()
        store.execute([create("Project", project, name="dup", full_name="Dup"),
                       create("AssetType", asset_type, name="Upload", short="upload"),
                       create_asset(first, ref("Project", project), asset_type)],
                      user)  # fmt: skip
    with contextlib.closing(sqlite3.connect(str(path))) as connection:
        connection.execute(f"drop index {UNIQUE_ASSET}")
        connection.execute("create temp table twin as select * from ft_asset where id = ?",
                           (first,))  # fmt: skip
        connection.execute("update twin set id = ?", (new_id(),))
        connection.execute("insert into ft_asset select * from twin")
        connection.commit()


def test_a_database_with_duplicates_opens_again_and_a_new_one_gets_the_index(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = tmp_path / "old.sqlite"
    duplicate_assets(old)
    with caplog.at_level(logging.WARNING, logger="ft_dcc.server.rules.integrity"):
        for _ in range(2):  # each start tries again, and the store still opens
            with opened(old) as store:
                assert len(store.query('select id from Asset where name is "plate"')) == 2
    refused = [r for r in caplog.records if UNIQUE_ASSET in r.getMessage()]
    assert len(refused) == 2, caplog.text
    assert UNIQUE_ASSET not in indexes_of(old)
    with opened(tmp_path / "new.sqlite"):
        pass
    assert UNIQUE_ASSET in indexes_of(tmp_path / "new.sqlite")
    assert indexes_of(old) | {UNIQUE_ASSET} == indexes_of(tmp_path / "new.sqlite")


def test_a_new_databases_entity_tables_are_not_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The DDL of the shared tables is compiled once per dialect (``store.shared_ddl``): a second
    new database gets the same tables and indexes with no entity table compiled again."""
    from sqlalchemy.sql.compiler import DDLCompiler

    with opened(tmp_path / "first.sqlite") as first:
        shared = {table.name for table in first.tables.values()}
    compiled: List[str] = []
    plain = DDLCompiler.visit_create_table

    def counted(self: DDLCompiler, create: Any, **kw: Any) -> str:
        compiled.append(create.element.name)
        return plain(self, create, **kw)

    monkeypatch.setattr(DDLCompiler, "visit_create_table", counted)
    with opened(tmp_path / "second.sqlite"):
        pass
    assert compiled, "the side tables are compiled as before"
    assert not shared & set(compiled), sorted(shared & set(compiled))
    assert indexes_of(tmp_path / "first.sqlite") == indexes_of(tmp_path / "second.sqlite")
