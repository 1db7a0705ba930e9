"""One PostgreSQL cluster for all the parallel workers of a test run (pytest-xdist).

Starting a cluster and building its template database takes seconds of every worker that
needs PostgreSQL; the databases the tests create in it have unique names, so the workers can
share one. The first worker to need it starts it and records it in a state file in the run's
shared temp folder; the others attach to it; the last one to let go stops it. A file lock keeps
the bookkeeping in order. If the run is killed, the cluster stops once the run's controller
process is gone (``PgCluster``'s watcher).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Optional

from support.pg_cluster import PgCluster

STATE = "pg_cluster.json"
LOCK = "pg_cluster.lock"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read(path: Path) -> Optional[Dict[str, Any]]:
    if not path.exists():
        return None
    state: Dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return state


def _attach(state: Dict[str, Any]) -> PgCluster:
    cluster = PgCluster(Path(state["bin_dir"]), base=Path(state["base"]), port=state["port"])
    cluster.template = state["template"]
    return cluster


@contextlib.contextmanager
def shared_cluster(folder: Path, start: Callable[[], PgCluster]) -> Iterator[PgCluster]:
    """The cluster recorded in ``folder`` (shared by the run's workers), or a new one from
    ``start()`` (a started cluster with its template) when none runs; stopped by the last
    user to leave."""
    lock, state_path = folder / LOCK, folder / STATE
    with _locked(lock):
        state = _read(state_path)
        if state is None:
            cluster = start()
            state = {"bin_dir": str(cluster.bin_dir), "base": str(cluster.base),
                     "port": cluster.port, "template": cluster.template, "users": 0}  # fmt: skip
        else:
            cluster = _attach(state)
        state["users"] += 1
        state_path.write_text(json.dumps(state), encoding="utf-8")
    try:
        yield cluster
    finally:
        with _locked(lock):
            state = _read(state_path) or {"users": 1}
            state["users"] -= 1
            if state["users"] > 0:
                state_path.write_text(json.dumps(state), encoding="utf-8")
            else:
                state_path.unlink(missing_ok=True)
                cluster.stop()
