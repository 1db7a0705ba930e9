"""The pre-imported process that forks ``python -m ft_dcc`` runs for one test process.

Run as ``python zygote.py FD FOLDER`` by :mod:`support.launcher` (its module docstring says
why): FD is this end of a ``SOCK_SEQPACKET`` socket pair, FOLDER one the zygote removes when it
ends (the new SQLite database :func:`warm_new_database` makes is kept there). Each message on FD
is a launch request: a JSON object (``module``, ``argv``, ``env``, ``cwd``, ``umask``, and
optionally ``new_database``: see :func:`place_new_database`) with four descriptors (the child's
stdin, stdout, stderr and a status socket). The zygote forks a child that becomes what ``python
-m MODULE ARGV...`` would have been (:func:`become_child`, :func:`run_as_main`), writes
``P <pid>`` to the status socket, and ``S <returncode>`` (``subprocess`` style: ``-N`` for a
signal) once it has reaped the child. It exits when the test process closes its end of the
pair (its children then get SIGKILL: ``PR_SET_PDEATHSIG``).

The same requests come on ``FOLDER/launch.sock`` (:data:`LISTEN_NAME`), one a connection, from
the programs that another program starts (the farm's steps, which ``openjd run`` starts): the
launcher's step command (``support/step_python.py``) asks there for a ``path`` (``python SCRIPT
ARGV...``) instead of a ``module``.

Only the standard library is imported before :data:`PRELOAD`; the zygote stays
single-threaded, so a fork leaves no lock held by another thread. What it imported is frozen
out of the garbage collector's reach (``gc.freeze``) and a child ends without the interpreter's
module teardown: either would write to every shared page, and the copies cost more CPU than the
imports the fork saves.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import gc
import importlib
import io
import json
import logging
import os
import re
import runpy
import select
import shutil
import signal
import socket
import sqlite3
import sys
import threading
from typing import Any, Dict, List, Optional, Tuple

#: What a SQLite ``ft-dcc server`` and the common CLI commands import (``python -X importtime``
#: of each), and SQLAlchemy's PostgreSQL dialect: a SQLite server never loads it
#: (tests/server/runtime/test_lazy_imports.py), the suite's PostgreSQL servers each would. Not
#: psycopg, not Pillow nor the media package (first use).
PRELOAD = (
    "ft_dcc.cli",
    "ft_dcc.server.app",
    "ft_dcc.server.commands.workers",
    "ft_dcc.server.http.cors",
    "ft_dcc.server.runtime.running",
    "ft_dcc.server.runtime.uvicorn_server",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.sqlite.pysqlite",
    "sqlalchemy.dialects.postgresql",
    "uvicorn",
    "uvicorn.config",
    "uvicorn.server",
    "uvicorn.main",
    "uvicorn.lifespan.on",
    "uvicorn.loops.asyncio",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.protocols.http.httptools_impl",
    "uvicorn.loops.uvloop",
    "httptools",
    "uvloop",
    "uvicorn.protocols.websockets.websockets_sansio_impl",
    "uvicorn.supervisors",
    "ft_dcc.review.cli",
    "ft_dcc.publish.offline.queue",
    "ft_dcc.publish.common.report",
    # what the request's settings are read with (settings_options itself imports the request,
    # whose frame rates are read by ft_dcc.media: it is loaded by the children that publish)
    "ft_dcc.publish.request.options",
    "ft_dcc.publish.request.studio_settings",
    "ft_dcc.settings.layers",
    "ft_dcc.settings.store",
    "ft_dcc.settings.resolve",
    "ft_dcc.settings.load",
    "ft_dcc.settings.plugins",
    "ft_dcc.settings.task_paths",
    "ft_dcc.settings.templates",
    "ft_dcc.session",
    "requests",
    # imported on first use by a server's start (its database's source, its data dir's lock,
    # uvicorn's choice of loop and protocols) and by the commands' app data folder
    "ft_dcc.server.operations.secrets_source",
    "ft_dcc.server.runtime.data_lock",
    "uvicorn.loops.auto",
    "uvicorn.protocols.http.auto",
    "uvicorn.protocols.websockets.auto",
    "platformdirs",
)

#: Loaded on first use only in a real process; the zygote must not carry them into every child.
NOT_PRELOADED = ("PIL", "ft_dcc.media", "psycopg", "psycopg2")

#: What the zygote imports itself when a test first asks it for a ``python -m`` of another
#: program than ft_dcc (its later children of that program then fork with them imported):
#: ``openjd run`` imports 0.25 CPU-s of pydantic models each time (the farm tests run it ~25
#: times); a test process that never runs it never loads them.
ON_FIRST_USE = {"openjd": ("openjd.cli", "openjd.cli._run", "openjd.sessions", "openjd.model")}
#: What the zygote imports itself when a test first asks it for a child on a PostgreSQL database
#: (a PostgreSQL server, ``ft-dcc user … --database postgresql…``): psycopg and SQLAlchemy's
#: dialect of it, 0.09 CPU-s each such child imported; a test process without one never loads it.
ON_FIRST_POSTGRESQL = ("psycopg", "sqlalchemy.dialects.postgresql.psycopg")

PR_SET_PDEATHSIG = 1
#: the socket in the zygote's folder where programs the tests do not start ask for a child
LISTEN_NAME = "launch.sock"


#: the SQLite database file a store made new (:func:`warm_new_database`), if one was made
NEW_DATABASE: Optional[str] = None
#: what SQLite keeps beside a database file: a database with any of them is not new
DATABASE_SIDE_FILES = ("", "-wal", "-shm", "-journal")
#: the mode SQLite creates a database file with (before the umask)
SQLITE_FILE_MODE = 0o644


def preload(folder: str) -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # a package of the server extra not installed
            continue
    from ft_dcc.cli import commands

    commands()  # the command modules ``build_parser`` imports
    warm_query_parser()
    warm_store_tables(folder)
    loaded = [n for n in sys.modules if any(n == m or n.startswith(m + ".") for m in NOT_PRELOADED)]
    if loaded:
        raise SystemExit(f"zygote: preloading loaded {sorted(loaded)[:5]}")


def warm_query_parser() -> None:
    """Build the server's query parser (lark, built on a process's first query and kept): each
    forked server's first request (its start's interrupted-jobs check) would build it again."""
    try:
        from ft_dcc.server.query.parser import parse_query
    except ImportError:  # the server extra not installed
        return
    parse_query("select id from Job")


def warm_store_tables(folder: str) -> None:
    """Define the store's entity tables (``store.shared_tables``: once per process, shared by
    its stores): each forked server's or command's store would define them again. Then make
    a new database in ``folder`` (:func:`warm_new_database`)."""
    try:
        from ft_dcc.server.store.shared_tables import schema_tables
    except ImportError:  # the server extra not installed
        return
    schema_tables()
    warm_new_database(folder)


def warm_new_database(folder: str) -> None:
    """Open a store on a new SQLite database in ``folder``, as a server's start opens its own:
    the DDL of the shared tables and indexes, compiled once per process and dialect
    (``store.shared_ddl``), is then found compiled by each forked child, and the database is
    kept (:data:`NEW_DATABASE`): a child asked for a new database gets a copy of it
    (:func:`place_new_database`) instead of making the same tables, indexes and statistics
    with the same statements again (0.035 CPU-s a server start). What a server's start adds
    to that schema (its side tables: :func:`started_schema`) is made in it too: a forked
    server finds them with one catalogue query instead of creating each; and the built-in rows
    every database has (``builtin_data.ensure_builtin_rows``, as a store's first seeding
    inserts them), which a forked server's seeding then finds there."""
    global NEW_DATABASE
    from ft_dcc.server.model.builtin_data import ensure_builtin_rows
    from ft_dcc.server.store.store import Store

    started = started_schema(os.path.join(folder, "started"))
    path = os.path.join(folder, "new.sqlite")
    store = Store(f"sqlite:///{path}")
    with store.write_transaction() as connection:
        ensure_builtin_rows(store, connection)
    store.engine.dispose()  # its last connection closed: the write-ahead log is merged
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as connection:
        made = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
        connection.execute("BEGIN")
        for name, sql in started:
            if name not in made:
                connection.execute(sql)
        connection.execute("COMMIT")
    if not any(os.path.exists(path + side) for side in DATABASE_SIDE_FILES[1:]):
        NEW_DATABASE = path


