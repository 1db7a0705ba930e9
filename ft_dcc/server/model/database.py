"""Which database the server runs on: URL checks, PostgreSQL engines, schema set-up, clear errors.

SQLite (the default, one file in the data dir) and PostgreSQL (``postgresql://…``, driven by
psycopg 3) hold the same tables. Both serialise writers the same way, so every batch sees the
same semantics: SQLite with ``BEGIN IMMEDIATE``; PostgreSQL with a transaction-scoped advisory
lock taken when a write transaction begins (version numbers, uniqueness checks and reference
checks run inside it, so concurrent batches on any number of server processes cannot interleave
their read-check-write steps). Read-only batches run in ``REPEATABLE READ`` snapshots in
parallel, as SQLite's WAL readers do.

Startup problems (a malformed URL, an unreachable server, a database written by a newer ft_dcc,
missing rights) become one :class:`DatabaseSetupError` line saying what to do.
"""

from __future__ import annotations

import logging
import socket
import sqlite3
import sys
from typing import Dict, Optional, Set, Tuple, Union

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from ft_dcc.exceptions import DatabaseSetupError
from ft_dcc.protocol.version import __version__
from ft_dcc.server.model.idle_ping import ping_when_idle
from ft_dcc.server.model.side_tables import SIDE_TABLE_OPTION, define_table

#: what names a database: an engine, or its URL (parsed or as text)
EngineOrUrl = Union[Engine, URL, str]

log = logging.getLogger(__name__)

#: The storage layout version this ft_dcc writes; a database holding a newer one is refused
#: (:class:`NewerDatabaseError`), an older one is upgraded in place and stamped. 1: every
#: database before ft-dcc 0.2.0 (stamped once when made, never raised; some not at all);
#: 2: ft-dcc 0.2.0, which raises the stamp when it upgrades and records itself as its writer.
#: Raise it whenever a release adds tables or columns an older server would not fill.
STORAGE_VERSION = 2
INFO_TABLE = "ft_dcc_info"
#: the ``ft_dcc_info`` keys: the layout version, and the ft-dcc version that stamped it
VERSION_KEY = "storage_version"
WRITER_KEY = "storage_version_by"
#: Advisory lock keys (any 64-bit numbers unique to ft_dcc).
WRITE_LOCK_KEY = 0x66745F646363  # "ft_dcc"
SCHEMA_LOCK_KEY = WRITE_LOCK_KEY + 1
#: held shared by every running server, exclusively by a restore (``runtime.data_lock``)
IN_USE_LOCK_KEY = WRITE_LOCK_KEY + 2
URL_EXAMPLES = "sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
#: the execution option of a connection that runs one statement alone (:func:`one_statement`)
ONE_STATEMENT_OPTION = "ft_one_statement"


class NewerDatabaseError(DatabaseSetupError):
    """The database was upgraded by a newer ft-dcc than this one: refused before anything is
    written; the message names the version to install."""


def parse_database_url(text: str) -> URL:
    """The SQLAlchemy URL for ``text``; ``postgresql://`` selects the psycopg 3 driver."""
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as error:
        raise DatabaseSetupError(
            f"the database URL {_safe_text(text)!r} is malformed ({error})",
            f"give --database as {URL_EXAMPLES}",
        ) from None
    backend = url.get_backend_name()
    if backend == "postgresql":
        if url.get_driver_name() not in ("psycopg", "psycopg2", "psycopg_async", ""):
            return url
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return url
    raise DatabaseSetupError(
        f"the database URL {url.render_as_string()!r} names {backend!r}, which this server "
        "does not run on",
        f"give --database as {URL_EXAMPLES}",
    )


def is_postgres(engine_or_url: EngineOrUrl) -> bool:
    """Whether an engine or URL is PostgreSQL."""
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else engine_or_url
    return make_url(url).get_backend_name() == "postgresql"


