"""The suite's CPU plugin: whose PostgreSQL work a test is charged under pytest-xdist, and the
timeline it draws from the tests' start and end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import suite_timeline
from suite_pg import PgMeter, process_table
from support.waiting import wait_until

#: a query that keeps its backend busy for a while on any machine (CPU seconds, not wall)
BUSY_SQL = "SELECT count(*) FROM generate_series(1, 20000000)"

#: the advisory lock the short connection waits on once its work is done
HELD_LOCK = 4242
#: psql's application name for the short connection (the cluster may serve other workers)
SHORT_APP = "suite-pg-short"

OUTSIDE_CLIENT = """
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as connection:
    backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
    connection.execute(sys.argv[2]).fetchall()
open(sys.argv[3], "w").write(str(backend))
"""


def _gone(backend: int) -> bool:
    """The backend has ended and its postmaster reaped it (its CPU is the postmaster's now)."""
    return not Path(f"/proc/{backend}").exists()


def _outside_client(url: str, done: Path) -> None:
    """A client outside this process's tree (``setsid -f``: init adopts it), as another worker's
    server is; returns when its query has run and its backend is reaped."""
    subprocess.run(
        ["setsid", "-f", sys.executable, "-c", OUTSIDE_CLIENT, url, BUSY_SQL, str(done)],
        check=True,
    )
    wait_until(lambda: done.exists() and done.read_text(), "the outside client's query", 600)
    backend = int(done.read_text())
    wait_until(lambda: _gone(backend), "the outside client's backend to end", timeout=600)


def _short_client(pg_cluster: Any) -> subprocess.Popen[str]:
    """``psql``, a child of this process, that does its work and then waits for ``HELD_LOCK``."""
    sql = f"{BUSY_SQL}; SELECT pg_advisory_lock({HELD_LOCK})"
    return subprocess.Popen(
        pg_cluster.psql_command(sql),
        env=dict(os.environ, PGAPPNAME=SHORT_APP), stdout=subprocess.DEVNULL, text=True,
    )


def _waiting_backend(connection: Any) -> Optional[int]:
    """The short connection's backend once it waits for the lock (its work done), or None."""
    row = connection.execute(
        "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND wait_event_type ="
        " 'Lock'", (SHORT_APP,),
    ).fetchone()  # fmt: skip
    return None if row is None else int(row[0])


def test_a_worker_is_charged_its_own_connections_not_another_workers(
    pg_cluster: Any, tmp_path: Path
) -> None:
    """Each reading is taken when what it reads has happened (a query done, a backend reaped),
    never after a while: the machine's speed changes no figure's side of its bound."""
    psycopg = pytest.importorskip("psycopg")
    url = pg_cluster.url("postgres")
    parallel, whole = PgMeter(parallel=True), PgMeter(parallel=False)
    with psycopg.connect(url, autocommit=True) as mine:
        table = process_table()
        before = parallel.seconds(table), whole.seconds(table)
        _outside_client(url, tmp_path / "done")
        table = process_table()
        outside = parallel.seconds(table) - before[0], whole.seconds(table) - before[1]
        mine.execute(BUSY_SQL).fetchall()
        inside = parallel.seconds(process_table()) - before[0] - outside[0]
        mine.execute(f"SELECT pg_advisory_lock({HELD_LOCK})")
        short_client = _short_client(pg_cluster)
        backend = wait_until(lambda: _waiting_backend(mine), "the short connection's work", 600)
        parallel.seconds(process_table())  # read while it ran (as the meter's thread reads)
        mine.execute(f"SELECT pg_advisory_unlock({HELD_LOCK})")
        assert short_client.wait(timeout=600) == 0
        wait_until(lambda: _gone(backend), "the short connection's backend to end", timeout=600)
        short = parallel.seconds(process_table()) - before[0] - outside[0] - inside
    assert outside[1] > 0.3, "the whole cluster's CPU holds the other client's query"
    assert outside[0] < 0.05, "another process tree's connection is not this worker's"
    assert inside > 0.3, "this process's own connection counts"
    assert short > 0.3, "a connection of this tree that ended counts (read while it ran)"


def _row(worker: str, start: float, end: float, cpu: float = 0.0) -> List[Any]:
    return [0.0, end - start, 0.0, worker, cpu, 0.0, start, end]


def test_the_timeline_shows_each_workers_groups_and_the_tail() -> None:
    rows: Dict[str, List[Any]] = {
        "tests/a.py::test_one@big()": _row("gw0", 100.0, 160.0, cpu=120.0),
        "tests/a.py::test_two@big()": _row("gw0", 160.0, 200.0),
        "tests/b.py::test_alone[x@y]": _row("gw1", 100.0, 120.0),
    }
    samples = [[100.0 + t, 2.0 if t <= 20 else 1.0, 900.0] for t in range(101)]
    machine = {"cores": 2, "samples": samples}
    drawn = suite_timeline.timeline(rows, machine, width=10)
    lines = drawn.splitlines()
    assert lines[1] == "   gw0 |AAAAAAAAAA|"
    assert lines[2] == "   gw1 |--        |", "an '@' inside a parameter's id is no group"
    assert lines[3] == " cores |2211111111|"
    assert lines[5] == " asked |2222220000|", "a test's CPU spread over its wall"
    assert "tail (fewer than all 2 workers with work): 80 s" in drawn
    assert "cores (2) idle: 80 core-s in the run, 80 in the tail" in drawn
    assert "peak memory in use 900 MiB" in drawn
    assert "before the first test (workers starting, collecting): 1 s" in drawn
    assert "  A  gw0      0-100       2 tests big()" in drawn, "times from the run's start"
    assert "the tests asked for fewer than 2 cores: 80 core-s short" in drawn


def test_rows_without_times_are_laid_end_to_end() -> None:
    rows: Dict[str, List[Any]] = {
        "tests/a.py::t1@g()": [0.0, 5.0, 0.0, "gw0"],
        "tests/a.py::t2@g()": [0.0, 5.0, 0.0, "gw0"],
    }
    by_worker, _origin, timed = suite_timeline.spans(rows)
    assert not timed
    assert by_worker == {"gw0": [(0.0, 5.0, "g()", 0.0), (5.0, 10.0, "g()", 0.0)]}