def started_schema(data_dir: str) -> List[Tuple[str, str]]:
    """The schema of a new database once a server has started on it (``create_app``, closed
    again; its data in ``data_dir``, removed): each object's name and SQL, in the order they
    were made. The start also leaves built what each forked server's start would build again
    (its routes' patterns, the lazy imports of its parts)."""
    from pathlib import Path

    try:
        from ft_dcc.server.app import create_app
        from ft_dcc.server.runtime.config import ServerConfig
    except ImportError:  # a package of the server extra not installed: no server starts
        return []
    config = ServerConfig(data_dir=Path(data_dir))
    logging.disable(logging.CRITICAL)  # its start's lines are no test's
    try:
        create_app(config, {"FTRACK_API_USER": "zygote"}).state.server.close()
        database = config.data_dir / "ft_dcc.sqlite"
        with contextlib.closing(sqlite3.connect(database)) as connection:
            return connection.execute(
                "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"
                " AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
            ).fetchall()
    finally:
        logging.disable(logging.NOTSET)
        shutil.rmtree(data_dir, ignore_errors=True)


def place_new_database(path: Optional[str]) -> None:
    """In a child: a copy of :data:`NEW_DATABASE` at ``path`` when nothing is there yet (the
    database a store would make new there). None made, or no copy possible (a folder the
    child may not write, a full disk): the program finds what is there, as it would have."""
    if not path or NEW_DATABASE is None:
        return
    if any(os.path.lexists(path + side) for side in DATABASE_SIDE_FILES):
        return
    partial = f"{path}.{os.getpid()}.copy"
    umask = os.umask(0)
    os.umask(umask)
    try:
        shutil.copyfile(NEW_DATABASE, partial)
        os.chmod(partial, SQLITE_FILE_MODE & ~umask)
        os.link(partial, path)  # never over a database that appeared meanwhile
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            os.unlink(partial)


