"""Where the test suite's CPU goes: a pytest plugin and its summary.

For each test the plugin records
``[machine_cpu, wall, own_cpu, worker, tree_cpu, pg_cpu, start, end]``:

- ``machine_cpu``: the machine's busy CPU time (``/proc/stat``: every process, so servers,
  Blender, Chromium and PostgreSQL count too) between the test's start and end. Meaningful on
  one worker on a quiet machine (with several, the tests running at the same time share it).
- ``own_cpu``: the CPU of the pytest process and of the children it has reaped meanwhile (a
  CLI, a publish, a server it stopped, with their own reaped children). It does not depend on
  what else runs on the machine, so it is the figure to compare on a shared machine and under
  pytest-xdist; a server or browser shared by several tests counts in the test that stops it.
- ``tree_cpu``: the CPU of the pytest process's whole process tree (``/proc``: each live
  descendant's own and reaped children's time), so the servers and CLIs the zygote forks
  (``support.launcher``; the zygote reaps them, not pytest), browsers and Blender count in the
  test during which they ran. A server shared by several tests counts in each test as it works.
  PostgreSQL's cluster (started by ``pg_ctl``, which detaches it) is not in the tree.
- ``pg_cpu``: the CPU of the PostgreSQL clusters this pytest process uses, read from ``/proc``
  (``suite_pg``). On one worker (``-p no:xdist``): the clusters' whole CPU (each postmaster, its
  live processes and the connections' backends it has reaped). Under pytest-xdist a cluster
  serves every worker, so only the backends whose client is this worker's process tree count
  (the other workers' connections no longer do), read every 0.2 s: a lower bound, without the
  cluster's own processes (checkpoints, WAL, autovacuum) that serve every worker.
- ``start``, ``end``: the wall clock (``time.time()``) when the test's setup began and its
  teardown ended: ``suite_timeline`` draws the workers' timelines from them.

The process that runs no tests (pytest-xdist's controller) samples the machine every second
meanwhile (``suite_timeline.Sampler``: busy cores from ``/proc/stat``, memory in use) into
``$SUITE_CPU_OUT.machine`` (an ``"@machine"`` entry, read beside the rows), so the timeline
shows when fewer cores than the machine has were busy, and the run's peak memory.

Rows go to ``$SUITE_CPU_OUT`` (``.<worker>`` appended under pytest-xdist, one file per worker,
each written after every test, so an interrupted run keeps what it measured)::

    PYTHONPATH=tests/tools SUITE_CPU_OUT=/tmp/cpu.json .venv/bin/python -m pytest -p suite_cpu
    python3 tests/tools/suite_cpu.py /tmp/cpu.json*     # totals by folder and the top files
    python3 tests/tools/suite_timeline.py /tmp/cpu.json*  # each worker's timeline, the idle tail
"""

from __future__ import annotations

import collections
import json
import os
import sys
import time
from typing import Any, Dict, Generator, List, Tuple, Union

import pytest
from suite_pg import PgMeter, Table, below, process_table
from suite_timeline import Sampler, busy_seconds, group_of, read_rows

Row = List[Union[float, str]]
_ROWS: Dict[str, Row] = {}
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_SAMPLER = pytest.StashKey[Sampler]()
_PG = PgMeter(parallel=bool(_WORKER))


def _tree_seconds(root: int, table: Table) -> float:
    """CPU of ``root`` and of every process below it, live or reaped (Linux ``/proc``)."""
    children, spent = table
    return sum(spent.get(pid, 0.0) for pid in below(root, children))


