"""A PostgreSQL transaction costs its statements, not extra round trips before them: its isolation
is said in its ``BEGIN`` (no ``SET TRANSACTION`` statement of its own), and a pooled connection
is pinged only when it comes back after being idle a while (a desk write takes about ten
connections in a row; each was pinged). A dead idle connection is still replaced before use.
Counted (statements, pings), never timed, on a real throwaway cluster."""

from __future__ import annotations

from typing import Any, Callable, Iterator, List

import pytest

pytest.importorskip("sqlalchemy")

import sqlalchemy as sa

from ft_dcc.server.model import idle_ping
from ft_dcc.server.model.database import one_statement
from ft_dcc.server.model.side_tables import SIDE_TABLE_OPTION
from ft_dcc.server.model.storage import make_engine, write_transaction


@pytest.fixture
def engine(new_database_url: Callable[[str], str]) -> Iterator[sa.engine.Engine]:
    made = make_engine(new_database_url("postgresql"))
    yield made
    made.dispose()


def _isolation(connection: sa.engine.Connection) -> str:
    return str(connection.exec_driver_sql("SHOW transaction_isolation").scalar_one())


def test_each_transaction_says_its_isolation_in_its_begin(engine: sa.engine.Engine) -> None:
    seen: List[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: seen.append(str(a[2])))
    found = []
    for _ in range(2):  # a pooled connection goes from one kind to another
        with engine.connect() as connection:
            found.append(("read", _isolation(connection)))
        with write_transaction(engine) as connection:
            found.append(("write", _isolation(connection)))
        side = engine.connect().execution_options(**{SIDE_TABLE_OPTION: True})
        with side as connection, connection.begin():
            found.append(("side table", _isolation(connection)))

    assert found == [("read", "repeatable read"), ("write", "read committed"),
                     ("side table", "read committed")] * 2  # fmt: skip
    assert [s for s in seen if s.upper().startswith("SET")] == [], seen
    assert sum("pg_advisory_xact_lock" in s for s in seen) == 2  # each write's lock


def _counting_pings(engine: sa.engine.Engine, monkeypatch: pytest.MonkeyPatch) -> List[Any]:
    pings: List[Any] = []
    ping = engine.dialect.do_ping

    def counted(dbapi: Any) -> bool:
        pings.append(dbapi)
        return bool(ping(dbapi))

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def test_a_connection_back_at_once_is_not_pinged(
    engine: sa.engine.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = _counting_pings(engine, monkeypatch)
    monkeypatch.setattr(idle_ping, "IDLE_SECONDS", 3600.0)  # however slow the machine

    for _ in range(10):
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT 1").scalar_one() == 1

    assert pings == []


def test_an_idle_connection_cut_meanwhile_is_replaced_before_use(
    engine: sa.engine.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = engine.connect()  # two pooled connections; the first one's server process is cut
    cut = first.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    with engine.connect() as other:
        first.close()
        other.exec_driver_sql(f"SELECT pg_terminate_backend({cut})")
    pings = _counting_pings(engine, monkeypatch)
    monkeypatch.setattr(idle_ping, "IDLE_SECONDS", -1.0)  # every connection counts as idle

    with engine.connect() as one, engine.connect() as two:  # both pooled ones taken
        found = [c.exec_driver_sql("SELECT pg_backend_pid()").scalar_one() for c in (one, two)]
        assert [c.exec_driver_sql("SELECT 41 + 1").scalar_one() for c in (one, two)] == [42, 42]

    assert cut not in found
    assert pings  # an idle connection is pinged before use


def _in_transaction(connection: sa.engine.Connection) -> bool:
    """Whether the driver's connection is inside a transaction (psycopg sent its ``BEGIN``)."""
    from psycopg.pq import TransactionStatus

    raw = connection.connection.dbapi_connection
    assert raw is not None
    return bool(raw.info.transaction_status != TransactionStatus.IDLE)


def test_one_statement_is_one_round_trip_and_leaves_the_next_transaction_alone(
    engine: sa.engine.Engine,
) -> None:
    """A lone statement (a key's row, a presenter row, a revocation's confirmation) runs on
    its own: no ``BEGIN`` before it, no ``COMMIT``/``ROLLBACK`` after it (three round trips
    were one statement's cost); a read or a write on the same pooled connection afterwards is
    a transaction again, with its isolation and its lock."""
    seen: List[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: seen.append(str(a[2])))
    for _ in range(2):  # the same pooled connection, from one kind to the other
        with one_statement(engine) as connection:
            assert connection.execute(sa.text("SELECT 41 + 1")).scalar_one() == 42
            assert not _in_transaction(connection)  # nothing sent but the statement
        with engine.connect() as connection:
            assert _isolation(connection) == "repeatable read"
            assert _in_transaction(connection)
        with write_transaction(engine) as connection:
            assert _isolation(connection) == "read committed"
            assert _in_transaction(connection)

    assert sum("pg_advisory_xact_lock" in s for s in seen) == 2  # each write's lock


def test_sqlalchemys_autocommit_stays_autocommit(engine: sa.engine.Engine) -> None:
    """A connection given SQLAlchemy's own ``AUTOCOMMIT`` (``VACUUM`` after a restore or a
    migration, which PostgreSQL refuses in a transaction) runs without one, also on a pooled
    connection that ran a lone statement and a transaction before. Seen failing: the begin hook
    turned psycopg's autocommit off again, and every restore into PostgreSQL failed."""
    with one_statement(engine) as connection:
        connection.exec_driver_sql("SELECT 1")
    with engine.connect() as connection:
        _isolation(connection)
    for _ in range(2):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE)")