def make_postgres_engine(url: URL) -> Engine:
    """A pooled psycopg 3 engine whose write transactions take the shared write lock."""
    try:
        engine = sa.create_engine(
            url,
            pool_pre_ping=False,  # an idle connection is pinged: model.idle_ping
            pool_size=8,
            max_overflow=16,
            pool_timeout=60,
            connect_args={"connect_timeout": 10, "application_name": "ft_dcc server"},
        )
    except (NoSuchModuleError, ImportError) as error:
        raise DatabaseSetupError(
            f"PostgreSQL needs the psycopg 3 driver ({error})",
            "pip install 'ft-dcc[postgres]'",
        ) from None

    ping_when_idle(engine)

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:  # pragma: no cover - driver callback
        options = connection.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return  # SQLAlchemy's own autocommit (VACUUM): no transaction begins, none to say
        write = bool(options.get("ft_write"))
        alone = bool(options.get(ONE_STATEMENT_OPTION)) and not write
        _set_isolation(connection, write, bool(options.get(SIDE_TABLE_OPTION)), alone)
        if write:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")

    return engine


def _set_isolation(connection: Connection, write: bool, side_table: bool, alone: bool) -> None:
    """The isolation of the transaction ``connection`` begins, said in its ``BEGIN`` (psycopg's
    ``isolation_level``, set before the transaction starts: no statement of its own, so no
    round trip to the server): a write the server's default under the shared write lock, a
    side table's keyed rows ``READ COMMITTED`` (see ``SideTable``), a read a ``REPEATABLE
    READ`` snapshot; ``alone``, no transaction at all (psycopg's ``autocommit``: the one
    statement of :func:`one_statement`, without a ``BEGIN`` and ``COMMIT`` around it)."""
    from psycopg import IsolationLevel

    wanted: Optional[IsolationLevel] = None
    if not write:
        wanted = IsolationLevel.READ_COMMITTED if side_table else IsolationLevel.REPEATABLE_READ
    raw = connection.connection.dbapi_connection
    if raw is None:
        return
    if raw.autocommit != alone:
        raw.autocommit = alone
    if raw.isolation_level != wanted:
        raw.isolation_level = wanted


def one_statement(engine: Engine) -> Connection:
    """A connection of ``engine`` for ONE statement, which needs no transaction around it (a
    statement is atomic and reads one snapshot by itself): on PostgreSQL it runs alone
    (autocommit), one round trip instead of three (``BEGIN``, the statement, then ``COMMIT`` or
    ``ROLLBACK``). Its caller runs exactly one statement on it; SQLite is unchanged."""
    return engine.connect().execution_options(**{ONE_STATEMENT_OPTION: True})


def prepare_schema(engine: Engine, metadata: sa.MetaData) -> Set[str]:
    """Refuse a database written by a newer ft_dcc (:class:`NewerDatabaseError`, before
    anything is written), create missing tables (once, even when several processes start
    together) and stamp :data:`STORAGE_VERSION`; the names of ``metadata``'s tables that were
    there before (none in a new database). The caller then upgrades those in place (columns,
    indexes, moved rows: each step finds what is missing, so an interrupted upgrade finishes at
    the next start). A database that has every table and the stamp is only read: no lock."""
    info = _info_table(metadata)
    with engine.connect() as connection, connection.begin():
        existing, stamped = _look(connection, info)
    _refuse_newer(engine, stamped)
    if _has_every_table_and_stamp(metadata, existing, stamped):
        return existing & set(metadata.tables)
    with engine.connect() as connection, connection.begin():
        if is_postgres(engine):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})")
        existing, stamped = _look(connection, info)  # again: another process may have done it
        _refuse_newer(engine, stamped)
        missing = [t for t in metadata.sorted_tables if t.name not in existing]
        metadata.create_all(connection, tables=missing, checkfirst=False)
        _stamp(connection, info, stamped, upgrade=bool(existing & set(metadata.tables)))
    return existing & set(metadata.tables)


def _look(connection: Connection, info: sa.Table) -> Tuple[Set[str], Dict[str, str]]:
    """The database's table names, and what its info table records (empty: none)."""
    existing = set(sa.inspect(connection).get_table_names())
    return existing, _read_info(connection, info) if INFO_TABLE in existing else {}


def _has_every_table_and_stamp(
    metadata: sa.MetaData, existing: Set[str], stamped: Dict[str, str]
) -> bool:
    return set(metadata.tables) <= existing and stamped.get(VERSION_KEY) == str(STORAGE_VERSION)


