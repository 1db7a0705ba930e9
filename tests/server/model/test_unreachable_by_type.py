"""An outage is told by the error's type and code, never by its class's name or its words.

``is_unreachable`` reads SQLite's result code (busy, locked, read-only, I/O, full, cannot open),
PostgreSQL's SQLSTATE, a PostgreSQL driver's ``OperationalError`` without one (no connection)
and SQLAlchemy's invalidated connection and pool timeout. A statement's error that merely
quotes an outage's words, or a class that only shares the name ``OperationalError``, is not an
outage (never a 503 for it).

Seen failing first: the code before decided by ``type(...).__name__ == "OperationalError"`` and
by the message's words, so a missing table named "database is locked" and a foreign
``OperationalError`` saying "connection refused" were taken for outages.
"""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from ft_dcc.server.model.database import is_unreachable, setup_error


def _raised(call) -> BaseException:
    with pytest.raises(Exception) as caught:
        call()
    return caught.value


def test_a_statement_error_quoting_outage_words_is_not_an_outage(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.connect() as connection:
        for words in ("database is locked", "unable to open database file", "connection refused"):
            select = functools.partial(connection.exec_driver_sql, f'SELECT * FROM "{words}"')
            wrong = _raised(select)
            assert words in str(wrong) and not is_unreachable(wrong), wrong
    engine.dispose()

    class OperationalError(Exception):  # someone else's class of that name
        pass

    assert not is_unreachable(OperationalError("connection refused; database is locked"))


def test_sqlite_outages_are_told_by_their_result_code(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with sqlite3.connect(path) as made:
        made.execute("CREATE TABLE t (x)")
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    read_only = _raised(lambda: reader.execute("INSERT INTO t VALUES (1)"))
    reader.close()
    assert getattr(read_only, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_READONLY
    assert is_unreachable(read_only)
    gone = sa.create_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'db.sqlite'}")
    cannot_open = _raised(gone.connect)
    gone.dispose()
    assert isinstance(cannot_open, sa.exc.OperationalError) and is_unreachable(cannot_open)
    assert "cannot reach the database" in str(setup_error(cannot_open, gone))


def test_postgresql_errors_are_told_by_their_sqlstate() -> None:
    errors = pytest.importorskip("psycopg", reason="the postgres extra is not installed").errors
    assert is_unreachable(errors.AdminShutdown("terminating connection"))  # 57P01
    assert is_unreachable(errors.TooManyConnections("sorry"))  # 53300
    assert not is_unreachable(errors.UndefinedTable('relation "connection refused"'))  # 42P01
    assert not is_unreachable(errors.QueryCanceled("canceling statement due to timeout"))
