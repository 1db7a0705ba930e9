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
from typing import Any

import pytest
from support.server_workers import worker_pids
from support.trust import start_server
from support.waiting import wait_until

#: longer than uvicorn's default health-check timeout (5 s), well inside the server's (60 s)
STOPPED_FOR = 12.0


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
    supervisor = server.process.pid
    try:
        wait_until(lambda: len(worker_pids(supervisor)) == 2, "two worker processes", timeout=120)
        starved = worker_pids(supervisor)[0]
        os.kill(starved, signal.SIGSTOP)
        try:
            time.sleep(STOPPED_FOR)  # the starving itself, not a wait for something to happen
        finally:
            still_there = _continue(starved)
        assert still_there and starved in worker_pids(supervisor), "the supervisor killed it"
    finally:
        server.stop()
