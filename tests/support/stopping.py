"""The servers of a worker's last teardown stop together, not one after the other.

When a worker's last test is torn down, every session fixture's server stops (SQLite and
PostgreSQL ones, with 4 uvicorn workers each): each ``stop()`` used to wait for its process
before the next one was signalled, 25-30 s at the end of every worker on a loaded machine.
During that last teardown ``stop()`` only signals its process (``state["deferring"]``), and the root
conftest waits for them all afterwards (``wait_for_deferred``), with the same timeout and kill.
"""

from __future__ import annotations

import signal
import subprocess
from typing import List

#: while True, ``EmbeddedServer.stop`` signals and leaves the wait to ``wait_for_deferred``
state = {"deferring": False}
_signalled: List[subprocess.Popen[bytes]] = []


def terminate(process: subprocess.Popen[bytes]) -> bool:
    """SIGTERM ``process`` if it runs; True when the caller may leave the wait to
    ``wait_for_deferred`` (the last teardown is under way)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    if state["deferring"]:
        _signalled.append(process)
        return True
    return False


def wait(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """Wait until ``process`` exits, killing it after ``timeout`` seconds."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for_deferred() -> None:
    """Wait for every process signalled while deferring (they shut down in parallel)."""
    state["deferring"] = False
    while _signalled:
        wait(_signalled.pop())
