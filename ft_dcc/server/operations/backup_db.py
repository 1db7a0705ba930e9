"""The database half of ``ft-dcc server backup``/``restore``: a consistent copy taken while the
server runs, and putting it back.

- **SQLite**: SQLite's online backup API copies the database in one step under a read
  transaction (the server's WAL lets its writers go on meanwhile) into ``database.sqlite``,
  a plain single-file SQLite database (journal mode DELETE).
- **PostgreSQL**: ``pg_dump --format=custom`` into ``database.pgdump``, run on a snapshot this
  module exports from a ``REPEATABLE READ`` transaction in which it also counts every table's
  rows, so the counts in the manifest are exactly the dump's. ``pg_restore`` puts it back in one
  transaction. The password goes to them in the environment (``PGPASSWORD``), never on their
  command line.

Row counts per table are what a restore is checked against.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection

from ft_dcc.exceptions import BackupError
from ft_dcc.server.model.database import describe, parse_database_url

SQLITE_FILE = "database.sqlite"
PG_FILE = "database.pgdump"
#: Debian's PostgreSQL client binaries, newest version folder first when several are installed
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
PG_TOOL_ENV = "FT_DCC_PG_BIN"
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def kind_of(url: URL) -> str:
    """``"sqlite"`` or ``"postgresql"``."""
    return str(url.get_backend_name())


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError(f"{describe(url)} is not a SQLite file", "give a sqlite:///PATH URL")
    return Path(url.database).expanduser().resolve()


def sqlite_files(path: Path) -> List[Path]:
    """The database file and its side files (WAL, shared memory, journal)."""
    return [path, *(path.with_name(path.name + suffix) for suffix in SQLITE_SIDE_FILES)]


# -- SQLite -----------------------------------------------------------------------------------
def backup_sqlite(url: URL, target: Path) -> Dict[str, int]:
    """Copy the live database to ``target`` with the online backup API; its row counts."""
    source_path = sqlite_path(url)
    if not source_path.is_file():
        raise BackupError(
            f"there is no database at {source_path}",
            "give the server's --data (or its --database) to back up",
        )
    try:
        source = contextlib.closing(sqlite3.connect(source_path, timeout=60))
        with source as live, contextlib.closing(sqlite3.connect(target)) as copy:
            live.backup(copy)  # one step: a consistent copy of one moment
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            return sqlite_counts(copy)
    except sqlite3.Error as error:
        raise BackupError(
            f"cannot copy the database {source_path} ({error})",
            "check that it is an ft_dcc server's database and that you may read it",
        ) from None


def sqlite_counts(connection: sqlite3.Connection) -> Dict[str, int]:
    names = [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )]  # fmt: skip
    return {
        name: int(connection.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0])
        for name in sorted(names)
    }


def restore_sqlite(copy: Path, url: URL) -> Dict[str, int]:
    """Put the backup's database at ``url``'s path (which holds nothing); its row counts."""
    path = sqlite_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.restoring")
    shutil.copyfile(copy, partial)
    os.chmod(partial, 0o600)
    os.replace(partial, path)
    with contextlib.closing(sqlite3.connect(path)) as restored:
        return sqlite_counts(restored)


# -- PostgreSQL -------------------------------------------------------------------------------
def pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore``: from ``$FT_DCC_PG_BIN``, Debian's newest, or PATH."""
    folders = [os.environ[PG_TOOL_ENV]] if os.environ.get(PG_TOOL_ENV) else []
    folders += sorted(glob.glob(PG_BIN_GLOB), key=_version_key, reverse=True)
    for folder in folders:
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(
        f"{name} is not installed: it takes and restores PostgreSQL backups",
        "install PostgreSQL's client programs (Debian: apt-get install postgresql-client), "
        f"or name their folder in {PG_TOOL_ENV}",
    )


def _version_key(folder: str) -> int:
    name = Path(folder).parent.name
    return int(name) if name.isdigit() else 0


def libpq_env(url: URL) -> Dict[str, str]:
    """The environment that points libpq's programs at ``url`` (password included)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    values = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username,
              "PGPASSWORD": url.password, "PGDATABASE": url.database}  # fmt: skip
    env.update({key: str(value) for key, value in values.items() if value not in (None, "")})
    for key, value in url.query.items():  # e.g. sslmode=require, host=/run/postgresql
        if key in ("sslmode", "host", "port") and isinstance(value, str):
            env["PGSSLMODE" if key == "sslmode" else f"PG{key.upper()}"] = value
    return env


def run_pg(args: List[str], url: URL, what: str) -> None:
    done = subprocess.run(args, env=libpq_env(url), capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(
            f"{what} of {describe(url)} failed: {detail[-1] if detail else done.returncode}",
            "check that the database is reachable and the user may read (or create) its tables",
        )


def pg_counts(connection: Connection) -> Dict[str, int]:
    names = sa.inspect(connection).get_table_names()
    return {
        name: int(connection.exec_driver_sql(f'SELECT COUNT(*) FROM "{name}"').scalar_one())
        for name in sorted(names)
    }


@contextlib.contextmanager
def pg_engine(url: URL) -> Iterator[sa.Engine]:
    try:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool,
                                  connect_args={"connect_timeout": 10})  # fmt: skip
    except (sa.exc.SQLAlchemyError, ImportError) as error:
        raise BackupError(
            f"PostgreSQL needs the psycopg 3 driver ({error})", "pip install 'ft-dcc[postgres]'"
        ) from None
    try:
        yield engine
    except sa.exc.SQLAlchemyError as error:
        raise BackupError(
            f"cannot use the database {describe(url)}: {str(error).splitlines()[0]}",
            "check that PostgreSQL runs and the URL's user may connect",
        ) from None
    finally:
        engine.dispose()


def backup_pg(url: URL, target: Path) -> Dict[str, int]:
    """``pg_dump`` of one snapshot into ``target``; the snapshot's row counts."""
    dump = pg_tool("pg_dump")
    with pg_engine(url) as engine, engine.connect() as connection:
        snapshot_of = connection.execution_options(isolation_level="REPEATABLE READ")
        with snapshot_of.begin():  # open until pg_dump is done: its snapshot lives as long
            snapshot = snapshot_of.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            counts = pg_counts(snapshot_of)
            run_pg([dump, "--format=custom", "--no-owner", "--no-privileges",
                    f"--snapshot={snapshot}", f"--file={target}"], url, "pg_dump")  # fmt: skip
    return counts


def pg_table_names(url: URL) -> List[str]:
    with pg_engine(url) as engine, engine.connect() as connection:
        return list(sa.inspect(connection).get_table_names())


def restore_pg(dump: Path, url: URL, replace: bool) -> Dict[str, int]:
    """``pg_restore`` into ``url`` in one transaction (``replace``: dropping what the dump
    holds first); the restored row counts."""
    args = [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction",
            "--exit-on-error", f"--dbname={url.database}"]  # fmt: skip
    if replace:
        args += ["--clean", "--if-exists"]
    run_pg([*args, str(dump)], url, "pg_restore")
    with pg_engine(url) as engine, engine.connect() as connection:
        return pg_counts(connection)


def parse(url: Optional[str], default_sqlite: Path) -> URL:
    """The URL of ``url`` (None: SQLite at ``default_sqlite``)."""
    return parse_database_url(url or f"sqlite:///{default_sqlite}")