class Zygote:
    def __init__(self, control: socket.socket, folder: str) -> None:
        self.control = control
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.listener.bind(os.path.join(folder, LISTEN_NAME))
        self.listener.listen(16)
        self.children: Dict[int, socket.socket] = {}
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_read, False)
        os.set_blocking(self.wake_write, False)

    def run(self) -> Optional[Launch]:
        """Serve requests until the test process goes (``None``); in a child, its request."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the tests and the children
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.set_wakeup_fd(self.wake_write)
        while True:
            try:
                ready, _, _ = select.select(
                    [self.control.fileno(), self.listener.fileno(), self.wake_read], [], []
                )
            except InterruptedError:  # pragma: no cover - select retries itself (PEP 475)
                continue
            if self.wake_read in ready:
                self.drain_wakeups()
            self.reap()
            if self.control.fileno() in ready:
                launch = self.serve_one(self.control)
                if launch is GONE:
                    return None
                if launch is not None:
                    return launch
            if self.listener.fileno() in ready:
                launch = self.serve_connection()
                if launch is not None:
                    return launch

    def serve_connection(self) -> Optional[Launch]:
        """The request of one connection to :data:`LISTEN_NAME` (as :meth:`serve_one`, but a
        closed connection is no more than that)."""
        try:
            connection, _ = self.listener.accept()
        except OSError:
            return None
        launch = self.serve_one(connection)
        if launch is not None and launch is not GONE:  # in the child
            connection.detach()
            return launch
        connection.close()
        return None

    def drain_wakeups(self) -> None:
        try:
            while os.read(self.wake_read, 512):
                pass
        except BlockingIOError:
            pass

    def reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            status_socket = self.children.pop(pid, None)
            if status_socket is not None:
                try:
                    status_socket.sendall(f"S {os.waitstatus_to_exitcode(status)}\n".encode())
                except OSError:  # the test process no longer listens
                    pass
                status_socket.close()

    def serve_one(self, source: socket.socket) -> Optional[Launch]:
        """Fork the child of one request read from ``source``. In the zygote: ``None``, or
        :data:`GONE` when ``source`` has closed (the control socket: the test process has
        gone); in the child: its request, to run outside the zygote's loop."""
        try:
            data, fds, _flags, _addr = socket.recv_fds(source, 4 << 20, 4)
        except OSError:
            return GONE
        if not data or len(fds) != 4:
            for fd in fds:
                os.close(fd)
            return GONE if not data else None
        status_socket = socket.socket(fileno=fds[3])
        try:
            request = json.loads(data)
            load_on_first_use(first_use_of(request))
            zygote_pid = os.getpid()
            pid = os.fork()
        except Exception as exc:
            for fd in fds[:3]:
                os.close(fd)
            self.tell(status_socket, f"E {type(exc).__name__}: {exc}")
            status_socket.close()
            return None
        if pid == 0:
            status_socket.detach()
            self.leave(fds[3])
            return Launch(request, fds[:3], zygote_pid)
        for fd in fds[:3]:
            os.close(fd)
        self.children[pid] = status_socket
        self.tell(status_socket, f"P {pid}")
        return None

    @staticmethod
    def tell(status_socket: socket.socket, line: str) -> None:
        try:
            status_socket.sendall(line.encode() + b"\n")
        except OSError:
            pass

    def leave(self, status_fd: int) -> None:
        """In a new child: drop the zygote's descriptors (control socket, other children's
        status sockets, the wakeup pipe) without letting their objects close reused numbers."""
        signal.set_wakeup_fd(-1)
        self.control.detach()
        self.listener.detach()
        for other in self.children.values():
            other.detach()
        self.children.clear()
        for fd in (status_fd, self.wake_read, self.wake_write):
            os.close(fd)


