"""``is_unreachable`` tells an outage (the database is not there or not usable right now: the
server answers 503) from a statement's own error (a bug or bad input: never 503), for
SQLAlchemy's errors and the drivers' own, from real drivers."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa
from support.net import free_port

from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.model.database import is_unreachable


def _raised(call) -> BaseException:
    with pytest.raises(Exception) as caught:
        call()
    return caught.value


def test_a_locked_sqlite_file_is_an_outage_and_a_bad_statement_is_not(tmp_path) -> None:
    path = tmp_path / "db.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
        with engine.connect() as connection:
            locked = _raised(lambda: connection.exec_driver_sql("INSERT INTO t VALUES (1)"))
        assert "database is locked" in str(locked) and is_unreachable(locked)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with engine.connect() as connection:
        wrong = _raised(lambda: connection.exec_driver_sql("SELECT * FROM no_such_table"))
    assert not is_unreachable(wrong)
    driver_error = _raised(lambda: sqlite3.connect(path).execute("SELECT nothing FROM t"))
    assert not is_unreachable(driver_error)
    engine.dispose()


def test_a_postgresql_that_is_not_listening_is_an_outage_even_wrapped() -> None:
    psycopg = pytest.importorskip("psycopg", reason="the postgres extra is not installed")
    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nothing"
    engine = sa.create_engine(url, connect_args={"connect_timeout": 5})
    refused = _raised(engine.connect)
    engine.dispose()
    assert isinstance(refused, sa.exc.OperationalError) and is_unreachable(refused)
    raw = _raised(lambda: psycopg.connect(url.replace("+psycopg", ""), connect_timeout=5))
    assert is_unreachable(raw)
    try:  # as the store answers it: an API error raised while handling the driver's
        raise refused
    except sa.exc.OperationalError:
        try:
            raise ApiOperationError("The database rejected the batch") from None
        except ApiOperationError as wrapped:
            assert is_unreachable(wrapped)
    assert not is_unreachable(ApiOperationError("Invalid action"))