def _own_seconds() -> float:
    """CPU of this process and of its reaped children (theirs included)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    busy, own, start, began = busy_seconds(), _own_seconds(), time.monotonic(), time.time()
    table = process_table()
    tree, pg = _tree_seconds(os.getpid(), table), _PG.seconds(table)
    yield
    table = process_table()
    _ROWS[item.nodeid] = [
        round(busy_seconds() - busy, 2),
        round(time.monotonic() - start, 2),
        round(_own_seconds() - own, 2),
        _WORKER or "main",
        round(_tree_seconds(os.getpid(), table) - tree, 2),
        round(_PG.seconds(table) - pg, 2),
        round(began, 2),
        round(time.time(), 2),
    ]
    _write()


def pytest_configure(config: pytest.Config) -> None:
    """The controller of a parallel run (it runs no tests) samples the machine meanwhile."""
    out = os.environ.get("SUITE_CPU_OUT")
    if out and not _WORKER and config.getoption("numprocesses", None):
        config.stash[_SAMPLER] = Sampler(f"{out}.machine")


def pytest_unconfigure(config: pytest.Config) -> None:
    sampler = config.stash.get(_SAMPLER, None)
    if sampler is not None:
        sampler.stop()


def _write() -> None:
    out = os.environ.get("SUITE_CPU_OUT")
    if out:
        with open(f"{out}.{_WORKER}" if _WORKER else out, "w", encoding="utf-8") as file:
            json.dump(_ROWS, file)


def summary(rows: Dict[str, Row], top: int = 25) -> str:
    """Totals, then CPU by folder and by file, largest tree CPU first (own, machine and
    PostgreSQL CPU beside it)."""
    by_file: Dict[str, List[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    by_folder: Dict[str, List[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for nodeid, row in rows.items():
        path = nodeid.split("::")[0]
        folder = path.split("/")[1] if path.count("/") > 1 else "tests"
        for totals in (by_file[path], by_folder[folder]):
            totals[0] += _tree(row)
            totals[1] += _own(row)
            totals[2] += float(row[0])
            totals[3] += _pg(row)
    lines = [
        f"{len(rows)} tests: {sum(_tree(r) for r in rows.values()):.0f} tree CPU-s, "
        f"{sum(_own(r) for r in rows.values()):.0f} own CPU-s, "
        f"{sum(float(r[0]) for r in rows.values()):.0f} machine CPU-s busy, "
        f"{sum(_pg(r) for r in rows.values()):.0f} PostgreSQL CPU-s, "
        f"{sum(float(r[1]) for r in rows.values()):.0f} s wall (summed over tests)",
        "   tree     own  machine      pg",
    ]
    folders, files = _largest_first(by_folder), _largest_first(by_file)[:top]
    lines += [f"{t:7.1f} {o:7.1f} {m:8.1f} {g:7.1f}  {name}/" for name, (t, o, m, g) in folders]
    lines += [f"{t:7.1f} {o:7.1f} {m:8.1f} {g:7.1f}  {name}" for name, (t, o, m, g) in files]
    return "\n".join(lines + groups(rows))


def groups(rows: Dict[str, Row], top: int = 8) -> List[str]:
    """The largest ``xdist_group``s by summed wall (a group runs on one worker, one test after
    another: the run's longest chains), with their tests, tree CPU and worker."""
    by_group: Dict[str, List[Any]] = {}
    for nodeid, row in rows.items():
        name = group_of(nodeid)
        if name:
            totals = by_group.setdefault(name, [0, 0.0, 0.0, str(row[3])])
            totals[0] += 1
            totals[1] += float(row[1])
            totals[2] += _tree(row)
    if not by_group:
        return []
    largest = sorted(by_group.items(), key=lambda item: -item[1][1])[:top]
    return ["  tests    wall    tree  worker  group (run on one worker)"] + [
        f"{n:7d} {w:7.1f} {t:7.1f}  {worker:6}  {name}" for name, (n, w, t, worker) in largest
    ]


def _own(row: Row) -> float:
    return float(row[2]) if len(row) > 2 else float(row[0])  # rows of the first version


def _tree(row: Row) -> float:
    return float(row[4]) if len(row) > 4 else _own(row)  # rows of the earlier versions


def _pg(row: Row) -> float:
    return float(row[5]) if len(row) > 5 else 0.0  # rows of the earlier versions


def _largest_first(totals: Dict[str, List[float]]) -> List[Tuple[str, List[float]]]:
    return sorted(totals.items(), key=lambda item: -item[1][0])


if __name__ == "__main__":
    print(summary(read_rows(sys.argv[1:])[0]))
