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
from pathlib import Path
from typing import Any, List

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


def stop_server_plugin(folder: Path, server: Any) -> Path:
    """A studio pyblish plugin in ``folder`` (for ``PYBLISHPLUGINPATH``) that stops ``server``
    just before the integrate step and returns once the server refuses connections: a server
    lost between validation and the commit."""
    folder.mkdir(parents=True, exist_ok=True)
    plugin = folder / "stop_server.py"
    plugin.write_text(
        "import os, signal, socket, time, pyblish.api\n"
        "class StopServer(pyblish.api.ContextPlugin):\n"
        "    order = pyblish.api.IntegratorOrder - 0.4\n"
        "    def process(self, context):\n"
        f"        os.kill({server.process.pid}, signal.SIGTERM)\n"
        "        deadline = time.monotonic() + 60\n"
        "        while time.monotonic() < deadline:\n"
        "            try:\n"
        f"                socket.create_connection(('127.0.0.1', {server.port}), 1).close()\n"
        "            except OSError:\n"
        "                return\n"
        "            time.sleep(0.05)  # a poll of the condition above, bounded by its deadline\n"
        "        raise RuntimeError('the server still listens 60 s after SIGTERM')\n"
    )
    return plugin
