"""The worker processes of an ``ft-dcc server --workers N`` (Linux ``/proc``)."""

from __future__ import annotations

from pathlib import Path
from typing import List


def children(pid: int) -> List[int]:
    """The child processes of ``pid`` (started from any of its threads)."""
    found: List[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:  # the thread ended meanwhile
            continue
    return found


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # gone meanwhile
        return b""


def worker_pids(pid: int) -> List[int]:
    """The workers under uvicorn's supervisor ``pid``: its children but multiprocessing's
    resource tracker (a spawned worker's command line names ``spawn_main``; a forked one's is
    the supervisor's own)."""
    return [child for child in children(pid)
            if cmdline(child) and b"resource_tracker" not in cmdline(child)]  # fmt: skip