def storage_info(engine: Engine) -> Dict[str, str]:
    """What the database records of its layout: ``storage_version`` and ``storage_version_by``
    (the ft-dcc that raised it to that version); empty before a server prepared it."""
    with engine.connect() as connection:
        if INFO_TABLE not in sa.inspect(connection).get_table_names():
            return {}
        return _read_info(connection, _info_table(sa.MetaData()))


def _read_info(connection: Connection, info: sa.Table) -> Dict[str, str]:
    rows = connection.execute(sa.select(info.c.key, info.c.value))
    return {str(key): str(value) for key, value in rows}


def _refuse_newer(engine: Engine, stamped: Dict[str, str]) -> None:
    found = stamped.get(VERSION_KEY, "")
    if not found.isdigit() or int(found) <= STORAGE_VERSION:
        return
    writer = stamped.get(WRITER_KEY, "")
    by = f" (upgraded to it by ft-dcc {writer})" if writer else ""
    to = f" to {writer} or newer" if writer else ""
    raise NewerDatabaseError(
        f"the database {describe(engine)} holds ft_dcc storage version {found}{by}; this "
        f"ft-dcc {__version__} reads version {STORAGE_VERSION} or older, so it changed nothing "
        "and stops",
        f"upgrade ft-dcc on this machine{to} (pip install -U 'ft-dcc[server]') and start it "
        "again, or point --database at another database; to go back to this version, restore "
        "a backup made before the upgrade (docs/server.md)",
    )


def _stamp(connection: Connection, info: sa.Table, stamped: Dict[str, str], upgrade: bool) -> None:
    """Record :data:`STORAGE_VERSION` (and which ft-dcc wrote it) where it is not yet."""
    if stamped.get(VERSION_KEY) == str(STORAGE_VERSION):
        return
    for key, value in ((VERSION_KEY, str(STORAGE_VERSION)), (WRITER_KEY, __version__)):
        if key in stamped:
            connection.execute(sa.update(info).where(info.c.key == key).values(value=value))
        else:
            connection.execute(sa.insert(info).values(key=key, value=value))
    if upgrade:
        log.warning("upgraded the database %s in place from ft_dcc storage version %s to %s",
                    describe(connection.engine), stamped.get(VERSION_KEY, "1 (unstamped)"),
                    STORAGE_VERSION)  # fmt: skip


