"""The lock a running server holds on its data, so that a restore cannot pull it away.

A server holds, for as long as it runs, a **shared** lock on

- its data dir: ``flock`` on ``.ft_dcc-server.lock`` in it (a SQLite database outside the data
  dir: on ``NAME.ft_dcc-server.lock`` beside it too);
- a PostgreSQL database: a session-level advisory lock (``IN_USE_LOCK_KEY``) on a connection of
  its own.

``ft-dcc server restore`` asks for the same locks **exclusively**, without waiting, and holds them
while it works: it is refused while any server uses the data dir or the database, whichever
account runs it and whatever that account's records of running servers say (the kernel and
PostgreSQL release a lock when its holder ends, even when it is killed), and a server cannot
start on them while a restore is running. A lock file the restoring account cannot open is a
refusal too (it cannot tell). The file lock is POSIX's (``flock``); on Windows only
PostgreSQL's advisory lock holds.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
from pathlib import Path
from typing import Callable, Iterator, List, Optional

import sqlalchemy as sa

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: no file lock (PostgreSQL's still holds)
    fcntl = None  # type: ignore[assignment]
from sqlalchemy.engine import URL

from ft_dcc.exceptions import DataInUseError
from ft_dcc.server.model.database import IN_USE_LOCK_KEY, describe, parse_database_url

log = logging.getLogger(__name__)

LOCK_NAME = ".ft_dcc-server.lock"
IN_USE = "in use by a running ft-dcc server"
STOP_FIRST = (
    "stop every server on it first (systemctl stop ft-dcc, or Ctrl+C where it runs), whichever "
    "account runs it, then restore, then start it again"
)


def lock_files(data_dir: Path, url: URL) -> List[Path]:
    """The lock files of ``data_dir`` and of a SQLite database outside it."""
    found = [data_dir / LOCK_NAME]
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database).expanduser().resolve()
        if data_dir not in database.parents:
            found.append(database.with_name(database.name + LOCK_NAME))
    return found


def _flock(path: Path, exclusive: bool, create: bool) -> Optional[int]:
    """The descriptor of ``path`` locked without waiting (None: no such file and not
    ``create``); :class:`DataInUseError` when the other kind of lock holds it."""
    flags = os.O_RDWR | os.O_CREAT if create else os.O_RDONLY
    try:
        descriptor = os.open(path, flags | os.O_CLOEXEC, 0o600)
    except FileNotFoundError:
        if create:
            raise
        return None
    except PermissionError:
        raise DataInUseError(
            f"cannot open {path} to tell whether a server uses it; nothing was changed",
            "run it as the account that runs the server (or root)",
        ) from None
    if fcntl is None:  # pragma: no cover - Windows
        return descriptor
    try:
        fcntl.flock(descriptor, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except OSError as error:
        os.close(descriptor)
        if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise
        if exclusive:
            raise DataInUseError(f"{path.parent} is {IN_USE}; nothing was changed",
                                 STOP_FIRST) from None  # fmt: skip
        raise DataInUseError(
            f"a restore (ft-dcc server restore) is writing into {path.parent}",
            "start the server once it has finished",
        ) from None
    return descriptor


def _pg_lock(url: URL, exclusive: bool) -> sa.engine.Connection:
    """A connection holding the advisory lock; :class:`DataInUseError` when it is taken."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 10})
    connection = engine.connect()
    try:
        function = "pg_try_advisory_lock" if exclusive else "pg_try_advisory_lock_shared"
        got = connection.execute(sa.text(f"SELECT {function}(:key)"), {"key": IN_USE_LOCK_KEY})
        taken = not got.scalar()
        connection.commit()  # the lock is the session's: it outlives the transaction
    except BaseException:
        connection.close()
        engine.dispose()
        raise
    if taken:
        connection.close()
        engine.dispose()
        if exclusive:
            raise DataInUseError(f"the database {describe(url)} is {IN_USE}; nothing was changed",
                                 STOP_FIRST)  # fmt: skip
        raise DataInUseError(
            f"a restore (ft-dcc server restore) is writing into the database {describe(url)}",
            "start the server once it has finished",
        )
    return connection


@contextlib.contextmanager
def _held(data_dir: Path, database_url: Optional[str], exclusive: bool) -> Iterator[None]:
    url = parse_database_url(database_url or f"sqlite:///{data_dir / 'ft_dcc.sqlite'}")
    with contextlib.ExitStack() as stack:
        for path in lock_files(data_dir, url):
            if not exclusive:
                path.parent.mkdir(parents=True, exist_ok=True)
            elif not path.parent.is_dir():
                continue
            descriptor = _flock(path, exclusive, create=not exclusive)
            if descriptor is not None:
                stack.callback(os.close, descriptor)
        if url.get_backend_name() == "postgresql":
            connection = _pg_lock(url, exclusive)
            stack.callback(_quietly, connection.engine.dispose)
            stack.callback(_quietly, connection.close)
        yield


def _quietly(close: Callable[[], None]) -> None:
    """Let go of the lock's connection; one the database dropped meanwhile (an outage) is
    gone already."""
    try:
        close()
    except sa.exc.SQLAlchemyError as error:
        log.info("the data lock's connection was already closed: %s", error)


def server_lock(data_dir: Path, database_url: Optional[str]) -> contextlib.AbstractContextManager:
    """Held by a running server (shared: its workers and other servers on the same data may
    hold it too); :class:`DataInUseError` while a restore holds it."""
    return _held(data_dir, database_url, exclusive=False)


def restore_lock(data_dir: Path, database_url: Optional[str]) -> contextlib.AbstractContextManager:
    """Held by a restore; :class:`DataInUseError` while any server holds :func:`server_lock`
    on the data dir or the database."""
    return _held(data_dir, database_url, exclusive=True)
