"""The PostgreSQL CPU a pytest process caused, read from ``/proc`` (``suite_cpu``'s ``pg_cpu``).

A run's clusters are shared by the workers of a parallel run (``support.pg_shared``), so a
cluster's whole CPU (its postmaster's tree: live processes and the reaped backends of finished
connections) holds what every worker asked. ``PgMeter`` therefore counts in one of two ways:

- **One process** (no pytest-xdist): the clusters' whole CPU, as each postmaster's tree, a
  stopped cluster counting what it had spent when last read. Every connection counts, the
  short ones too.
- **A worker of a parallel run**: only the backends serving this worker's process tree. A
  backend's title names its client's 127.0.0.1 port (``postgres: user db 127.0.0.1(port) idle``);
  ``/proc/net/tcp`` names the socket that port belongs to, and the worker's tree holds that
  socket or not. A thread reads the backends every 0.2 s (and each test's start and end), each
  of this tree's backend's CPU kept as last read, after it ended too, so a test is charged what
  its worker's servers, CLIs and fixtures asked of PostgreSQL meanwhile. Missed: what a
  connection did after its last read (at most 0.2 s of it), since a backend's final CPU goes to
  its postmaster's reaped children's, mixed with every worker's; and the cluster's own processes
  (the checkpointer, which each ``CREATE DATABASE`` makes work, the WAL writer, autovacuum),
  which serve every worker. So it is a lower bound: three server modules (backup, new database,
  proxy headers) on ``-n 2`` count 2.9 PostgreSQL CPU-s, 6.7 on one worker (``-n 0``: the
  whole cluster), and 14 under the whole-cluster count on ``-n 2`` (the other worker's too).
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from typing import Dict, Iterable, List, Optional, Set, Tuple

#: a process's parent and its CPU seconds (own and reaped children's), by pid
Table = Tuple[Dict[int, List[int]], Dict[int, float]]
_CLIENT_PORT = re.compile(rb"127\.0\.0\.1\((\d+)\)")


def process_table() -> Table:
    """Every process's children and CPU (own and reaped children's, seconds)."""
    clock = os.sysconf("SC_CLK_TCK")
    children: Dict[int, List[int]] = {}
    spent: Dict[int, float] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        pid = int(name)
        children.setdefault(int(fields[1]), []).append(pid)
        spent[pid] = sum(int(value) for value in fields[11:15]) / clock
    return children, spent


def below(root: int, children: Dict[int, List[int]]) -> List[int]:
    """``root`` and every process below it."""
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def _tree(root: int, table: Table) -> float:
    children, spent = table
    return sum(spent.get(pid, 0.0) for pid in below(root, children))


def _postmasters() -> List[int]:
    module = sys.modules.get("support.pg_cluster")
    pids = []
    for data in set(getattr(module, "DATA_FOLDERS", ())):
        try:
            pids.append(int((data / "postmaster.pid").read_text().split()[0]))
        except (OSError, ValueError, IndexError):  # not started yet, or stopped
            continue
    return pids


def _client_port(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as title:
            found = _CLIENT_PORT.search(title.read())
    except OSError:
        return 0
    return int(found.group(1)) if found else 0


def _socket_inodes(ports: Set[int]) -> Dict[int, int]:
    """The inode of the 127.0.0.1 socket on each of ``ports`` (the clients' ends)."""
    inodes: Dict[int, int] = {}
    with open("/proc/net/tcp", encoding="ascii") as table:
        next(table)
        for line in table:
            fields = line.split()
            port = int(fields[1].rsplit(":", 1)[1], 16)
            if port in ports and fields[1].startswith("0100007F"):
                inodes[int(fields[9])] = port
    return inodes


def _held_sockets(pids: Iterable[int]) -> Set[int]:
    held: Set[int] = set()
    for pid in pids:
        try:
            names = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for name in names:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{name}")
            except OSError:
                continue
            if target.startswith("socket:["):
                held.add(int(target[8:-1]))
    return held


def _children(pid: int) -> List[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as listed:
            return [int(child) for child in listed.read().split()]
    except OSError:
        return []


def _cpu(pid: int) -> Optional[float]:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:  # ended meanwhile
        return None
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


class PgMeter:
    """The PostgreSQL CPU seconds this process caused so far (``seconds()``), as the module's
    docstring says: the whole clusters' alone; under pytest-xdist only this tree's backends,
    which a thread reads every ``every`` seconds, so that a connection's work is kept though it
    ends before the test does (what it did after the last read is lost)."""

    def __init__(self, parallel: bool, every: float = 0.2) -> None:
        self.parallel, self.every = parallel, every
        self._spent: Dict[str, float] = {}  # by cluster or by backend, as last read
        self._mine: Dict[Tuple[int, int, int], bool] = {}  # (postmaster, backend, port)
        self._lock = threading.Lock()
        self._watch: Optional[threading.Thread] = None

    def seconds(self, table: Table) -> float:
        if self.parallel:
            self._start_watching()
            self._read_backends()
        else:
            for postmaster in _postmasters():
                self._spent[str(postmaster)] = _tree(postmaster, table)
        with self._lock:
            return sum(self._spent.values())

    def _start_watching(self) -> None:
        if self._watch is None:
            self._watch = threading.Thread(target=self._keep_reading, daemon=True, name="pg-cpu")
            self._watch.start()

    def _keep_reading(self) -> None:
        while True:
            time.sleep(self.every)
            self._read_backends()

    def _read_backends(self) -> None:
        with self._lock:
            for postmaster in _postmasters():
                backends = {pid: _client_port(pid) for pid in _children(postmaster)}
                backends = {pid: port for pid, port in backends.items() if port}
                self._learn_owners(postmaster, backends)
                for pid, port in backends.items():
                    spent = _cpu(pid) if self._mine[(postmaster, pid, port)] else None
                    if spent is not None:
                        self._spent[f"{postmaster}/{pid}/{port}"] = spent

    def _learn_owners(self, postmaster: int, backends: Dict[int, int]) -> None:
        """Whether each backend not seen before serves this process's tree."""
        known = self._mine
        new = {pid: port for pid, port in backends.items() if (postmaster, pid, port) not in known}
        if not new:
            return
        inodes = _socket_inodes(set(new.values()))
        held = _held_sockets(below(os.getpid(), process_table()[0]))
        my_ports = {inodes[inode] for inode in set(inodes) & held}
        for pid, port in new.items():
            self._mine[(postmaster, pid, port)] = port in my_ports
