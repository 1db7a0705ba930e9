"""A worker process the machine starves for a few seconds (a busy studio server, a big batch
holding the interpreter) keeps serving: uvicorn's supervisor kills a worker that has not
answered its health ping within ``timeout_worker_healthcheck`` (5 s by default), and a killed
worker drops the requests it was answering ("Remote end closed connection without response").
The server gives its workers a minute before taking them for hung.

The starving is made certain rather than hoped for: one worker is stopped (SIGSTOP) for longer
than uvicorn's default allows, then continued; it must still be the same process."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any, List

import pytest
from support.trust import start_server
from support.waiting import wait_until

#: longer than uvicorn's default health-check timeout (5 s), well inside the server's (60 s)
STOPPED_FOR = 12.0


def _children(pid: int) -> List[int]:
    """The child processes of ``pid`` (started from any of its threads)."""
    found: List[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _workers(server: Any) -> List[int]:
    """The worker processes of the server (uvicorn's supervisor's children running Python)."""
    found = []
    for child in _children(server.process.pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline:  # not the resource tracker
            found.append(child)
    return found


def _continue(pid: int) -> bool:
    """SIGCONT ``pid``; whether it still existed."""
    try:
        os.kill(pid, signal.SIGCONT)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_a_worker_starved_for_seconds_is_not_killed(pg_cluster: Any, tmp_path: Path) -> None:
    url = pg_cluster.create_database("starved", template=pg_cluster.template)
    server = start_server(tmp_path, ["--database", url, "--workers", "2"])
    try:
        wait_until(lambda: len(_workers(server)) == 2, "two worker processes", timeout=120)
        starved = _workers(server)[0]
        os.kill(starved, signal.SIGSTOP)
        try:
            time.sleep(STOPPED_FOR)  # the starving itself, not a wait for something to happen
        finally:
            still_there = _continue(starved)
        assert still_there and starved in _workers(server), "the supervisor killed the worker"
    finally:
        server.stop()