def first_use_of(request: Dict[str, Any]) -> Tuple[str, ...]:
    """The modules a launch request's child imports that the zygote has not preloaded: its
    program's (:data:`ON_FIRST_USE`), and psycopg's for a PostgreSQL database named in its
    arguments or ``$FT_DCC_DATABASE`` (:data:`ON_FIRST_POSTGRESQL`)."""
    wanted = ON_FIRST_USE.get(str(request.get("module", "ft_dcc")), ())
    named = [str(arg) for arg in request.get("argv") or ()]
    named.append(str((request.get("env") or {}).get("FT_DCC_DATABASE", "")))
    if any(re.search(r"\bpostgresql(\+\w+)?://", arg) for arg in named):
        wanted += ON_FIRST_POSTGRESQL
    return wanted


def load_on_first_use(names: Tuple[str, ...]) -> None:
    """Import ``names`` (:func:`first_use_of`) in the zygote (once: a later call finds them
    imported), frozen out of the garbage collector's reach like the preloaded ones."""
    wanted = [name for name in names if name not in sys.modules]
    if not wanted:
        return
    try:
        for name in wanted:
            importlib.import_module(name)
    except ImportError:  # not installed: the child fails as ``python -m`` would
        return
    if threading.active_count() != 1:
        raise RuntimeError(f"importing {wanted} started threads: {threading.enumerate()}")
    gc.freeze()


class Launch:
    """A forked child's request: ``python -m ft_dcc`` with these argv, env, cwd and stdio."""

    def __init__(self, request: Dict[str, Any], stdio: List[int], parent: int = 0) -> None:
        self.request = request
        self.stdio = stdio
        #: the zygote's pid, taken before the fork (the child's parent, while it lives)
        self.parent = parent


#: the test process has closed the control socket
GONE = Launch({}, [])


