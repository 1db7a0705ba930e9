"""A throwaway PostgreSQL cluster from Debian's packages, for tests and benchmarks.

``PgCluster.start()`` runs ``initdb`` into a new temporary folder and ``pg_ctl start`` on a free
127.0.0.1 port (its socket in that folder); ``stop()`` shuts it down and removes the folder.
PostgreSQL refuses to run as root, so as root the cluster belongs to the unprivileged user
``nobody`` and the commands run through ``runuser``. ``create_database()`` gives each caller a
fresh, empty database (its statements on one kept connection: ``support.pg_admin``).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import List, Optional

from support.net import free_port
from support.pg_admin import AdminConnection

SUPERUSER = "postgres"
#: Debian's ``postgresql`` package installs the server binaries here (version folder varies).
BIN_GLOB = "/usr/lib/postgresql/*/bin"
#: Room for every server of every parallel test worker (one cluster serves them all).
MAX_CONNECTIONS = 800
#: Clusters live in memory (tmpfs) when it has this much room: every test database is a copy
#: of the template (megabytes of catalog files), and writing then deleting them on a disk
#: (ext4 with online discard) took longer than the tests that used them.
MEMORY_DIR = Path("/dev/shm")
MEMORY_NEEDED = 4 * 1024**3
#: the data folders of the clusters this process started or attached to: the suite's CPU plugin
#: (``tests/tools/suite_cpu.py``) reads their postmasters' CPU, which no test's process tree holds
DATA_FOLDERS: List[Path] = []


def cluster_parent() -> Optional[str]:
    """The folder for a new cluster's folder: ``MEMORY_DIR`` when it has room, else None
    (the system's temp folder)."""
    try:
        roomy = shutil.disk_usage(MEMORY_DIR).free >= MEMORY_NEEDED
    except OSError:
        return None
    return str(MEMORY_DIR) if roomy and os.access(MEMORY_DIR, os.W_OK) else None


def find_bin_dir() -> Optional[Path]:
    """The newest Debian PostgreSQL ``bin`` folder holding ``initdb`` and ``pg_ctl``, if any."""
    found = sorted(
        (Path(p) for p in glob.glob(BIN_GLOB) if (Path(p) / "initdb").is_file()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


class PgCluster:
    """A running cluster; ``url(database)`` is its SQLAlchemy URL (psycopg 3, trust auth)."""

    def __init__(
        self, bin_dir: Path, base: Optional[Path] = None, port: Optional[int] = None
    ) -> None:
        self.base = base or Path(tempfile.mkdtemp(prefix="ft_dcc_pg_", dir=cluster_parent()))
        self.bin_dir = bin_dir
        self.data = self.base / "pgdata"
        self.port = port or free_port()
        self.log = self.base / "postgres.log"
        self.template: Optional[str] = None
        self._run_as: List[str] = []
        self._admin = AdminConnection(self)
        DATA_FOLDERS.append(self.data)
        if os.geteuid() == 0:
            self._run_as = ["runuser", "-u", "nobody", "--"]

    @classmethod
    def start(cls, bin_dir: Optional[Path] = None, owner: Optional[int] = None) -> PgCluster:
        """Start a new cluster; it stops by itself once process ``owner`` (default: this one)
        is gone."""
        found = bin_dir or find_bin_dir()
        if found is None:
            raise FileNotFoundError(
                "PostgreSQL's server binaries are not installed: apt-get install postgresql "
                "(or make system-deps)"
            )
        cluster = cls(found)
        try:
            cluster._init()
            cluster._start()
            cluster._watch(owner or os.getpid())
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _watch(self, owner: int) -> None:
        """Stop the cluster and remove its folder when ``owner`` dies without ``stop()`` (a
        killed test run must not leave PostgreSQL running)."""
        stop = " ".join(self._cmd("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop"))
        script = (
            f"while kill -0 {owner} 2>/dev/null && [ -d {self.data} ]; do sleep 2; done; "
            f"[ -d {self.data} ] && {stop} >/dev/null 2>&1; rm -rf {self.base}"
        )
        subprocess.Popen(["sh", "-c", script], start_new_session=True,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)  # fmt: skip

    def _own(self, path: Path) -> None:
        if self._run_as:
            user = pwd.getpwnam("nobody")
            os.chown(path, user.pw_uid, user.pw_gid)

    def _cmd(self, name: str, *args: str) -> List[str]:
        return [*self._run_as, str(self.bin_dir / name), *args]

    def _init(self) -> None:
        self._own(self.base)
        subprocess.run(
            self._cmd("initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust",
                      "-E", "UTF8", "--no-sync", "--locale=C"),
            check=True, capture_output=True, cwd=self.base,
        )  # fmt: skip

    def _start(self) -> None:
        """``pg_ctl start`` on a free port; another one if a parallel run took it meanwhile."""
        for _attempt in range(4):
            try:
                return self._start_on_port()
            except subprocess.CalledProcessError:
                log = self.log.read_text(errors="replace") if self.log.exists() else ""
                if "could not bind" not in log and "already in use" not in log:
                    raise
                self.port = free_port()
        self._start_on_port()

    def _start_on_port(self) -> None:
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off "
            f"-c max_connections={MAX_CONNECTIONS} -c shared_buffers=64MB"
        )
        subprocess.run(
            self._cmd("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                      "-w", "-t", "60", "start"),
            check=True, capture_output=True, cwd=self.base,
        )  # fmt: skip

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def psql_command(self, sql: str, database: str = "postgres") -> List[str]:
        """The command line that runs ``sql`` with ``psql`` as the superuser (unaligned, tuples
        only, stopping at the first error): to run now (``psql``) or in the background."""
        return [str(self.bin_dir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", database,
                "-c", sql]  # fmt: skip

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run ``sql`` with ``psql`` as the superuser; returns its output."""
        command = self.psql_command(sql, database)
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout

    def create_database(self, prefix: str = "t", template: Optional[str] = None) -> str:
        """A new database (empty, or a copy of ``template``); returns its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        self._admin.run(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Remove the database of ``url`` (made by ``create_database``), closing its
        connections."""
        name = url.rsplit("/", 1)[1]
        self._admin.run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        self._admin.close()
        subprocess.run(
            self._cmd("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"),
            capture_output=True, cwd=self.base,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while (self.data / "postmaster.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        shutil.rmtree(self.base, ignore_errors=True)