def _info_table(metadata: sa.MetaData) -> sa.Table:
    return define_table(
        metadata,
        INFO_TABLE,
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def describe(engine_or_url: EngineOrUrl) -> str:
    """The database for messages: its URL without the password."""
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else engine_or_url
    return make_url(url).render_as_string(hide_password=True)


def _safe_text(text: str) -> str:
    """A URL text for messages with anything between ``:`` and ``@`` hidden."""
    if "@" in text and "://" in text:
        scheme, rest = text.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in credentials else text
    return text


def setup_error(error: BaseException, engine_or_url: EngineOrUrl) -> DatabaseSetupError:
    """One clear line for an error raised while opening or preparing the database."""
    if isinstance(error, DatabaseSetupError):
        return error
    where = describe(engine_or_url)
    code = _sqlstate(error)
    text = _first_line(error)
    if code == "42501" or "permission denied" in text:
        return DatabaseSetupError(
            f"the database user may not create or use ft_dcc's tables in {where} ({text})",
            "run as the database's owner, or GRANT CREATE, USAGE ON SCHEMA public and "
            "ALL ON ALL TABLES IN SCHEMA public to this user",
        )
    if code == "3D000" or ("does not exist" in text and "database" in text):
        return DatabaseSetupError(
            f"the database in {where} does not exist ({text})",
            "create it first, e.g. createdb -O USER DATABASE",
        )
    if code == "28P01" or code == "28000" or "authentication failed" in text:
        return DatabaseSetupError(
            f"the database server refused the login for {where} ({text})",
            "check the user and password in --database (and pg_hba.conf)",
        )
    if _is_connection_error(error):
        return DatabaseSetupError(
            f"cannot reach the database {where} ({text})",
            "start PostgreSQL or fix the host/port in --database",
        )
    return DatabaseSetupError(f"cannot use the database {where} ({text})")


def _is_connection_error(error: BaseException) -> bool:
    """Whether opening the database failed for want of a connection, by type only: the
    network's (refused, reset, a host name that does not resolve), SQLAlchemy's
    ``OperationalError``, or what :func:`is_unreachable` calls an outage."""
    network = (ConnectionError, socket.gaierror, socket.timeout)
    return isinstance(error, (*network, sa.exc.OperationalError)) or _says_unreachable(error)


def _sqlstate(error: BaseException) -> Optional[str]:
    return _driver_sqlstate(getattr(error, "orig", None))


def error_reason(error: BaseException) -> str:
    """The first line of what the driver said (at most 300 characters), for a log line."""
    return _first_line(error)


def _first_line(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return (lines[0] if lines else type(orig).__name__)[:300]


#: SQLite's primary result codes for a database file the server cannot use right now: busy or
#: locked, read-only, an I/O error, full, cannot be opened (``sqlite3.Error.sqlite_errorcode``;
#: an extended code's low byte is its primary one)
_SQLITE_UNAVAILABLE = frozenset({5, 6, 8, 10, 13, 14})
#: PostgreSQL's SQLSTATE classes and codes for "the database is not there right now":
#: connection exceptions, shutdown / starting up, insufficient resources (too many connections)
_PG_UNAVAILABLE = ("08", "57P01", "57P02", "57P03", "53")
#: the PostgreSQL drivers whose ``OperationalError`` without a SQLSTATE means no connection
#: (refused, lost, closed): only a driver already imported can have raised one
_PG_DRIVERS = ("psycopg", "psycopg2")


def is_unreachable(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) says the database cannot be reached or used right
    now — a stopped PostgreSQL, a dropped connection, a SQLite file that is gone or locked —
    rather than that a statement was wrong. Such an error is an outage: ``/api`` answers 503.
    SQLAlchemy's errors and the drivers' own (psycopg's, sqlite3's) are both understood."""
    seen: Set[int] = set()
    current: Optional[BaseException] = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _says_unreachable(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _says_unreachable(error: BaseException) -> bool:
    """By type and code only, never by the text: SQLAlchemy's pool timeout and invalidated
    connection, SQLite's result code, PostgreSQL's SQLSTATE, a PostgreSQL driver's
    ``OperationalError`` that carries none (no connection)."""
    if isinstance(error, sa.exc.TimeoutError):  # no pooled connection came free
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig or error
    if isinstance(error, sqlite3.Error):
        return _sqlite_code(error) in _SQLITE_UNAVAILABLE
    code = _driver_sqlstate(error)
    if code:  # psycopg's own errors carry the SQLSTATE
        return code.startswith(_PG_UNAVAILABLE)
    return _pg_connection_error(error)


def _sqlite_code(error: sqlite3.Error) -> Optional[int]:
    """SQLite's primary result code of ``error`` (None when SQLite gave none)."""
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _driver_sqlstate(error: object) -> Optional[str]:
    code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return str(code) if code else None


def _pg_connection_error(error: BaseException) -> bool:
    """A PostgreSQL driver's ``OperationalError`` (with no SQLSTATE: see the caller): the
    connection was refused, lost or closed."""
    for name in _PG_DRIVERS:
        driver = sys.modules.get(name)
        if driver is not None and isinstance(error, driver.OperationalError):
            return True
    return False


def check_reachable(engine: Engine) -> None:
    """Connect once; raises :class:`DatabaseSetupError` with the reason when that fails."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except (SQLAlchemyError, OSError) as error:
        raise setup_error(error, engine) from None


def comparable_id(column: sa.Column, ident: object) -> object:
    """``ident`` in the type of the id ``column``, or ``None`` when no row can match it.

    SQLite compares ``5 = '5'`` loosely; PostgreSQL refuses ``integer = varchar``. A text id
    never matches an integer column unless it is all digits.
    """
    if isinstance(column.type, sa.Integer) and not isinstance(ident, int):
        text = str(ident)
        return int(text) if text.isdigit() else None
    return ident
