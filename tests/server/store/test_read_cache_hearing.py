"""A batch's read cache (``store/reads.py``) forgets a table when its own connection writes it,
whether its engine hears through the one listener ``hear`` puts on a store's engine or, for an
engine not told, through a listener on the connection itself; every cache on a connection hears
(a batch and the batches its in-batch actions run on the same transaction), and a cache on
another connection keeps what it found."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from ft_dcc.server.store.reads import ReadCache, hear

ROW = {"id": "a"}


@pytest.mark.parametrize("heard", [True, False], ids=["engine_heard", "engine_not_told"])
def test_the_caches_of_a_connection_forget_a_table_it_updates(tmp_path: Path, heard: bool) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'reads.db'}")
    if heard:
        hear(engine)
    table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.String, primary_key=True))
    with engine.begin() as setup:
        table.create(setup)
    with engine.connect() as writer, engine.connect() as other:
        caches = [ReadCache(writer), ReadCache(writer)]
        elsewhere = ReadCache(other)
        for cache in (*caches, elsewhere):
            cache.keep_row("t", "a", ROW)

        writer.execute(sa.select(table)).all()  # a read forgets nothing
        assert [cache.row("t", "a") for cache in caches] == [ROW, ROW]

        writer.execute(sa.update(table).values(id="b"))
        assert [cache.row("t", "a") for cache in caches] == [None, None]
        assert elsewhere.row("t", "a") == ROW
    engine.dispose()
