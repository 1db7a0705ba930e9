"""What an idle server costs: the CPU its processes use while nobody asks anything, on SQLite
(one process) and on PostgreSQL with 4 workers.

Usage: ``.venv/bin/python bench/bench_idle.py [--seconds 30] [--database postgresql://…]
[--no-postgres]``

Starts ``ft-dcc server`` on SQLite, then (with ``--database``, or a throwaway cluster when the
tests' PostgreSQL binaries are installed) on PostgreSQL with ``--workers 4``; waits ``--settle``
seconds after each answers, then reads the CPU time (user + system, from ``/proc``) of the
server process and its children before and after ``--seconds`` without a request. The SQLite
server is the baseline measured in the same run: the figure is the PostgreSQL server's idle
CPU as a ratio of it (its 4 workers each keep an event loop, a revocation listener and an
event relay listener; its first process, uvicorn's supervisor, pings each worker twice a
second). Each process's CPU is printed too, the server's own first (with 4 workers, the
supervisor; the others are multiprocessing's resource tracker and the workers). The figures
are counted in clock ticks (0.01 s): with loops that sleep, a few ticks per 30 s, so the ratio
moves a lot between runs. Linux only (``/proc``). No timing is asserted anywhere: a benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from embedded_server import Server

TICKS = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> List[int]:
    """``pid`` and every process below it."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = (task / "children").read_text(encoding="ascii").split()
            todo.extend(int(child) for child in children)
    return found


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU seconds of ``pids`` so far (a process gone meanwhile counts 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / TICKS


def idle_cpu(name: str, extra_args: Sequence[str], seconds: float, settle: float) -> float:
    base = Path(tempfile.mkdtemp(prefix=f"bench-idle-{name}-"))
    server = Server(base, extra_args)
    try:
        time.sleep(settle)  # the start's own work (imports, schema, workers coming up) is over
        pids = tree(server.process.pid)
        before = [cpu_seconds([pid]) for pid in pids]
        time.sleep(seconds)  # the stimulus: nothing asked
        each = [cpu_seconds([pid]) - start for pid, start in zip(pids, before)]
        used = sum(each)
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
    print(f"{name}: {len(pids)} processes, {used:.2f} CPU-s in {seconds:.0f} s idle "
          f"({100 * used / seconds:.2f} % of a core; by process, the server's first: "
          f"{', '.join(f'{x:.2f}' for x in each)})", flush=True)  # fmt: skip
    return used


def throwaway_postgres() -> Optional[Any]:
    """A PostgreSQL cluster from the tests' support (``None`` when not installed)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from support.pg_cluster import PgCluster, find_bin_dir

    return PgCluster.start() if find_bin_dir() is not None else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--settle", type=float, default=10.0)
    parser.add_argument("--database", help="a PostgreSQL URL (default: a throwaway cluster)")
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args()
    results: Dict[str, float] = {"sqlite": idle_cpu("sqlite", [], options.seconds, options.settle)}
    if not options.no_postgres:
        cluster = None if options.database else throwaway_postgres()
        url = options.database or (cluster.create_database("idle") if cluster else None)
        try:
            if url is None:
                print("postgresql: skipped (no --database and no PostgreSQL installed)")
            else:
                args = ["--database", url, "--workers", "4"]
                results["postgresql-4-workers"] = idle_cpu(
                    "postgresql-4-workers", args, options.seconds, options.settle
                )
        finally:
            if cluster is not None:
                cluster.stop()
    if "postgresql-4-workers" in results and results["sqlite"] > 0:
        ratio = results["postgresql-4-workers"] / results["sqlite"]
        results["ratio_postgresql_to_sqlite"] = round(ratio, 2)
        print(f"postgresql-4-workers / sqlite: {ratio:.2f}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
