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
  socket or not. Each such backend's CPU is kept when last read, after it ended too, so a test
  is charged what its worker's servers, CLIs and fixtures asked of PostgreSQL meanwhile. Missed:
  a connection opened and closed between two reads (within one test: a ``psql`` call, a
  ``NullPool`` lock), whose CPU no process of the cluster keeps apart from the others'.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Dict, Iterable, List, Set, Tuple

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


class PgMeter:
    """The PostgreSQL CPU seconds this process caused so far (``seconds()``), as the module's
    docstring says: the whole clusters' alone, only this tree's backends under pytest-xdist."""

    def __init__(self, parallel: bool) -> None:
        self.parallel = parallel
        self._spent: Dict[str, float] = {}  # by cluster or by backend, as last read

    def seconds(self, table: Table) -> float:
        for postmaster in _postmasters():
            if self.parallel:
                self._read_backends(postmaster, table)
            else:
                self._spent[str(postmaster)] = _tree(postmaster, table)
        return sum(self._spent.values())

    def _read_backends(self, postmaster: int, table: Table) -> None:
        children = table[0]
        ports = {pid: _client_port(pid) for pid in children.get(postmaster, [])}
        inodes = _socket_inodes({port for port in ports.values() if port})
        mine = set(inodes) & _held_sockets(below(os.getpid(), children))
        my_ports = {inodes[inode] for inode in mine}
        for pid, port in ports.items():
            if port in my_ports:
                self._spent[f"{postmaster}/{pid}/{port}"] = _tree(pid, table)