def end_with(parent: int) -> None:
    """Be killed (SIGKILL) when the zygote ``parent`` (its pid taken before the fork) ends: no
    child outlives its zygote. Under load a child may first run after the zygote was killed;
    it then ends here, as the signal would have ended it (its parent is already another)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)


def become_child(launch: Launch) -> None:
    """Turn this forked process into a fresh ``python -m ft_dcc ARGV`` (but for the imports)."""
    end_with(launch.parent)
    reset_signals()
    for target, fd in enumerate(launch.stdio):
        if fd != target:
            os.dup2(fd, target, inheritable=True)
    os.closerange(3, max_fd())
    reopen_stdio()
    request = launch.request
    os.umask(int(request["umask"]))
    cwd = str(request["cwd"])
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(request["env"])
    path = request.get("path")
    if path:  # ``python SCRIPT``: the script's folder first
        sys.argv = [str(path), *request["argv"]]
        sys.path[0] = os.path.dirname(str(path))
    else:
        sys.argv = ["-m", *request["argv"]]
        sys.path[0] = cwd  # ``python -m`` puts the working directory first
    import random

    random.seed()  # random's own at-fork hook does too; secrets and uuid4 read os.urandom
    importlib.invalidate_caches()  # modules written since the zygote's imports
    place_new_database(request.get("new_database"))


def max_fd() -> int:
    try:
        return max(int(name) for name in os.listdir("/proc/self/fd")) + 1
    except (OSError, ValueError):  # pragma: no cover - Linux has /proc
        return 65536


def reset_signals() -> None:
    """The signal dispositions and mask of a fresh ``python`` process."""
    for signum in signal.valid_signals():
        if signum in (signal.SIGKILL, signal.SIGSTOP):
            continue
        try:
            signal.signal(signum, signal.SIG_DFL)
        except (OSError, ValueError):
            continue
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # as CPython sets them at start-up
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def reopen_stdio() -> None:
    """New ``sys.stdin/stdout/stderr`` on descriptors 0-2, made as the interpreter makes them
    (the zygote's own tell whether ``PYTHONUNBUFFERED`` is set: the launcher only forks a child
    whose interpreter settings are the zygote's)."""
    streams = []
    for fd, old in enumerate((sys.__stdin__, sys.__stdout__, sys.__stderr__)):
        assert old is not None
        raw = io.FileIO(fd, "r" if fd == 0 else "w", closefd=False)
        buffer: Any
        unbuffered = fd > 0 and isinstance(old.buffer, io.FileIO)
        if fd == 0:
            buffer = io.BufferedReader(raw)
        else:
            buffer = raw if unbuffered else io.BufferedWriter(raw)
        stream = io.TextIOWrapper(
            buffer,
            encoding=old.encoding,
            errors=old.errors,
            line_buffering=not unbuffered and fd > 0 and (fd == 2 or raw.isatty()),
            write_through=unbuffered,
        )
        stream.mode = "r" if fd == 0 else "w"  # type: ignore[misc]
        streams.append(stream)
    sys.stdin, sys.stdout, sys.stderr = streams
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = streams  # type: ignore[misc]


def run_as_main(module: str, path: Optional[str] = None) -> int:
    """Run ``module`` as ``python -m`` does (the script ``path`` as ``python PATH``), then what
    the interpreter does at exit but the teardown of every module: waiting for the threads,
    atexit, flushing the open files. That teardown would touch every object the zygote
    imported, copying each memory page the fork shares (0.1 CPU-s per child), for nothing: the
    process ends next. The exit status."""
    interrupted = False
    try:
        if path:
            runpy.run_path(path, run_name="__main__")
        else:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exit_status(exc.code)
    except BaseException as exc:  # an uncaught exception: the traceback and status 1
        interrupted = isinstance(exc, KeyboardInterrupt)
        print_exception(exc)
        code = 1
    try:
        threading._shutdown()  # type: ignore[attr-defined] # the non-daemon threads' ends
    except BaseException as exc:  # as the interpreter: said, and the exit goes on
        print_exception(exc)
    atexit._run_exitfuncs()
    for stream in gc.get_objects():  # files the program left open (not the zygote's: frozen)
        if isinstance(stream, io.IOBase) and stream not in (sys.stdout, sys.stderr):
            try:
                if not stream.closed and stream.writable():
                    stream.flush()
            except Exception:  # as a file closed at exit: an error goes unsaid
                continue
    try:
        sys.stdout.flush()
    except Exception as exc:  # CPython's status when stdout cannot be flushed at exit
        print_exception(exc)
        code = 120
    try:
        sys.stderr.flush()
    except Exception:  # nowhere left to say it
        pass
    if interrupted:  # CPython ends itself by the signal after an uncaught Ctrl-C
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    return code


def exit_status(value: object) -> int:
    """The exit status of ``raise SystemExit(value)`` uncaught, as the interpreter makes it."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    try:
        print(value, file=sys.stderr)
    except Exception:  # nowhere to say it
        pass
    return 1


def print_exception(exc: BaseException) -> None:
    try:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    except Exception:  # nowhere to say it
        pass


def main(argv: Optional[List[str]] = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    control = socket.socket(fileno=int(argv[0]))
    preload(argv[1])
    if threading.active_count() != 1:
        raise SystemExit(f"zygote: preloading started threads: {threading.enumerate()}")
    gc.freeze()  # the imported objects: no child's garbage collection touches (copies) them
    launch = Zygote(control, argv[1]).run()
    if launch is None:  # the test process has gone (closed, or killed: its launcher cannot)
        shutil.rmtree(argv[1], ignore_errors=True)
        return
    module = str(launch.request.get("module", "ft_dcc"))
    path = launch.request.get("path")
    become_child(launch)
    del launch
    os._exit(run_as_main(module, str(path) if path else None))


if __name__ == "__main__":
    sys.path[0] = os.getcwd()  # not this script's folder (tests/support), as ``-m`` would
    main()
