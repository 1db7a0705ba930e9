"""The resident memory of a server's processes, from ``/proc`` (Linux): a generous bound on
what one request may hold, never a timing."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

MB = 1024 * 1024


def processes(server: Any) -> List[int]:
    """The server's process and its ``--workers`` children."""
    pid = server.process.pid
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return [pid, *(int(child) for child in children)]


def _status(pid: int) -> Dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024
    return fields


def reset_peaks(server: Any) -> Dict[int, int]:
    """Resets each process's peak RSS (``clear_refs`` 5) and returns its RSS now."""
    now = {}
    for pid in processes(server):
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        now[pid] = _status(pid)["VmRSS"]
    return now


def peak_growth(server: Any, before: Dict[int, int]) -> int:
    """The largest growth of one process's peak RSS over its RSS in ``before`` (bytes)."""
    return max(_status(pid)["VmHWM"] - rss for pid, rss in before.items())
